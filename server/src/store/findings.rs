//! The `findings` table: what a run of the rules found, diffed against what earlier runs found so
//! that a fixed finding resolves itself and a unit's explanation survives a rerun. A finding is
//! the same finding when rule, table, unit and the row's natural key agree.

use std::collections::{HashMap, HashSet};

use diesel::RunQueryDsl;

use super::conn::AnyConnection;
use super::rules::Violation;
use super::sql::{DynQuery, SqlValue, TextRow};
use super::StoreError;

/// A stored finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub id: i64,
    pub cycle: i32,
    pub rule: String,
    /// `error` or `warning`.
    pub severity: String,
    pub table_code: String,
    pub unit: String,
    pub row_id: Option<i64>,
    /// The row's natural key in words; empty for single-row tables and whole-table findings.
    pub row_ref: String,
    pub field: Option<String>,
    pub message: String,
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

/// What a run changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncCounts {
    /// Found for the first time.
    pub opened: usize,
    /// Found again (state and explanation kept).
    pub kept: usize,
    /// Resolved earlier, found again: open (or explained, if it had an explanation) once more.
    pub reopened: usize,
    /// No longer found: resolved.
    pub resolved: usize,
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
        rule: text(row, "rule"),
        severity: text(row, "severity"),
        table_code: text(row, "table_code"),
        unit: text(row, "unit"),
        row_id: row.get("row_id").and_then(|v| v.parse().ok()),
        row_ref: text(row, "row_ref"),
        field: opt(row, "field"),
        message: text(row, "message"),
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
        q.sql(" AND unit IN (");
        if units.is_empty() {
            q.sql("NULL");
        }
        for (i, u) in units.iter().enumerate() {
            if i > 0 {
                q.sql(", ");
            }
            q.bind(SqlValue::Text(u.clone()));
        }
        q.sql(")");
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

type Key = (String, String, String, String);

fn key_of(rule: &str, table: &str, unit: &str, row_ref: &str) -> Key {
    (rule.into(), table.into(), unit.into(), row_ref.into())
}

/// Writes a run's violations of `rules` (for `unit`, when the run was limited to one) as the
/// current findings: new ones open, known ones keep their state and explanation, findings of
/// those rules no longer found are resolved. One transaction.
pub fn sync_findings(
    conn: &mut AnyConnection,
    cycle: i32,
    rules: &HashSet<String>,
    unit: Option<&str>,
    found: &[Violation],
    now: &str,
) -> Result<SyncCounts, StoreError> {
    super::tx::write_tx(conn, |conn| {
        let existing = list_findings(
            conn,
            &FindingFilter {
                cycle,
                units: unit.map(|u| vec![u.to_owned()]),
                ..FindingFilter::default()
            },
        )?;
        let mut known: HashMap<Key, Finding> = HashMap::new();
        for f in existing.into_iter().filter(|f| rules.contains(&f.rule)) {
            known.insert(key_of(&f.rule, &f.table_code, &f.unit, &f.row_ref), f);
        }
        let mut counts = SyncCounts::default();
        let mut seen: HashSet<Key> = HashSet::new();
        let mut fresh = Vec::new();
        for v in found {
            let key = key_of(&v.rule, &v.table_code, &v.unit, &v.row_ref);
            if !seen.insert(key.clone()) {
                continue;
            }
            match known.get(&key) {
                None => fresh.push(v),
                Some(f) => {
                    let state = match f.state.as_str() {
                        "resolved" if f.explanation.is_some() => "explained",
                        "resolved" => "open",
                        s => s,
                    };
                    if f.state == "resolved" {
                        counts.reopened += 1;
                    } else {
                        counts.kept += 1;
                    }
                    if state != f.state
                        || f.message != v.message
                        || f.row_id != v.row_id
                        || f.severity != v.severity
                    {
                        update_found(conn, f.id, v, state, now)?;
                    }
                }
            }
        }
        for chunk in fresh.chunks(200) {
            insert_found(conn, cycle, chunk, now)?;
        }
        counts.opened = fresh.len();
        let gone: Vec<i64> = known
            .iter()
            .filter(|(k, f)| !seen.contains(*k) && f.state != "resolved")
            .map(|(_, f)| f.id)
            .collect();
        for chunk in gone.chunks(500) {
            let mut q =
                DynQuery::new("UPDATE findings SET state = 'resolved', resolved_at = ").uncached();
            q.bind(SqlValue::Text(now.to_owned()));
            q.sql(", updated_at = ");
            q.bind(SqlValue::Text(now.to_owned()));
            q.sql(" WHERE id IN (");
            for (i, id) in chunk.iter().enumerate() {
                if i > 0 {
                    q.sql(", ");
                }
                q.bind(SqlValue::Int(*id));
            }
            q.sql(")");
            q.execute(conn)?;
        }
        counts.resolved = gone.len();
        Ok(counts)
    })
}

fn opt_text(v: &Option<String>) -> SqlValue {
    v.clone().map_or(SqlValue::Null, SqlValue::Text)
}

fn update_found(
    conn: &mut AnyConnection,
    id: i64,
    v: &Violation,
    state: &str,
    now: &str,
) -> Result<(), StoreError> {
    let mut q = DynQuery::new("UPDATE findings SET state = ");
    q.bind(SqlValue::Text(state.to_owned()));
    q.sql(", message = ");
    q.bind(SqlValue::Text(v.message.clone()));
    q.sql(", severity = ");
    q.bind(SqlValue::Text(v.severity.clone()));
    q.sql(", row_id = ");
    q.bind(v.row_id.map_or(SqlValue::Null, SqlValue::Int));
    q.sql(", resolved_at = NULL, updated_at = ");
    q.bind(SqlValue::Text(now.to_owned()));
    q.sql(" WHERE id = ");
    q.bind(SqlValue::Int(id));
    q.execute(conn)?;
    Ok(())
}

fn insert_found(
    conn: &mut AnyConnection,
    cycle: i32,
    found: &[&Violation],
    now: &str,
) -> Result<(), StoreError> {
    let mut q = DynQuery::new(
        "INSERT INTO findings (cycle, table_code, unit, row_id, row_ref, field, rule, severity, \
         message, state, created_at, updated_at) VALUES ",
    )
    .uncached();
    for (i, v) in found.iter().enumerate() {
        q.sql(if i == 0 { "(" } else { ", (" });
        q.bind(SqlValue::Int(i64::from(cycle))).sql(", ");
        q.bind(SqlValue::Text(v.table_code.clone())).sql(", ");
        q.bind(SqlValue::Text(v.unit.clone())).sql(", ");
        q.bind(v.row_id.map_or(SqlValue::Null, SqlValue::Int))
            .sql(", ");
        q.bind(SqlValue::Text(v.row_ref.clone())).sql(", ");
        q.bind(opt_text(&v.field)).sql(", ");
        q.bind(SqlValue::Text(v.rule.clone())).sql(", ");
        q.bind(SqlValue::Text(v.severity.clone())).sql(", ");
        q.bind(SqlValue::Text(v.message.clone())).sql(", 'open', ");
        q.bind(SqlValue::Text(now.to_owned())).sql(", ");
        q.bind(SqlValue::Text(now.to_owned())).sql(")");
    }
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
    q.bind(SqlValue::Text(now.to_owned()));
    q.sql(", updated_at = ");
    q.bind(SqlValue::Text(now.to_owned()));
    q.sql(" WHERE id = ");
    q.bind(SqlValue::Int(id));
    q.execute(conn)?;
    Ok(())
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
    q.bind(SqlValue::Text(now.to_owned()));
    q.sql(", updated_at = ");
    q.bind(SqlValue::Text(now.to_owned()));
    q.sql(" WHERE id = ");
    q.bind(SqlValue::Int(id));
    q.execute(conn)?;
    Ok(())
}

/// One run of the rules, for the report's trend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QualityRun {
    pub cycle: i32,
    /// `全部` or the table code the run was limited to.
    pub scope: String,
    pub actor: String,
    pub started_at: String,
    pub finished_at: String,
    pub rules: i64,
    pub errors: i64,
    pub warnings: i64,
    pub opened: i64,
    pub resolved: i64,
}

/// Records a run.
pub fn record_run(conn: &mut AnyConnection, run: &QualityRun) -> Result<(), StoreError> {
    let mut q = DynQuery::new(
        "INSERT INTO quality_runs (cycle, scope, actor, started_at, finished_at, rules, errors, \
         warnings, opened, resolved) VALUES (",
    );
    q.bind(SqlValue::Int(i64::from(run.cycle)));
    for t in [&run.scope, &run.actor, &run.started_at, &run.finished_at] {
        q.sql(", ");
        q.bind(SqlValue::Text(t.clone()));
    }
    for n in [
        run.rules,
        run.errors,
        run.warnings,
        run.opened,
        run.resolved,
    ] {
        q.sql(", ");
        q.bind(SqlValue::Int(n));
    }
    q.sql(")");
    q.execute(conn)?;
    Ok(())
}

/// The runs of a cycle, oldest first.
pub fn list_runs(conn: &mut AnyConnection, cycle: i32) -> Result<Vec<QualityRun>, StoreError> {
    let mut q = DynQuery::new(
        "SELECT CAST(cycle AS TEXT) AS cycle, scope, actor, started_at, finished_at, \
         CAST(rules AS TEXT) AS rules, CAST(errors AS TEXT) AS errors, \
         CAST(warnings AS TEXT) AS warnings, CAST(opened AS TEXT) AS opened, \
         CAST(resolved AS TEXT) AS resolved FROM quality_runs WHERE cycle = ",
    );
    q.bind(SqlValue::Int(i64::from(cycle)));
    q.sql(" ORDER BY id");
    let rows: Vec<TextRow> = q.load(conn)?;
    let n = |r: &TextRow, f: &str| r.get(f).and_then(|v| v.parse().ok()).unwrap_or(0);
    Ok(rows
        .iter()
        .map(|r| QualityRun {
            cycle: n(r, "cycle") as i32,
            scope: text(r, "scope"),
            actor: text(r, "actor"),
            started_at: text(r, "started_at"),
            finished_at: text(r, "finished_at"),
            rules: n(r, "rules"),
            errors: n(r, "errors"),
            warnings: n(r, "warnings"),
            opened: n(r, "opened"),
            resolved: n(r, "resolved"),
        })
        .collect())
}
