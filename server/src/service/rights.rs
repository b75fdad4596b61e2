//! Rights use cases: 质量部 grants or revokes a unit's fill or review right on a table. The file
//! change and its audit row agree: the audit row is written, the checked file put in force, and
//! the transaction committed; a failed file write leaves no audit row, and a failed commit puts
//! the old file back.

use super::{has_role, ApiError, ApiResult, Code, Service};
use crate::authz::{Access, Action};

impl Service {
    /// Grants (`grant`) or revokes `action` (fill or review) on `table` for a unit (code, name or
    /// alias) or a group (“各院系”). False when nothing changed.
    pub fn change_right(
        &self,
        who: &Access,
        unit: &str,
        table: &str,
        action: Action,
        grant: bool,
    ) -> ApiResult<bool> {
        let table = self.table(table)?;
        let quality = has_role(who, &["quality_admin"]);
        if !quality || !who.can(&table.code, Action::Admin) {
            return Err(ApiError::new(
                Code::Forbidden,
                "只有质量部管理员可以调整填报与审核分工",
            ));
        }
        let given = unit.trim();
        let subject = self
            .units
            .by_code(given)
            .or_else(|| self.units.by_name(given))
            .map(|u| u.name.clone())
            .or_else(|| self.units.group_by_name(given).map(|g| g.name.clone()))
            .ok_or_else(|| {
                ApiError::new(
                    Code::NotFound,
                    format!("没有名称或代码为“{given}”的单位或分组（见 seeds/units.toml）"),
                )
            })?;
        let _one_at_a_time = self.policy.lock_changes();
        let runtime = tokio::runtime::Handle::current();
        let prepared = runtime
            .block_on(self.policy.prepare(
                &subject,
                &table.code,
                action,
                grant,
                self.store.catalog(),
                &self.units,
            ))
            .map_err(|why| ApiError::new(Code::BadRequest, format!("调整被拒绝：{why}")))?;
        let Some(change) = prepared else {
            return Ok(false);
        };
        let detail = serde_json::json!({
            "unit": subject, "table": table.code, "action": action.as_str(), "grant": grant
        });
        let op = if grant { "grant" } else { "revoke" };
        let mut previous = None;
        let written = self.store.write(|conn| {
            crate::store::audit_in(
                conn,
                &who.principal.staff_no,
                None,
                op,
                Some(&table.code),
                detail,
            )?;
            previous = Some(self.policy.install(change).map_err(ApiError::internal)?);
            Ok::<_, ApiError>(())
        });
        if let Err(e) = written {
            if let Some(old) = previous {
                runtime
                    .block_on(self.policy.restore(&old))
                    .map_err(ApiError::internal)?;
            }
            return Err(e);
        }
        tracing::info!(table = %table.code, unit = %subject, action = %action, grant, "policy changed");
        Ok(true)
    }
}
