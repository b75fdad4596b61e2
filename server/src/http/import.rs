//! `POST /import/{cycle}/{code}`: a filled template or CSV file (multipart field `file`) becomes
//! rows of the caller's unit, or of the 填报单位 each row names (rows of several units, for
//! whoever may fill for them). `?dryRun=true` only checks. Rows are upserted by the table's natural key
//! (`mode=append`, the default) or replace the unit's rows (`mode=replace`), in one
//! transaction: a file with any problem writes nothing, and the JSON report names every problem
//! by Excel row, field and label; with `?report=xlsx` it is the uploaded workbook, bad cells
//! marked red with a note. Rights, unit, state and deadline are the service's
//! (`service::import`); this handler reads the upload and shapes the answer.

use std::sync::Arc;

use axum::extract::multipart::MultipartError;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};

use super::files::{download, run, upload, Answer, Caller};
use super::reply::refuse;
use super::AppState;
use crate::authz::Access;
use crate::defs::Table;
use crate::service::checks::RowCheck;
use crate::service::error::MAX_PROBLEMS;
pub use crate::service::import::Mode;
use crate::service::import::{Batch, StoreRefusal};
use crate::service::{ApiError, Code, Force, Service};
use crate::xlsx::grid::is_csv;
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

/// `POST /import/{cycle}/{code}`: authorise, read the file, check it, store; each step may
/// refuse.
pub async fn import(
    State(app): State<AppState>,
    Path((cycle, code)): Path<(i32, String)>,
    Query(params): Query<ImportParams>,
    Caller(svc, who): Caller,
    multipart: Multipart,
) -> Answer {
    let refuse_for = |e: ApiError| refuse(&e, &code);
    let table = svc.table(&code).map_err(refuse_for)?;
    // Rights, unit and (unless only checking) state and deadline, before the upload is read.
    let unit = params.unit.as_deref();
    let ctx = svc
        .authorize_import(&who, &table, cycle, unit, params.dry_run, &Force::none())
        .map_err(refuse_for)?;
    let limits = app.import_limits;
    let (name, bytes) = upload(multipart, &code, unreadable(limits.max_bytes)).await?;
    // A CSV upload has no cells to mark: its problems come back as JSON.
    let want_xlsx = params.report.as_deref() == Some("xlsx") && !is_csv(&name, &bytes);
    let (t, w, c) = (table.clone(), who.clone(), ctx.clone());
    let (parsed, batches, marked) = run(&svc, &code, move |svc| {
        let bad = |m: String| ApiError::new(Code::BadRequest, m);
        let mut parsed = svc
            .read_import(&t, cycle, &name, &bytes, &limits)?
            .map_err(bad)?;
        let (batches, unit_problems) = svc.import_batches(&w, &c, &parsed);
        parsed.problems.extend(unit_problems);
        parsed.problems.sort_by_key(|p| p.row);
        let marked = if want_xlsx && !parsed.problems.is_empty() {
            Some(annotated(&t, &bytes, &parsed.problems).map_err(bad)?)
        } else {
            None
        };
        Ok((parsed, batches, marked))
    })
    .await?;
    if let Some(bytes) = marked {
        let disposition = format!("attachment; filename=\"{code}-problems.xlsx\"");
        let mut response = download(super::files::XLSX, disposition, bytes);
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(response);
    }
    let mut report = ImportReport {
        table: code.clone(),
        dry_run: params.dry_run,
        rows: parsed.rows.len(),
        ignored_columns: parsed.ignored_columns,
        problems: labelled(&table, parsed.problems),
        ..ImportReport::default()
    };
    let mode = match params.mode {
        Mode::Replace if params.allow_empty => Mode::ReplaceAllowEmpty,
        m => m,
    };
    let import = Import {
        svc,
        who,
        table,
        batches,
        mode,
    };
    if params.dry_run || !report.problems.is_empty() {
        import.rehearse(&mut report).await?;
    }
    if !report.problems.is_empty() {
        return Ok(import.refused(report));
    }
    report.ok = true;
    if params.dry_run {
        return import.checked(report).await;
    }
    import.store(report).await
}

/// An authorised import of one table's file, after the file is read.
struct Import {
    svc: Service,
    who: Access,
    table: Arc<Table>,
    /// The rows by unit (one batch unless the file names each row's 填报单位).
    batches: Vec<Batch>,
    mode: Mode,
}

impl Import {
    fn title(&self) -> String {
        format!("“{} {}”", self.table.code, self.table.name)
    }

    fn refusal(&self, e: &ApiError) -> Response {
        refuse(e, &self.table.code)
    }

    /// The rule checks need the rows written (and rolled back): the rows without a field
    /// problem are rehearsed, so one report lists everything to fix.
    async fn rehearse(&self, report: &mut ImportReport) -> Result<(), Response> {
        let clean: Vec<Batch> = self
            .batches
            .iter()
            .map(|b| Batch {
                ctx: b.ctx.clone(),
                rows: b
                    .rows
                    .iter()
                    .filter(|(at, _)| !report.problems.iter().any(|p| p.row == *at))
                    .cloned()
                    .collect(),
            })
            .collect();
        let (w, t, mode) = (self.who.clone(), self.table.clone(), self.mode);
        let rehearsed = self
            .svc
            .blocking(move |svc| Ok(svc.rehearse_import(&w, &t, &clean, mode)))
            .await;
        match rehearsed {
            Ok(Ok(checks)) => report.set_checks(checks),
            Ok(Err(refusal)) => report.problems.push(refused(&refusal)),
            Err(e) => return Err(self.refusal(&e)),
        }
        Ok(())
    }

    /// The report of a file with problems: nothing was written.
    fn refused(&self, mut report: ImportReport) -> Response {
        report.code = Some(Code::ValidationFailed.as_str());
        report.problem_count = report.problems.len();
        report.problems.truncate(MAX_PROBLEMS);
        report.message = format!(
            "{}有 {} 处问题，未导入任何数据；请按报告修改后重新导入",
            self.title(),
            report.problem_count
        );
        (StatusCode::UNPROCESSABLE_ENTITY, Json(report)).into_response()
    }

    /// The report of a dry run that found no problem.
    async fn checked(&self, mut report: ImportReport) -> Answer {
        let title = self.title();
        report.message = format!("检查通过：{} 行可以导入{title}", report.rows);
        if report.check_count > 0 {
            report.message.push_str(&report.checks_note());
        }
        if self.mode != Mode::Append {
            let (t, b) = (self.table.clone(), self.batches.clone());
            let n = run(&self.svc, &self.table.code, move |svc| {
                svc.rows_to_replace(&t, &b)
            })
            .await?;
            report.deleted = usize::try_from(n).unwrap_or_default();
            report.message = format!(
                "检查通过：将删除本单位原有 {n} 行，写入 {} 行{title}{}",
                report.rows,
                report.checks_note()
            );
        }
        Ok((StatusCode::OK, Json(report)).into_response())
    }

    /// Stores the rows, all or none, and reports what was written or why nothing was.
    async fn store(self, mut report: ImportReport) -> Answer {
        let title = self.title();
        let Import {
            svc,
            who,
            table,
            batches,
            mode,
        } = self;
        let code = table.code.clone();
        let stored = run(&svc, &code, move |svc| {
            Ok(svc.store_import(&who, &table, &batches, mode, &Force::none()))
        })
        .await?;
        match stored {
            Ok(done) => {
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
                Ok((StatusCode::OK, Json(report)).into_response())
            }
            Err(refusal) => {
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
                Ok((status, Json(report)).into_response())
            }
        }
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

/// How an upload that breaks off is refused: over the route's limit, or interrupted.
pub(super) fn unreadable(max_bytes: usize) -> impl Fn(MultipartError) -> String {
    move |e| format!("文件过大（上限 {}）或上传中断：{e}", size(max_bytes))
}

fn labelled(table: &crate::defs::Table, problems: Vec<ImportProblem>) -> Vec<ReportProblem> {
    problems
        .into_iter()
        .map(|p| ReportProblem {
            label: if p.field == crate::xlsx::UNIT_KEY {
                crate::xlsx::UNIT_TITLE.to_owned()
            } else {
                table
                    .fields
                    .iter()
                    .find(|f| crate::defs::naming::graphql_field(&f.name) == p.field)
                    .map(|f| f.label.clone())
                    .unwrap_or_default()
            },
            row: p.row,
            field: p.field,
            rule: p.rule,
            message: p.message,
        })
        .collect()
}
