//! `POST /import/{cycle}/{code}`: a filled template (multipart field `file`) becomes rows of the
//! caller's unit. `?dryRun=true` only checks. Rows are upserted by the table's natural key
//! (`mode=append`, the default) or replace the unit's rows (`mode=replace`), in one
//! transaction: a file with any problem writes nothing, and the JSON report names every problem
//! by Excel row, field and label; with `?report=xlsx` it is the uploaded workbook, bad cells
//! marked red with a note.

use axum::extract::{Multipart, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};

use super::files::signed_in;
use super::AppState;
use crate::authz::{Access, Action};
use crate::graphql::errors::{ApiError, Code};
use crate::graphql::gate::editable_at;
use crate::store::{workflow, RowScope, StoreError, WriteCtx};
use crate::xlsx::import::{read, size, ImportProblem};
use crate::xlsx::report::annotated;

/// Room for the multipart framing around the file, in the route's body limit.
pub const MAX_FRAMING: usize = 64 << 10;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportParams {
    #[serde(default)]
    dry_run: bool,
    unit: Option<String>,
    #[serde(default)]
    mode: Mode,
    /// `xlsx`: a file with problems comes back as the workbook with its bad cells marked.
    report: Option<String>,
}

/// `append` inserts new rows and updates rows with the same natural key; `replace` first deletes
/// the unit's rows of the table in the cycle.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    #[default]
    Append,
    Replace,
}

/// What an import did, or why it did nothing.
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportReport {
    /// True when the file had no problems (and, unless a dry run, was stored).
    ok: bool,
    table: String,
    dry_run: bool,
    rows: usize,
    inserted: usize,
    updated: usize,
    /// Rows deleted first (`mode=replace`).
    deleted: usize,
    ignored_columns: Vec<String>,
    problems: Vec<ReportProblem>,
    message: String,
}

#[derive(Debug, Serialize)]
pub struct ReportProblem {
    row: usize,
    field: String,
    label: String,
    rule: String,
    message: String,
}

fn refuse(status: StatusCode, table: &str, message: impl Into<String>) -> Response {
    let report = ImportReport {
        table: table.to_owned(),
        message: message.into(),
        ..ImportReport::default()
    };
    (status, Json(report)).into_response()
}

fn status_of(code: Code) -> StatusCode {
    match code {
        Code::Unauthenticated => StatusCode::UNAUTHORIZED,
        Code::Forbidden | Code::PasswordChangeRequired => StatusCode::FORBIDDEN,
        Code::Locked | Code::DeadlinePassed => StatusCode::LOCKED,
        Code::NotFound => StatusCode::NOT_FOUND,
        Code::ValidationFailed | Code::Conflict => StatusCode::UNPROCESSABLE_ENTITY,
        Code::BadRequest => StatusCode::BAD_REQUEST,
        Code::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// `POST /import/{cycle}/{code}`.
pub async fn import(
    State(app): State<AppState>,
    Path((cycle, code)): Path<(i32, String)>,
    Query(params): Query<ImportParams>,
    headers: HeaderMap,
    multipart: Multipart,
) -> Response {
    let principal = match signed_in(&app, &headers).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let Some(table) = app.store.catalog().table_by_code(&code).cloned() else {
        return refuse(
            StatusCode::NOT_FOUND,
            &code,
            format!("没有编号为 {code} 的数据表"),
        );
    };
    let title = format!("“{} {}”", table.code, table.name);
    let access = Access::new(principal, app.policy.current(), &app.units);
    if !access.can(&code, Action::Fill) {
        return refuse(
            StatusCode::FORBIDDEN,
            &code,
            format!("您没有填报{title}的权限"),
        );
    }
    let unit = params
        .unit
        .clone()
        .unwrap_or_else(|| access.principal.unit.clone());
    let scope = access.write_scope();
    if let RowScope::Units(own) = &scope {
        if !own.contains(&unit) {
            return refuse(
                StatusCode::FORBIDDEN,
                &code,
                format!("不能替其他单位（{unit}）填报"),
            );
        }
    }
    if !params.dry_run {
        if let Err(e) = editable_at(&app.store, &table, cycle, &unit, (app.clock)()).await {
            return refuse(status_of(e.code), &code, e.message);
        }
    }
    let limits = app.import_limits;
    let bytes = match read_file(multipart, limits.max_bytes).await {
        Ok(b) => b,
        Err(m) => return refuse(StatusCode::BAD_REQUEST, &code, m),
    };
    let dates = match app
        .store
        .call(move |s| s.with_workflow(|c| workflow::cycle_dates(c, cycle)))
        .await
    {
        Ok(d) => d,
        Err(e) => return refuse(StatusCode::INTERNAL_SERVER_ERROR, &code, e.to_string()),
    };
    let (catalog, t) = (app.store.catalog().clone(), table.clone());
    let want_xlsx = params.report.as_deref() == Some("xlsx");
    let parsed = tokio::task::spawn_blocking(move || {
        let parsed = read(&catalog, &t, &bytes, &dates, &limits)?;
        let marked = if want_xlsx && !parsed.problems.is_empty() {
            Some(annotated(&t, &bytes, &parsed.problems)?)
        } else {
            None
        };
        Ok::<_, String>((parsed, marked))
    })
    .await;
    let (parsed, marked) = match parsed {
        Ok(Ok(p)) => p,
        Ok(Err(m)) => return refuse(StatusCode::BAD_REQUEST, &code, m),
        Err(e) => return refuse(StatusCode::INTERNAL_SERVER_ERROR, &code, e.to_string()),
    };
    if let Some(bytes) = marked {
        let disposition = format!("attachment; filename=\"{code}-problems.xlsx\"");
        let headers = [
            (header::CONTENT_TYPE, super::files::XLSX.to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ];
        return (StatusCode::UNPROCESSABLE_ENTITY, headers, bytes).into_response();
    }
    let mut report = ImportReport {
        table: code.clone(),
        dry_run: params.dry_run,
        rows: parsed.rows.len(),
        ignored_columns: parsed.ignored_columns,
        problems: labelled(&table, parsed.problems),
        ..ImportReport::default()
    };
    if !report.problems.is_empty() {
        report.message = format!(
            "{title}有 {} 处问题，未导入任何数据；请按报告修改后重新导入",
            report.problems.len()
        );
        return (StatusCode::UNPROCESSABLE_ENTITY, Json(report)).into_response();
    }
    report.ok = true;
    if params.dry_run {
        report.message = format!("检查通过：{} 行可以导入{title}", report.rows);
        return (StatusCode::OK, Json(report)).into_response();
    }
    let excel_rows: Vec<usize> = parsed.rows.iter().map(|(r, _)| *r).collect();
    let records: Vec<_> = parsed.rows.into_iter().map(|(_, r)| r).collect();
    let wctx = WriteCtx {
        cycle,
        unit,
        actor: access.principal.staff_no.clone(),
    };
    let t = table.clone();
    let mode = params.mode;
    let stored = app
        .store
        .call(move |s| match mode {
            Mode::Append => s
                .bulk_upsert(&t, &scope, &wctx, &records)
                .map(|(i, u)| (0, i, u)),
            Mode::Replace => s
                .replace_rows(&t, &scope, &wctx, &records)
                .map(|(d, i)| (d, i, 0)),
        })
        .await;
    match stored {
        Ok((deleted, inserted, updated)) => {
            report.deleted = deleted;
            report.inserted = inserted;
            report.updated = updated;
            report.message = match mode {
                Mode::Append => format!("已导入{title}：新增 {inserted} 行，更新 {updated} 行"),
                Mode::Replace => {
                    format!("已导入{title}：删除原有 {deleted} 行，写入 {inserted} 行")
                }
            };
            (StatusCode::OK, Json(report)).into_response()
        }
        Err(e) => {
            let index = match &e {
                StoreError::BulkRow { index, .. } => Some(*index),
                _ => None,
            };
            report.ok = false;
            let api = ApiError::from(e);
            let row = index.and_then(|i| excel_rows.get(i).copied()).unwrap_or(0);
            report.problems = vec![ReportProblem {
                row,
                field: String::new(),
                label: String::new(),
                rule: api.code.as_str().to_owned(),
                message: api.message.clone(),
            }];
            report.message = format!("第 {row} 行无法保存，未导入任何数据：{}", api.message);
            (status_of(api.code), Json(report)).into_response()
        }
    }
}

/// The bytes of the multipart field `file`.
async fn read_file(mut multipart: Multipart, max_bytes: usize) -> Result<Vec<u8>, String> {
    // A body over the route's limit fails while reading, at whichever step meets it.
    let unreadable = |e: axum::extract::multipart::MultipartError| {
        format!("文件过大（上限 {}）或上传中断：{e}", size(max_bytes))
    };
    while let Some(field) = multipart.next_field().await.map_err(unreadable)? {
        if field.name() == Some("file") {
            return Ok(field.bytes().await.map_err(unreadable)?.to_vec());
        }
    }
    Err("请求中没有名为 file 的文件字段".into())
}

fn labelled(table: &crate::defs::Table, problems: Vec<ImportProblem>) -> Vec<ReportProblem> {
    problems
        .into_iter()
        .map(|p| ReportProblem {
            label: table
                .fields
                .iter()
                .find(|f| crate::defs::naming::graphql_field(&f.name) == p.field)
                .map(|f| f.label.clone())
                .unwrap_or_default(),
            row: p.row,
            field: p.field,
            rule: p.rule,
            message: p.message,
        })
        .collect()
}
