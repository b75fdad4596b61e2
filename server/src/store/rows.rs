//! Reading and writing the rows of one data table, always within the caller's unit scope.

use diesel::RunQueryDsl;

use super::conn::AnyConnection;
use super::dialect::Dialect;
use super::filter::{push_filter, push_order, Filter, Order};
use super::sql::{ident, DynQuery, SqlValue, TextRow};
use super::value::{decode, Record};
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

impl ListQuery {
    /// Every row of a cycle, unfiltered, in storage order.
    pub fn all(cycle: i32) -> ListQuery {
        ListQuery {
            cycle,
            filter: None,
            order: vec![],
            limit: None,
            offset: 0,
        }
    }
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
    let id = row.get("id").and_then(|t| t.parse().ok()).unwrap_or(0);
    let broken = |field: &str, message: String| StoreError::Unreadable {
        table: table.code.clone(),
        row: id,
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
            q.sql(" AND unit IN ").bind_list(units);
        }
    }
}

/// [`where_clause`] with a list query's cycle and filter.
pub(super) fn list_where(
    q: &mut DynQuery,
    dialect: Dialect,
    table: &Table,
    scope: &RowScope,
    list: &ListQuery,
) -> Result<(), StoreError> {
    where_clause(q, dialect, table, list.cycle, scope, list.filter.as_ref())
}

pub(super) fn where_clause(
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
    let mut q = DynQuery::new(select_list(table));
    list_where(&mut q, dialect, table, scope, query)?;
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
    let rows: Vec<TextRow> = q.cached_by_shape().load(conn)?;
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
    let mut q = DynQuery::new(sql);
    where_clause(&mut q, dialect, table, cycle, scope, filter)?;
    let rows: Vec<TextRow> = q.cached_by_shape().load(conn)?;
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
