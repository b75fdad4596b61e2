//! Upserts by natural key: each record is inserted, or updates the row with the same key in the
//! cycle and unit, all in one transaction (Excel imports in `append` mode, `bulkUpsert`).

use diesel::RunQueryDsl;

use super::conn::AnyConnection;
use super::edit::update_in_tx;
use super::rows::WriteCtx;
use super::sql::{ident, DynQuery, SqlValue, TextRow};
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
        let (mut inserted, mut updated) = (0, 0);
        let mut ids = Vec::with_capacity(records.len());
        for (index, record) in records.iter().enumerate() {
            let wrap = |e: StoreError| StoreError::BulkRow {
                index,
                source: Box::new(e),
            };
            match find_by_key(conn, table, ctx, record).map_err(wrap)? {
                None => {
                    ids.push(insert_one(conn, table, ctx, record, &now).map_err(wrap)?);
                    inserted += 1;
                }
                Some((id, version)) => {
                    update_in_tx(
                        conn,
                        table,
                        id,
                        version,
                        record,
                        &ctx.actor,
                        &RowScope::All,
                        &now,
                    )
                    .map_err(wrap)?;
                    ids.push(id);
                    updated += 1;
                }
            }
        }
        Ok((inserted, updated, ids))
    })
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
