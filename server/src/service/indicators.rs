//! Core data for the leaders (通知第四阶段：10月21日至27日，质量部将核心数据报院领导审核):
//! 质量部 publishes a frozen snapshot of the core indicators, with the tables not yet accepted as
//! warnings; leaders comment per indicator and sign it off or return it; a returned or un-signed
//! snapshot is published again. A signed-off snapshot never changes: reopening a table it reads
//! un-signs it (audited), and the whole-cycle export asks whether it is signed off.
//!
//! Every step holds the cycle's indicator lock in its write transaction, so two leaders deciding
//! at once, or a publication racing a sign-off, end in one state and the loser is told why.

use super::roles::require_role as require;
use super::signoff::{by, pass_guards, same_version, sign_off_blockers};
pub use super::signoff::{ExportGate, PublishPreview};
use super::{has_role, stamp, ApiError, ApiResult, Code, Service};
use crate::authz::{Access, Action};
use crate::indicators::{compute_all, Computed};
pub use crate::indicators::{CoreData, IndicatorView};
use crate::model::State;
use crate::store::indicators::{self as ind, NewSnapshot};
pub use crate::store::indicators::{CommentRow, SnapshotRow};
use crate::store::tx::{hold_key, Hold};
use crate::store::workflow as wf;
use crate::store::AnyConnection;

pub(super) fn lock(conn: &mut AnyConnection, cycle: i32) -> ApiResult<()> {
    Ok(hold_key(conn, &format!("indicators:{cycle}"), Hold::Step)?)
}

/// Refuses a cycle that was never installed, as every other use case does.
fn known_cycle(conn: &mut AnyConnection, cycle: i32) -> ApiResult<()> {
    super::files::known_cycle(conn, cycle).map(|_| ())
}

pub(crate) fn state_words(state: &str) -> &'static str {
    match state {
        "published" => "已发布、待院领导审核",
        "returned" => "已退回质量部",
        "signed_off" => "已经院领导签字",
        "unsigned" => "签字后有表被重新打开，待重新发布",
        _ => "尚未发布",
    }
}

/// The current snapshot, which must be awaiting the leaders (`published`).
pub(super) fn awaiting(conn: &mut AnyConnection, cycle: i32) -> ApiResult<SnapshotRow> {
    match ind::current_snapshot(conn, cycle)? {
        Some(s) if s.state == "published" => Ok(s),
        Some(s) => Err(ApiError::new(
            Code::Conflict,
            format!(
                "{cycle} 年核心数据（第 {} 版）{}{}，不能再审核",
                s.version,
                state_words(&s.state),
                s.decided_by
                    .as_deref()
                    .map(|b| format!("（{b}）"))
                    .unwrap_or_default()
            ),
        )),
        None => Err(ApiError::new(
            Code::Conflict,
            format!("{cycle} 年核心数据尚未由质量部发布"),
        )),
    }
}

impl Service {
    /// The previous cycle's year, when that cycle is installed.
    pub(super) fn previous_cycle(conn: &mut AnyConnection, cycle: i32) -> ApiResult<Option<i32>> {
        Ok(wf::deadlines(conn, cycle - 1)?.map(|_| cycle - 1))
    }

    /// The core indicators of `cycle`: the current snapshot's frozen values, or live values
    /// (state `draft`) before the first publication. 质量部, leaders and BI tokens.
    pub fn core_data(&self, who: &Access, cycle: i32) -> ApiResult<CoreData> {
        require(
            who,
            &["quality_admin", "leader", "bi"],
            "核心数据仅质量部和院领导可看",
        )?;
        let mut conn = self.store.conn()?;
        known_cycle(&mut conn, cycle)?;
        let window = ind::sign_off_window(&mut conn, cycle)?;
        let snapshot = ind::current_snapshot(&mut conn, cycle)?;
        let (computed, comments) = match &snapshot {
            Some(s) => (
                serde_json::from_str::<Vec<Computed>>(&s.values_json)
                    .map_err(ApiError::internal)?,
                // This version's comments, and those of earlier versions still open.
                ind::cycle_comments(&mut conn, cycle)?
                    .into_iter()
                    .filter(|c| c.snapshot_id == s.id || c.resolved_at.is_none())
                    .collect::<Vec<_>>(),
            ),
            None => {
                let previous = Self::previous_cycle(&mut conn, cycle)?;
                (
                    compute_all(&mut conn, self.store.catalog(), cycle, previous)?,
                    Vec::new(),
                )
            }
        };
        let state = snapshot
            .as_ref()
            .map_or("draft", |s| s.state.as_str())
            .to_owned();
        let blockers = if state == "published" {
            let today = crate::workflow::progress::today(self.now());
            sign_off_blockers(&mut conn, self.store.catalog(), cycle, today)?
        } else {
            Vec::new()
        };
        let indicators = computed
            .into_iter()
            .map(|c| IndicatorView {
                comments: comments
                    .iter()
                    .filter(|m| m.indicator == c.id)
                    .cloned()
                    .collect(),
                state: state.clone(),
                computed: c,
            })
            .collect();
        Ok(CoreData {
            cycle,
            state,
            snapshot,
            window,
            blockers,
            indicators,
        })
    }

    /// 质量部 freezes the indicators of `cycle` as a new snapshot for the leaders. Allowed before
    /// every table is accepted: the tables the indicators read that are not yet accepted are
    /// listed as warnings. Refused while a signed-off snapshot stands.
    pub fn publish_indicators(&self, who: &Access, cycle: i32) -> ApiResult<CoreData> {
        require(who, &["quality_admin"], "只有质量部可以发布核心数据")?;
        let catalog = self.store.catalog().clone();
        let fill = self
            .policy
            .current()
            .unit_codes(&catalog, &self.units, Action::Fill);
        let at = stamp(self.now());
        let actor = who.principal.staff_no.clone();
        self.store.write(|conn| {
            lock(conn, cycle)?;
            known_cycle(conn, cycle)?;
            if let Some(s) = ind::current_snapshot(conn, cycle)? {
                if s.state == "signed_off" {
                    return Err(ApiError::new(
                        Code::Conflict,
                        format!(
                            "{cycle} 年核心数据第 {} 版已经院领导签字，不能重新发布；如需修改，先重新打开相关的表",
                            s.version
                        ),
                    ));
                }
            }
            let previous = Self::previous_cycle(conn, cycle)?;
            let values = compute_all(conn, &catalog, cycle, previous)?;
            let values_json = serde_json::to_string(&values).map_err(ApiError::internal)?;
            // The annual report's computed items are frozen with the core data (README
            // “质量年度报告数据表”): one publication, one sign-off.
            let report = crate::indicators::report::compute_items(conn, &catalog, cycle, previous)?;
            let report_json = serde_json::to_string(&report).map_err(ApiError::internal)?;
            let warnings = self.unaccepted(conn, cycle, &fill)?;
            let snap = ind::insert_snapshot(
                conn,
                &NewSnapshot {
                    cycle,
                    values_json: &values_json,
                    report_json: &report_json,
                    warnings: &warnings,
                    published_by: &actor,
                    at: &at,
                },
            )?;
            let detail = serde_json::json!({ "version": snap.version, "warnings": warnings });
            crate::store::audit_in(conn, &actor, Some(cycle), "indicators_publish", None, detail)?;
            Ok(())
        })?;
        self.core_data(who, cycle)
    }

    /// Tables the indicators read whose submissions are not all accepted, in words.
    pub(super) fn unaccepted(
        &self,
        conn: &mut AnyConnection,
        cycle: i32,
        fill: &std::collections::HashMap<String, Vec<String>>,
    ) -> ApiResult<Vec<String>> {
        let catalog = self.store.catalog();
        let subs = wf::list_submissions(conn, cycle)?;
        let mut reads: Vec<&String> = catalog.indicators.iter().flat_map(|i| &i.reads).collect();
        reads.extend(catalog.report.reads());
        reads.sort_by_key(|c| catalog.table_by_code(c).map_or(u32::MAX, |t| t.order));
        reads.dedup();
        let mut out = Vec::new();
        for code in reads {
            let open: Vec<String> = fill
                .get(code)
                .into_iter()
                .flatten()
                .filter(|u| {
                    !subs
                        .iter()
                        .any(|(t, su, s, _)| t == code && su == *u && s.state == State::Accepted)
                })
                .map(|u| self.units.by_code(u).map_or(u.clone(), |x| x.name.clone()))
                .collect();
            if !open.is_empty() {
                let name = catalog.table_by_code(code).map_or("", |t| t.name.as_str());
                out.push(format!("{code} {name}：{} 尚未验收", open.join("、")));
            }
        }
        Ok(out)
    }

    /// A leader (or 质量部, answering) comments on one indicator of the published snapshot.
    pub fn comment_indicator(
        &self,
        who: &Access,
        cycle: i32,
        indicator: &str,
        text: &str,
    ) -> ApiResult<CommentRow> {
        require(
            who,
            &["leader", "quality_admin"],
            "只有院领导和质量部可以批注核心数据",
        )?;
        let text = text.trim();
        if text.is_empty() {
            return Err(ApiError::new(Code::BadRequest, "批注不能为空"));
        }
        let catalog = self.store.catalog().clone();
        let at = stamp(self.now());
        self.store.write(|conn| {
            lock(conn, cycle)?;
            known_cycle(conn, cycle)?;
            let snap = awaiting(conn, cycle)?;
            let mut values: Vec<Computed> =
                serde_json::from_str(&snap.values_json).map_err(ApiError::internal)?;
            // The annual report's computed items are frozen beside the indicators and signed off
            // with them: a leader comments on them the same way.
            if let Some(report) = snap.report_json.as_deref() {
                let items: Vec<Computed> =
                    serde_json::from_str(report).map_err(ApiError::internal)?;
                values.extend(items);
            }
            let Some(c) = values.iter().find(|c| c.id == indicator) else {
                let known = catalog.indicator(indicator).is_some();
                let why = if known {
                    "不在本版快照中"
                } else {
                    "不存在"
                };
                return Err(ApiError::new(
                    Code::NotFound,
                    format!("核心指标 {indicator} {why}"),
                ));
            };
            let row = ind::add_comment(
                conn,
                &CommentRow {
                    id: 0,
                    snapshot_id: snap.id,
                    indicator: c.id.clone(),
                    author: who.principal.staff_no.clone(),
                    author_name: who.principal.name.clone(),
                    body: text.to_owned(),
                    at: at.clone(),
                    version: snap.version,
                    resolved_by: None,
                    resolved_at: None,
                },
            )?;
            let detail =
                serde_json::json!({ "version": snap.version, "indicator": c.id, "comment": text });
            crate::store::audit_in(
                conn,
                &who.principal.staff_no,
                Some(cycle),
                "indicators_comment",
                None,
                detail,
            )?;
            Ok(row)
        })
    }

    /// A leader signs off the published snapshot (`version`, when given, the one the leader
    /// saw); from now on it is immutable. Only within 院领导审核期 and with no comment open,
    /// unless 质量部 overrode these guards on this snapshot.
    pub fn sign_off_indicators(
        &self,
        who: &Access,
        cycle: i32,
        comment: Option<&str>,
        version: Option<i32>,
    ) -> ApiResult<CoreData> {
        let comment = comment.map(str::trim).filter(|c| !c.is_empty());
        let step = Decision {
            to: "signed_off",
            comment,
            version,
            operation: "indicators_sign_off",
        };
        self.decide(who, cycle, &step)
    }

    /// A leader sends the published snapshot back to 质量部, saying why.
    pub fn return_indicators(
        &self,
        who: &Access,
        cycle: i32,
        comment: &str,
        version: Option<i32>,
    ) -> ApiResult<CoreData> {
        let comment = comment.trim();
        if comment.is_empty() && has_role(who, &["leader"]) {
            return Err(ApiError::new(Code::BadRequest, "退回须写明原因"));
        }
        let step = Decision {
            to: "returned",
            comment: Some(comment),
            version,
            operation: "indicators_return",
        };
        self.decide(who, cycle, &step)
    }

    fn decide(&self, who: &Access, cycle: i32, step: &Decision<'_>) -> ApiResult<CoreData> {
        require(who, &["leader"], "只有院领导可以审核核心数据")?;
        let at = stamp(self.now());
        let today = crate::workflow::progress::today(self.now());
        let catalog = self.store.catalog().clone();
        self.store.write(|conn| {
            lock(conn, cycle)?;
            known_cycle(conn, cycle)?;
            let snap = awaiting(conn, cycle)?;
            same_version(&snap, step.version)?;
            let overridden = if step.to == "signed_off" {
                pass_guards(conn, &catalog, &snap, today)?
            } else {
                None
            };
            if !ind::decide_snapshot(
                conn,
                snap.id,
                "published",
                step.to,
                &by(who),
                &at,
                step.comment,
            )? {
                return Err(ApiError::new(
                    Code::Conflict,
                    "核心数据刚被他人审核，请刷新",
                ));
            }
            let detail = serde_json::json!({
                "version": snap.version, "comment": step.comment, "override": overridden,
            });
            crate::store::audit_in(
                conn,
                &who.principal.staff_no,
                Some(cycle),
                step.operation,
                None,
                detail,
            )?;
            Ok(())
        })?;
        self.core_data(who, cycle)
    }
}

/// A leader's decision on the published snapshot.
struct Decision<'a> {
    to: &'a str,
    comment: Option<&'a str>,
    version: Option<i32>,
    operation: &'a str,
}
