//! The `findings` table: what a run of the rules found, diffed against what earlier runs found so
//! that a fixed finding resolves itself and a unit's explanation survives a rerun. A finding is
//! the same finding when cycle, rule, table, unit and the row's natural key agree (a unique
//! index holds it: concurrent runs and saves upsert one row).
//!
//! Here: the finding itself, reading it, and a unit's or 质量部's answer to it; `sync` writes what
//! a run found, `runs` keeps the runs for the trend.

mod runs;
mod sync;

use diesel::RunQueryDsl;

use super::conn::AnyConnection;
pub use super::rules::Violation;
use super::sql::{DynQuery, SqlValue, TextRow};
use super::StoreError;

pub use runs::{list_runs, record_run, QualityRun};
pub use sync::{resolve_on_row, standing_on_row, sync_findings, SyncCounts};

/// A stored finding: what was found (the run's `Violation`) and the conversation about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub id: i64,
    pub cycle: i32,
    /// Rule, severity, table, unit, row, field and message, as the run found them.
    pub found: Violation,
    /// `open`, `explained`, `resolved` or `accepted`.
    pub state: String,
    pub explanation: Option<String>,
    pub explained_by: Option<String>,
    pub explained_at: Option<String>,
    pub accepted_by: Option<String>,
    pub accepted_at: Option<String>,
    pub created_at: String,
    pub updated_at: Option<String>,
    pub resolved_at: Option<String>,
}

/// Which findings to list; `None` means any.
#[derive(Debug, Clone, Default)]
pub struct FindingFilter {
    pub cycle: i32,
    pub table: Option<String>,
    /// Only these units (a filling unit sees its own).
    pub units: Option<Vec<String>>,
    pub severity: Option<String>,
    pub state: Option<String>,
    pub rule: Option<String>,
}

const COLUMNS: &str =
    "CAST(id AS TEXT) AS id, CAST(cycle AS TEXT) AS cycle, rule, severity, table_code, unit, \
    CAST(row_id AS TEXT) AS row_id, row_ref, field, message, state, explanation, explained_by, \
    explained_at, accepted_by, accepted_at, created_at, updated_at, resolved_at";

fn text(row: &TextRow, name: &str) -> String {
    row.get(name).unwrap_or("").to_owned()
}

fn opt(row: &TextRow, name: &str) -> Option<String> {
    row.get(name).map(str::to_owned)
}

fn decode(row: &TextRow) -> Finding {
    Finding {
        id: row.get("id").and_then(|v| v.parse().ok()).unwrap_or(0),
        cycle: row.get("cycle").and_then(|v| v.parse().ok()).unwrap_or(0),
        found: Violation {
            rule: text(row, "rule"),
            severity: text(row, "severity"),
            table_code: text(row, "table_code"),
            unit: text(row, "unit"),
            row_id: row.get("row_id").and_then(|v| v.parse().ok()),
            row_ref: text(row, "row_ref"),
            field: opt(row, "field"),
            message: text(row, "message"),
        },
        state: text(row, "state"),
        explanation: opt(row, "explanation"),
        explained_by: opt(row, "explained_by"),
        explained_at: opt(row, "explained_at"),
        accepted_by: opt(row, "accepted_by"),
        accepted_at: opt(row, "accepted_at"),
        created_at: text(row, "created_at"),
        updated_at: opt(row, "updated_at"),
        resolved_at: opt(row, "resolved_at"),
    }
}

/// Lists findings, by table, unit, rule and row.
pub fn list_findings(
    conn: &mut AnyConnection,
    filter: &FindingFilter,
) -> Result<Vec<Finding>, StoreError> {
    let mut q = DynQuery::new(format!("SELECT {COLUMNS} FROM findings WHERE cycle = ")).uncached();
    q.bind(SqlValue::Int(i64::from(filter.cycle)));
    for (col, value) in [
        ("table_code", &filter.table),
        ("severity", &filter.severity),
        ("state", &filter.state),
        ("rule", &filter.rule),
    ] {
        if let Some(v) = value {
            q.sql(&format!(" AND {col} = "));
            q.bind(SqlValue::Text(v.clone()));
        }
    }
    if let Some(units) = &filter.units {
        q.sql(" AND unit IN ").bind_list(units);
    }
    q.sql(" ORDER BY table_code, unit, rule, row_id, id");
    let rows: Vec<TextRow> = q.load(conn)?;
    Ok(rows.iter().map(decode).collect())
}

/// One finding by id.
pub fn get_finding(conn: &mut AnyConnection, id: i64) -> Result<Option<Finding>, StoreError> {
    let mut q = DynQuery::new(format!("SELECT {COLUMNS} FROM findings WHERE id = "));
    q.bind(SqlValue::Int(id));
    let rows: Vec<TextRow> = q.load(conn)?;
    Ok(rows.first().map(decode))
}

/// The rules that have findings in the cycle (on `table`, when given), standing or not.
pub fn rules_with_findings(
    conn: &mut AnyConnection,
    cycle: i32,
    table: Option<&str>,
) -> Result<Vec<String>, StoreError> {
    let mut q = DynQuery::new("SELECT DISTINCT rule FROM findings WHERE cycle = ").uncached();
    q.bind(SqlValue::Int(i64::from(cycle)));
    if let Some(t) = table {
        q.sql(" AND table_code = ");
        q.bind(SqlValue::Text(t.to_owned()));
    }
    let rows: Vec<TextRow> = q.load(conn)?;
    Ok(rows.iter().map(|r| text(r, "rule")).collect())
}

/// Runs a finding's update `q` (which ends in `…_at = `) for finding `id`, at `now`, which is
/// also when the finding was last updated.
fn stamped(
    conn: &mut AnyConnection,
    mut q: DynQuery,
    id: i64,
    now: &str,
) -> Result<(), StoreError> {
    q.bind(SqlValue::Text(now.to_owned()));
    q.sql(", updated_at = ");
    q.bind(SqlValue::Text(now.to_owned()));
    q.sql(" WHERE id = ");
    q.bind(SqlValue::Int(id));
    q.execute(conn)?;
    Ok(())
}

/// Records a unit's explanation: the finding becomes `explained` (an accepted one stays accepted).
pub fn explain_finding(
    conn: &mut AnyConnection,
    id: i64,
    explanation: &str,
    actor: &str,
    now: &str,
) -> Result<(), StoreError> {
    let mut q = DynQuery::new(
        "UPDATE findings SET state = CASE WHEN state IN ('accepted', 'resolved') THEN state \
         ELSE 'explained' END, explanation = ",
    );
    q.bind(SqlValue::Text(explanation.to_owned()));
    q.sql(", explained_by = ");
    q.bind(SqlValue::Text(actor.to_owned()));
    q.sql(", explained_at = ");
    stamped(conn, q, id, now)
}

/// 质量部 accepts a finding (with its explanation): it no longer counts against the unit.
pub fn accept_finding(
    conn: &mut AnyConnection,
    id: i64,
    actor: &str,
    now: &str,
) -> Result<(), StoreError> {
    let mut q = DynQuery::new("UPDATE findings SET state = 'accepted', accepted_by = ");
    q.bind(SqlValue::Text(actor.to_owned()));
    q.sql(", accepted_at = ");
    stamped(conn, q, id, now)
}
