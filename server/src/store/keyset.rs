//! Keyset paging: a row's position in a list's ordering (its order values and its id) and the
//! SQL that selects the rows after or before a position. Empty values sort last in either
//! direction on both backends (see [`super::filter::push_order`]) and the id breaks ties, so a
//! position is exact, and a row deleted after it was read moves no other row across it.

use serde::{Deserialize, Serialize};

use diesel::RunQueryDsl;

use super::conn::AnyConnection;
use super::dialect::Dialect;
use super::filter::Order;
use super::page::PageQuery;
use super::rows::list_where;
use super::sql::{ident, DynQuery, PosRow, SqlValue};
use super::{RowScope, StoreError};
use crate::defs::{naming, FieldType, Table};

/// One order value of a position, as the column holds it (decimals as scaled integers, dates
/// as ISO text).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum KeyValue {
    Null,
    Int(i64),
    Bool(bool),
    Text(String),
}

/// A row's position in an ordering: one value per order term, then the id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Key {
    pub values: Vec<KeyValue>,
    pub id: i64,
}

/// How a column's values are bound and read back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Int,
    Bool,
    Text,
}

/// The kind of a column a list may be ordered by.
pub(super) fn kind(table: &Table, name: &str) -> Result<Kind, StoreError> {
    match name {
        "id" | "cycle" | "row_version" => return Ok(Kind::Int),
        "unit" | "created_at" | "created_by" | "updated_at" | "updated_by" => {
            return Ok(Kind::Text)
        }
        _ => {}
    }
    let field = table.field(name).ok_or_else(|| StoreError::Invalid {
        table: table.code.clone(),
        field: name.to_owned(),
        message: format!("{} 没有字段 \"{name}\"", table.name),
    })?;
    Ok(match field.ty {
        FieldType::Int | FieldType::Year | FieldType::Decimal { .. } => Kind::Int,
        FieldType::Bool => Kind::Bool,
        _ => Kind::Text,
    })
}

/// Reads an order column's text (as the page selects it) into a key value.
pub(super) fn read_value(kind: Kind, text: Option<String>) -> KeyValue {
    match (kind, text) {
        (_, None) => KeyValue::Null,
        (Kind::Int, Some(t)) => t.parse().map_or(KeyValue::Text(t), KeyValue::Int),
        (Kind::Bool, Some(t)) => match t.as_str() {
            "1" | "true" | "t" => KeyValue::Bool(true),
            "0" | "false" | "f" => KeyValue::Bool(false),
            _ => KeyValue::Text(t),
        },
        (Kind::Text, Some(t)) => KeyValue::Text(t),
    }
}

/// Refuses a key that does not fit the ordering (another ordering's cursor, or a tampered one):
/// a value of the wrong kind would reach the database as a type error.
pub(super) fn check(table: &Table, order: &[Order], key: &Key) -> Result<(), StoreError> {
    let bad = || StoreError::Invalid {
        table: table.code.clone(),
        field: "cursor".into(),
        message: "游标与本次查询的排序不符，请从第一页重新翻页".into(),
    };
    if key.values.len() != order.len() {
        return Err(bad());
    }
    for (o, v) in order.iter().zip(&key.values) {
        let fits = matches!(
            (kind(table, &o.field)?, v),
            (_, KeyValue::Null)
                | (Kind::Int, KeyValue::Int(_))
                | (Kind::Bool, KeyValue::Bool(_))
                | (Kind::Text, KeyValue::Text(_))
        );
        if !fits {
            return Err(bad());
        }
    }
    Ok(())
}

fn bind(v: &KeyValue) -> SqlValue {
    match v {
        KeyValue::Null => SqlValue::Null,
        KeyValue::Int(i) => SqlValue::Int(*i),
        KeyValue::Bool(b) => SqlValue::Bool(*b),
        KeyValue::Text(t) => SqlValue::Text(t.clone()),
    }
}

/// Which side of a position a predicate selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Side {
    /// Strictly after the position.
    After,
    /// Strictly before it.
    Before,
    /// After it, or the row at it.
    AtOrAfter,
    /// Before it, or the row at it.
    AtOrBefore,
}

/// Appends ` AND (<rows on `side` of `key`>)` in the list's ordering.
///
/// The ordering is `order` then `id ASC`, empty values last. Row `r` is after `k` when, for
/// some term `i`, the terms before `i` are equal and term `i` is beyond: one disjunct per term
/// (the column is compared with `IS NULL`, `=` and `<`/`>`; SQL's three-valued comparisons with
/// NULL are never relied on).
pub(super) fn push_seek(
    q: &mut DynQuery,
    table: &Table,
    order: &[Order],
    key: &Key,
    side: Side,
) -> Result<(), StoreError> {
    let t = ident(&naming::sql_table(&table.slug));
    let id = KeyValue::Int(key.id);
    let mut terms: Vec<(String, bool, &KeyValue)> = Vec::with_capacity(order.len() + 1);
    for (o, v) in order.iter().zip(&key.values) {
        kind(table, &o.field)?;
        terms.push((format!("{t}.{}", ident(&o.field)), o.descending, v));
    }
    terms.push((format!("{t}.id"), false, &id));
    let forward = matches!(side, Side::After | Side::AtOrAfter);
    let inclusive = matches!(side, Side::AtOrAfter | Side::AtOrBefore);
    q.sql(" AND (");
    let mut any = false;
    for i in 0..terms.len() {
        let (col, descending, v) = &terms[i];
        let last = i + 1 == terms.len();
        // Beyond on this term: toward the end of the list when going forward. The id (the last
        // term) is never empty: a plain comparison keeps the primary key's range scan.
        let up = forward != *descending;
        let sym = if up { ">" } else { "<" };
        let (beyond, bound) = match (forward, v) {
            _ if last && inclusive => (format!("{col} {sym}= "), true),
            _ if last => (format!("{col} {sym} "), true),
            // Empty values come last: nothing is after one, every non-empty value before it.
            (true, KeyValue::Null) => continue,
            (false, KeyValue::Null) => (format!("{col} IS NOT NULL"), false),
            (true, _) => (format!("({col} IS NULL OR {col} {sym} "), true),
            (false, _) => (format!("{col} {sym} "), true),
        };
        if any {
            q.sql(" OR ");
        }
        any = true;
        q.sql("(");
        for (c, _, e) in &terms[..i] {
            push_equal(q, c, e);
            q.sql(" AND ");
        }
        q.sql(&beyond);
        if bound {
            q.bind(bind(v));
            if forward && !last {
                q.sql(")");
            }
        }
        q.sql(")");
    }
    q.sql(")");
    Ok(())
}

fn push_equal(q: &mut DynQuery, col: &str, v: &KeyValue) {
    if matches!(v, KeyValue::Null) {
        q.sql(&format!("{col} IS NULL"));
    } else {
        q.sql(&format!("{col} = "));
        q.bind(bind(v));
    }
}

/// ` WHERE` the cycle, scope, filter and the keyset window hold.
pub(super) fn window(
    q: &mut DynQuery,
    dialect: Dialect,
    table: &Table,
    scope: &RowScope,
    query: &PageQuery,
) -> Result<(), StoreError> {
    let list = &query.list;
    list_where(q, dialect, table, scope, list)?;
    if let Some(k) = &query.paging.after {
        check(table, &list.order, k)?;
        push_seek(q, table, &list.order, k, Side::After)?;
    }
    if let Some(k) = &query.paging.before {
        check(table, &list.order, k)?;
        push_seek(q, table, &list.order, k, Side::Before)?;
    }
    Ok(())
}

/// True when a matching row lies on `side` of `key` (any row of the window when `key` is
/// `None`).
fn exists(
    conn: &mut AnyConnection,
    table: &Table,
    scope: &RowScope,
    query: &PageQuery,
    key: Option<(&Key, Side)>,
) -> Result<bool, StoreError> {
    let dialect = Dialect::of(conn);
    let list = &query.list;
    let mut q = DynQuery::new("SELECT CAST(1 AS TEXT) FROM ");
    q.sql(&ident(&naming::sql_table(&table.slug)));
    match key {
        Some((k, side)) => {
            list_where(&mut q, dialect, table, scope, list)?;
            check(table, &list.order, k)?;
            push_seek(&mut q, table, &list.order, k, side)?;
        }
        None => window(&mut q, dialect, table, scope, query)?,
    }
    q.sql(" LIMIT 1");
    let rows: Vec<PosRow> = q.cached_by_shape().load(conn)?;
    Ok(!rows.is_empty())
}

/// Whether matching rows lie outside the page's window, in reading order (backward for
/// [`super::Paging::from_end`]): `(past its end, before its start)`. Going forward, past the
/// end is at or after `before` and before the start at or before `after`; backward the
/// converse. Rows an offset skipped lie before the start.
pub(super) fn beyond(
    conn: &mut AnyConnection,
    table: &Table,
    scope: &RowScope,
    query: &PageQuery,
    read_some: bool,
) -> Result<(bool, bool), StoreError> {
    let paging = &query.paging;
    let (start, end) = if paging.from_end {
        (
            paging.before.as_ref().map(|k| (k, Side::AtOrAfter)),
            paging.after.as_ref().map(|k| (k, Side::AtOrBefore)),
        )
    } else {
        (
            paging.after.as_ref().map(|k| (k, Side::AtOrBefore)),
            paging.before.as_ref().map(|k| (k, Side::AtOrAfter)),
        )
    };
    let skipped = query.list.offset > 0 && (read_some || exists(conn, table, scope, query, None)?);
    let at_start =
        skipped || start.map_or(Ok(false), |k| exists(conn, table, scope, query, Some(k)))?;
    let at_end = end.map_or(Ok(false), |k| exists(conn, table, scope, query, Some(k)))?;
    Ok((at_end, at_start))
}
