//! Writing what a run found: new findings open, known ones keep their state and explanation,
//! findings the run's rules no longer find are resolved. Each write is an upsert against the
//! finding's key (`ux_findings_key`), and syncs of one cycle take turns (an advisory lock on
//! PostgreSQL, SQLite's write lock), so concurrent runs and saves never write a finding twice.

use std::collections::{HashMap, HashSet};

use diesel::RunQueryDsl;

use super::super::conn::AnyConnection;
use super::super::sql::{DynQuery, SqlValue, TextRow};
use super::super::tx::{hold_key, write_tx, Hold};
use super::super::StoreError;
use super::{decode, list_findings, Finding, FindingFilter, Violation, COLUMNS};

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

/// Rows per multi-row statement.
const CHUNK: usize = 200;

type Key = (String, String, String, String);

fn key_of(v: &Violation) -> Key {
    (
        v.rule.clone(),
        v.table_code.clone(),
        v.unit.clone(),
        v.row_ref.clone(),
    )
}

/// Makes syncs of one cycle take turns: a whole-cycle sync alone, a unit's beside other units'.
fn hold(conn: &mut AnyConnection, cycle: i32, unit: Option<&str>) -> Result<(), StoreError> {
    let whole = format!("findings:{cycle}");
    match unit {
        None => hold_key(conn, &whole, Hold::Step),
        Some(u) => {
            hold_key(conn, &whole, Hold::Edit)?;
            hold_key(conn, &format!("{whole}:{u}"), Hold::Step)
        }
    }
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
    write_tx(conn, |conn| {
        hold(conn, cycle, unit)?;
        let known = known_findings(conn, cycle, rules, unit)?;
        let diff = diff(&known, found);
        for chunk in diff.write.chunks(CHUNK) {
            upsert(conn, cycle, chunk, now)?;
        }
        let gone: Vec<i64> = known
            .iter()
            .filter(|(k, f)| !diff.seen.contains(*k) && f.state != "resolved")
            .map(|(_, f)| f.id)
            .collect();
        resolve_ids(conn, &gone, now)?;
        Ok(SyncCounts {
            resolved: gone.len(),
            ..diff.counts
        })
    })
}

/// The cycle's findings of `rules` (and `unit`), by key.
fn known_findings(
    conn: &mut AnyConnection,
    cycle: i32,
    rules: &HashSet<String>,
    unit: Option<&str>,
) -> Result<HashMap<Key, Finding>, StoreError> {
    let filter = FindingFilter {
        cycle,
        units: unit.map(|u| vec![u.to_owned()]),
        ..FindingFilter::default()
    };
    Ok(list_findings(conn, &filter)?
        .into_iter()
        .filter(|f| rules.contains(&f.found.rule))
        .map(|f| (key_of(&f.found), f))
        .collect())
}

/// What a run found against what was known.
struct Diff<'a> {
    counts: SyncCounts,
    /// The keys found.
    seen: HashSet<Key>,
    /// New findings and known ones whose state, message, row or severity changed, by key.
    write: Vec<&'a Violation>,
}

fn diff<'a>(known: &HashMap<Key, Finding>, found: &'a [Violation]) -> Diff<'a> {
    let mut out = Diff {
        counts: SyncCounts::default(),
        seen: HashSet::new(),
        write: Vec::new(),
    };
    for v in found {
        let key = key_of(v);
        if !out.seen.insert(key.clone()) {
            continue;
        }
        let Some(f) = known.get(&key) else {
            out.counts.opened += 1;
            out.write.push(v);
            continue;
        };
        if f.state == "resolved" {
            out.counts.reopened += 1;
        } else {
            out.counts.kept += 1;
        }
        let k = &f.found;
        if f.state == "resolved"
            || k.message != v.message
            || k.row_id != v.row_id
            || k.severity != v.severity
            || k.field != v.field
        {
            out.write.push(v);
        }
    }
    // One order for every writer, so that two PostgreSQL transactions never wait on each other's
    // index entries in opposite orders.
    out.write.sort_by_key(|v| key_of(v));
    out
}

/// Inserts the findings, or, where the key is there already, brings it up to date: message,
/// severity and row as found now; a resolved one open again (explained, if it had an answer).
fn upsert(
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
        q.bind(v.field.clone().map_or(SqlValue::Null, SqlValue::Text))
            .sql(", ");
        q.bind(SqlValue::Text(v.rule.clone())).sql(", ");
        q.bind(SqlValue::Text(v.severity.clone())).sql(", ");
        q.bind(SqlValue::Text(v.message.clone())).sql(", 'open', ");
        q.bind(SqlValue::Text(now.to_owned())).sql(", ");
        q.bind(SqlValue::Text(now.to_owned())).sql(")");
    }
    q.sql(
        " ON CONFLICT (cycle, rule, table_code, unit, row_ref) DO UPDATE SET \
         message = excluded.message, severity = excluded.severity, row_id = excluded.row_id, \
         field = excluded.field, updated_at = excluded.updated_at, resolved_at = NULL, \
         state = CASE WHEN findings.state <> 'resolved' THEN findings.state \
         WHEN findings.explanation IS NULL THEN 'open' ELSE 'explained' END",
    );
    q.execute(conn)?;
    Ok(())
}

/// Marks the findings `ids` resolved.
fn resolve_ids(conn: &mut AnyConnection, ids: &[i64], now: &str) -> Result<(), StoreError> {
    for chunk in ids.chunks(CHUNK) {
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
    Ok(())
}

/// The findings on one stored row that still stand (not resolved).
pub fn standing_on_row(
    conn: &mut AnyConnection,
    cycle: i32,
    table_code: &str,
    row_id: i64,
) -> Result<Vec<Finding>, StoreError> {
    let mut q = DynQuery::new(format!("SELECT {COLUMNS} FROM findings WHERE cycle = "));
    q.bind(SqlValue::Int(i64::from(cycle)));
    q.sql(" AND table_code = ");
    q.bind(SqlValue::Text(table_code.to_owned()));
    q.sql(" AND row_id = ");
    q.bind(SqlValue::Int(row_id));
    q.sql(" AND state <> 'resolved' ORDER BY id");
    let rows: Vec<TextRow> = q.load(conn)?;
    Ok(rows.iter().map(decode).collect())
}

/// Resolves `findings` (standing ones of one unit's row a save has fixed) at once, so that the
/// collector sees them gone without waiting for the next run. Returns how many.
pub fn resolve_on_row(
    conn: &mut AnyConnection,
    cycle: i32,
    unit: &str,
    findings: &[&Finding],
    now: &str,
) -> Result<usize, StoreError> {
    if findings.is_empty() {
        return Ok(0);
    }
    write_tx(conn, |conn| {
        hold(conn, cycle, Some(unit))?;
        let ids: Vec<i64> = findings.iter().map(|f| f.id).collect();
        resolve_ids(conn, &ids, now)?;
        Ok(ids.len())
    })
}
