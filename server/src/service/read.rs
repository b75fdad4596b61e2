//! Reading rows: one row by id, aggregates with group-by, the rows references point at, and the
//! cycles. Each takes the caller's [`Access`], refuses a table it may not read and keeps to the
//! rows of its read scope. The query shapes the faces fill in are re-exported here, so that no
//! face names the store.

use super::{readable, ApiResult, Service};
use crate::authz::{Access, Action};
use crate::defs::Table;
use crate::model::{CycleDates, Value};
pub use crate::store::{
    AggFn, AggregateQuery, AggregateRow, Filter, ListQuery, Measure, Op, Order, RowScope, StoredRow,
};

impl Service {
    /// One row by id, when the caller may read it.
    pub fn get_row(&self, who: &Access, table: &Table, id: i64) -> ApiResult<Option<StoredRow>> {
        let scope = readable(who, table)?;
        Ok(self.store.get(table, &scope, id)?)
    }

    /// The groups of an aggregate over the rows the caller may read.
    pub fn aggregate(
        &self,
        who: &Access,
        table: &Table,
        query: &AggregateQuery,
    ) -> ApiResult<Vec<AggregateRow>> {
        let scope = readable(who, table)?;
        Ok(self.store.aggregate(table, &scope, query)?)
    }

    /// The rows of table `code` in `cycle` whose `field` holds one of `values`, within the
    /// caller's read scope: what references point at. None when the caller may not read it.
    pub fn referenced_rows(
        &self,
        who: &Access,
        code: &str,
        field: &str,
        cycle: i32,
        values: Vec<String>,
    ) -> ApiResult<Vec<StoredRow>> {
        if !who.can(code, Action::Read) && !who.principal.development {
            return Ok(Vec::new());
        }
        let table = self.table(code)?;
        let scope = who.read_scope(code);
        let query = ListQuery {
            cycle,
            filter: Some(Filter::In {
                field: field.to_owned(),
                values: values.into_iter().map(Value::Text).collect(),
            }),
            order: vec![],
            limit: None,
            offset: 0,
        };
        Ok(self.store.list(&table, &scope, &query)?)
    }

    /// Every cycle installed, newest first.
    pub fn cycles(&self) -> ApiResult<Vec<CycleDates>> {
        Ok(self
            .store
            .with_workflow(crate::store::workflow::list_cycles)?)
    }
}
