//! `POST /import/{cycle}/{code}`: a filled template (multipart field `file`) becomes rows of the
//! caller's unit. `?dryRun=true` only checks. Rows are upserted by the table's natural key
//! (`mode=append`, the default) or replace the unit's rows (`mode=replace`), in one
//! transaction: a file with any problem writes nothing, and the JSON report names every problem
//! by Excel row, field and label; with `?report=xlsx` it is the uploaded workbook, bad cells
//! marked red with a note. Rights, unit, state and deadline are the service's
//! (`service::import`); this handler reads the upload and shapes the answer.

use axum::extract::{Multipart, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};

use super::files::caller;
use super::reply::refuse;
use super::AppState;
use crate::service::checks::RowCheck;
use crate::service::error::MAX_PROBLEMS;
pub use crate::service::import::Mode;
use crate::service::import::StoreRefusal;
use crate::service::{ApiError, Code, Force};
use crate::xlsx::import::{size, ImportProblem};
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
    /// With `mode=replace`, a file without data rows empties the unit's rows (refused otherwise).
    #[serde(default)]
    allow_empty: bool,
    /// `xlsx`: a file with problems comes back as the workbook with its bad cells marked.
    report: Option<String>,
}

/// What an import did, or why it did nothing.
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportReport {
    /// True when the file had no problems (and, unless a dry run, was stored).
    ok: bool,
    /// The contract's error code when refused (`VALIDATION_FAILED`, `LOCKED`…).
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<&'static str>,
    table: String,
    dry_run: bool,
    rows: usize,
    inserted: usize,
    updated: usize,
    /// Rows deleted first (`mode=replace`).
    deleted: usize,
    ignored_columns: Vec<String>,
    /// The first [`MAX_PROBLEMS`] problems; `problem_count` tells how many there were.
    problems: Vec<ReportProblem>,
    problem_count: usize,
    /// What does not stop the import but would stop submission (broken record and reference
    /// rules, or a warning to explain), by Excel row: the first [`MAX_PROBLEMS`].
    checks: Vec<RowCheck>,
    check_count: usize,
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

/// `POST /import/{cycle}/{code}`: authorise, read the file, store; each step may refuse.
pub async fn import(
    State(app): State<AppState>,
    Path((cycle, code)): Path<(i32, String)>,
    Query(params): Query<ImportParams>,
    headers: HeaderMap,
    multipart: Multipart,
) -> Response {
    let (svc, who) = match caller(&app, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let table = match svc.table(&code) {
        Ok(t) => t,
        Err(e) => return refuse(&e, &code),
    };
    // Rights, unit and (unless only checking) state and deadline, before the upload is read.
    let unit = params.unit.as_deref();
    let ctx = match svc.authorize_import(&who, &table, cycle, unit, params.dry_run, &Force::none())
    {
        Ok(ctx) => ctx,
        Err(e) => return refuse(&e, &code),
    };
    let limits = app.import_limits;
    let bytes = match read_file(multipart, limits.max_bytes).await {
        Ok(b) => b,
        Err(m) => return refuse(&ApiError::new(Code::BadRequest, m), &code),
    };
    let want_xlsx = params.report.as_deref() == Some("xlsx");
    let t = table.clone();
    let parsed = svc
        .blocking(move |svc| {
            let bad = |m: String| ApiError::new(Code::BadRequest, m);
            let parsed = svc.read_import(&t, cycle, &bytes, &limits)?.map_err(bad)?;
            let marked = if want_xlsx && !parsed.problems.is_empty() {
                Some(annotated(&t, &bytes, &parsed.problems).map_err(bad)?)
            } else {
                None
            };
            Ok((parsed, marked))
        })
        .await;
    let (parsed, marked) = match parsed {
        Ok(p) => p,
        Err(e) => return refuse(&e, &code),
    };
    if let Some(bytes) = marked {
        let disposition = format!("attachment; filename=\"{code}-problems.xlsx\"");
        let headers = [
            (header::CONTENT_TYPE, super::files::XLSX.to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ];
        return (StatusCode::UNPROCESSABLE_ENTITY, headers, bytes).into_response();
    }
    let title = format!("“{} {}”", table.code, table.name);
    let mut report = ImportReport {
        table: code.clone(),
        dry_run: params.dry_run,
        rows: parsed.rows.len(),
        ignored_columns: parsed.ignored_columns,
        problems: labelled(&table, parsed.problems),
        ..ImportReport::default()
    };
    // The rule checks need the rows written (and rolled back): the rows without a field
    // problem are rehearsed, so one report lists everything to fix.
    let mode = match params.mode {
        Mode::Replace if params.allow_empty => Mode::ReplaceAllowEmpty,
        m => m,
    };
    if params.dry_run || !report.problems.is_empty() {
        let clean: Vec<_> = parsed
            .rows
            .iter()
            .filter(|(at, _)| !report.problems.iter().any(|p| p.row == *at))
            .cloned()
            .collect();
        let (w, t, c) = (who.clone(), table.clone(), ctx.clone());
        let rehearsed = svc
            .blocking(move |svc| Ok(svc.rehearse_import(&w, &t, &c, &clean, mode)))
            .await;
        match rehearsed {
            Ok(Ok(checks)) => report.set_checks(checks),
            Ok(Err(refusal)) => report.problems.push(refused(&refusal)),
            Err(e) => return refuse(&e, &code),
        }
    }
    if !report.problems.is_empty() {
        report.code = Some(Code::ValidationFailed.as_str());
        report.problem_count = report.problems.len();
        report.problems.truncate(MAX_PROBLEMS);
        report.message = format!(
            "{title}有 {} 处问题，未导入任何数据；请按报告修改后重新导入",
            report.problem_count
        );
        return (StatusCode::UNPROCESSABLE_ENTITY, Json(report)).into_response();
    }
    report.ok = true;
    if params.dry_run {
        report.message = format!("检查通过：{} 行可以导入{title}", report.rows);
        if report.check_count > 0 {
            report.message.push_str(&report.checks_note());
        }
        if mode != Mode::Append {
            let (t, c) = (table.clone(), ctx.clone());
            match svc.blocking(move |svc| svc.rows_to_replace(&t, &c)).await {
                Ok(n) => {
                    report.deleted = usize::try_from(n).unwrap_or_default();
                    report.message = format!(
                        "检查通过：将删除本单位原有 {n} 行，写入 {} 行{title}{}",
                        report.rows,
                        report.checks_note()
                    );
                }
                Err(e) => return refuse(&e, &code),
            }
        }
        return (StatusCode::OK, Json(report)).into_response();
    }
    let rows = parsed.rows;
    let stored = svc
        .blocking(move |svc| Ok(svc.store_import(&who, &table, &ctx, &rows, mode, &Force::none())))
        .await;
    match stored {
        Ok(Ok(done)) => {
            report.deleted = done.deleted;
            report.inserted = done.inserted;
            report.updated = done.updated;
            report.set_checks(done.checks);
            report.message = match mode {
                Mode::Append => format!(
                    "已导入{title}：新增 {} 行，更新 {} 行",
                    done.inserted, done.updated
                ),
                Mode::Replace | Mode::ReplaceAllowEmpty => format!(
                    "已导入{title}：删除原有 {} 行，写入 {} 行",
                    done.deleted, done.inserted
                ),
            };
            report.message.push_str(&report.checks_note());
            (StatusCode::OK, Json(report)).into_response()
        }
        Ok(Err(refusal)) => {
            let api = &refusal.error;
            let row = refusal.row.unwrap_or(0);
            report.ok = false;
            report.code = Some(api.code.as_str());
            report.problem_count = 1;
            report.problems = vec![refused(&refusal)];
            report.message = if row > 0 {
                format!("第 {row} 行无法保存，未导入任何数据：{}", api.message)
            } else {
                format!("未导入任何数据：{}", api.message)
            };
            let status = StatusCode::from_u16(api.code.http_status())
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            (status, Json(report)).into_response()
        }
        Err(e) => refuse(&e, &code),
    }
}

impl ImportReport {
    fn set_checks(&mut self, mut checks: Vec<RowCheck>) {
        self.check_count = checks.len();
        checks.truncate(MAX_PROBLEMS);
        self.checks = checks;
    }

    /// What the message adds when rows would still stop submission.
    fn checks_note(&self) -> String {
        let errors = self.checks.iter().filter(|c| c.severity == "error").count();
        match (self.check_count, errors) {
            (0, _) => String::new(),
            (n, 0) => format!("；另有 {n} 处提醒，提交时须写说明"),
            (n, _) => format!("；另有 {n} 处须在提交前改正或说明（见 checks）"),
        }
    }
}

/// A row the database refused, as a problem of its Excel row.
fn refused(refusal: &StoreRefusal) -> ReportProblem {
    ReportProblem {
        row: refusal.row.unwrap_or(0),
        field: String::new(),
        label: String::new(),
        rule: refusal.error.code.as_str().to_owned(),
        message: refusal.error.message.clone(),
    }
}

pub(super) async fn read_file(
    mut multipart: Multipart,
    max_bytes: usize,
) -> Result<Vec<u8>, String> {
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
