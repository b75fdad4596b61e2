//! The read-only SQL views for BI tools: `statusdata bi grant`, a PostgreSQL role that reads the
//! views (schema `bi`) and nothing else. The views themselves are the store's, rebuilt with every
//! sync of the data tables.

use super::{require_role, ApiError, ApiResult, Code, Service};
use crate::authz::Access;
use crate::store::DbUrl;

pub use crate::store::bi::BiGrant;

/// Refuses a SQLite database before anything opens it (opening would create a missing file):
/// roles exist only on PostgreSQL; the refusal says how to read the views instead.
pub fn refuse_sqlite(url: &str) -> ApiResult<()> {
    match DbUrl::parse(url) {
        Ok(DbUrl::Sqlite(_)) => Err(ApiError::new(
            Code::BadRequest,
            crate::store::bi::SQLITE_REFUSAL,
        )),
        _ => Ok(()),
    }
}

impl Service {
    /// Creates `role` when missing (`NOLOGIN`, or `LOGIN` with `password`) or refreshes it, and
    /// grants it the BI views and the code table; a view rebuild keeps it able to read them.
    /// Only 质量部 administrators and the system may; `BAD_REQUEST` says why in Chinese on SQLite,
    /// for a bad role name, or when the database user may not create roles.
    pub fn bi_grant(&self, who: &Access, role: &str, password: Option<&str>) -> ApiResult<BiGrant> {
        require_role(
            who,
            &["quality_admin"],
            "只有质量部管理员可以授予 BI 只读角色",
        )?;
        self.store
            .bi_grant(role, password)?
            .map_err(|why| ApiError::new(Code::BadRequest, why))
    }
}
