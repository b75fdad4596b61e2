//! The files a caller downloads: a table's blank import template, a table's rows, the whole
//! cycle (after the sign-off check, as `serve --export-before-signoff` says), the progress, the
//! core indicators. Each holds only what the caller may read; the HTTP face names and sends them.

use super::{readable, ApiError, ApiResult, Code, Service};
use crate::authz::{Access, Action};
use crate::defs::Table;
use crate::store::workflow as wf;
use crate::store::{AnyConnection, ListQuery};
pub use crate::xlsx::flat::Heading;
use crate::xlsx::flat::{table_csv, write_csv, write_jsonl};
use chrono::NaiveDate;
use std::collections::BTreeMap;
use std::io::Write;

/// A whole cycle's workbook and, when the leaders have not signed off its core data yet (and the
/// server warns rather than refuses), the warning it carries.
pub struct CycleWorkbook {
    pub bytes: Vec<u8>,
    pub warning: Option<String>,
}

/// The rows of a table, or of every table, as a file a BI tool reads: CSV (headed by labels or
/// by names) or JSON Lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flat {
    Csv(Heading),
    Jsonl,
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
        crate::xlsx::export::table_workbook(self.catalog(), &self.units, &table, &rows)
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

    /// The rows of one table in `cycle` that the caller may read, as CSV or JSON Lines (the
    /// same rows as [`Service::table_workbook`]).
    pub fn table_file(
        &self,
        who: &Access,
        cycle: i32,
        code: &str,
        flat: Flat,
    ) -> ApiResult<Vec<u8>> {
        let table = self.table(code)?;
        let scope = readable(who, &table)?;
        let rows = self.store.list(&table, &scope, &ListQuery::all(cycle))?;
        let (catalog, units) = (self.catalog(), &self.units);
        match flat {
            Flat::Csv(heading) => table_csv(catalog, units, &table, &rows, heading),
            Flat::Jsonl => {
                let mut out = Vec::new();
                write_jsonl(&mut out, catalog, units, &table, &rows, false).map(|()| out)
            }
        }
        .map_err(ApiError::internal)
    }

    /// Every table of `cycle` the caller may read, after the same sign-off check as
    /// [`Service::cycle_workbook`]: CSV as a zip of one `{code}.csv` per table, JSON Lines as
    /// one file whose lines name their `table`. One table's rows are read at a time.
    pub fn cycle_file(
        &self,
        who: &Access,
        cycle: i32,
        flat: Flat,
        on_table: &mut dyn FnMut(&Table),
    ) -> ApiResult<CycleWorkbook> {
        let warning = self.final_export_check(cycle)?;
        let (catalog, units) = (self.catalog(), &self.units);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let mut lines = Vec::new();
        for table in &catalog.tables {
            on_table(table);
            if !who.can(&table.code, Action::Read) {
                continue;
            }
            let scope = who.read_scope(&table.code);
            let rows = self.store.list(table, &scope, &ListQuery::all(cycle))?;
            match flat {
                Flat::Csv(heading) => {
                    let name = format!("{}.csv", table.code);
                    zip.start_file(name, options).map_err(ApiError::internal)?;
                    zip.write_all(crate::xlsx::flat::BOM)
                        .map_err(ApiError::internal)?;
                    write_csv(&mut zip, catalog, units, table, &rows, heading)
                        .map_err(ApiError::internal)?;
                }
                Flat::Jsonl => write_jsonl(&mut lines, catalog, units, table, &rows, true)
                    .map_err(ApiError::internal)?,
            }
        }
        let bytes = match flat {
            Flat::Csv(_) => zip.finish().map_err(ApiError::internal)?.into_inner(),
            Flat::Jsonl => lines,
        };
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
