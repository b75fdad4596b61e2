//! Inserting rows (one, or many all or nothing), each in a transaction with its audit entry, and
//! the checks every row write shares: fields of the table, the unit in scope, a key clash
//! explained with the key's labels. Changing and deleting are in [`super::edit`], upserts by
//! natural key in [`super::upsert`].

use diesel::RunQueryDsl;

use super::audit::{write_audit, AuditEntry};
use super::conn::AnyConnection;
use super::insert_many::{insert_many, inserted_json};
use super::rows::{get_row, StoredRow, WriteCtx};
use super::sql::{ident, DynQuery, SqlValue, TextRow};
use super::value::{encode, Record, Value};
use super::{RowScope, StoreError};
use crate::defs::{naming, Table};

pub(super) fn check_fields(
    table: &Table,
    record: &Record,
) -> Result<Vec<(String, SqlValue)>, StoreError> {
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
pub(super) fn key_clash(table: &Table, record: &Record, e: StoreError) -> StoreError {
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
    // Every system column but `id`, which the database assigns.
    let mut cols = naming::SYSTEM_COLUMNS[1..]
        .iter()
        .map(|c| (*c).to_owned())
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
            after: Some(inserted_json(ctx, record)),
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
    super::tx::write_tx(conn, |conn| insert_all(conn, table, ctx, records, &now))
}

/// Inserts `records` in multi-row statements ([`insert_many`]) in the caller's transaction; a
/// chunk the database refuses is inserted row by row, so that the error names the row.
pub(super) fn insert_all(
    conn: &mut AnyConnection,
    table: &Table,
    ctx: &WriteCtx,
    records: &[Record],
    now: &str,
) -> Result<Vec<i64>, StoreError> {
    let rows: Vec<(usize, &Record)> = records.iter().enumerate().collect();
    let mut one_row = |conn: &mut AnyConnection, index: usize, record: &Record| {
        insert_one(conn, table, ctx, record, now)
            .map(|id| (id, true))
            .map_err(|e| StoreError::BulkRow {
                index,
                source: Box::new(e),
            })
    };
    let written = insert_many(conn, table, ctx, &rows, now, &mut one_row)?;
    Ok(written.into_iter().map(|(id, _)| id).collect())
}
