//! What a signed-off snapshot guards: the whole-cycle export asks whether the core data is signed
//! off ([`ExportGate`]: warn or refuse before), and reopening a table an indicator reads un-signs
//! it, inside the reopen's transaction and with its own audit row.

use super::indicators::{lock, state_words};
use super::{ApiError, ApiResult, Code, Service};
use crate::store::indicators as ind;
use crate::store::AnyConnection;

/// What the whole-cycle export does before the leaders have signed off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ExportGate {
    /// Exports, with a warning on the cover and in a response header.
    #[default]
    Warn,
    /// Refuses with `CONFLICT`.
    Refuse,
}

impl std::str::FromStr for ExportGate {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "warn" => Ok(ExportGate::Warn),
            "refuse" => Ok(ExportGate::Refuse),
            other => Err(format!("“{other}”无效：应为 warn 或 refuse")),
        }
    }
}

impl Service {
    /// Whether the whole-cycle export of `cycle` may go ahead: `Ok(None)` when the core data is
    /// signed off, a warning or a refusal (by the server's [`ExportGate`]) otherwise.
    pub fn final_export_check(&self, cycle: i32) -> ApiResult<Option<String>> {
        let snap = ind::current_snapshot(&mut *self.store.conn()?, cycle)?;
        if snap.as_ref().is_some_and(|s| s.state == "signed_off") {
            return Ok(None);
        }
        let words = state_words(snap.as_ref().map_or("draft", |s| s.state.as_str()));
        let text = format!("{cycle} 年核心数据{words}，尚未经院领导签字");
        match self.export_gate {
            ExportGate::Warn => Ok(Some(text)),
            ExportGate::Refuse => Err(ApiError::new(
                Code::Conflict,
                format!("{text}：签字后才能导出上报数据"),
            )),
        }
    }
}

/// Un-signs the cycle's signed-off snapshot when a table it reads is reopened (inside the
/// reopen's transaction, with its own audit row). Returns whether it did.
pub(super) fn unsign_on_reopen(
    conn: &mut AnyConnection,
    catalog: &crate::defs::Catalog,
    cycle: i32,
    table: &str,
    actor: &str,
    at: &str,
    reason: &str,
) -> ApiResult<bool> {
    if !catalog
        .indicators
        .iter()
        .any(|i| i.reads.iter().any(|r| r == table))
    {
        return Ok(false);
    }
    lock(conn, cycle)?;
    let Some(snap) = ind::current_snapshot(conn, cycle)? else {
        return Ok(false);
    };
    if snap.state != "signed_off" {
        return Ok(false);
    }
    if !ind::unsign_snapshot(conn, snap.id)? {
        return Ok(false);
    }
    let detail = serde_json::json!({
        "version": snap.version,
        "at": at,
        "table": table,
        "reason": reason,
        "signed_off_by": snap.decided_by,
    });
    crate::store::audit_in(
        conn,
        actor,
        Some(cycle),
        "indicators_unsign",
        Some(table),
        detail,
    )?;
    Ok(true)
}
