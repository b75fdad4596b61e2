//! What guards the leaders' sign-off and what a signed-off snapshot guards. A leader signs only
//! within 院领导审核期 (the cycle file's `sign_off` phase) and when no comment on the core data is
//! open, unless 质量部 has overridden these guards on the snapshot with a written reason (who,
//! when and why stay on the snapshot and in the audit). Comments are resolved by their author or
//! 质量部. The whole-cycle export asks whether the core data is signed off ([`ExportGate`]: warn
//! or refuse before), and reopening a table an indicator reads un-signs it, inside the reopen's
//! transaction and with its own audit row.

use chrono::NaiveDate;

use super::indicators::{lock, state_words};
use super::roles::require_role as require;
use super::{has_role, stamp, ApiError, ApiResult, Code, Service};
use crate::authz::Access;
use crate::defs::Catalog;
use crate::store::indicators::{self as ind, CommentRow, SnapshotRow};
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
    let read = catalog
        .indicators
        .iter()
        .flat_map(|i| &i.reads)
        .chain(catalog.report.reads())
        .any(|r| r == table);
    if !read {
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

/// A day in the words of the notice: 2023年10月21日.
fn day(d: NaiveDate) -> String {
    d.format("%Y年%-m月%-d日").to_string()
}

/// One open comment in words: 在校生数（王静怡：明显不对）.
fn comment_words(catalog: &Catalog, c: &CommentRow) -> String {
    // A core indicator, or an item of the annual report (frozen beside them).
    let report_item = || {
        catalog.report.items().find_map(|(_, i)| match i {
            crate::defs::report::ReportItem::Computed(x) if x.id == c.indicator => {
                Some(x.name.as_str())
            }
            _ => None,
        })
    };
    let name = catalog
        .indicator(&c.indicator)
        .map(|i| i.name.as_str())
        .or_else(report_item)
        .unwrap_or(c.indicator.as_str());
    format!("{name}（{}：{}）", c.author_name, c.body)
}

/// What stands in the way of a sign-off of `cycle` on `today`: outside 院领导审核期, comments
/// still open (on any version). Empty when a leader may sign.
pub(super) fn sign_off_blockers(
    conn: &mut AnyConnection,
    catalog: &Catalog,
    cycle: i32,
    today: NaiveDate,
) -> ApiResult<Vec<String>> {
    let mut out = Vec::new();
    if let Some((start, end)) = ind::sign_off_window(conn, cycle)? {
        let early = start.is_some_and(|s| today < s);
        if early || today > end {
            let from = start.map(|s| format!("{} 至 ", day(s))).unwrap_or_default();
            let when = if early {
                "审核期尚未开始"
            } else {
                "审核期已结束"
            };
            out.push(format!(
                "院领导审核期为 {from}{}，今天（{}）{when}",
                day(end),
                day(today)
            ));
        }
    }
    let open: Vec<String> = ind::cycle_comments(conn, cycle)?
        .iter()
        .filter(|c| c.resolved_at.is_none())
        .map(|c| comment_words(catalog, c))
        .collect();
    if !open.is_empty() {
        out.push(format!(
            "有 {} 条批注尚未解决：{}",
            open.len(),
            open.join("；")
        ));
    }
    Ok(out)
}

/// Refuses a step on a snapshot the caller did not see (质量部 published a newer version since).
pub(super) fn same_version(snap: &SnapshotRow, seen: Option<i32>) -> ApiResult<()> {
    match seen {
        Some(v) if v != snap.version => Err(ApiError::new(
            Code::Conflict,
            format!(
                "核心数据已重新发布为第 {} 版（您看到的是第 {v} 版），请刷新后再审核",
                snap.version
            ),
        )),
        _ => Ok(()),
    }
}

/// The guards a sign-off of `snap` passes: `Ok(None)` when nothing stands in the way, the
/// override (as the audit records it) when 质量部 let it through, otherwise a refusal that says
/// why.
pub(super) fn pass_guards(
    conn: &mut AnyConnection,
    catalog: &Catalog,
    snap: &SnapshotRow,
    today: NaiveDate,
) -> ApiResult<Option<serde_json::Value>> {
    let blockers = sign_off_blockers(conn, catalog, snap.cycle, today)?;
    if blockers.is_empty() {
        return Ok(None);
    }
    match &snap.override_reason {
        Some(reason) => Ok(Some(serde_json::json!({
            "by": snap.override_by,
            "at": snap.override_at,
            "reason": reason,
            "blockers": blockers,
        }))),
        None => Err(ApiError::new(
            Code::Conflict,
            format!(
                "现在不能签字：{}。如确需签字，须由质量部写明原因放行",
                blockers.join("；")
            ),
        )),
    }
}

/// Who did it, as the snapshot shows: 王静怡（1002）.
pub(super) fn by(who: &Access) -> String {
    format!("{}（{}）", who.principal.name, who.principal.staff_no)
}

impl Service {
    /// 质量部 lets the leaders sign the current snapshot of `cycle` although it is outside
    /// 院领导审核期 or comments are open, with a written reason; audited and shown on the snapshot.
    /// `version`, when given, must be the current one.
    pub fn override_sign_off(
        &self,
        who: &Access,
        cycle: i32,
        reason: &str,
        version: Option<i32>,
    ) -> ApiResult<super::indicators::CoreData> {
        require(who, &["quality_admin"], "只有质量部可以放行院领导签字")?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(ApiError::new(Code::BadRequest, "放行须写明原因"));
        }
        let at = stamp(self.now());
        let today = crate::workflow::progress::today(self.now());
        let catalog = self.store.catalog().clone();
        self.store.write(|conn| {
            lock(conn, cycle)?;
            super::files::known_cycle(conn, cycle)?;
            let snap = super::indicators::awaiting(conn, cycle)?;
            same_version(&snap, version)?;
            let blockers = sign_off_blockers(conn, &catalog, cycle, today)?;
            if !ind::override_guards(conn, snap.id, &by(who), &at, reason)? {
                return Err(ApiError::new(
                    Code::Conflict,
                    "核心数据刚被他人审核，请刷新",
                ));
            }
            let detail = serde_json::json!({
                "version": snap.version, "reason": reason, "blockers": blockers,
            });
            crate::store::audit_in(
                conn,
                &who.principal.staff_no,
                Some(cycle),
                "indicators_override",
                None,
                detail,
            )?;
            Ok(())
        })?;
        self.core_data(who, cycle)
    }

    /// Marks a comment on the core data resolved: its author or 质量部; audited.
    pub fn resolve_indicator_comment(
        &self,
        who: &Access,
        cycle: i32,
        id: i64,
    ) -> ApiResult<CommentRow> {
        require(
            who,
            &["leader", "quality_admin"],
            "只有院领导和质量部可以处理核心数据的批注",
        )?;
        let at = stamp(self.now());
        self.store.write(|conn| {
            lock(conn, cycle)?;
            super::files::known_cycle(conn, cycle)?;
            let found = ind::cycle_comments(conn, cycle)?
                .into_iter()
                .find(|c| c.id == id)
                .ok_or_else(|| ApiError::new(Code::NotFound, format!("批注 {id} 不存在")))?;
            if found.author != who.principal.staff_no && !has_role(who, &["quality_admin"]) {
                return Err(ApiError::new(
                    Code::Forbidden,
                    format!(
                        "只有批注人（{}）或质量部可以标记这条批注已解决",
                        found.author_name
                    ),
                ));
            }
            if let Some(when) = &found.resolved_at {
                return Err(ApiError::new(
                    Code::Conflict,
                    format!(
                        "这条批注已由 {} 于 {when} 标记为已解决",
                        found.resolved_by.as_deref().unwrap_or("")
                    ),
                ));
            }
            let me = by(who);
            if !ind::resolve_comment(conn, id, &me, &at)? {
                return Err(ApiError::new(
                    Code::Conflict,
                    "这条批注刚被他人标记为已解决",
                ));
            }
            let detail = serde_json::json!({
                "version": found.version, "indicator": found.indicator, "comment": found.body,
            });
            crate::store::audit_in(
                conn,
                &who.principal.staff_no,
                Some(cycle),
                "indicators_comment_resolve",
                None,
                detail,
            )?;
            Ok(CommentRow {
                resolved_by: Some(me),
                resolved_at: Some(at.clone()),
                ..found
            })
        })
    }
}

/// What publishing `cycle` now would leave behind, for 质量部 to confirm first.
#[derive(Debug, Clone)]
pub struct PublishPreview {
    pub cycle: i32,
    /// The version publishing makes.
    pub next_version: i32,
    /// Why publishing is refused now (a signed-off snapshot stands), if it is.
    pub refusal: Option<String>,
    /// Tables the indicators read that are not yet accepted, with the units, in words.
    pub unaccepted: Vec<String>,
    /// Comments still open; they stay open on the new version.
    pub open_comments: Vec<CommentRow>,
    /// What happens to the current snapshot, in words.
    pub notes: Vec<String>,
}

impl Service {
    /// What publishing the core data of `cycle` now would leave behind (质量部, before it asks
    /// 继续/取消): the unaccepted tables, the open comments, the version it replaces.
    pub fn publish_preview(&self, who: &Access, cycle: i32) -> ApiResult<PublishPreview> {
        require(who, &["quality_admin"], "只有质量部可以发布核心数据")?;
        let fill = self.policy.current().unit_codes(
            self.store.catalog(),
            &self.units,
            crate::authz::Action::Fill,
        );
        let mut conn = self.store.conn()?;
        super::files::known_cycle(&mut conn, cycle)?;
        let current = ind::current_snapshot(&mut conn, cycle)?;
        let mut notes = Vec::new();
        let mut refusal = None;
        if let Some(s) = &current {
            let v = s.version;
            match s.state.as_str() {
                "signed_off" => {
                    refusal = Some(format!(
                        "第 {v} 版已经院领导签字，不能重新发布；如需修改，先重新打开相关的表"
                    ))
                }
                "published" => notes.push(format!(
                    "第 {v} 版正在等待院领导审核：发布后院领导须重新审核第 {} 版",
                    v + 1
                )),
                other => notes.push(format!(
                    "第 {v} 版{}，将由第 {} 版替代",
                    state_words(other),
                    v + 1
                )),
            }
            if let Some(r) = &s.override_reason {
                notes.push(format!("质量部对第 {v} 版的签字放行（{r}）不带到新版"));
            }
        }
        let open_comments: Vec<CommentRow> = ind::cycle_comments(&mut conn, cycle)?
            .into_iter()
            .filter(|c| c.resolved_at.is_none())
            .collect();
        Ok(PublishPreview {
            cycle,
            next_version: current.map_or(1, |s| s.version + 1),
            refusal,
            unaccepted: self.unaccepted(&mut conn, cycle, &fill)?,
            open_comments,
            notes,
        })
    }
}
