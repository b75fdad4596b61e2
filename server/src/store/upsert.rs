//! Upserts by natural key: each record is inserted, or updates the row with the same key in the
//! cycle and unit, all in one transaction (Excel imports in `append` mode, `bulkUpsert`).

use std::collections::{HashMap, HashSet};

use diesel::RunQueryDsl;

use super::conn::AnyConnection;
use super::edit::update_in_tx;
use super::insert_many::insert_many;
use super::rows::WriteCtx;
use super::sql::{ident, DynQuery, PosRow, SqlValue, TextRow};
use super::value::{encode, Record, Value};
use super::write::{check_unit, insert_one};
use super::{RowScope, StoreError};
use crate::defs::{naming, Table};

/// Inserts each record, or updates the row with the same natural key in the cycle and unit;
/// all in one transaction. Returns (inserted, updated).
pub fn bulk_upsert(
    conn: &mut AnyConnection,
    table: &Table,
    scope: &RowScope,
    ctx: &WriteCtx,
    records: &[Record],
) -> Result<(usize, usize), StoreError> {
    bulk_upsert_ids(conn, table, scope, ctx, records).map(|(i, u, _)| (i, u))
}

/// As [`bulk_upsert`], with the id each record was stored under: (inserted, updated, ids).
///
/// The keys already in the unit are read once; runs of new records are inserted in multi-row
/// statements ([`insert_many`]), and an existing key is updated row by row as before. Audit
/// entries keep the order of the records: a run of inserts is written before the update that
/// follows it, and a key met again after being written in this call is looked up afresh.
pub fn bulk_upsert_ids(
    conn: &mut AnyConnection,
    table: &Table,
    scope: &RowScope,
    ctx: &WriteCtx,
    records: &[Record],
) -> Result<(usize, usize, Vec<i64>), StoreError> {
    check_unit(table, scope, &ctx.unit)?;
    let now = super::now();
    super::tx::write_tx(conn, |conn| {
        // Upserts of one submission take turns (PostgreSQL; SQLite's writers already do): each
        // looks keys up after the one before committed, so a key two of them bring is inserted
        // once and updated by the other instead of failing on the unique index.
        let turn = format!("upsert:{}:{}:{}", ctx.cycle, table.code, ctx.unit);
        super::tx::hold_key(conn, &turn, super::tx::Hold::Step)?;
        let mut run = Run {
            existing: existing_keys(conn, table, ctx)?,
            touched: HashSet::new(),
            pending: Vec::new(),
            written: Vec::with_capacity(records.len()),
        };
        for (index, record) in records.iter().enumerate() {
            let key = record_key(table, record).map_err(|e| bulk_row(index, e))?;
            let found = match &key {
                Some(k) if run.touched.contains(k) => {
                    run.flush(conn, table, ctx, &now)?;
                    find_by_key(conn, table, ctx, record).map_err(|e| bulk_row(index, e))?
                }
                Some(k) => run.existing.get(k).copied(),
                None => {
                    // Looked up in the database, so the records before it must be there.
                    run.flush(conn, table, ctx, &now)?;
                    find_by_key(conn, table, ctx, record).map_err(|e| bulk_row(index, e))?
                }
            };
            match found {
                None => {
                    run.touched.extend(key.clone());
                    run.pending.push((index, record));
                }
                Some((id, version)) => {
                    run.flush(conn, table, ctx, &now)?;
                    update_one(conn, table, ctx, (id, version), record, &now)
                        .map_err(|e| bulk_row(index, e))?;
                    run.written.push((id, false));
                    run.touched.extend(key);
                }
            }
        }
        run.flush(conn, table, ctx, &now)?;
        let inserted = run.written.iter().filter(|(_, new)| *new).count();
        let ids: Vec<i64> = run.written.iter().map(|(id, _)| *id).collect();
        Ok((inserted, ids.len() - inserted, ids))
    })
}

/// A record's natural key as the database compares it, as text (a record whose key cannot be told
/// in memory, with an empty or boolean part, is looked up in the database as before).
type Key = Vec<Option<String>>;

/// The records of one upsert on their way: keys in the unit before it, keys written (or about to
/// be) by it, the run of new records not yet inserted, and (id, inserted) of each record written so far.
struct Run<'r> {
    existing: HashMap<Key, (i64, i64)>,
    touched: HashSet<Key>,
    pending: Vec<(usize, &'r Record)>,
    written: Vec<(i64, bool)>,
}

impl Run<'_> {
    /// Inserts the pending run; a chunk the database refuses is written record by record the
    /// way a row-by-row upsert did (look the key up, then update or insert).
    fn flush(
        &mut self,
        conn: &mut AnyConnection,
        table: &Table,
        ctx: &WriteCtx,
        now: &str,
    ) -> Result<(), StoreError> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let rows = std::mem::take(&mut self.pending);
        let mut one_row = |conn: &mut AnyConnection,
                           index: usize,
                           record: &Record|
         -> Result<(i64, bool), StoreError> {
            let wrap = |e| bulk_row(index, e);
            match find_by_key(conn, table, ctx, record).map_err(wrap)? {
                None => Ok((
                    insert_one(conn, table, ctx, record, now).map_err(wrap)?,
                    true,
                )),
                Some(found) => {
                    update_one(conn, table, ctx, found, record, now).map_err(wrap)?;
                    Ok((found.0, false))
                }
            }
        };
        let written = insert_many(conn, table, ctx, &rows, now, &mut one_row)?;
        self.written.extend(written);
        Ok(())
    }
}

fn update_one(
    conn: &mut AnyConnection,
    table: &Table,
    ctx: &WriteCtx,
    (id, version): (i64, i64),
    record: &Record,
    now: &str,
) -> Result<(), StoreError> {
    update_in_tx(
        conn,
        table,
        id,
        version,
        record,
        &ctx.actor,
        &RowScope::All,
        now,
    )
    .map(|_| ())
}

fn bulk_row(index: usize, e: StoreError) -> StoreError {
    match e {
        StoreError::BulkRow { .. } => e,
        e => StoreError::BulkRow {
            index,
            source: Box::new(e),
        },
    }
}

/// The key of a record as text, the way [`existing_keys`] reads the stored keys back.
fn record_key(table: &Table, record: &Record) -> Result<Option<Key>, StoreError> {
    let mut key = Vec::with_capacity(table.key.len());
    for name in &table.key {
        let field = key_field(table, name)?;
        let value = record.get(name).unwrap_or(&Value::Null);
        let bound = encode(field, value).map_err(|m| StoreError::Invalid {
            table: table.code.clone(),
            field: name.clone(),
            message: m,
        })?;
        key.push(match bound {
            SqlValue::Int(i) => Some(i.to_string()),
            SqlValue::Text(t) => Some(t),
            // NULLs never clash on the unique index and are looked up with `IS NULL`.
            SqlValue::Null | SqlValue::Bool(_) => return Ok(None),
        });
    }
    Ok(Some(key))
}

fn key_field<'t>(table: &'t Table, name: &str) -> Result<&'t crate::defs::Field, StoreError> {
    table.field(name).ok_or_else(|| StoreError::Invalid {
        table: table.code.clone(),
        field: name.to_owned(),
        message: "key field missing".into(),
    })
}

/// The id and version of every row of the context's cycle and unit, by its key as text.
fn existing_keys(
    conn: &mut AnyConnection,
    table: &Table,
    ctx: &WriteCtx,
) -> Result<HashMap<Key, (i64, i64)>, StoreError> {
    let mut select = vec![
        "CAST(id AS TEXT)".to_owned(),
        "CAST(row_version AS TEXT)".to_owned(),
    ];
    for name in &table.key {
        key_field(table, name)?;
        select.push(format!("CAST({} AS TEXT)", ident(name)));
    }
    let mut q = DynQuery::new(format!(
        "SELECT {} FROM {} WHERE cycle = ",
        select.join(", "),
        ident(&naming::sql_table(&table.slug))
    ));
    q.bind(SqlValue::Int(i64::from(ctx.cycle)))
        .sql(" AND unit = ")
        .bind(SqlValue::Text(ctx.unit.clone()));
    let rows: Vec<PosRow> = q.load(conn)?;
    let mut out = HashMap::with_capacity(rows.len());
    for PosRow(mut cells) in rows {
        let key = cells.split_off(2);
        let number =
            |c: &Option<String>| -> Option<i64> { c.as_deref().and_then(|t| t.parse().ok()) };
        if let (Some(id), Some(version)) = (number(&cells[0]), number(&cells[1])) {
            out.insert(key, (id, version));
        }
    }
    Ok(out)
}

/// The id and version of the row with the record's natural key, in the context's cycle and unit.
pub fn find_by_key(
    conn: &mut AnyConnection,
    table: &Table,
    ctx: &WriteCtx,
    record: &Record,
) -> Result<Option<(i64, i64)>, StoreError> {
    let mut q = DynQuery::new(format!(
        "SELECT CAST(id AS TEXT) AS id, CAST(row_version AS TEXT) AS v FROM {} WHERE cycle = ",
        ident(&naming::sql_table(&table.slug))
    ));
    q.bind(SqlValue::Int(i64::from(ctx.cycle)))
        .sql(" AND unit = ")
        .bind(SqlValue::Text(ctx.unit.clone()));
    for key in &table.key {
        let field = table.field(key).ok_or_else(|| StoreError::Invalid {
            table: table.code.clone(),
            field: key.clone(),
            message: "key field missing".into(),
        })?;
        let value = record.get(key).unwrap_or(&Value::Null);
        let bound = encode(field, value).map_err(|m| StoreError::Invalid {
            table: table.code.clone(),
            field: key.clone(),
            message: m,
        })?;
        if bound == SqlValue::Null {
            q.sql(&format!(" AND {} IS NULL", ident(key)));
        } else {
            q.sql(&format!(" AND {} = ", ident(key))).bind(bound);
        }
    }
    let rows: Vec<TextRow> = q.load(conn)?;
    Ok(rows
        .first()
        .and_then(|r| Some((r.get("id")?.parse().ok()?, r.get("v")?.parse().ok()?))))
}
