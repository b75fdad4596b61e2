//! The Excel import use case, shared by `POST /import/…` and `statusdata import`: who may import
//! into which unit, then the parsed rows stored all or nothing (upserted by natural key, or
//! replacing the unit's rows) with the state and deadline checked in the same transaction.

use super::checks::{by_excel_row, touched_checks, RowCheck};
use super::gate::check_editable;
use super::{guard, require_role, ApiError, ApiResult, Code, Force, Service};
use crate::authz::{Access, Action};
use crate::defs::Table;
/// Where an authorised import writes: the table, cycle and unit, as the check found them.
pub use crate::store::WriteCtx;
use crate::store::{ops, AnyConnection, Record, RowScope, StoreError};

/// `Append` inserts new rows and updates rows with the same natural key; `Replace` first deletes
/// the unit's rows of the table in the cycle (a file without data rows only when the request
/// says so: an empty or header-only file must not silently delete a unit's students).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    #[default]
    Append,
    Replace,
    /// Replace, even with no data rows: empties the unit's rows of the table.
    #[serde(skip)]
    ReplaceAllowEmpty,
}

/// The rows of one unit in an import, and where they go.
#[derive(Debug, Clone)]
pub struct Batch {
    pub ctx: WriteCtx,
    pub rows: Vec<(usize, Record)>,
}

/// What a stored import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stored {
    pub deleted: usize,
    pub inserted: usize,
    pub updated: usize,
    /// What would still stop submission, by Excel row (stored anyway: see `checks`).
    pub checks: Vec<RowCheck>,
}

/// An import refused while storing, with the file's row that caused it (when one did).
#[derive(Debug)]
pub struct StoreRefusal {
    pub error: ApiError,
    /// The Excel row number of the failing row.
    pub row: Option<usize>,
}

impl From<ApiError> for StoreRefusal {
    fn from(error: ApiError) -> Self {
        StoreRefusal { error, row: None }
    }
}

impl From<StoreError> for StoreRefusal {
    fn from(e: StoreError) -> Self {
        ApiError::from(e).into()
    }
}

impl Service {
    /// Checks, before the file is read, that the caller may import into the table for the unit
    /// and (unless only checking, or forcing) that the submission is open: a quick answer for a
    /// refused upload. The write re-checks all of it in its transaction.
    pub fn authorize_import(
        &self,
        who: &Access,
        table: &Table,
        cycle: i32,
        unit: Option<&str>,
        dry_run: bool,
        force: &Force,
    ) -> ApiResult<WriteCtx> {
        guard(who, table, Action::Fill)?;
        if force.reason.is_some() {
            check_force(who, force)?;
        }
        let ctx = self.write_ctx(who, Some(cycle), unit)?;
        if !dry_run && force.reason.is_none() {
            let at = self.now();
            self.store.with_workflow(|conn| {
                super::gate::editable_state(conn, table, cycle, &ctx.unit, at)
            })?;
        }
        Ok(ctx)
    }

    /// Reads an uploaded workbook (or CSV file, by its `name` or byte-order mark) for `table`
    /// against `cycle`'s dates: rows with their Excel row numbers and every problem (nothing is
    /// stored). `Err` is a file refused as a whole.
    pub fn read_import(
        &self,
        table: &Table,
        cycle: i32,
        name: &str,
        bytes: &[u8],
        limits: &crate::xlsx::import::Limits,
    ) -> ApiResult<Result<crate::xlsx::import::Parsed, String>> {
        let dates = self
            .store
            .with_workflow(|c| crate::store::workflow::cycle_dates(c, cycle))?;
        Ok(crate::xlsx::import::read(
            self.store.catalog(),
            table,
            name,
            bytes,
            &dates,
            limits,
        ))
    }

    /// How many rows of the file's units a replace would delete (the dry run says so before it
    /// happens).
    pub fn rows_to_replace(&self, table: &Table, batches: &[Batch]) -> ApiResult<i64> {
        let units = batches.iter().map(|b| b.ctx.unit.clone()).collect();
        let Some(cycle) = batches.first().map(|b| b.ctx.cycle) else {
            return Ok(0);
        };
        Ok(self
            .store
            .count(table, &RowScope::Units(units), cycle, None)?)
    }

    /// What importing `rows` would leave to fix before submission, by Excel row: the rows are
    /// written as the import would write them, checked, and rolled back. A row the database
    /// would refuse (a key clash) is the refusal, with its Excel row.
    pub fn rehearse_import(
        &self,
        who: &Access,
        table: &Table,
        batches: &[Batch],
        mode: Mode,
    ) -> Result<Vec<RowCheck>, StoreRefusal> {
        guard(who, table, Action::Fill)?;
        if batches.iter().all(|b| b.rows.is_empty()) {
            return Ok(Vec::new());
        }
        let rehearsed = self.store.write(|conn| {
            let mut checks = Vec::new();
            for b in batches.iter().filter(|b| !b.rows.is_empty()) {
                let stored = self
                    .write_and_check(conn, table, &b.ctx, &b.rows, mode)
                    .map_err(|r| self.of_unit(r, &b.ctx.unit, batches.len()))?;
                checks.extend(stored.checks);
            }
            Err::<(), Rehearsal>(Rehearsal::Done(checks))
        });
        match rehearsed {
            Err(Rehearsal::Done(checks)) => Ok(checks),
            Err(Rehearsal::Refused(r)) => Err(r),
            Ok(()) => Ok(Vec::new()),
        }
    }

    /// Writes `rows` in the caller's transaction and runs the early checks on them.
    fn write_and_check(
        &self,
        conn: &mut AnyConnection,
        table: &Table,
        ctx: &WriteCtx,
        rows: &[(usize, Record)],
        mode: Mode,
    ) -> Result<Stored, StoreRefusal> {
        let records: Vec<Record> = rows.iter().map(|(_, r)| r.clone()).collect();
        let scope = RowScope::Units(vec![ctx.unit.clone()]);
        let written = match mode {
            Mode::Append => ops::bulk_upsert_ids(conn, table, &scope, ctx, &records).map(
                |(inserted, updated, ids)| {
                    let stored = Stored {
                        inserted,
                        updated,
                        ..Stored::default()
                    };
                    (stored, ids)
                },
            ),
            Mode::Replace | Mode::ReplaceAllowEmpty => {
                ops::replace_rows_ids(conn, table, &scope, ctx, &records).map(|(deleted, ids)| {
                    let stored = Stored {
                        deleted,
                        inserted: ids.len(),
                        ..Stored::default()
                    };
                    (stored, ids)
                })
            }
        };
        let (mut stored, ids) = written.map_err(|e| {
            let row = match &e {
                StoreError::BulkRow { index, .. } => rows.get(*index).map(|(r, _)| *r),
                _ => None,
            };
            StoreRefusal {
                error: ApiError::from(e),
                row,
            }
        })?;
        let catalog = self.store.catalog();
        let mut checks = touched_checks(conn, catalog, table, ctx.cycle, &ctx.unit, Some(&ids))?;
        let excel: Vec<usize> = rows.iter().map(|(r, _)| *r).collect();
        by_excel_row(&mut checks, &ids, &excel);
        stored.checks = checks;
        Ok(stored)
    }

    /// Stores parsed rows `(excel_row, record)` of each unit's batch, all or nothing: each unit
    /// passes the state and deadline check in the one transaction (in unit order, as
    /// [`Service::import_batches`] sorts them).
    pub fn store_import(
        &self,
        who: &Access,
        table: &Table,
        batches: &[Batch],
        mode: Mode,
        force: &Force,
    ) -> Result<Stored, StoreRefusal> {
        guard(who, table, Action::Fill)?;
        if force.reason.is_some() {
            check_force(who, force)?;
        }
        let at = self.now();
        let rows: usize = batches.iter().map(|b| b.rows.len()).sum();
        if mode == Mode::Replace && rows == 0 {
            return Err(ApiError::new(
                Code::BadRequest,
                format!(
                    "文件中没有数据行，未做任何更改：用它替换会删除本单位“{} {}”的全部数据。确需清空本表，请确认清空后再导入",
                    table.code, table.name
                ),
            )
            .into());
        }
        let result = self.store.write(|conn| {
            let mut done = Stored::default();
            for b in batches {
                let ctx = &b.ctx;
                check_editable(conn, table, ctx.cycle, &ctx.unit, at, force, &ctx.actor)
                    .map_err(|e| self.of_unit(e.into(), &ctx.unit, batches.len()))?;
                let stored = self
                    .write_and_check(conn, table, ctx, &b.rows, mode)
                    .map_err(|r| self.of_unit(r, &ctx.unit, batches.len()))?;
                done.deleted += stored.deleted;
                done.inserted += stored.inserted;
                done.updated += stored.updated;
                done.checks.extend(stored.checks);
            }
            Ok::<_, StoreRefusal>(done)
        });
        count_import(table, &result);
        let stored = result?;
        // A large import changes the table's shape for the planner: refresh its statistics now
        // rather than let SQLite plan the next lists on the old ones.
        if rows >= ANALYZE_AFTER {
            if let Err(e) = self.store.analyze(Some(table)) {
                tracing::warn!(error = %e, table = %table.code, "无法更新查询统计信息");
            }
        }
        Ok(stored)
    }
}

impl Service {
    /// A refusal of one unit's rows in an import of several units says which unit.
    fn of_unit(&self, mut refusal: StoreRefusal, unit: &str, units: usize) -> StoreRefusal {
        if units > 1 {
            refusal.error.message = format!(
                "填报单位“{}”：{}",
                self.unit_shown(unit),
                refusal.error.message
            );
        }
        refusal
    }
}

/// How a rehearsal ends: always rolled back, with its checks or the refusal.
enum Rehearsal {
    Done(Vec<RowCheck>),
    Refused(StoreRefusal),
}

impl From<StoreError> for Rehearsal {
    fn from(e: StoreError) -> Self {
        Rehearsal::Refused(e.into())
    }
}

impl From<StoreRefusal> for Rehearsal {
    fn from(r: StoreRefusal) -> Self {
        Rehearsal::Refused(r)
    }
}

/// Imports by outcome and rows written, for `/metrics` (a no-op without a recorder: the CLI).
fn count_import(table: &Table, result: &Result<Stored, StoreRefusal>) {
    let outcome = if result.is_ok() { "stored" } else { "refused" };
    metrics::counter!("statusdata_imports_total", "outcome" => outcome).increment(1);
    if let Ok(stored) = result {
        let rows = (stored.inserted + stored.updated) as u64;
        metrics::counter!("statusdata_imported_rows_total", "table" => table.code.clone())
            .increment(rows);
    }
}

/// Imports of at least this many rows refresh the table's statistics.
const ANALYZE_AFTER: usize = 500;

/// Only administrators force a write past state and deadline, and only with a reason.
fn check_force(who: &Access, force: &Force) -> ApiResult<()> {
    require_role(
        who,
        &["sysadmin"],
        "只有管理员可以强制写入已锁定或已过截止日期的表",
    )?;
    if force.reason.as_deref().is_none_or(str::is_empty) {
        return Err(ApiError::new(
            Code::BadRequest,
            "强制写入须说明原因（--reason）",
        ));
    }
    Ok(())
}
