//! The benchmark baseline: the same rows inserted with diesel's `sql_query` and typed binds, no
//! audit, no RETURNING, no scope check. It exists so that `statusdata bench storage` can report
//! the store's insert rate as a ratio of what hand-written diesel does on the same machine.

use diesel::pg::Pg;
use diesel::query_builder::BoxedSqlQuery;
use diesel::sql_types::{BigInt, Bool, Nullable, Text};
use diesel::sqlite::Sqlite;
use diesel::{Connection, RunQueryDsl};

use super::conn::AnyConnection;
use super::insert_many::rows_per_statement;
use super::sql::{ident, SqlValue};
use super::value::{encode, Record};
use super::{StoreError, WriteCtx};
use crate::defs::{naming, FieldType, Table};

#[derive(Clone, Copy)]
enum Kind {
    Int,
    Text,
    Bool,
}

fn kind(ty: &FieldType) -> Kind {
    match ty {
        FieldType::Int | FieldType::Year | FieldType::Decimal { .. } => Kind::Int,
        FieldType::Bool => Kind::Bool,
        _ => Kind::Text,
    }
}

macro_rules! bind_all {
    ($query:expr, $values:expr) => {{
        let mut q = $query;
        for (kind, value) in $values {
            q = match (kind, value) {
                (Kind::Int, SqlValue::Int(i)) => q.bind::<Nullable<BigInt>, _>(Some(i)),
                (Kind::Int, _) => q.bind::<Nullable<BigInt>, _>(None::<i64>),
                (Kind::Bool, SqlValue::Bool(b)) => q.bind::<Nullable<Bool>, _>(Some(b)),
                (Kind::Bool, _) => q.bind::<Nullable<Bool>, _>(None::<bool>),
                (Kind::Text, SqlValue::Text(s)) => q.bind::<Nullable<Text>, _>(Some(s)),
                (Kind::Text, _) => q.bind::<Nullable<Text>, _>(None::<String>),
            };
        }
        q
    }};
}

/// Inserts `records` into `table` in one transaction with plain diesel; returns how many.
pub fn baseline_insert(
    conn: &mut AnyConnection,
    table: &Table,
    ctx: &WriteCtx,
    records: &[Record],
) -> Result<usize, StoreError> {
    let now = super::now();
    let fields = &table.fields;
    const SYSTEM: [&str; 6] = [
        "cycle",
        "unit",
        "created_at",
        "created_by",
        "updated_at",
        "updated_by",
    ];
    let mut cols: Vec<String> = SYSTEM.map(str::to_owned).to_vec();
    cols.extend(fields.iter().map(|f| ident(&f.name)));
    let head = format!(
        "INSERT INTO {} ({}) VALUES (",
        ident(&naming::sql_table(&table.slug)),
        cols.join(", ")
    );
    let sqlite_sql = format!("{head}{})", vec!["?"; cols.len()].join(", "));
    let pg_sql = format!(
        "{head}{})",
        (1..=cols.len())
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let rows: Vec<Vec<(Kind, SqlValue)>> = records
        .iter()
        .map(|r| {
            let mut v = vec![
                (Kind::Int, SqlValue::Int(i64::from(ctx.cycle))),
                (Kind::Text, SqlValue::Text(ctx.unit.clone())),
                (Kind::Text, SqlValue::Text(now.clone())),
                (Kind::Text, SqlValue::Text(ctx.actor.clone())),
                (Kind::Text, SqlValue::Text(now.clone())),
                (Kind::Text, SqlValue::Text(ctx.actor.clone())),
            ];
            for f in fields {
                let value = r.get(&f.name).map_or(Ok(SqlValue::Null), |x| encode(f, x));
                let value = value.map_err(|m| StoreError::Invalid {
                    table: table.code.clone(),
                    field: f.name.clone(),
                    message: m,
                })?;
                v.push((kind(&f.ty), value));
            }
            Ok(v)
        })
        .collect::<Result<_, StoreError>>()?;
    match conn {
        AnyConnection::Sqlite(c) => c.transaction(|c| {
            for row in rows {
                let q: BoxedSqlQuery<'_, Sqlite, _> = diesel::sql_query(&sqlite_sql).into_boxed();
                bind_all!(q, row).execute(c)?;
            }
            Ok::<_, diesel::result::Error>(())
        })?,
        AnyConnection::Postgresql(c) => c.transaction(|c| {
            for row in rows {
                let q: BoxedSqlQuery<'_, Pg, _> = diesel::sql_query(&pg_sql).into_boxed();
                bind_all!(q, row).execute(c)?;
            }
            Ok::<_, diesel::result::Error>(())
        })?,
    }
    Ok(records.len())
}

/// As [`baseline_insert`], in multi-row `INSERT … VALUES (…), (…)` statements chunked as the store's
/// ([`rows_per_statement`]): the write baseline of `bench import`.
pub fn baseline_insert_multi(
    conn: &mut AnyConnection,
    table: &Table,
    ctx: &WriteCtx,
    records: &[Record],
) -> Result<usize, StoreError> {
    let now = super::now();
    let mut cols: Vec<String> = ["cycle", "unit", "created_at", "created_by"]
        .into_iter()
        .chain(["updated_at", "updated_by"])
        .map(str::to_owned)
        .collect();
    cols.extend(table.fields.iter().map(|f| ident(&f.name)));
    let head = format!(
        "INSERT INTO {} ({}) VALUES ",
        ident(&naming::sql_table(&table.slug)),
        cols.join(", ")
    );
    let per = rows_per_statement(conn, cols.len());
    let pg = matches!(conn, AnyConnection::Postgresql(_));
    let statement = |n: usize| {
        let mut sql = head.clone();
        for r in 0..n {
            sql.push_str(if r == 0 { "(" } else { ", (" });
            for c in 0..cols.len() {
                if c > 0 {
                    sql.push_str(", ");
                }
                if pg {
                    sql.push_str(&format!("${}", r * cols.len() + c + 1));
                } else {
                    sql.push('?');
                }
            }
            sql.push(')');
        }
        sql
    };
    let rows = records
        .iter()
        .map(|r| typed_row(table, ctx, &now, r))
        .collect::<Result<Vec<_>, StoreError>>()?;
    let chunks: Vec<(String, Vec<(Kind, SqlValue)>)> = rows
        .chunks(per)
        .map(|c| (statement(c.len()), c.iter().flatten().cloned().collect()))
        .collect();
    match conn {
        AnyConnection::Sqlite(c) => c.transaction(|c| {
            for (sql, binds) in chunks {
                let q: BoxedSqlQuery<'_, Sqlite, _> = diesel::sql_query(sql).into_boxed();
                bind_all!(q, binds).execute(c)?;
            }
            Ok::<_, diesel::result::Error>(())
        })?,
        AnyConnection::Postgresql(c) => c.transaction(|c| {
            for (sql, binds) in chunks {
                let q: BoxedSqlQuery<'_, Pg, _> = diesel::sql_query(sql).into_boxed();
                bind_all!(q, binds).execute(c)?;
            }
            Ok::<_, diesel::result::Error>(())
        })?,
    }
    Ok(records.len())
}

/// A row's binds with their kinds: the system columns, then every field (NULL when absent).
fn typed_row(
    table: &Table,
    ctx: &WriteCtx,
    now: &str,
    r: &Record,
) -> Result<Vec<(Kind, SqlValue)>, StoreError> {
    let mut v = vec![
        (Kind::Int, SqlValue::Int(i64::from(ctx.cycle))),
        (Kind::Text, SqlValue::Text(ctx.unit.clone())),
        (Kind::Text, SqlValue::Text(now.to_owned())),
        (Kind::Text, SqlValue::Text(ctx.actor.clone())),
        (Kind::Text, SqlValue::Text(now.to_owned())),
        (Kind::Text, SqlValue::Text(ctx.actor.clone())),
    ];
    for f in &table.fields {
        let value = r.get(&f.name).map_or(Ok(SqlValue::Null), |x| encode(f, x));
        let value = value.map_err(|m| StoreError::Invalid {
            table: table.code.clone(),
            field: f.name.clone(),
            message: m,
        })?;
        v.push((kind(&f.ty), value));
    }
    Ok(v)
}
