//! The files a caller downloads: a table's blank import template, a table's rows, the whole
//! cycle (after the sign-off check, as `serve --export-before-signoff` says), the progress, the
//! core indicators. Each holds only what the caller may read; the HTTP face names and sends them.

use super::{readable, ApiError, ApiResult, Code, Service};
use crate::authz::Access;
use crate::defs::Table;
use crate::store::workflow as wf;
use crate::store::{AnyConnection, ListQuery};
use chrono::NaiveDate;
use std::collections::BTreeMap;

/// A whole cycle's workbook and, when the leaders have not signed off its core data yet (and the
/// server warns rather than refuses), the warning it carries.
pub struct CycleWorkbook {
    pub bytes: Vec<u8>,
    pub warning: Option<String>,
}

/// The refusal of a cycle that was never installed: every use case that takes a cycle refuses
/// an unknown one in these words.
pub(super) fn no_cycle(cycle: i32) -> ApiError {
    ApiError::new(Code::NotFound, format!("没有 {cycle} 年的采集周期"))
}

/// The deadlines of `cycle`, or [`no_cycle`]'s refusal.
pub(super) fn known_cycle(
    conn: &mut AnyConnection,
    cycle: i32,
) -> ApiResult<BTreeMap<String, NaiveDate>> {
    wf::deadlines(conn, cycle)?.ok_or_else(|| no_cycle(cycle))
}

impl Service {
    /// Refuses a cycle that was never installed (`NOT_FOUND`, saying how to install one),
    /// rather than answering with an empty workbook.
    pub fn require_cycle(&self, cycle: i32) -> ApiResult<()> {
        match self.store.with_workflow(|c| wf::deadlines(c, cycle))? {
            Some(_) => Ok(()),
            None => {
                let mut e = no_cycle(cycle);
                e.message += "：先用 serve 安装周期文件，或 cycle new 开启新周期";
                Err(e)
            }
        }
    }

    /// The rows of one table in `cycle` that the caller may read.
    pub fn table_workbook(&self, who: &Access, cycle: i32, code: &str) -> ApiResult<Vec<u8>> {
        let table = self.table(code)?;
        let scope = readable(who, &table)?;
        let rows = self.store.list(&table, &scope, &ListQuery::all(cycle))?;
        crate::xlsx::export::table_workbook(self.catalog(), &table, &rows)
            .map_err(ApiError::internal)
    }

    /// Every table of `cycle` the caller may read, one sheet each, after the sign-off check (the
    /// one policy every face asks); `on_table` hears of each table as it is written.
    pub fn cycle_workbook(
        &self,
        who: &Access,
        cycle: i32,
        on_table: &mut dyn FnMut(&Table),
    ) -> ApiResult<CycleWorkbook> {
        let warning = self.final_export_check(cycle)?;
        let bytes = crate::xlsx::cycle::whole_cycle(
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

    /// The core indicators of `cycle` with last cycle beside them (质量部, leaders).
    pub fn indicators_workbook(&self, who: &Access, cycle: i32) -> ApiResult<Vec<u8>> {
        let data = self.core_data(who, cycle)?;
        crate::xlsx::indicators::indicators_workbook(&data).map_err(ApiError::internal)
    }

    /// The progress of `cycle` the caller may read, with the bulletin, as of today.
    pub fn progress_workbook(&self, who: &Access, cycle: i32) -> ApiResult<Vec<u8>> {
        let today = crate::workflow::progress::today(self.now());
        let mine = self.progress_for(who, cycle, today)?;
        let bulletin = crate::workflow::progress::bulletin(&mine, today);
        crate::workflow::workbook::progress_workbook(cycle, &mine, &bulletin)
            .map_err(ApiError::internal)
    }
}
