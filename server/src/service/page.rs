//! One page of a table's list: the cells the caller selected, the count, the keyset window and
//! each row's position, over the rows the caller may read. The page shapes and the cell layout
//! are re-exported here for the faces.

use super::{readable, ApiResult, Service};
use crate::authz::Access;
use crate::defs::Table;
pub use crate::store::page::{CYCLE, ID, SYSTEM, UNIT};
pub use crate::store::{Cells, Key, PageQuery, PageRows, Paging};

impl Service {
    /// One page of `table` for the caller (see [`PageQuery`]).
    pub fn page(&self, who: &Access, table: &Table, query: &PageQuery) -> ApiResult<PageRows> {
        let scope = readable(who, table)?;
        Ok(self.store.page(table, &scope, query)?)
    }
}
