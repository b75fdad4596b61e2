//! The gates of the workflow: an edit needs an editable submission before the deadline (or a
//! lock exception); a submission needs rows without errors, and an explanation for warnings.

use std::sync::Arc;

use async_graphql::dynamic::ResolverContext;

use super::errors::{ApiError, ApiResult, Code, InputProblem};
use super::resolve::Req;
use super::workflow::{now, stamp};
use crate::defs::{naming, Table};
use crate::store::workflow as wf;
use crate::store::{ListQuery, RowScope, Store};
use crate::validate::{check_record, Severity};
use crate::workflow::progress;

/// Refuses an edit of `table` for `unit` unless its submission is a draft or returned and the
/// deadline has not passed, or 质量部 granted a lock exception.
pub async fn check_editable(
    ctx: &ResolverContext<'_>,
    store: &Store,
    table: &Table,
    cycle: i32,
    unit: &str,
) -> ApiResult<()> {
    editable_at(store, table, cycle, unit, now(ctx)).await
}

/// [`check_editable`] at a given time, for callers outside GraphQL (Excel import).
pub async fn editable_at(
    store: &Store,
    table: &Table,
    cycle: i32,
    unit: &str,
    at: chrono::DateTime<chrono::Utc>,
) -> ApiResult<()> {
    let (code, unit, s) = (table.code.clone(), unit.to_owned(), store.clone());
    let (deadlines, sub, excepted) = tokio::task::spawn_blocking(move || {
        s.with_workflow(|c| {
            Ok::<_, crate::store::StoreError>((
                wf::deadlines(c, cycle)?,
                wf::get_submission(c, cycle, &code, &unit)?,
                wf::lock_exception(c, cycle, &code, &unit, &stamp(at))?,
            ))
        })
    })
    .await
    .map_err(|e| ApiError::new(Code::Internal, e.to_string()))??;
    let Some(deadlines) = deadlines else {
        return Err(ApiError::new(
            Code::BadRequest,
            format!("{cycle} 年采集周期尚未设置"),
        ));
    };
    if excepted {
        return Ok(());
    }
    if !sub.state.editable() {
        return Err(ApiError::new(
            Code::Locked,
            format!(
                "“{} {}”当前为“{}”，不能修改；如需修改请联系审核部门退回或质量部重新打开",
                table.code,
                table.name,
                sub.state.label()
            ),
        ));
    }
    let deadline = deadlines.get(&table.code).copied();
    if deadline.is_some_and(|d| progress::today(at) > d) {
        return Err(ApiError::new(
            Code::DeadlinePassed,
            format!(
                "“{} {}”已过填报截止日期（{}），如需修改请联系质量部",
                table.code,
                table.name,
                deadline.map(|d| d.to_string()).unwrap_or_default()
            ),
        ));
    }
    Ok(())
}

/// Submitting needs rows without errors; warnings need an explanation.
pub(super) async fn check_submittable(
    ctx: &ResolverContext<'_>,
    r: &Req<'_>,
    table: &Table,
    cycle: i32,
    unit: &str,
) -> ApiResult<()> {
    let (s, t, u) = (r.store.clone(), Arc::new(table.clone()), unit.to_owned());
    let rows = tokio::task::spawn_blocking(move || {
        s.list(&t, &RowScope::Units(vec![u]), &ListQuery::all(cycle))
    })
    .await
    .map_err(|e| ApiError::new(Code::Internal, e.to_string()))?
    .map_err(ApiError::from)?;
    let dates = super::mutation::cycle_dates(r.store, cycle).await?;
    let (mut errors, mut warnings) = (Vec::new(), 0);
    for row in &rows {
        for p in check_record(r.store.catalog(), table, &row.values, &dates) {
            match p.severity {
                Severity::Error => errors.push(InputProblem {
                    row: row.id as usize,
                    field: naming::graphql_field(&p.field),
                    rule: p.rule.into(),
                    message: p.message,
                }),
                Severity::Warning => warnings += 1,
            }
        }
    }
    if !errors.is_empty() {
        let mut e = ApiError::invalid(&table.name, errors);
        e.message = format!(
            "{}：有 {} 处错误，改正后才能提交（problems 中的 row 为行的 id）",
            table.name,
            e.problems.len()
        );
        return Err(e);
    }
    let explained = ctx
        .args
        .get("explanation")
        .and_then(|v| v.string().ok())
        .is_some_and(|s| !s.trim().is_empty());
    if warnings > 0 && !explained {
        return Err(ApiError::new(
            Code::ValidationFailed,
            format!(
                "{}：有 {warnings} 处提醒，提交时须在 explanation 中说明",
                table.name
            ),
        ));
    }
    Ok(())
}
