//! Replacing a unit's rows of a table in a cycle with a new set (an Excel import in `replace`
//! mode): the old rows are deleted, each with its audit entry, and the new ones inserted, all in
//! one transaction, so a failure leaves the old rows untouched.

use diesel::{Connection, RunQueryDsl};

use super::audit::{write_audit, AuditEntry};
use super::conn::AnyConnection;
use super::rows::{list_rows, ListQuery, WriteCtx};
use super::sql::{ident, DynQuery, SqlValue};
use super::value::Record;
use super::write::{check_unit, insert_one};
use super::{RowScope, StoreError};
use crate::defs::{naming, Table};

/// Deletes the rows of `ctx.unit` in `ctx.cycle` and inserts `records`: (deleted, inserted).
pub fn replace_rows(
    conn: &mut AnyConnection,
    table: &Table,
    scope: &RowScope,
    ctx: &WriteCtx,
    records: &[Record],
) -> Result<(usize, usize), StoreError> {
    check_unit(table, scope, &ctx.unit)?;
    let now = super::now();
    conn.transaction(|conn| {
        let query = ListQuery {
            cycle: ctx.cycle,
            filter: None,
            order: vec![],
            limit: None,
            offset: 0,
        };
        let old = list_rows(
            conn,
            table,
            &RowScope::Units(vec![ctx.unit.clone()]),
            &query,
        )?;
        for row in &old {
            let mut q = DynQuery::new(format!(
                "DELETE FROM {} WHERE id = ",
                ident(&naming::sql_table(&table.slug))
            ));
            q.bind(SqlValue::Int(row.id));
            q.execute(conn)?;
            write_audit(
                conn,
                &now,
                AuditEntry {
                    actor: &ctx.actor,
                    cycle: Some(row.cycle),
                    table_code: Some(&table.code),
                    row_id: Some(row.id),
                    operation: "delete",
                    before: Some(row.to_json()),
                    after: None,
                },
            )?;
        }
        for (index, record) in records.iter().enumerate() {
            insert_one(conn, table, ctx, record, &now).map_err(|e| StoreError::BulkRow {
                index,
                source: Box::new(e),
            })?;
        }
        Ok((old.len(), records.len()))
    })
}
