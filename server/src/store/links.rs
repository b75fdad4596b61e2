//! `row_links`: a row of one cycle points at the row of the previous cycle it continues (carried
//! forward by `cycle new --from`, or matched by key). Identities (教师, 专业, 企业) are followed
//! across years through these links.

use diesel::RunQueryDsl;

use super::conn::AnyConnection;
use super::sql::{ident, DynQuery, SqlValue, TextRow};
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
    for chunk in pairs.chunks(200) {
        let mut q = DynQuery::new(
            "INSERT INTO row_links (table_code, row_id, cycle, prev_cycle, prev_id, created_at) \
             VALUES ",
        )
        .uncached();
        for (i, (row, prev)) in chunk.iter().enumerate() {
            q.sql(if i == 0 { "(" } else { ", (" });
            q.bind(SqlValue::Text(table.code.clone())).sql(", ");
            q.bind(SqlValue::Int(*row)).sql(", ");
            q.bind(SqlValue::Int(i64::from(cycle))).sql(", ");
            q.bind(SqlValue::Int(i64::from(prev_cycle))).sql(", ");
            q.bind(SqlValue::Int(*prev)).sql(", ");
            q.bind(SqlValue::Text(now.to_owned())).sql(")");
        }
        q.execute(conn)?;
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

/// The row one link away from `id`: `(select, matched column)` says which direction.
fn step(
    conn: &mut AnyConnection,
    (select, matched): (&str, &str),
    code: &str,
    id: i64,
) -> Result<Option<RowAt>, StoreError> {
    let mut q = DynQuery::new(format!("{select} FROM row_links WHERE table_code = "));
    q.bind(SqlValue::Text(code.to_owned()));
    q.sql(&format!(" AND {matched} = "));
    q.bind(SqlValue::Int(id));
    let rows: Vec<TextRow> = q.load(conn)?;
    Ok(rows.first().and_then(|r| {
        Some(RowAt {
            cycle: r.get("cycle")?.parse().ok()?,
            id: r.get("id")?.parse().ok()?,
        })
    }))
}

/// A row's history through its links, oldest first, the row itself included.
pub fn row_history(
    conn: &mut AnyConnection,
    table: &Table,
    at: RowAt,
) -> Result<Vec<RowAt>, StoreError> {
    const BACK: (&str, &str) = (
        "SELECT CAST(prev_cycle AS TEXT) AS cycle, CAST(prev_id AS TEXT) AS id",
        "row_id",
    );
    const FORWARD: (&str, &str) = (
        "SELECT CAST(cycle AS TEXT) AS cycle, CAST(row_id AS TEXT) AS id",
        "prev_id",
    );
    let mut back = Vec::new();
    let mut cur = at;
    // A chain is one row per cycle; the bound only guards against a corrupt loop.
    while back.len() < 64 {
        match step(conn, BACK, &table.code, cur.id)? {
            Some(prev) => {
                back.push(prev);
                cur = prev;
            }
            None => break,
        }
    }
    back.reverse();
    back.push(at);
    let mut cur = at;
    while back.len() < 128 {
        match step(conn, FORWARD, &table.code, cur.id)? {
            Some(next) => {
                back.push(next);
                cur = next;
            }
            None => break,
        }
    }
    Ok(back)
}
