//! Which roles may do what beyond the casbin rights of tables: reading every unit's findings, the
//! quality report, managing API tokens. Each choice is made here once, so GraphQL, HTTP and the
//! command line give the same answer.

use super::{has_role, ApiError, ApiResult, Code};
use crate::authz::{Access, Action};

/// Refuses with `message` (`FORBIDDEN`) unless the caller holds one of `roles`.
pub fn require_role(who: &Access, roles: &[&str], message: &str) -> ApiResult<()> {
    if has_role(who, roles) {
        Ok(())
    } else {
        Err(ApiError::new(Code::Forbidden, message.to_owned()))
    }
}

/// The quality report is 质量部's and the leaders'.
pub fn require_quality_report(who: &Access) -> ApiResult<()> {
    require_role(
        who,
        &["quality_admin", "leader"],
        "质量报告仅质量部和院领导可看",
    )
}

/// API tokens for BI clients are 质量部's to manage.
pub fn require_token_admin(who: &Access) -> ApiResult<()> {
    require_role(who, &["quality_admin"], "只有质量部管理员可以管理接口令牌")
}

/// Whether the caller runs the college-wide maintenance work (a whole-cycle check run, a
/// definitions reload): 质量部 and the system administrator, whose requests for it may run longer
/// than a page's (the HTTP face's `long_time`).
pub fn runs_maintenance(principal: &crate::authz::Principal) -> bool {
    principal.development
        || principal
            .roles
            .iter()
            .any(|r| r == "quality_admin" || r == "sysadmin")
}

/// The units whose findings the caller reads: everyone's (`None`) for 质量部, leaders, BI and a
/// table's reviewers; otherwise the caller's own.
pub fn finding_units(who: &Access, table: Option<&str>) -> Option<Vec<String>> {
    let wide = has_role(who, &["quality_admin", "leader", "bi"])
        || table.is_some_and(|t| who.can(t, Action::Review));
    (!wide).then(|| vec![who.principal.unit.clone()])
}
