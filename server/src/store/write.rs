//! Writing rows: insert (one or in bulk, all or nothing), update with optimistic versions, delete;
//! each in a transaction with its audit entry.

use diesel::RunQueryDsl;

use super::audit::{write_audit, AuditEntry};
use super::conn::AnyConnection;
use super::rows::{get_row, StoredRow, WriteCtx};
use super::sql::{ident, DynQuery, SqlValue, TextRow};
use super::value::{encode, Record, Value};
use super::{RowScope, StoreError};
use crate::defs::{naming, Table};

fn check_fields(table: &Table, record: &Record) -> Result<Vec<(String, SqlValue)>, StoreError> {
    record
        .iter()
        .map(|(name, value)| {
            let invalid = |message: String| StoreError::Invalid {
                table: table.code.clone(),
                field: name.clone(),
                message,
            };
            let field = table
                .field(name)
                .ok_or_else(|| invalid(format!("{} 没有字段 \"{name}\"", table.name)))?;
            Ok((name.clone(), encode(field, value).map_err(invalid)?))
        })
        .collect()
}

pub(super) fn check_unit(table: &Table, scope: &RowScope, unit: &str) -> Result<(), StoreError> {
    match scope {
        RowScope::Units(units) if !units.iter().any(|u| u == unit) => Err(StoreError::Invalid {
            table: table.code.clone(),
            field: "unit".into(),
            message: format!("单位 {unit} 不在可填报范围内"),
        }),
        _ => Ok(()),
    }
}

/// Explains a unique-key clash with the key's labels and values.
fn key_clash(table: &Table, record: &Record, e: StoreError) -> StoreError {
    if !matches!(e, StoreError::Unique { .. } | StoreError::Duplicate { .. }) {
        return e;
    }
    let detail = table
        .key
        .iter()
        .filter_map(|k| table.field(k))
        .map(|f| {
            let v = record
                .get(&f.name)
                .map_or(serde_json::Value::Null, Value::to_json);
            format!("{}={}", f.label, v)
        })
        .collect::<Vec<_>>()
        .join("，");
    let detail = if detail.is_empty() {
        "本单位本周期已有一行".to_owned()
    } else {
        detail
    };
    StoreError::Duplicate {
        table: table.code.clone(),
        detail,
    }
}

pub(super) fn insert_one(
    conn: &mut AnyConnection,
    table: &Table,
    ctx: &WriteCtx,
    record: &Record,
    now: &str,
) -> Result<i64, StoreError> {
    let values = check_fields(table, record)?;
    let mut cols = vec![
        "cycle",
        "unit",
        "row_version",
        "created_at",
        "created_by",
        "updated_at",
        "updated_by",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect::<Vec<_>>();
    cols.extend(values.iter().map(|(n, _)| ident(n)));
    let mut q = DynQuery::new(format!(
        "INSERT INTO {} ({}) VALUES (",
        ident(&naming::sql_table(&table.slug)),
        cols.join(", ")
    ));
    let mut binds = vec![
        SqlValue::Int(i64::from(ctx.cycle)),
        SqlValue::Text(ctx.unit.clone()),
        SqlValue::Int(1),
        SqlValue::Text(now.to_owned()),
        SqlValue::Text(ctx.actor.clone()),
        SqlValue::Text(now.to_owned()),
        SqlValue::Text(ctx.actor.clone()),
    ];
    binds.extend(values.into_iter().map(|(_, v)| v));
    for (i, v) in binds.into_iter().enumerate() {
        if i > 0 {
            q.sql(", ");
        }
        q.bind(v);
    }
    q.sql(") RETURNING CAST(id AS TEXT) AS id");
    let rows: Vec<TextRow> = q
        .load(conn)
        .map_err(|e| key_clash(table, record, e.into()))?;
    let id = rows
        .first()
        .and_then(|r| r.get("id"))
        .and_then(|t| t.parse().ok())
        .ok_or_else(|| StoreError::Database("insert returned no id".into()))?;
    let mut after = serde_json::Map::new();
    after.insert("unit".into(), ctx.unit.clone().into());
    for (k, v) in record {
        after.insert(k.clone(), v.to_json());
    }
    write_audit(
        conn,
        now,
        AuditEntry {
            actor: &ctx.actor,
            cycle: Some(ctx.cycle),
            table_code: Some(&table.code),
            row_id: Some(id),
            operation: "insert",
            before: None,
            after: Some(serde_json::Value::Object(after)),
        },
    )?;
    Ok(id)
}

/// Inserts one row for `ctx.unit`, which must be in the scope; returns it as stored.
pub fn insert_row(
    conn: &mut AnyConnection,
    table: &Table,
    scope: &RowScope,
    ctx: &WriteCtx,
    record: &Record,
) -> Result<StoredRow, StoreError> {
    check_unit(table, scope, &ctx.unit)?;
    let now = super::now();
    super::tx::write_tx(conn, |conn| {
        let id = insert_one(conn, table, ctx, record, &now)?;
        get_row(conn, table, &RowScope::All, id)?.ok_or(StoreError::NotFound {
            table: table.code.clone(),
            id,
        })
    })
}

/// Inserts all rows in one transaction; when one fails, none is kept and the error names it.
pub fn bulk_insert(
    conn: &mut AnyConnection,
    table: &Table,
    scope: &RowScope,
    ctx: &WriteCtx,
    records: &[Record],
) -> Result<Vec<i64>, StoreError> {
    check_unit(table, scope, &ctx.unit)?;
    let now = super::now();
    super::tx::write_tx(conn, |conn| {
        records
            .iter()
            .enumerate()
            .map(|(index, r)| {
                insert_one(conn, table, ctx, r, &now).map_err(|e| StoreError::BulkRow {
                    index,
                    source: Box::new(e),
                })
            })
            .collect()
    })
}

/// Updates the given fields of a row, if it still has `row_version`; returns the new row.
pub fn update_row(
    conn: &mut AnyConnection,
    table: &Table,
    scope: &RowScope,
    id: i64,
    row_version: i64,
    patch: &Record,
    actor: &str,
) -> Result<StoredRow, StoreError> {
    let now = super::now();
    super::tx::write_tx(conn, |conn| {
        update_in_tx(conn, table, id, row_version, patch, actor, scope, &now)
    })
}

/// The update itself, inside the caller's transaction.
#[expect(
    clippy::too_many_arguments,
    reason = "one call site each; a struct would only rename them"
)]
fn update_in_tx(
    conn: &mut AnyConnection,
    table: &Table,
    id: i64,
    row_version: i64,
    patch: &Record,
    actor: &str,
    scope: &RowScope,
    now: &str,
) -> Result<StoredRow, StoreError> {
    let values = check_fields(table, patch)?;
    let before = get_row(conn, table, scope, id)?.ok_or(StoreError::NotFound {
        table: table.code.clone(),
        id,
    })?;
    if before.row_version != row_version {
        return Err(StoreError::Conflict {
            table: table.code.clone(),
            id,
            given: row_version,
            current: before.row_version,
        });
    }
    let mut q = DynQuery::new(format!(
        "UPDATE {} SET ",
        ident(&naming::sql_table(&table.slug))
    ));
    for (name, v) in values {
        q.sql(&format!("{} = ", ident(&name))).bind(v).sql(", ");
    }
    q.sql("row_version = row_version + 1, updated_at = ")
        .bind(SqlValue::Text(now.to_owned()));
    q.sql(", updated_by = ")
        .bind(SqlValue::Text(actor.to_owned()));
    q.sql(" WHERE id = ").bind(SqlValue::Int(id));
    q.sql(" AND row_version = ")
        .bind(SqlValue::Int(row_version));
    let mut merged = before.values.clone();
    merged.extend(patch.clone());
    let changed = q
        .execute(conn)
        .map_err(|e| key_clash(table, &merged, e.into()))?;
    if changed == 0 {
        return Err(StoreError::Conflict {
            table: table.code.clone(),
            id,
            given: row_version,
            current: row_version + 1,
        });
    }
    let after = get_row(conn, table, &RowScope::All, id)?.ok_or(StoreError::NotFound {
        table: table.code.clone(),
        id,
    })?;
    write_audit(
        conn,
        now,
        AuditEntry {
            actor,
            cycle: Some(before.cycle),
            table_code: Some(&table.code),
            row_id: Some(id),
            operation: "update",
            before: Some(before.to_json()),
            after: Some(after.to_json()),
        },
    )?;
    Ok(after)
}

/// Deletes a row within the scope; returns the deleted row.
pub fn delete_row(
    conn: &mut AnyConnection,
    table: &Table,
    scope: &RowScope,
    id: i64,
    actor: &str,
) -> Result<StoredRow, StoreError> {
    let now = super::now();
    super::tx::write_tx(conn, |conn| {
        let before = get_row(conn, table, scope, id)?.ok_or(StoreError::NotFound {
            table: table.code.clone(),
            id,
        })?;
        delete_in_tx(conn, table, &before, actor, &now)?;
        Ok(before)
    })
}

/// Deletes a row known to exist, with its audit entry; the caller holds the transaction.
pub(super) fn delete_in_tx(
    conn: &mut AnyConnection,
    table: &Table,
    row: &StoredRow,
    actor: &str,
    now: &str,
) -> Result<(), StoreError> {
    let mut q = DynQuery::new(format!(
        "DELETE FROM {} WHERE id = ",
        ident(&naming::sql_table(&table.slug))
    ));
    q.bind(SqlValue::Int(row.id));
    q.execute(conn)?;
    write_audit(
        conn,
        now,
        AuditEntry {
            actor,
            cycle: Some(row.cycle),
            table_code: Some(&table.code),
            row_id: Some(row.id),
            operation: "delete",
            before: Some(row.to_json()),
            after: None,
        },
    )
}

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
fn find_by_key(
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
