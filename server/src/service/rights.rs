//! Rights use cases: 质量部 grants or revokes a unit's fill or review right on a table, and the
//! administrator imports or exports the whole policy. The policy lives in the database (each
//! change a new version, written in the transaction of its audit row), so every instance on it
//! shares one policy; policy.csv is only the seed of an empty database and the export's format.

use std::path::Path;
use std::sync::Arc;

use super::{has_role, require_role, ApiError, ApiResult, Code, Service};
use crate::authz::{edit_policy, Access, Action, Policy, PolicyCell};
use crate::store::live;

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
        let detail = serde_json::json!({
            "unit": subject, "table": table.code, "action": action.as_str(), "grant": grant
        });
        let op = if grant { "grant" } else { "revoke" };
        let edit = |text: &str| {
            edit_policy(text, &subject, &table.code, action, grant)
                .map_err(|why| ApiError::new(Code::BadRequest, format!("调整被拒绝：{why}")))
        };
        let changed = self.store_policy(who, op, Some(&table.code), detail, edit)?;
        if changed {
            tracing::info!(table = %table.code, unit = %subject, action = %action, grant, "分工已修改");
        }
        Ok(changed)
    }

    /// Replaces the whole policy with `text` (policy.csv's format; `statusdata policy import`),
    /// checked like a grant. False when it is the policy in force already.
    pub fn import_policy(&self, who: &Access, text: &str) -> ApiResult<bool> {
        require_role(who, &["quality_admin"], "只有质量部管理员可以导入权限策略")?;
        let detail = serde_json::json!({ "lines": text.lines().count() });
        let changed = self.store_policy(who, "policy_import", None, detail, |old| {
            Ok((old != text).then(|| text.to_owned()))
        })?;
        Ok(changed)
    }

    /// The policy in force as policy.csv text, with its database version (0: not stored yet, the
    /// seed file's text).
    pub fn export_policy(&self) -> ApiResult<(i64, String)> {
        let stored = self.store.with_workflow(live::latest_policy)?;
        Ok(stored.unwrap_or_else(|| (0, self.policy.current().text().to_owned())))
    }

    /// Edits the stored policy (the seed when none is stored) with `edit`, checks the result and
    /// stores it as the next version with its audit row, all in one transaction that holds the
    /// policy; then puts it in force here. Other instances follow through the database.
    fn store_policy(
        &self,
        who: &Access,
        op: &str,
        table: Option<&str>,
        detail: serde_json::Value,
        edit: impl FnOnce(&str) -> ApiResult<Option<String>>,
    ) -> ApiResult<bool> {
        let _one_at_a_time = self.policy.lock_changes();
        let runtime = tokio::runtime::Handle::current();
        let catalog = self.store.catalog().clone();
        let at = super::stamp(self.now());
        let stored = self.store.write(|conn| {
            live::hold_policy(conn)?;
            let base = match live::latest_policy(conn)? {
                Some((_, text)) => text,
                None => self.policy.current().text().to_owned(),
            };
            let Some(text) = edit(&base)? else {
                return Ok(None);
            };
            let candidate = runtime
                .block_on(self.policy.candidate(&text, 0, &catalog, &self.units))
                .map_err(|why| ApiError::new(Code::BadRequest, format!("调整被拒绝：{why}")))?;
            crate::store::audit_in(conn, &who.principal.staff_no, None, op, table, detail)?;
            let version = live::insert_policy(conn, &text, &at, &who.principal.staff_no)?;
            Ok::<_, ApiError>(Some((candidate, version)))
        })?;
        let Some((candidate, version)) = stored else {
            return Ok(false);
        };
        self.policy.install(candidate.at_version(version));
        Ok(true)
    }

    /// Reads the newest stored policy into the cell when it is newer than the one in force (what
    /// an instance does when another one changed it). True when it changed.
    pub fn refresh_policy(&self) -> ApiResult<bool> {
        let in_force = self.policy.current().version();
        let Some((version, text)) = self.store.with_workflow(live::latest_policy)? else {
            return Ok(false);
        };
        if version <= in_force {
            return Ok(false);
        }
        let runtime = tokio::runtime::Handle::current();
        let policy = runtime
            .block_on(self.policy.stored(&text, version))
            .map_err(ApiError::internal)?;
        Ok(self.policy.install(policy))
    }
}

/// The policy cell an instance starts with: the database's policy, the seed policy.csv stored
/// as its first version when the database holds none yet (instances starting together store it
/// once). Warns when policy.csv differs from the database's policy.
pub async fn open_policy(
    store: &crate::store::Store,
    dir: &Path,
) -> Result<Arc<PolicyCell>, String> {
    let seed = Policy::load(dir).await.map_err(|e| e.to_string())?;
    let seed_text = seed.text().to_owned();
    let at = crate::store::now();
    let (version, text) = store
        .call(move |s| {
            s.write(|conn| {
                live::hold_policy(conn)?;
                if let Some(stored) = live::latest_policy(conn)? {
                    return Ok(stored);
                }
                let detail = serde_json::json!({ "lines": seed_text.lines().count() });
                crate::store::audit_in(
                    conn,
                    super::SYSTEM_ACTOR,
                    None,
                    "policy_seed",
                    None,
                    detail,
                )?;
                let v = live::insert_policy(conn, &seed_text, &at, super::SYSTEM_ACTOR)?;
                Ok((v, seed_text))
            })
        })
        .await
        .map_err(|e| e.to_string())?;
    if text != seed.text() {
        tracing::warn!(
            version,
            "policies/policy.csv 与数据库中的分工不同，以数据库中的为准；`statusdata policy export` 可导出它，`statusdata policy import` 可替换它"
        );
    }
    let cell = PolicyCell::new(dir.to_path_buf(), seed);
    let policy = cell.stored(&text, version).await?;
    cell.install(policy);
    Ok(Arc::new(cell))
}
