//! Many new rows inserted in multi-row `INSERT … VALUES (…), (…) RETURNING id` statements, with
//! their audit entries written the same way, inside the caller's write transaction: the write
//! path of Excel imports and `bulkUpsert`. A chunk the database refuses is rolled back to its
//! savepoint and written again row by row through the caller's one-row path, so that the error
//! names the row (and its field) exactly as a row-by-row write did.
//!
//! PostgreSQL's `COPY … FROM STDIN` is not used: it returns no ids (the audit entries and the
//! import's checks need them), a refused row fails the whole stream without saying which, and
//! diesel's `copy_from` wants a `table!` type where the data tables are made from definitions.

use std::collections::BTreeSet;

use diesel::RunQueryDsl;

use super::audit::{write_audits, AuditEntry};
use super::conn::AnyConnection;
use super::rows::WriteCtx;
use super::sql::{ident, DynQuery, SqlValue, TextRow};
use super::value::Record;
use super::write::check_fields;
use super::StoreError;
use crate::defs::{naming, Table};

/// The rows of one multi-row statement whose rows each bind `per_row` values: as many as the
/// backend's bound-parameter limit allows (SQLite 32766, PostgreSQL 65535), at most 1000 (past
/// that a statement only grows, the round trips saved no longer count).
pub fn rows_per_statement(conn: &AnyConnection, per_row: usize) -> usize {
    let limit = match conn {
        AnyConnection::Sqlite(_) => 32_766,
        AnyConnection::Postgresql(_) => 65_535,
    };
    (limit / per_row.max(1)).clamp(1, 1000)
}

/// How one row was written when its chunk had to be written row by row: its id, and whether it
/// was inserted (an upsert may find its key after all and update instead).
pub(super) type OneRow<'f> =
    dyn FnMut(&mut AnyConnection, usize, &Record) -> Result<(i64, bool), StoreError> + 'f;

/// Inserts `rows` (each with its index in the caller's list, for errors) for `ctx`; returns
/// (id, inserted) in the order of `rows`. A chunk the database refuses goes through `one_row`.
pub(super) fn insert_many(
    conn: &mut AnyConnection,
    table: &Table,
    ctx: &WriteCtx,
    rows: &[(usize, &Record)],
    now: &str,
    one_row: &mut OneRow<'_>,
) -> Result<Vec<(i64, bool)>, StoreError> {
    // The columns any row sets, in the definition's order; a row without one stores NULL, as
    // the one-row insert leaves it (data columns have no default).
    let present: BTreeSet<&str> = rows
        .iter()
        .flat_map(|(_, r)| r.keys().map(String::as_str))
        .collect();
    let columns: Vec<&str> = table
        .fields
        .iter()
        .map(|f| f.name.as_str())
        .filter(|n| present.contains(n))
        .collect();
    let mut checked = Vec::with_capacity(rows.len());
    for (index, record) in rows {
        let values = check_fields(table, record).map_err(|e| bulk_row(*index, e))?;
        let mut by_column = vec![SqlValue::Null; columns.len()];
        for (name, value) in values {
            if let Some(c) = columns.iter().position(|c| *c == name) {
                by_column[c] = value;
            }
        }
        checked.push(by_column);
    }
    let per = rows_per_statement(conn, SYSTEM_BINDS + columns.len());
    let mut out = Vec::with_capacity(rows.len());
    for (chunk, values) in rows.chunks(per).zip(checked.chunks(per)) {
        let q = statement(table, ctx, now, &columns, values);
        match super::tx::write_tx(conn, |c| q.load::<TextRow>(c).map_err(StoreError::from)) {
            Ok(returned) => {
                let ids = sorted_ids(&returned, chunk.len())?;
                audit_inserts(conn, table, ctx, now, chunk, &ids)?;
                out.extend(ids.into_iter().map(|id| (id, true)));
            }
            Err(_) => {
                for (index, record) in chunk {
                    out.push(one_row(conn, *index, record)?);
                }
            }
        }
    }
    Ok(out)
}

/// The values every row binds before its fields: cycle, unit, row_version and who and when.
const SYSTEM_BINDS: usize = 7;

fn bulk_row(index: usize, e: StoreError) -> StoreError {
    match e {
        StoreError::BulkRow { .. } => e,
        e => StoreError::BulkRow {
            index,
            source: Box::new(e),
        },
    }
}

/// One multi-row INSERT of a chunk. Its shape (rows and NULLs) varies, so it is prepared only
/// while the process has seen few shapes (see [`DynQuery::cached_by_shape`]).
fn statement(
    table: &Table,
    ctx: &WriteCtx,
    now: &str,
    columns: &[&str],
    values: &[Vec<SqlValue>],
) -> DynQuery {
    let mut cols: Vec<String> = naming::SYSTEM_COLUMNS[1..]
        .iter()
        .map(|c| (*c).to_owned())
        .collect();
    cols.extend(columns.iter().map(|n| ident(n)));
    let mut q = DynQuery::new(format!(
        "INSERT INTO {} ({}) VALUES ",
        ident(&naming::sql_table(&table.slug)),
        cols.join(", ")
    ));
    for (r, row) in values.iter().enumerate() {
        q.sql(if r == 0 { "(" } else { ", (" });
        q.bind(SqlValue::Int(i64::from(ctx.cycle)))
            .sql(", ")
            .bind(SqlValue::Text(ctx.unit.clone()))
            .sql(", ")
            .bind(SqlValue::Int(1));
        for v in [now, ctx.actor.as_str(), now, ctx.actor.as_str()] {
            q.sql(", ").bind(SqlValue::Text(v.to_owned()));
        }
        for v in row {
            q.sql(", ").bind(v.clone());
        }
        q.sql(")");
    }
    q.sql(" RETURNING CAST(id AS TEXT) AS id");
    q.cached_by_shape()
}

/// The ids of one statement's rows, in the order of its VALUES: neither backend promises the
/// order of RETURNING, but both draw the ids of one INSERT in the order of its rows from a
/// counter (SQLite's rowid, PostgreSQL's sequence) that only grows, so ascending is that order.
fn sorted_ids(returned: &[TextRow], expected: usize) -> Result<Vec<i64>, StoreError> {
    let mut ids = returned
        .iter()
        .map(|r| r.get("id").and_then(|t| t.parse().ok()))
        .collect::<Option<Vec<i64>>>()
        .ok_or_else(|| StoreError::Database("insert returned no id".into()))?;
    if ids.len() != expected {
        return Err(StoreError::Database(format!(
            "insert returned {} ids for {expected} rows",
            ids.len()
        )));
    }
    ids.sort_unstable();
    Ok(ids)
}

/// The `insert` audit entries of a chunk, as the one-row insert writes them.
fn audit_inserts(
    conn: &mut AnyConnection,
    table: &Table,
    ctx: &WriteCtx,
    now: &str,
    chunk: &[(usize, &Record)],
    ids: &[i64],
) -> Result<(), StoreError> {
    let entries = chunk.iter().zip(ids).map(|((_, record), id)| AuditEntry {
        actor: &ctx.actor,
        cycle: Some(ctx.cycle),
        table_code: Some(&table.code),
        row_id: Some(*id),
        operation: "insert",
        before: None,
        after: Some(inserted_json(ctx, record)),
    });
    write_audits(conn, now, entries.collect())
}

/// A new row as its audit entry shows it: the unit and the fields it was given.
pub(super) fn inserted_json(ctx: &WriteCtx, record: &Record) -> serde_json::Value {
    let mut after = serde_json::Map::new();
    after.insert("unit".into(), ctx.unit.clone().into());
    for (k, v) in record {
        after.insert(k.clone(), v.to_json());
    }
    serde_json::Value::Object(after)
}
