//! Rows of the workflow: cycles with their schedule, submissions with their events, and lock
//! exceptions. The rules live in `crate::workflow`; this module only reads and writes.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::audit::{write_audit, AuditEntry};
use super::conn::AnyConnection;
use super::sql::{exec_template as exec, load_template as load, SqlValue, TextRow};
use super::StoreError;
use crate::defs::CycleConfig;
use crate::model::{State, Submission};

fn text(s: &str) -> SqlValue {
    SqlValue::Text(s.to_owned())
}

fn day(d: NaiveDate) -> SqlValue {
    SqlValue::Text(d.format("%Y-%m-%d").to_string())
}

/// Where an installed cycle came from: the hash of its cycle file and how many days its dates
/// were moved (the demo's shift; 0 for the notice's dates).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CycleSource {
    pub hash: String,
    pub shift_days: i64,
}

/// The source of an installed cycle: `None` when the cycle is not installed; a hash of `None`
/// when it was installed before sources were recorded.
pub fn cycle_source(
    conn: &mut AnyConnection,
    year: i32,
) -> Result<Option<(Option<String>, i64)>, StoreError> {
    let rows = load(
        conn,
        "SELECT source_hash, CAST(shift_days AS TEXT) AS shift FROM cycles WHERE year = ?",
        vec![SqlValue::Int(i64::from(year))],
    )?;
    Ok(rows.first().map(|r| {
        (
            r.get("source_hash").map(str::to_owned),
            r.get("shift").and_then(|s| s.parse().ok()).unwrap_or(0),
        )
    }))
}

/// Records the source of a cycle installed before sources were recorded.
pub fn set_cycle_source(
    conn: &mut AnyConnection,
    year: i32,
    source: &CycleSource,
) -> Result<(), StoreError> {
    exec(
        conn,
        "UPDATE cycles SET source_hash = ?, shift_days = ? WHERE year = ?",
        vec![
            text(&source.hash),
            SqlValue::Int(source.shift_days),
            SqlValue::Int(i64::from(year)),
        ],
    )?;
    Ok(())
}

/// Writes a cycle and replaces its schedule (tasks, phases, deadlines).
pub fn install_cycle(
    conn: &mut AnyConnection,
    c: &CycleConfig,
    now: &str,
    source: &CycleSource,
) -> Result<(), StoreError> {
    let y = SqlValue::Int(i64::from(c.year));
    super::tx::write_tx(conn, |conn| {
        exec(
            conn,
            "DELETE FROM schedule_tasks WHERE cycle = ?",
            vec![y.clone()],
        )?;
        let exists = !load(
            conn,
            "SELECT CAST(year AS TEXT) AS y FROM cycles WHERE year = ?",
            vec![y.clone()],
        )?
        .is_empty();
        if exists {
            exec(conn, "UPDATE cycles SET period_start = ?, period_end = ?, finance_year = ?, snapshot_date = ?, source_hash = ?, shift_days = ? WHERE year = ?", vec![day(c.period_start), day(c.period_end), SqlValue::Int(i64::from(c.finance_year)), day(c.snapshot_date), text(&source.hash), SqlValue::Int(source.shift_days), y.clone()])?;
        } else {
            exec(conn, "INSERT INTO cycles (year, period_start, period_end, finance_year, snapshot_date, is_open, created_at, source_hash, shift_days) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", vec![y.clone(), day(c.period_start), day(c.period_end), SqlValue::Int(i64::from(c.finance_year)), day(c.snapshot_date), SqlValue::Bool(true), text(now), text(&source.hash), SqlValue::Int(source.shift_days)])?;
        }
        let insert = "INSERT INTO schedule_tasks (cycle, kind, task_no, title, units, table_code, starts_on, ends_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
        for t in &c.tasks {
            let units = serde_json::to_string(&t.units).unwrap_or_else(|_| "[]".into());
            exec(
                conn,
                insert,
                vec![
                    y.clone(),
                    text("task"),
                    text(&t.no),
                    text(&t.title),
                    text(&units),
                    SqlValue::Null,
                    day(t.start),
                    day(t.end),
                ],
            )?;
        }
        for p in &c.phases {
            let kind = if p.filling {
                "filling_phase"
            } else if p.sign_off {
                "sign_off_phase"
            } else {
                "phase"
            };
            exec(
                conn,
                insert,
                vec![
                    y.clone(),
                    text(kind),
                    text(&p.no),
                    text(&p.name),
                    text("[]"),
                    SqlValue::Null,
                    p.start.map_or(SqlValue::Null, day),
                    day(p.end),
                ],
            )?;
        }
        for (code, d) in &c.deadlines {
            exec(
                conn,
                insert,
                vec![
                    y.clone(),
                    text("deadline"),
                    text(code),
                    text(code),
                    text("[]"),
                    text(code),
                    SqlValue::Null,
                    day(*d),
                ],
            )?;
        }
        Ok(())
    })
}

/// The deadlines of a cycle by table code; `None` when the cycle is not installed.
pub fn deadlines(
    conn: &mut AnyConnection,
    year: i32,
) -> Result<Option<BTreeMap<String, NaiveDate>>, StoreError> {
    let y = SqlValue::Int(i64::from(year));
    if load(
        conn,
        "SELECT CAST(year AS TEXT) AS y FROM cycles WHERE year = ?",
        vec![y.clone()],
    )?
    .is_empty()
    {
        return Ok(None);
    }
    let rows = load(
        conn,
        "SELECT table_code, ends_on FROM schedule_tasks WHERE kind = 'deadline' AND cycle = ?",
        vec![y],
    )?;
    Ok(Some(
        rows.iter()
            .filter_map(|r| {
                Some((
                    r.get("table_code")?.to_owned(),
                    NaiveDate::parse_from_str(r.get("ends_on")?, "%Y-%m-%d").ok()?,
                ))
            })
            .collect(),
    ))
}

fn submission(r: &TextRow) -> Submission {
    Submission {
        state: r
            .get("state")
            .and_then(State::parse)
            .unwrap_or(State::Draft),
        approvals: r
            .get("approvals")
            .and_then(|a| serde_json::from_str(a).ok())
            .unwrap_or_default(),
        comment: r.get("comment").map(str::to_owned),
    }
}

/// The submission of (cycle, table, unit); a draft when none was recorded.
pub fn get_submission(
    conn: &mut AnyConnection,
    cycle: i32,
    table: &str,
    unit: &str,
) -> Result<Submission, StoreError> {
    let rows = load(conn, "SELECT state, approvals, comment FROM submissions WHERE cycle = ? AND table_code = ? AND unit = ?", vec![SqlValue::Int(i64::from(cycle)), text(table), text(unit)])?;
    Ok(rows.first().map(submission).unwrap_or_default())
}

/// Every recorded submission of a cycle: (table, unit, submission, updated_at).
pub fn list_submissions(
    conn: &mut AnyConnection,
    cycle: i32,
) -> Result<Vec<(String, String, Submission, String)>, StoreError> {
    let rows = load(conn, "SELECT table_code, unit, state, approvals, comment, updated_at FROM submissions WHERE cycle = ?", vec![SqlValue::Int(i64::from(cycle))])?;
    Ok(rows
        .iter()
        .map(|r| {
            (
                r.get("table_code").unwrap_or_default().to_owned(),
                r.get("unit").unwrap_or_default().to_owned(),
                submission(r),
                r.get("updated_at").unwrap_or_default().to_owned(),
            )
        })
        .collect())
}

/// Who took a workflow step.
pub struct Actor<'a> {
    pub staff_no: &'a str,
    pub unit: &'a str,
}

/// Records a step: the new state, an event and an audit entry, in one transaction. `change`
/// computes the new submission from the stored one, inside the transaction.
pub fn record_step<E>(
    conn: &mut AnyConnection,
    cycle: i32,
    table: &str,
    unit: &str,
    actor: Actor<'_>,
    now: &str,
    change: impl FnOnce(&Submission) -> Result<Submission, E>,
) -> Result<Result<Submission, E>, StoreError> {
    super::tx::write_tx(conn, |conn| {
        // Two reviewers approving at once must both count: the step reads and writes alone.
        super::tx::hold_submission(conn, cycle, table, unit, super::tx::Hold::Step)?;
        let before = get_submission(conn, cycle, table, unit)?;
        // A refused step writes nothing.
        let after = match change(&before) {
            Ok(after) => after,
            Err(e) => return Ok(Err(e)),
        };
        let approvals = serde_json::to_string(&after.approvals).unwrap_or_else(|_| "[]".into());
        let key = vec![SqlValue::Int(i64::from(cycle)), text(table), text(unit)];
        let updated = exec(conn, "UPDATE submissions SET state = ?, comment = ?, approvals = ?, updated_at = ?, updated_by = ? WHERE cycle = ? AND table_code = ? AND unit = ?", [vec![text(after.state.as_str()), after.comment.as_deref().map_or(SqlValue::Null, text), text(&approvals), text(now), text(actor.staff_no)], key.clone()].concat())?;
        if updated == 0 {
            exec(conn, "INSERT INTO submissions (state, comment, approvals, updated_at, updated_by, cycle, table_code, unit) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [vec![text(after.state.as_str()), after.comment.as_deref().map_or(SqlValue::Null, text), text(&approvals), text(now), text(actor.staff_no)], key.clone()].concat())?;
        }
        let id = load(conn, "SELECT CAST(id AS TEXT) AS id FROM submissions WHERE cycle = ? AND table_code = ? AND unit = ?", key)?
            .first()
            .and_then(|r| r.get("id")?.parse::<i64>().ok())
            .unwrap_or_default();
        exec(conn, "INSERT INTO submission_events (submission_id, from_state, to_state, actor, actor_unit, comment, at) VALUES (?, ?, ?, ?, ?, ?, ?)", vec![SqlValue::Int(id), text(before.state.as_str()), text(after.state.as_str()), text(actor.staff_no), text(actor.unit), after.comment.as_deref().map_or(SqlValue::Null, text), text(now)])?;
        write_audit(
            conn,
            now,
            AuditEntry {
                actor: actor.staff_no,
                cycle: Some(cycle),
                table_code: Some(table),
                row_id: None,
                operation: "workflow",
                before: Some(serde_json::json!({ "unit": unit, "state": before.state.as_str() })),
                after: Some(
                    serde_json::json!({ "unit": unit, "state": after.state.as_str(), "comment": after.comment }),
                ),
            },
        )?;
        Ok(Ok(after))
    })
}

/// Whether 质量部 allowed `unit` to edit `table` past its lock or deadline, at `now`.
pub fn lock_exception(
    conn: &mut AnyConnection,
    cycle: i32,
    table: &str,
    unit: &str,
    now: &str,
) -> Result<bool, StoreError> {
    let rows = load(conn, "SELECT until FROM lock_exceptions WHERE cycle = ? AND table_code = ? AND unit = ? AND until >= ?", vec![SqlValue::Int(i64::from(cycle)), text(table), text(unit), text(now)])?;
    Ok(!rows.is_empty())
}

/// A lock exception 质量部 grants: `unit` may edit `table` until `until` (RFC 3339).
pub struct LockException<'a> {
    pub cycle: i32,
    pub table: &'a str,
    pub unit: &'a str,
    pub until: &'a str,
    pub reason: &'a str,
    pub granted_by: &'a str,
}

/// Records a lock exception.
pub fn grant_lock_exception(
    conn: &mut AnyConnection,
    e: &LockException<'_>,
    now: &str,
) -> Result<(), StoreError> {
    exec(
        conn,
        "INSERT INTO lock_exceptions (cycle, table_code, unit, until, reason, granted_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        vec![SqlValue::Int(i64::from(e.cycle)), text(e.table), text(e.unit), text(e.until), text(e.reason), text(e.granted_by), text(now)],
    )?;
    Ok(())
}

/// Row counts and last change per unit for a data table in a cycle.
pub fn unit_activity(
    conn: &mut AnyConnection,
    sql_table: &str,
    cycle: i32,
) -> Result<BTreeMap<String, (i64, String)>, StoreError> {
    let sql = format!("SELECT unit, CAST(COUNT(*) AS TEXT) AS n, MAX(updated_at) AS last FROM {} WHERE cycle = ? GROUP BY unit", super::sql::ident(sql_table));
    let rows = load(conn, &sql, vec![SqlValue::Int(i64::from(cycle))])?;
    Ok(rows
        .iter()
        .map(|r| {
            (
                r.get("unit").unwrap_or_default().to_owned(),
                (
                    r.get("n").and_then(|n| n.parse().ok()).unwrap_or(0),
                    r.get("last").unwrap_or_default().to_owned(),
                ),
            )
        })
        .collect())
}

/// The dates of `cycle` as installed, or the notice's rule when it is not installed.
pub fn cycle_dates(
    conn: &mut AnyConnection,
    cycle: i32,
) -> Result<crate::model::CycleDates, StoreError> {
    Ok(list_cycles(conn)?
        .into_iter()
        .find(|c| c.year == cycle)
        .unwrap_or_else(|| crate::model::CycleDates::standard(cycle)))
}

/// The installed cycles, newest first.
pub fn list_cycles(conn: &mut AnyConnection) -> Result<Vec<crate::model::CycleDates>, StoreError> {
    let rows = load(conn, "SELECT CAST(year AS TEXT) AS year, period_start, period_end, CAST(finance_year AS TEXT) AS fy, snapshot_date FROM cycles ORDER BY year DESC", vec![])?;
    let d = |r: &TextRow, k: &str| {
        r.get(k)
            .and_then(|v| NaiveDate::parse_from_str(v, "%Y-%m-%d").ok())
    };
    Ok(rows
        .iter()
        .filter_map(|r| {
            Some(crate::model::CycleDates {
                year: r.get("year")?.parse().ok()?,
                start: d(r, "period_start")?,
                end: d(r, "period_end")?,
                finance_year: r.get("fy")?.parse().ok()?,
                snapshot: d(r, "snapshot_date")?,
            })
        })
        .collect())
}

/// The newest open cycle, if any is installed.
pub fn newest_open_cycle(conn: &mut AnyConnection) -> Result<Option<i32>, StoreError> {
    let rows = load(
        conn,
        "SELECT CAST(year AS TEXT) AS year FROM cycles WHERE is_open = ? ORDER BY year DESC",
        vec![SqlValue::Bool(true)],
    )?;
    Ok(rows
        .first()
        .and_then(|r| r.get("year"))
        .and_then(|y| y.parse().ok()))
}

/// (label, count) pairs, e.g. ("submitted", 12).
pub type Counts = Vec<(String, i64)>;

/// Counts for monitoring: submissions by state, and standing findings by severity.
pub fn counts(conn: &mut AnyConnection) -> Result<(Counts, Counts), StoreError> {
    let pairs = |rows: Vec<TextRow>, key: &str| {
        rows.iter()
            .filter_map(|r| Some((r.get(key)?.to_owned(), r.get("n")?.parse().ok()?)))
            .collect::<Vec<(String, i64)>>()
    };
    let states = load(
        conn,
        "SELECT state, CAST(COUNT(*) AS TEXT) AS n FROM submissions GROUP BY state",
        vec![],
    )?;
    let findings = load(conn, "SELECT severity, CAST(COUNT(*) AS TEXT) AS n FROM findings WHERE state IN ('open', 'explained') GROUP BY severity", vec![])?;
    Ok((pairs(states, "state"), pairs(findings, "severity")))
}
