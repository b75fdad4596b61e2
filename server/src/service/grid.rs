//! The grid's bulk use cases: rows pasted from Excel/WPS (checked as a whole, then saved all or
//! nothing, or only the rows without problems) and the deletion of the rows a collector selected.
//! Both take the same gates as a single row's write — the fill right, the caller's unit, the
//! submission's state and deadline — in one write transaction.

use std::collections::{BTreeSet, HashMap};

use super::checks::row_key;
use super::gate::rule_problems;
use super::names::fill_names;
use super::rows::{editable_for, editable_row, Input};
use super::{guard, ApiError, ApiResult, Code, InputProblem, Service};
use crate::authz::{Access, Action};
use crate::defs::{naming, Table};
use crate::store::tx::{hold_key, Hold};
use crate::store::workflow as wf;
use crate::store::{ops, AnyConnection, Record, RowScope, WriteCtx};
use crate::validate::rules::resolve_fixed;

/// The most rows one paste or one bulk delete may carry.
pub const MAX_ROWS: usize = 2000;

/// What a paste asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasteMode {
    /// Only check: nothing is written.
    Check,
    /// Save every row, or none while any row has a problem.
    All,
    /// Save the rows without problems; skip the others.
    Valid,
}

/// One pasted row's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PastedRow {
    /// Its position in the paste (from 0).
    pub index: usize,
    /// The stored row it changes (an update), or the row it became (once saved).
    pub id: Option<i64>,
    /// Whether it adds a row (false: it changes the row with its key).
    pub new: bool,
    pub problems: Vec<InputProblem>,
    pub saved: bool,
}

/// What a paste did (or would do).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Pasted {
    pub inserted: usize,
    pub updated: usize,
    /// Rows not saved because of their problems.
    pub skipped: usize,
    pub rows: Vec<PastedRow>,
    /// A sentence for the collector.
    pub message: String,
}

/// A row ready to be written: its patch, and what was found about it.
struct Planned {
    row: PastedRow,
    patch: Record,
}

impl Service {
    /// Checks pasted rows as one batch — each against the row with its key (merged with it, so
    /// a paste of a few columns changes only those), the field rules, and the other pasted rows'
    /// keys — and, unless `Check`, saves them by natural key in the same transaction.
    pub fn paste_rows(
        &self,
        who: &Access,
        table: &Table,
        cycle: Option<i32>,
        unit: Option<&str>,
        rows: Vec<Input>,
        mode: PasteMode,
    ) -> ApiResult<Pasted> {
        guard(who, table, Action::Fill)?;
        too_many(table, rows.len())?;
        let ctx = self.write_ctx(who, cycle, unit)?;
        let (at, scope) = (self.now(), who.write_scope());
        self.store.write(|conn| {
            editable_for(conn, table, &ctx, at)?;
            // Pastes of one submission take turns (as bulk upserts do): the keys looked up here
            // are still the keys when the rows are written.
            let turn = format!("upsert:{}:{}:{}", ctx.cycle, table.code, ctx.unit);
            hold_key(conn, &turn, Hold::Step)?;
            let planned = self.plan(conn, table, &scope, &ctx, rows)?;
            let bad = planned
                .iter()
                .filter(|p| !p.row.problems.is_empty())
                .count();
            if mode == PasteMode::Check || (mode == PasteMode::All && bad > 0) {
                return Ok(unsaved(table, planned, bad, mode));
            }
            self.save_planned(conn, table, &scope, &ctx, planned)
        })
    }

    /// Each pasted row looked up by key, named, merged and checked.
    fn plan(
        &self,
        conn: &mut AnyConnection,
        table: &Table,
        scope: &RowScope,
        ctx: &WriteCtx,
        rows: Vec<Input>,
    ) -> ApiResult<Vec<Planned>> {
        let catalog = self.store.catalog();
        let dates = wf::cycle_dates(conn, ctx.cycle)?;
        let mut keys: HashMap<String, usize> = HashMap::new();
        let mut planned = Vec::with_capacity(rows.len());
        for (index, input) in rows.into_iter().enumerate() {
            let found = ops::find_by_key(conn, table, ctx, &input.record)?;
            let current = match found {
                Some((id, _)) => ops::get_row(conn, table, scope, id)?,
                None => None,
            };
            let before = current.as_ref().map(|c| &c.values);
            let mut patch = input.record;
            fill_names(conn, catalog, table, ctx.cycle, before, &mut patch)?;
            let mut merged = before.cloned().unwrap_or_default();
            merged.extend(patch.clone());
            let mut problems: Vec<InputProblem> = input.problems;
            for p in &mut problems {
                p.row = index;
            }
            rule_problems(catalog, table, &merged, &dates, index, &mut problems);
            let key = row_key(table, &merged);
            match keys.get(&key) {
                Some(first) => problems.push(same_key(table, index, *first)),
                None => {
                    keys.insert(key, index);
                }
            }
            planned.push(Planned {
                row: PastedRow {
                    index,
                    id: current.as_ref().map(|c| c.id),
                    new: current.is_none(),
                    problems,
                    saved: false,
                },
                patch,
            });
        }
        Ok(planned)
    }

    /// Writes the rows without problems through the bulk upsert (by natural key).
    fn save_planned(
        &self,
        conn: &mut AnyConnection,
        table: &Table,
        scope: &RowScope,
        ctx: &WriteCtx,
        mut planned: Vec<Planned>,
    ) -> ApiResult<Pasted> {
        let good: Vec<usize> = (0..planned.len())
            .filter(|&i| planned[i].row.problems.is_empty())
            .collect();
        let records: Vec<Record> = good.iter().map(|&i| planned[i].patch.clone()).collect();
        let (inserted, updated, ids) = ops::bulk_upsert_ids(conn, table, scope, ctx, &records)?;
        let catalog = self.store.catalog();
        for (&i, id) in good.iter().zip(ids) {
            let row = &mut planned[i].row;
            if !row.new {
                // A changed row's findings that no longer hold go, as after a single edit.
                resolve_fixed(conn, catalog, &table.code, ctx.cycle, &ctx.unit, id)?;
            }
            row.id = Some(id);
            row.saved = true;
        }
        let skipped = planned.len() - good.len();
        let mut message = format!(
            "“{} {}”：已保存 {} 行（新增 {inserted} 行，修改 {updated} 行）",
            table.code,
            table.name,
            good.len()
        );
        if skipped > 0 {
            message.push_str(&format!("；{skipped} 行有问题，未保存"));
        }
        Ok(Pasted {
            inserted,
            updated,
            skipped,
            rows: planned.into_iter().map(|p| p.row).collect(),
            message,
        })
    }

    /// Deletes the rows with these ids, all or none: each must be one the caller may delete,
    /// in a submission that still allows changes (as a single delete). Returns how many went.
    pub fn delete_rows(&self, who: &Access, code: &str, ids: &[i64]) -> ApiResult<(usize, String)> {
        let table = self.table(code)?;
        guard(who, &table, Action::Fill)?;
        too_many(&table, ids.len())?;
        let ids: BTreeSet<i64> = ids.iter().copied().collect();
        if ids.is_empty() {
            return Err(ApiError::new(Code::BadRequest, "没有选中要删除的行"));
        }
        let (at, scope, actor) = (self.now(), who.write_scope(), &who.principal.staff_no);
        let catalog = self.store.catalog();
        self.store.write(|conn| {
            for &id in &ids {
                editable_row(conn, &table, &scope, id, at, actor).map_err(|e| {
                    ApiError::new(
                        e.code,
                        format!(
                            "“{} {}”：{}，未删除任何行",
                            table.code, table.name, e.message
                        ),
                    )
                })?;
                let gone = ops::delete_row(conn, &table, &scope, id, actor)?;
                resolve_fixed(conn, catalog, &table.code, gone.cycle, &gone.unit, id)?;
            }
            let message = format!("已删除“{} {}”的 {} 行", table.code, table.name, ids.len());
            Ok((ids.len(), message))
        })
    }
}

/// Refuses a batch larger than [`MAX_ROWS`].
fn too_many(table: &Table, n: usize) -> ApiResult<()> {
    if n > MAX_ROWS {
        return Err(ApiError::new(
            Code::BadRequest,
            format!(
                "“{} {}”：一次最多处理 {MAX_ROWS} 行（本次 {n} 行），请分批进行或使用 Excel 导入",
                table.code, table.name
            ),
        ));
    }
    Ok(())
}

/// A pasted row with the key of an earlier pasted row.
fn same_key(table: &Table, index: usize, first: usize) -> InputProblem {
    let field = table.key.first().cloned().unwrap_or_default();
    let label = table
        .field(&field)
        .map_or(field.as_str(), |f| f.label.as_str());
    InputProblem {
        row: index,
        field: naming::graphql_field(&field),
        rule: "key".into(),
        message: format!(
            "{label}：与粘贴的第 {} 行关键字段相同，同一行只能出现一次",
            first + 1
        ),
    }
}

/// The answer of a check, or of an all-or-nothing paste refused by its problems.
fn unsaved(table: &Table, planned: Vec<Planned>, bad: usize, mode: PasteMode) -> Pasted {
    let rows: Vec<PastedRow> = planned.into_iter().map(|p| p.row).collect();
    let new = rows.iter().filter(|r| r.new).count();
    let message = if bad == 0 {
        format!(
            "“{} {}”：{} 行均无问题（新增 {new} 行，修改 {} 行），尚未保存",
            table.code,
            table.name,
            rows.len(),
            rows.len() - new
        )
    } else {
        let verb = if mode == PasteMode::All {
            "未保存任何行"
        } else {
            "尚未保存"
        };
        format!(
            "“{} {}”：{bad} 行有问题，{verb}；请改正标红的格，或选择“只保存无误的行”",
            table.code, table.name
        )
    };
    Pasted {
        skipped: if mode == PasteMode::All {
            rows.len()
        } else {
            0
        },
        rows,
        message,
        ..Pasted::default()
    }
}
