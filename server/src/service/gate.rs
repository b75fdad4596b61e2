//! The workflow gates, run inside the caller's write transaction: an edit needs a draft or
//! returned submission before the deadline (or a lock exception, or an administrator's forced
//! write with its reason audited); a submission needs rows without errors and an explanation for
//! warnings.

use chrono::{DateTime, Utc};

use super::files::known_cycle;
use super::{stamp, ApiError, ApiResult, Code, Force, InputProblem};
use crate::defs::{naming, Catalog, Table};
use crate::store::findings::{self, Finding};
use crate::store::tx::{hold_submission, Hold};
use crate::store::workflow as wf;
use crate::store::{ops, AnyConnection, ListQuery, Record, RowScope};
use crate::validate::{check_record, rules, CycleDates, Severity};
use crate::workflow::progress;

/// Refuses an edit of `table` for `unit` in `cycle` unless the submission is a draft or returned
/// and the deadline has not passed, or 质量部 granted a lock exception. Holds the submission
/// until the transaction ends, so that no step slips in between this check and the write.
pub fn check_editable(
    conn: &mut AnyConnection,
    table: &Table,
    cycle: i32,
    unit: &str,
    at: DateTime<Utc>,
    force: &Force,
    actor: &str,
) -> ApiResult<()> {
    hold_submission(conn, cycle, &table.code, unit, Hold::Edit)?;
    super::definitions::check_definitions(conn, table)?;
    if let Some(reason) = &force.reason {
        known_cycle(conn, cycle)?;
        let detail = serde_json::json!({ "unit": unit, "reason": reason });
        crate::store::audit_in(conn, actor, Some(cycle), "force", Some(&table.code), detail)?;
        return Ok(());
    }
    editable_state(conn, table, cycle, unit, at)
}

/// The reads of [`check_editable`] without holding anything: a quick refusal before work
/// (reading an upload) that the write transaction then repeats.
pub fn editable_state(
    conn: &mut AnyConnection,
    table: &Table,
    cycle: i32,
    unit: &str,
    at: DateTime<Utc>,
) -> ApiResult<()> {
    let deadlines = known_cycle(conn, cycle)?;
    let sub = wf::get_submission(conn, cycle, &table.code, unit)?;
    let deadline = deadlines.get(&table.code).copied();
    let late = deadline.is_some_and(|d| progress::today(at) > d);
    if (!sub.state.editable() || late)
        && wf::lock_exception(conn, cycle, &table.code, unit, &stamp(at))?
    {
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
    if late {
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

/// Rule problems of a complete row, added to `out` as input problems with GraphQL field names
/// (one per field: a conversion problem already reported wins).
pub fn rule_problems(
    catalog: &Catalog,
    table: &Table,
    record: &Record,
    dates: &CycleDates,
    row: usize,
    out: &mut Vec<InputProblem>,
) {
    for p in check_record(catalog, table, record, dates) {
        let field = naming::graphql_field(&p.field);
        if p.severity == Severity::Error && !out.iter().any(|o| o.row == row && o.field == field) {
            out.push(InputProblem {
                row,
                field,
                rule: p.rule.into(),
                message: p.message,
            });
        }
    }
}

/// Submitting needs the unit's rows without errors, by the field rules and by the quality rules
/// (reference, record, cross-table, completeness); open warnings need an explanation, which is
/// kept on each of them.
pub fn check_submittable(
    conn: &mut AnyConnection,
    catalog: &Catalog,
    table: &Table,
    cycle: i32,
    unit: &str,
    explanation: Option<&str>,
    actor: &str,
) -> ApiResult<()> {
    let rows = ops::list_rows(
        conn,
        table,
        &RowScope::Units(vec![unit.to_owned()]),
        &ListQuery::all(cycle),
    )?;
    let dates = wf::cycle_dates(conn, cycle)?;
    let (mut errors, mut warnings) = (Vec::new(), 0);
    for row in &rows {
        for p in check_record(catalog, table, &row.values, &dates) {
            match p.severity {
                // Named by the row's key: a database id means nothing to the unit.
                Severity::Error => errors.push(InputProblem {
                    row: 0,
                    field: naming::graphql_field(&p.field),
                    rule: p.rule.into(),
                    message: super::checks::on_row(table, &row.values, p.message),
                }),
                Severity::Warning => warnings += 1,
            }
        }
    }
    let standing = rules::findings_for(conn, catalog, cycle, &table.code, unit)?;
    let problem = |f: &Finding| InputProblem {
        row: 0,
        field: f
            .found
            .field
            .as_deref()
            .map(naming::graphql_field)
            .unwrap_or_default(),
        rule: f.found.rule.clone(),
        message: if f.found.row_ref.is_empty() {
            f.found.message.clone()
        } else {
            format!("{}：{}", f.found.row_ref, f.found.message)
        },
    };
    errors.extend(
        standing
            .iter()
            .filter(|f| f.found.severity == "error" && rules::blocks_submission(f))
            .map(problem),
    );
    if !errors.is_empty() {
        let mut e = ApiError::invalid(&table.name, errors);
        e.message = format!(
            "{}：有 {} 处错误，改正后才能提交",
            table.name,
            e.problems.len()
        );
        return Err(e);
    }
    let open: Vec<&Finding> = standing
        .iter()
        .filter(|f| f.found.severity != "error" && rules::blocks_submission(f))
        .collect();
    let explanation = explanation.map(str::trim).filter(|e| !e.is_empty());
    match explanation {
        None if warnings > 0 || !open.is_empty() => {
            let mut e = ApiError::invalid(&table.name, open.iter().map(|f| problem(f)).collect());
            e.message = format!(
                "{}：有 {} 处提醒，提交时须填写说明（explanation）",
                table.name,
                warnings + open.len()
            );
            Err(e)
        }
        Some(text) => {
            let at = crate::store::now();
            for f in open {
                findings::explain_finding(conn, f.id, text, actor, &at)?;
            }
            Ok(())
        }
        None => Ok(()),
    }
}
