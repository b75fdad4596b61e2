//! Progress of a cycle: for every (table, filling unit) its state, deadline, overdue flag, rows
//! and last change; summaries; and the plain-text bulletin 质量部 posts in the staff chat group.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

use super::machine::{State, Submission};
use crate::defs::{naming, Catalog, Units};
use crate::store::workflow as wf;
use crate::store::{Store, StoreError};

/// One (table, filling unit) of a cycle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The cycle (year) the entry belongs to.
    pub cycle: i32,
    pub table: String,
    pub table_name: String,
    pub group: String,
    pub unit: String,
    pub unit_name: String,
    pub state: State,
    pub comment: Option<String>,
    pub deadline: NaiveDate,
    pub overdue: bool,
    /// The unit's rows; `None` when the caller may not see them (shown as “—”, never as 0).
    pub rows: Option<i64>,
    pub last_change: Option<String>,
    /// The reviewing units that approved (a table with two reviewers shows who has).
    pub approvals: Vec<String>,
    /// The last day (China time) 质量部's lock exception (临时开放) lets the unit edit, while
    /// one holds.
    pub open_until: Option<NaiveDate>,
    /// Whether the unit may edit now: a draft or returned table before its deadline, or one
    /// under a lock exception (the same judgement as the write gate's).
    pub editable: bool,
    /// Whether it awaits the caller's review: filled in per caller by the service.
    pub to_review: bool,
}

/// Today in China Standard Time (deadlines are calendar days there).
pub fn today(now: chrono::DateTime<Utc>) -> NaiveDate {
    FixedOffset::east_opt(8 * 3600)
        .map_or(now.date_naive(), |cst| now.with_timezone(&cst).date_naive())
}

/// Every (table, filling unit) of `fill_units` in `cycle`, in the notice's order; `None` when the
/// cycle was never installed. Overdue is judged on `on`, lock exceptions at `now`. Only the
/// tables with a unit in `fill_units` are read (a collector's list reads a handful of tables,
/// not 90).
pub fn progress(
    store: &Store,
    catalog: &Catalog,
    units: &Units,
    fill_units: &std::collections::HashMap<String, Vec<String>>,
    cycle: i32,
    on: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Option<Vec<Entry>>, StoreError> {
    store.with_workflow(|conn| {
        let Some(deadlines) = wf::deadlines(conn, cycle)? else {
            return Ok(None);
        };
        let subs: BTreeMap<(String, String), Submission> = wf::list_submissions(conn, cycle)?
            .into_iter()
            .map(|(t, u, s, _)| ((t, u), s))
            .collect();
        let stamp = now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let open = wf::open_exceptions(conn, cycle, &stamp)?;
        let mut out = Vec::new();
        for table in &catalog.tables {
            let Some(fillers) = fill_units.get(&table.code).filter(|u| !u.is_empty()) else {
                continue;
            };
            let activity = wf::unit_activity(conn, &naming::sql_table(&table.slug), cycle)?;
            let deadline = deadlines.get(&table.code).copied().unwrap_or(on);
            for unit in fillers {
                let sub = subs
                    .get(&(table.code.clone(), unit.clone()))
                    .cloned()
                    .unwrap_or_default();
                let (rows, last) = activity
                    .get(unit)
                    .cloned()
                    .map_or((0, None), |(n, l)| (n, Some(l)));
                let open_until = open
                    .get(&(table.code.clone(), unit.clone()))
                    .and_then(|u| DateTime::parse_from_rfc3339(u).ok())
                    .map(|u| today(u.with_timezone(&Utc)));
                let late = today(now) > deadline;
                out.push(Entry {
                    cycle,
                    table: table.code.clone(),
                    table_name: table.name.clone(),
                    group: table.group.clone(),
                    unit: unit.clone(),
                    unit_name: units
                        .by_code(unit)
                        .map_or_else(|| unit.clone(), |u| u.name.clone()),
                    overdue: sub.state.editable() && on > deadline,
                    editable: (sub.state.editable() && !late) || open_until.is_some(),
                    open_until,
                    to_review: false,
                    state: sub.state,
                    approvals: sub.approvals,
                    comment: sub.comment,
                    deadline,
                    rows: Some(rows),
                    last_change: last,
                });
            }
        }
        Ok(Some(out))
    })
}

/// Counts of a set of entries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    pub expected: usize,
    pub submitted: usize,
    pub approved: usize,
    pub accepted: usize,
    pub overdue: usize,
}

/// Tallies entries: submitted counts everything past draft/returned, approved everything
/// approved or accepted.
pub fn tally<'a>(entries: impl IntoIterator<Item = &'a Entry>) -> Tally {
    let mut t = Tally::default();
    for e in entries {
        t.expected += 1;
        t.submitted += usize::from(!e.state.editable());
        t.approved += usize::from(matches!(e.state, State::Approved | State::Accepted));
        t.accepted += usize::from(e.state == State::Accepted);
        t.overdue += usize::from(e.overdue);
    }
    t
}

/// The bulletin for the staff chat group, in Chinese.
pub fn bulletin(entries: &[Entry], on: NaiveDate) -> String {
    bulletin_with(entries, on, None)
}

/// The bulletin with a paragraph on 工作质量 (see `service::work_quality`) before its closing line.
pub fn bulletin_with(entries: &[Entry], on: NaiveDate, quality: Option<&str>) -> String {
    let t = tally(entries);
    let mut text = format!(
        "截至{}月{}日，{} 项填报任务已提交 {} 项、审核通过 {} 项、质量部验收 {} 项。",
        chrono::Datelike::month(&on),
        chrono::Datelike::day(&on),
        t.expected,
        t.submitted,
        t.approved,
        t.accepted
    );
    let mut late: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for e in entries.iter().filter(|e| e.overdue) {
        late.entry(e.unit_name.as_str())
            .or_default()
            .push(e.table.as_str());
    }
    if late.is_empty() {
        text.push_str("暂无逾期未提交的表。");
    } else {
        text.push_str(&format!("\n逾期未提交（{} 项）：", t.overdue));
        let parts: Vec<String> = late
            .iter()
            .map(|(u, ts)| format!("{u}（{}）", ts.join("、")))
            .collect();
        text.push_str(&parts.join("；"));
        text.push('。');
    }
    let returned: Vec<String> = entries
        .iter()
        .filter(|e| e.state == State::Returned)
        .map(|e| format!("{} {}", e.unit_name, e.table))
        .collect();
    if !returned.is_empty() {
        text.push_str(&format!("\n被退回待修改：{}。", returned.join("、")));
    }
    if let Some(q) = quality {
        text.push('\n');
        text.push_str(q);
    }
    text.push_str("\n请各部门按时完成填报与审核。");
    text
}

/// Among entries whose deadline has passed, the share submitted (按时提交率); `None` before any
/// deadline.
pub fn on_time_rate(entries: &[Entry], on: NaiveDate) -> Option<f64> {
    let due: Vec<&Entry> = entries.iter().filter(|e| e.deadline < on).collect();
    if due.is_empty() {
        return None;
    }
    Some(due.iter().filter(|e| !e.overdue).count() as f64 / due.len() as f64)
}
