//! Test data written straight into the data tables, for tests only: the `test-fixtures` feature,
//! which the crate's dev-dependency on itself turns on and a production build leaves out.
//!
//! A fixture write skips every gate of the service: the caller's rights, the submission's state,
//! the deadline and the field rules of `validate` (tests plant rows the service would refuse, and
//! test the store's own writes). What the store itself holds still holds: the unit scope, field
//! types, unique keys, row versions and the audit row of each write.

use super::row_ops::scoped_ops;
use super::{edit, write, Conn, Record, RowScope, Store, StoreError, StoredRow, WriteCtx};
use crate::defs::Table;

/// The store's row writes without the service's gates (see the module).
pub struct Unguarded<'a> {
    store: &'a Store,
}

impl Store {
    /// Row writes that skip the service's gates, for test data (see [`Unguarded`]).
    pub fn unguarded(&self) -> Unguarded<'_> {
        Unguarded { store: self }
    }
}

impl Unguarded<'_> {
    fn conn(&self) -> Result<Conn, StoreError> {
        self.store.conn()
    }
}

scoped_ops!(Unguarded<'_> {
    /// Inserts a row for `ctx.unit` (and its audit entry) in one transaction.
    pub fn insert(ctx: &WriteCtx, record: &Record) -> StoredRow = write::insert_row;
    /// Inserts many rows in one transaction: all or nothing.
    pub fn bulk_insert(ctx: &WriteCtx, records: &[Record]) -> Vec<i64> = write::bulk_insert;
    /// Updates a row if it still has `row_version`; a stale version is a conflict.
    pub fn update(id: i64, row_version: i64, patch: &Record, actor: &str) -> StoredRow =
        edit::update_row;
    /// Deletes a row within the scope.
    pub fn delete(id: i64, actor: &str) -> StoredRow = edit::delete_row;
});
