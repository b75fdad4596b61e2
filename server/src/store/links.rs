//! `row_links`: a row of one cycle points at the row of the previous cycle it continues (carried
//! forward by `cycle new --from`, or matched by key). Identities (教师, 专业, 企业) are followed
//! across years through these links.

use diesel::prelude::*;

use super::conn::AnyConnection;
use super::schema::{per_backend, row_links};
use super::sql::{ident, DynQuery, SqlValue};
use super::StoreError;
use crate::defs::{naming::sql_table, Table};

/// One step of a row's history: the row's cycle and id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RowAt {
    pub cycle: i32,
    pub id: i64,
}

/// Records that each `(row, previous row)` pair of `table` continues last cycle's row.
pub fn link_rows(
    conn: &mut AnyConnection,
    table: &Table,
    cycle: i32,
    prev_cycle: i32,
    pairs: &[(i64, i64)],
    now: &str,
) -> Result<(), StoreError> {
    // 200 rows of 6 values stay under every backend's limit on bound parameters.
    for chunk in pairs.chunks(200) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|&(row, prev)| {
                (
                    row_links::table_code.eq(&table.code),
                    row_links::row_id.eq(row),
                    row_links::cycle.eq(cycle),
                    row_links::prev_cycle.eq(prev_cycle),
                    row_links::prev_id.eq(prev),
                    row_links::created_at.eq(now),
                )
            })
            .collect();
        // diesel's MultiConnection inserts one row per statement; each backend, many.
        per_backend!(conn, c => diesel::insert_into(row_links::table)
            .values(&rows)
            .execute(c)?);
    }
    Ok(())
}

/// The `AND p.k = t.k …` that matches a row `t` with last cycle's row `p` of the same unit by
/// the table's key (a single-row table: by unit alone).
pub(super) fn same_key(table: &Table) -> String {
    let mut s = String::from("p.unit = t.unit");
    for k in &table.key {
        s.push_str(&format!(" AND p.{0} = t.{0}", ident(k)));
    }
    s
}

/// Links every row of `cycle` that has no link yet to the row of `prev_cycle` with the same unit
/// and key; returns how many rows were linked.
pub fn link_by_key(
    conn: &mut AnyConnection,
    table: &Table,
    cycle: i32,
    prev_cycle: i32,
    now: &str,
) -> Result<usize, StoreError> {
    let t = ident(&sql_table(&table.slug));
    let mut q = DynQuery::new(
        "INSERT INTO row_links (table_code, row_id, cycle, prev_cycle, prev_id, created_at) SELECT ",
    )
    .uncached();
    q.bind(SqlValue::Text(table.code.clone()));
    q.sql(", t.id, t.cycle, p.cycle, p.id, ");
    q.bind(SqlValue::Text(now.to_owned()));
    q.sql(&format!(" FROM {t} t JOIN {t} p ON p.cycle = "));
    q.bind(SqlValue::Int(i64::from(prev_cycle)));
    q.sql(&format!(" AND {} WHERE t.cycle = ", same_key(table)));
    q.bind(SqlValue::Int(i64::from(cycle)));
    q.sql(" AND NOT EXISTS (SELECT 1 FROM row_links l WHERE l.table_code = ");
    q.bind(SqlValue::Text(table.code.clone()));
    q.sql(" AND l.row_id = t.id)");
    Ok(q.execute(conn)?)
}

/// Which way a step through the links goes.
#[derive(Clone, Copy)]
enum Way {
    /// To the row this one continues.
    Back,
    /// To the row that continues this one.
    Forward,
}

/// The row one link away from `id`, the way `way` says.
fn step(
    conn: &mut AnyConnection,
    way: Way,
    code: &str,
    id: i64,
) -> Result<Option<RowAt>, StoreError> {
    let of_table = row_links::table.filter(row_links::table_code.eq(code));
    let found: Option<(i32, i64)> = match way {
        Way::Back => of_table
            .filter(row_links::row_id.eq(id))
            .select((row_links::prev_cycle, row_links::prev_id))
            .first(conn)
            .optional()?,
        Way::Forward => of_table
            .filter(row_links::prev_id.eq(id))
            .select((row_links::cycle, row_links::row_id))
            .first(conn)
            .optional()?,
    };
    Ok(found.map(|(cycle, id)| RowAt { cycle, id }))
}

/// A row's history through its links, oldest first, the row itself included.
pub fn row_history(
    conn: &mut AnyConnection,
    table: &Table,
    at: RowAt,
) -> Result<Vec<RowAt>, StoreError> {
    // A chain is one row per cycle; the bounds only guard against a corrupt loop.
    let mut history = walk(conn, Way::Back, &table.code, at, 64)?;
    history.reverse();
    history.push(at);
    let forward = walk(conn, Way::Forward, &table.code, at, 128 - history.len())?;
    history.extend(forward);
    Ok(history)
}

/// Up to `most` rows reached from `from` step by step the way `way` says, nearest first.
fn walk(
    conn: &mut AnyConnection,
    way: Way,
    code: &str,
    from: RowAt,
    most: usize,
) -> Result<Vec<RowAt>, StoreError> {
    let mut out = Vec::new();
    let mut cur = from;
    while out.len() < most {
        let Some(next) = step(conn, way, code, cur.id)? else {
            break;
        };
        out.push(next);
        cur = next;
    }
    Ok(out)
}
