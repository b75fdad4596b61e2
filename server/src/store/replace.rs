//! Replacing a unit's rows of a table in a cycle with a new set (an Excel import in `replace`
//! mode): the old rows are deleted, each with its audit entry, and the new ones inserted, all in
//! one transaction, so a failure leaves the old rows untouched.

use super::conn::AnyConnection;
use super::edit::delete_in_tx;
use super::rows::{list_rows, ListQuery, WriteCtx};
use super::value::Record;
use super::write::{check_unit, insert_all};
use super::{RowScope, StoreError};
use crate::defs::Table;

/// Deletes the rows of `ctx.unit` in `ctx.cycle` and inserts `records`: (deleted, the new rows'
/// ids in the order of `records`).
pub fn replace_rows_ids(
    conn: &mut AnyConnection,
    table: &Table,
    scope: &RowScope,
    ctx: &WriteCtx,
    records: &[Record],
) -> Result<(usize, Vec<i64>), StoreError> {
    check_unit(table, scope, &ctx.unit)?;
    let now = super::now();
    super::tx::write_tx(conn, |conn| {
        let query = ListQuery::all(ctx.cycle);
        let old = list_rows(
            conn,
            table,
            &RowScope::Units(vec![ctx.unit.clone()]),
            &query,
        )?;
        for row in &old {
            delete_in_tx(conn, table, row, &ctx.actor, &now)?;
        }
        let ids = insert_all(conn, table, ctx, records, &now)?;
        Ok((old.len(), ids))
    })
}
