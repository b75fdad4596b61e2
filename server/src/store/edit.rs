//! Changing and deleting existing rows: an update holds only if the row still has the version the
//! caller read; each change is written with its audit entry in one transaction.

use diesel::RunQueryDsl;

use super::audit::{write_audit, AuditEntry};
use super::conn::AnyConnection;
use super::rows::{get_row, StoredRow};
use super::sql::{ident, DynQuery, SqlValue};
use super::value::Record;
use super::write::{check_fields, key_clash};
use super::{RowScope, StoreError};
use crate::defs::{naming, Table};

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
pub(super) fn update_in_tx(
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
