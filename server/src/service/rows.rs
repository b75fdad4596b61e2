//! Row use cases: create, update (with the version read), delete and bulk upsert. Each checks the
//! fill right and the caller's unit, then, in one write transaction, the submission's state and
//! deadline, the input, and writes the row with its audit entry. A reference set without its
//! copied name (工号 without 姓名) takes the name from the referenced row (`names`); what the
//! record and reference rules still find is the page's to show (`checks`), never a refusal: a
//! draft may be saved and fixed later, and submission is where errors block.

use super::gate::{check_editable, rule_problems};
use super::names::fill_names;
use super::{guard, ApiError, ApiResult, Code, Force, InputProblem, Service};
use crate::authz::{Access, Action};
use crate::defs::Table;
use crate::store::workflow as wf;
use crate::store::{ops, AnyConnection, Record, RowScope, StoredRow, WriteCtx};
use crate::validate::rules::resolve_fixed;

/// A row as the caller sent it: the values that could be read, and what could not.
#[derive(Debug, Clone, Default)]
pub struct Input {
    pub record: Record,
    /// Conversion problems (a date that is not a date…), reported with the rule problems.
    pub problems: Vec<InputProblem>,
}

impl Input {
    /// Values with no conversion problem.
    pub fn from_record(record: Record) -> Input {
        Input {
            record,
            problems: Vec::new(),
        }
    }
}

impl Service {
    /// Where a caller's new rows go: the cycle given (or the newest open one) and the unit given
    /// (code, name or alias; or the caller's own), which must be one the caller may fill for.
    pub fn write_ctx(
        &self,
        who: &Access,
        cycle: Option<i32>,
        unit: Option<&str>,
    ) -> ApiResult<WriteCtx> {
        let unit = self.unit_or_own(who, unit)?;
        if let RowScope::Units(own) = who.write_scope() {
            if !own.contains(&unit) {
                return Err(ApiError::new(
                    Code::Forbidden,
                    format!("不能替其他单位（{unit}）填报"),
                ));
            }
        }
        Ok(WriteCtx {
            cycle: self.cycle_or_default(cycle)?,
            unit,
            actor: who.principal.staff_no.clone(),
        })
    }

    /// Adds a row.
    pub fn create_row(
        &self,
        who: &Access,
        table: &Table,
        cycle: Option<i32>,
        unit: Option<&str>,
        input: Input,
    ) -> ApiResult<StoredRow> {
        guard(who, table, Action::Fill)?;
        let ctx = self.write_ctx(who, cycle, unit)?;
        let (at, scope) = (self.now(), who.write_scope());
        self.store.write(|conn| {
            editable_for(conn, table, &ctx, at)?;
            let mut record = input.record.clone();
            fill_names(
                conn,
                self.store.catalog(),
                table,
                ctx.cycle,
                None,
                &mut record,
            )?;
            self.validated(conn, table, ctx.cycle, &record, input.problems.clone())?;
            Ok(ops::insert_row(conn, table, &scope, &ctx, &record)?)
        })
    }

    /// Changes the given fields of a row, if it still has `row_version`.
    pub fn update_row(
        &self,
        who: &Access,
        table: &Table,
        id: i64,
        row_version: i64,
        patch: Input,
    ) -> ApiResult<StoredRow> {
        guard(who, table, Action::Fill)?;
        let (at, scope, actor) = (self.now(), who.write_scope(), &who.principal.staff_no);
        self.store.write(|conn| {
            let current = editable_row(conn, table, &scope, id, at, actor)?;
            let mut changes = patch.record.clone();
            let catalog = self.store.catalog();
            fill_names(
                conn,
                catalog,
                table,
                current.cycle,
                Some(&current.values),
                &mut changes,
            )?;
            let mut merged = current.values.clone();
            merged.extend(changes.clone());
            self.validated(conn, table, current.cycle, &merged, patch.problems.clone())?;
            let saved = ops::update_row(conn, table, &scope, id, row_version, &changes, actor)?;
            resolve_fixed(conn, catalog, &table.code, saved.cycle, &saved.unit, id)?;
            Ok(saved)
        })
    }

    /// Deletes a row; returns it as it was.
    pub fn delete_row(&self, who: &Access, table: &Table, id: i64) -> ApiResult<StoredRow> {
        guard(who, table, Action::Fill)?;
        let (at, scope, actor) = (self.now(), who.write_scope(), &who.principal.staff_no);
        self.store.write(|conn| {
            editable_row(conn, table, &scope, id, at, actor)?;
            let gone = ops::delete_row(conn, table, &scope, id, actor)?;
            // The row's own findings go with it (no rule finds a row that is not there).
            let catalog = self.store.catalog();
            resolve_fixed(conn, catalog, &table.code, gone.cycle, &gone.unit, id)?;
            Ok(gone)
        })
    }

    /// Inserts or updates (by natural key) every row, all or nothing: (inserted, updated).
    pub fn bulk_upsert(
        &self,
        who: &Access,
        table: &Table,
        cycle: Option<i32>,
        unit: Option<&str>,
        rows: Vec<Input>,
    ) -> ApiResult<(usize, usize)> {
        guard(who, table, Action::Fill)?;
        let ctx = self.write_ctx(who, cycle, unit)?;
        let (at, scope) = (self.now(), who.write_scope());
        self.store.write(|conn| {
            editable_for(conn, table, &ctx, at)?;
            let dates = wf::cycle_dates(conn, ctx.cycle)?;
            let mut problems = Vec::new();
            for (i, row) in rows.iter().enumerate() {
                problems.extend(row.problems.iter().cloned().map(|mut p| {
                    p.row = i;
                    p
                }));
                rule_problems(
                    self.store.catalog(),
                    table,
                    &row.record,
                    &dates,
                    i,
                    &mut problems,
                );
            }
            if !problems.is_empty() {
                return Err(ApiError::invalid(&table.name, problems));
            }
            let records: Vec<Record> = rows.into_iter().map(|r| r.record).collect();
            Ok(ops::bulk_upsert(conn, table, &scope, &ctx, &records)?)
        })
    }

    /// Refuses a row with conversion or rule problems.
    fn validated(
        &self,
        conn: &mut AnyConnection,
        table: &Table,
        cycle: i32,
        record: &Record,
        mut problems: Vec<InputProblem>,
    ) -> ApiResult<()> {
        let dates = wf::cycle_dates(conn, cycle)?;
        rule_problems(
            self.store.catalog(),
            table,
            record,
            &dates,
            0,
            &mut problems,
        );
        if problems.is_empty() {
            Ok(())
        } else {
            Err(ApiError::invalid(&table.name, problems))
        }
    }
}

/// The gate for new rows of `ctx`: no override.
pub(super) fn editable_for(
    conn: &mut AnyConnection,
    table: &Table,
    ctx: &WriteCtx,
    at: chrono::DateTime<chrono::Utc>,
) -> ApiResult<()> {
    check_editable(
        conn,
        table,
        ctx.cycle,
        &ctx.unit,
        at,
        &Force::none(),
        &ctx.actor,
    )
}

/// The row the caller may change, once its submission allows the change; `NOT_FOUND` when it
/// is not in the caller's scope.
pub(super) fn editable_row(
    conn: &mut AnyConnection,
    table: &Table,
    scope: &RowScope,
    id: i64,
    at: chrono::DateTime<chrono::Utc>,
    actor: &str,
) -> ApiResult<StoredRow> {
    let row = ops::get_row(conn, table, scope, id)?
        .ok_or_else(|| ApiError::new(Code::NotFound, "记录不存在，或不在您可修改的范围内"))?;
    check_editable(conn, table, row.cycle, &row.unit, at, &Force::none(), actor)?;
    Ok(row)
}
