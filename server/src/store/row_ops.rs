//! The row operations of [`Store`] that take a connection of their own: lists, pages,
//! counts and aggregates within a unit scope, the generator's bulk insert and the benchmarks'
//! plain-diesel baselines. (The service's write transactions call [`super::ops`] on the
//! connection they hold.)

use super::{
    aggregate, baseline, baseline_read, page, rows, write, AggregateQuery, AggregateRow, Filter,
    ListQuery, PageQuery, PageRows, Record, RowScope, Store, StoreError, StoredRow, WriteCtx,
};
use crate::defs::Table;

/// Methods that each run one operation of the form `op(conn, table, scope, args…)` on a
/// connection of their own (`self.conn()`), so that every such door is written once.
macro_rules! scoped_ops {
    ($owner:ty { $(
        $(#[$doc:meta])*
        $vis:vis fn $name:ident($($arg:ident: $ty:ty),*) -> $out:ty = $op:path;
    )* }) => {
        impl $owner { $(
            $(#[$doc])*
            $vis fn $name(
                &self,
                table: &Table,
                scope: &RowScope,
                $($arg: $ty),*
            ) -> Result<$out, StoreError> {
                $op(&mut *self.conn()?, table, scope, $($arg),*)
            }
        )* }
    };
}
// The test fixtures (`store::fixtures`, feature `test-fixtures`) reuse it.
#[cfg(feature = "test-fixtures")]
pub(super) use scoped_ops;

scoped_ops!(Store {
    /// Lists rows (see [`ListQuery`]).
    pub fn list(query: &ListQuery) -> Vec<StoredRow> = rows::list_rows;
    /// One page of the API's list read path: the selected cells, and the count when asked for,
    /// in one statement on one connection (see [`page`]).
    pub fn page(query: &PageQuery) -> PageRows = page::read_page;
    /// The database's plan for a page (see [`page::explain_page`]).
    pub fn explain_page(query: &PageQuery) -> Vec<String> = page::explain_page;
    /// Counts rows matching a filter.
    pub fn count(cycle: i32, filter: Option<&Filter>) -> i64 = rows::count_rows;
    /// One row by id, within the scope.
    pub fn get(id: i64) -> Option<StoredRow> = rows::get_row;
    /// Aggregates with group-by.
    pub fn aggregate(query: &AggregateQuery) -> Vec<AggregateRow> = aggregate::aggregate_rows;
    /// Inserts many rows in one transaction, all or nothing, past the service's gates (no
    /// rights, state, deadline or field rules): the demo generator and `bench storage` only,
    /// public for the benchmark in the binary until it leaves the production build (issue 23
    /// item 5). Tests use `Store::unguarded()` (the `test-fixtures` feature).
    pub fn bulk_insert(ctx: &WriteCtx, records: &[Record]) -> Vec<i64> = write::bulk_insert;
});

impl Store {
    /// Inserts rows with plain diesel (no audit, no checks, no gates): the baseline of
    /// `bench storage` only.
    pub fn baseline_insert(
        &self,
        table: &Table,
        ctx: &WriteCtx,
        records: &[Record],
    ) -> Result<usize, StoreError> {
        baseline::baseline_insert(&mut *self.conn()?, table, ctx, records)
    }

    /// Inserts rows with plain diesel in multi-row statements (no audit, no checks, no gates):
    /// the write baseline of `bench import` only.
    pub fn baseline_insert_multi(
        &self,
        table: &Table,
        ctx: &WriteCtx,
        records: &[Record],
    ) -> Result<usize, StoreError> {
        baseline::baseline_insert_multi(&mut *self.conn()?, table, ctx, records)
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
}
