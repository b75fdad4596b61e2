//! Exports as workbooks: one table's rows the caller may read, and the whole cycle for the
//! report, which asks the one sign-off policy ([`Service::final_export_check`]) first, so every
//! face refuses or warns alike.

use super::{guard, ApiError, ApiResult, Code, Service};
use crate::authz::{Access, Action};
use crate::defs::Table;
use crate::store::{workflow as wf, ListQuery};

/// The whole cycle as a workbook, with the warning its cover carries when the leaders have not
/// signed off the core data (and the server warns rather than refuses).
pub struct CycleWorkbook {
    /// The xlsx file.
    pub bytes: Vec<u8>,
    /// Why the export is not final, as on the cover; `None` once signed off.
    pub warning: Option<String>,
}

impl Service {
    /// Refuses with `NOT_FOUND` unless `cycle` is installed.
    pub fn installed_cycle(&self, cycle: i32) -> ApiResult<()> {
        match self.store.with_workflow(|c| wf::deadlines(c, cycle))? {
            Some(_) => Ok(()),
            None => Err(ApiError::new(
                Code::NotFound,
                format!(
                    "没有 {cycle} 年的采集周期：先用 serve 安装周期文件，或 cycle new 开启新周期"
                ),
            )),
        }
    }

    /// The rows of table `code` in `cycle` the caller may read, as a workbook.
    pub fn export_table(&self, who: &Access, cycle: i32, code: &str) -> ApiResult<Vec<u8>> {
        let table = self.table(code)?;
        guard(who, &table, Action::Read)?;
        self.installed_cycle(cycle)?;
        let rows = self
            .store
            .list(&table, &who.read_scope(&table.code), &ListQuery::all(cycle))?;
        crate::xlsx::export::table_workbook(self.store.catalog(), &table, &rows)
            .map_err(ApiError::internal)
    }

    /// The whole cycle (cover, progress, every table the caller may read), once the sign-off
    /// policy lets it go ahead; `on_table` hears of each table as it is written.
    pub fn export_cycle(
        &self,
        who: &Access,
        cycle: i32,
        on_table: &mut dyn FnMut(&Table),
    ) -> ApiResult<CycleWorkbook> {
        self.installed_cycle(cycle)?;
        let warning = self.final_export_check(cycle)?;
        let bytes = crate::xlsx::cycle::whole_cycle_with_note(
            &self.store,
            &self.units,
            &self.policy.current(),
            who,
            cycle,
            self.now(),
            warning.as_deref(),
            on_table,
        )
        .map_err(ApiError::internal)?;
        Ok(CycleWorkbook { bytes, warning })
    }
}
