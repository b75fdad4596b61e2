//! Reading and writing the rows of one data table, always within the caller's unit scope.

use diesel::{Connection, RunQueryDsl};

use super::audit::{write_audit, AuditEntry};
use super::conn::AnyConnection;
use super::dialect::Dialect;
use super::filter::{push_filter, push_order, Filter, Order};
use super::sql::{ident, DynQuery, SqlValue, TextRow};
use super::value::{decode, encode, Record, Value};
use super::{RowScope, StoreError};
use crate::defs::{naming, Table};

/// A stored row: system columns plus the field values.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredRow {
    pub id: i64,
    pub cycle: i32,
    pub unit: String,
    pub row_version: i64,
    pub created_at: String,
    pub created_by: String,
    pub updated_at: String,
    pub updated_by: String,
    pub values: Record,
}

impl StoredRow {
    /// The field values and the owning unit as JSON, as the audit log keeps them.
    pub fn to_json(&self) -> serde_json::Value {
        let mut map = serde_json::Map::new();
        map.insert("unit".into(), self.unit.clone().into());
        for (k, v) in &self.values {
            map.insert(k.clone(), v.to_json());
        }
        serde_json::Value::Object(map)
    }
}

/// What to list.
#[derive(Debug, Clone)]
pub struct ListQuery {
    pub cycle: i32,
    pub filter: Option<Filter>,
    pub order: Vec<Order>,
    pub limit: Option<i64>,
    pub offset: i64,
}

/// Who writes, in which cycle, for which unit.
#[derive(Debug, Clone)]
pub struct WriteCtx {
    pub cycle: i32,
    pub unit: String,
    pub actor: String,
}

fn select_list(table: &Table) -> String {
    let mut cols = vec![
        "CAST(id AS TEXT) AS id".to_owned(),
        "CAST(cycle AS TEXT) AS cycle".to_owned(),
        "unit".to_owned(),
        "CAST(row_version AS TEXT) AS row_version".to_owned(),
        "created_at".to_owned(),
        "created_by".to_owned(),
        "updated_at".to_owned(),
        "updated_by".to_owned(),
    ];
    cols.extend(table.fields.iter().map(|f| {
        let c = ident(&f.name);
        format!("CAST({c} AS TEXT) AS {c}")
    }));
    format!(
        "SELECT {} FROM {}",
        cols.join(", "),
        ident(&naming::sql_table(&table.slug))
    )
}

fn decode_row(table: &Table, row: &TextRow) -> Result<StoredRow, StoreError> {
    let broken = |field: &str, message: String| StoreError::Invalid {
        table: table.code.clone(),
        field: field.to_owned(),
        message,
    };
    let num = |name: &str| -> Result<i64, StoreError> {
        row.get(name)
            .and_then(|t| t.parse().ok())
            .ok_or_else(|| broken(name, "missing system column".into()))
    };
    let text = |name: &str| row.get(name).unwrap_or_default().to_owned();
    let mut values = Record::new();
    for f in &table.fields {
        values.insert(
            f.name.clone(),
            decode(f, row.get(&f.name)).map_err(|m| broken(&f.name, m))?,
        );
    }
    Ok(StoredRow {
        id: num("id")?,
        cycle: i32::try_from(num("cycle")?).map_err(|_| broken("cycle", "out of range".into()))?,
        unit: text("unit"),
        row_version: num("row_version")?,
        created_at: text("created_at"),
        created_by: text("created_by"),
        updated_at: text("updated_at"),
        updated_by: text("updated_by"),
        values,
    })
}

/// Appends ` AND unit IN (…)` for a limited scope.
pub(super) fn push_scope(q: &mut DynQuery, scope: &RowScope) {
    match scope {
        RowScope::All => {}
        RowScope::Units(units) if units.is_empty() => {
            q.sql(" AND 1=0");
        }
        RowScope::Units(units) => {
            q.sql(" AND unit IN (");
            for (i, u) in units.iter().enumerate() {
                if i > 0 {
                    q.sql(", ");
                }
                q.bind(SqlValue::Text(u.clone()));
            }
            q.sql(")");
        }
    }
}

fn where_clause(
    q: &mut DynQuery,
    dialect: Dialect,
    table: &Table,
    cycle: i32,
    scope: &RowScope,
    filter: Option<&Filter>,
) -> Result<(), StoreError> {
    q.sql(" WHERE cycle = ");
    q.bind(SqlValue::Int(i64::from(cycle)));
    push_scope(q, scope);
    if let Some(f) = filter {
        push_filter(q, dialect, table, f)?;
    }
    Ok(())
}

/// Lists rows matching the query within the scope.
pub fn list_rows(
    conn: &mut AnyConnection,
    table: &Table,
    scope: &RowScope,
    query: &ListQuery,
) -> Result<Vec<StoredRow>, StoreError> {
    let dialect = Dialect::of(conn);
    let mut q = DynQuery::new(select_list(table)).uncached();
    where_clause(
        &mut q,
        dialect,
        table,
        query.cycle,
        scope,
        query.filter.as_ref(),
    )?;
    push_order(&mut q, table, &query.order)?;
    q.sql(" LIMIT ");
    // SQLite needs a LIMIT before OFFSET; -1 means none there, and NULL means none in PostgreSQL.
    match (query.limit, dialect) {
        (Some(n), _) => q.bind(SqlValue::Int(n.max(0))),
        (None, Dialect::Sqlite) => q.bind(SqlValue::Int(-1)),
        (None, Dialect::Postgres) => q.sql("ALL"),
    };
    q.sql(" OFFSET ");
    q.bind(SqlValue::Int(query.offset.max(0)));
    let rows: Vec<TextRow> = q.load(conn)?;
    rows.iter().map(|r| decode_row(table, r)).collect()
}

/// Counts rows matching the filter within the scope.
pub fn count_rows(
    conn: &mut AnyConnection,
    table: &Table,
    scope: &RowScope,
    cycle: i32,
    filter: Option<&Filter>,
) -> Result<i64, StoreError> {
    let dialect = Dialect::of(conn);
    let sql = format!(
        "SELECT CAST(COUNT(*) AS TEXT) AS n FROM {}",
        ident(&naming::sql_table(&table.slug))
    );
    let mut q = DynQuery::new(sql).uncached();
    where_clause(&mut q, dialect, table, cycle, scope, filter)?;
    let rows: Vec<TextRow> = q.load(conn)?;
    Ok(rows
        .first()
        .and_then(|r| r.get("n"))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0))
}

/// The row with this id, if it is within the scope.
pub fn get_row(
    conn: &mut AnyConnection,
    table: &Table,
    scope: &RowScope,
    id: i64,
) -> Result<Option<StoredRow>, StoreError> {
    let mut q = DynQuery::new(select_list(table));
    q.sql(" WHERE id = ");
    q.bind(SqlValue::Int(id));
    push_scope(&mut q, scope);
    let rows: Vec<TextRow> = q.load(conn)?;
    rows.first().map(|r| decode_row(table, r)).transpose()
}

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

fn check_unit(table: &Table, scope: &RowScope, unit: &str) -> Result<(), StoreError> {
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
    if !matches!(e, StoreError::Duplicate { .. }) {
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

fn insert_one(
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
    conn.transaction(|conn| {
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
    conn.transaction(|conn| {
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
    let values = check_fields(table, patch)?;
    let now = super::now();
    conn.transaction(|conn| {
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
            .bind(SqlValue::Text(now.clone()));
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
            &now,
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
    })
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
    conn.transaction(|conn| {
        let before = get_row(conn, table, scope, id)?.ok_or(StoreError::NotFound {
            table: table.code.clone(),
            id,
        })?;
        let mut q = DynQuery::new(format!(
            "DELETE FROM {} WHERE id = ",
            ident(&naming::sql_table(&table.slug))
        ));
        q.bind(SqlValue::Int(id));
        q.execute(conn)?;
        write_audit(
            conn,
            &now,
            AuditEntry {
                actor,
                cycle: Some(before.cycle),
                table_code: Some(&table.code),
                row_id: Some(id),
                operation: "delete",
                before: Some(before.to_json()),
                after: None,
            },
        )?;
        Ok(before)
    })
}
