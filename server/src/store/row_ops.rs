//! The row operations of [`Store`] that take a connection of their own: lists, pages,
//! counts, aggregates and row writes within a unit scope, and the benchmarks' plain-diesel
//! baselines. (The service's write transactions call [`super::ops`] on the connection they hold.)

use super::{
    aggregate, baseline, baseline_read, page, replace, rows, write, AggregateQuery, AggregateRow,
    Filter, ListQuery, PageQuery, PageRows, Record, RowScope, Store, StoreError, StoredRow,
    WriteCtx,
};
use crate::defs::Table;

impl Store {
    /// Lists rows (see [`ListQuery`]).
    pub fn list(
        &self,
        table: &Table,
        scope: &RowScope,
        query: &ListQuery,
    ) -> Result<Vec<StoredRow>, StoreError> {
        rows::list_rows(&mut *self.conn()?, table, scope, query)
    }

    /// One page of the API's list read path: the selected cells, and the count when asked for,
    /// in one statement on one connection (see [`page`]).
    pub fn page(
        &self,
        table: &Table,
        scope: &RowScope,
        query: &PageQuery,
    ) -> Result<PageRows, StoreError> {
        page::read_page(&mut *self.conn()?, table, scope, query)
    }

    /// The database's plan for a page (see [`page::explain_page`]).
    pub fn explain_page(
        &self,
        table: &Table,
        scope: &RowScope,
        query: &PageQuery,
    ) -> Result<Vec<String>, StoreError> {
        page::explain_page(&mut *self.conn()?, table, scope, query)
    }

    /// Counts rows matching a filter.
    pub fn count(
        &self,
        table: &Table,
        scope: &RowScope,
        cycle: i32,
        filter: Option<&Filter>,
    ) -> Result<i64, StoreError> {
        rows::count_rows(&mut *self.conn()?, table, scope, cycle, filter)
    }

    /// One row by id, within the scope.
    pub fn get(
        &self,
        table: &Table,
        scope: &RowScope,
        id: i64,
    ) -> Result<Option<StoredRow>, StoreError> {
        rows::get_row(&mut *self.conn()?, table, scope, id)
    }

    /// Aggregates with group-by.
    pub fn aggregate(
        &self,
        table: &Table,
        scope: &RowScope,
        query: &AggregateQuery,
    ) -> Result<Vec<AggregateRow>, StoreError> {
        aggregate::aggregate_rows(&mut *self.conn()?, table, scope, query)
    }

    /// Inserts a row (and its audit entry) in one transaction.
    pub fn insert(
        &self,
        table: &Table,
        scope: &RowScope,
        ctx: &WriteCtx,
        record: &Record,
    ) -> Result<StoredRow, StoreError> {
        write::insert_row(&mut *self.conn()?, table, scope, ctx, record)
    }

    /// Inserts many rows in one transaction: all or nothing.
    pub fn bulk_insert(
        &self,
        table: &Table,
        scope: &RowScope,
        ctx: &WriteCtx,
        records: &[Record],
    ) -> Result<Vec<i64>, StoreError> {
        write::bulk_insert(&mut *self.conn()?, table, scope, ctx, records)
    }

    /// Inserts or updates (by natural key) every record in one transaction: (inserted, updated).
    pub fn bulk_upsert(
        &self,
        table: &Table,
        scope: &RowScope,
        ctx: &WriteCtx,
        records: &[Record],
    ) -> Result<(usize, usize), StoreError> {
        write::bulk_upsert(&mut *self.conn()?, table, scope, ctx, records)
    }

    /// Replaces the context unit's rows in the cycle with `records`, in one transaction:
    /// (deleted, inserted).
    pub fn replace_rows(
        &self,
        table: &Table,
        scope: &RowScope,
        ctx: &WriteCtx,
        records: &[Record],
    ) -> Result<(usize, usize), StoreError> {
        replace::replace_rows(&mut *self.conn()?, table, scope, ctx, records)
    }

    /// Updates a row if it still has `row_version`; a stale version is a conflict.
    pub fn update(
        &self,
        table: &Table,
        scope: &RowScope,
        id: i64,
        row_version: i64,
        patch: &Record,
        actor: &str,
    ) -> Result<StoredRow, StoreError> {
        write::update_row(
            &mut *self.conn()?,
            table,
            scope,
            id,
            row_version,
            patch,
            actor,
        )
    }

    /// Inserts rows with plain diesel (no audit, no checks): the baseline of `bench storage` only.
    pub fn baseline_insert(
        &self,
        table: &Table,
        ctx: &WriteCtx,
        records: &[Record],
    ) -> Result<usize, StoreError> {
        baseline::baseline_insert(&mut *self.conn()?, table, ctx, records)
    }

    /// The benchmark's page of 1.5.1 through diesel alone: the read baseline of `bench graphql`
    /// only (see [`baseline_read`]); (rows, count).
    pub fn baseline_page(
        &self,
        cycle: i32,
        gender: &str,
        grade: i64,
        limit: i64,
    ) -> Result<(usize, i64), StoreError> {
        baseline_read::baseline_page(&mut *self.conn()?, cycle, gender, grade, limit)
    }

    /// Deletes a row within the scope.
    pub fn delete(
        &self,
        table: &Table,
        scope: &RowScope,
        id: i64,
        actor: &str,
    ) -> Result<StoredRow, StoreError> {
        write::delete_row(&mut *self.conn()?, table, scope, id, actor)
    }
}
