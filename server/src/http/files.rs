//! Excel over HTTP: `/templates/{code}.xlsx`, `/export/{cycle}/{code}.xlsx`,
//! `/export/{cycle}/all.xlsx` and `/export/{cycle}/progress.xlsx`. Each answers only a signed-in
//! caller, with the rows that caller may read.

use axum::extract::multipart::MultipartError;
use axum::extract::{FromRequestParts, Multipart, Path, Query};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};

use super::reply::refuse;
use super::{principal_of, token_of, AppState};
use crate::authz::{Access, Principal};
use crate::service::files::{Flat, Heading};
use crate::service::{ApiError, ApiResult, Code, Service};

pub(super) const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A file route's answer: the file, or the refusal sent instead.
pub(super) type Answer = Result<Response, Response>;

/// `bytes` as a download of `media_type` under `disposition`.
pub(super) fn download(media_type: &str, disposition: String, bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, media_type.to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response()
}

pub(super) fn workbook(bytes: Vec<u8>, name: &str) -> Response {
    download(XLSX, attachment(name), bytes)
}

/// A Content-Disposition naming a download in UTF-8 (and plainly, for old clients).
fn attachment(name: &str) -> String {
    format!(
        "attachment; filename=\"{name}\"; filename*=UTF-8''{}",
        urlencode(name)
    )
}

/// Runs `work` as blocking work on the service; a refusal names `table` (a code, or empty).
pub(super) async fn run<T, F>(svc: &Service, table: &str, work: F) -> Result<T, Response>
where
    F: FnOnce(&Service) -> ApiResult<T> + Send + 'static,
    T: Send + 'static,
{
    svc.blocking(work).await.map_err(|e| refuse(&e, table))
}

/// The name and bytes of the multipart field `file`. A body over the route's limit fails while
/// reading, at whichever step meets it; `unreadable` words that refusal.
pub(super) async fn read_upload(
    mut multipart: Multipart,
    unreadable: impl Fn(MultipartError) -> String,
) -> Result<(String, Vec<u8>), String> {
    while let Some(field) = multipart.next_field().await.map_err(&unreadable)? {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or_default().to_owned();
            let bytes = field.bytes().await.map_err(&unreadable)?.to_vec();
            return Ok((name, bytes));
        }
    }
    Err("请求中没有名为 file 的文件字段".into())
}

/// [`read_upload`] of a route whose refusal names `table`.
pub(super) async fn upload(
    multipart: Multipart,
    table: &str,
    unreadable: impl Fn(MultipartError) -> String,
) -> Result<(String, Vec<u8>), Response> {
    read_upload(multipart, unreadable)
        .await
        .map_err(|m| refuse(&ApiError::new(Code::BadRequest, m), table))
}

pub(super) fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The signed-in caller of a file route: its use cases and access. Extracting it refuses a
/// caller who is not signed in (`UNAUTHENTICATED`) or must first change the password.
pub(super) struct Caller(pub Service, pub Access);

impl FromRequestParts<AppState> for Caller {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, Response> {
        let principal = signed_in(app, &parts.headers).await?;
        let svc = app.service();
        let who = svc.access(principal);
        Ok(Caller(svc, who))
    }
}

pub(super) async fn signed_in(app: &AppState, headers: &HeaderMap) -> Result<Principal, Response> {
    match principal_of(app, token_of(headers)).await {
        None => Err(refuse(
            &ApiError::new(Code::Unauthenticated, "请先登录"),
            "",
        )),
        Some(p) if p.must_change_password => Err(refuse(
            &ApiError::new(Code::PasswordChangeRequired, "首次登录须先修改密码"),
            "",
        )),
        Some(p) => Ok(p),
    }
}

fn no_table(code: &str) -> Response {
    refuse(
        &ApiError::new(Code::NotFound, format!("没有编号为 {code} 的数据表")),
        code,
    )
}

/// The optional arguments of a template: the unit whose reference lists it carries (the
/// caller's own by default) and the cycle (the open one).
#[derive(Debug, Default, serde::Deserialize)]
pub struct TemplateParams {
    unit: Option<String>,
    cycle: Option<i32>,
}

/// `GET /templates/{code}.xlsx[?unit=…&cycle=…]`.
pub async fn template(
    Path(file): Path<String>,
    Query(params): Query<TemplateParams>,
    Caller(svc, who): Caller,
) -> Answer {
    let Some(code) = file.strip_suffix(".xlsx").map(str::to_owned) else {
        return Err(no_table(&file));
    };
    let name = format!("{code}-模板.xlsx");
    let bytes = run(&svc, &code.clone(), move |svc| {
        svc.template_workbook(&who, &code, params.unit.as_deref(), params.cycle)
    })
    .await?;
    Ok(workbook(bytes, &name))
}

/// The optional argument of a CSV export: `header=names` heads the columns by field names.
#[derive(Debug, Default, serde::Deserialize)]
pub struct ExportParams {
    #[serde(default)]
    header: Heading,
}

/// `GET /export/{cycle}/{code}.xlsx`, `…/all.xlsx`, `…/progress.xlsx`, `…/quality.xlsx` and
/// `…/indicators.xlsx`; the rows for BI tools as `…/{code}.csv`, `…/{code}.jsonl`,
/// `…/all-csv.zip` and `…/all.jsonl`.
pub async fn export(
    Path((cycle, file)): Path<(i32, String)>,
    Query(params): Query<ExportParams>,
    Caller(svc, who): Caller,
) -> Answer {
    if file == "all.csv" {
        let e = ApiError::new(
            Code::NotFound,
            "一个 CSV 文件放不下整个周期：请下载 all-csv.zip（每张表一个 CSV）或 all.jsonl",
        );
        return Err(refuse(&e, ""));
    }
    if let Some((what, flat)) = flat_file(&file, params.header) {
        return export_flat(cycle, what, flat, svc, who).await;
    }
    let Some(what) = file.strip_suffix(".xlsx").map(str::to_owned) else {
        return Err(no_table(&file));
    };
    let kind = match what.as_str() {
        "progress" | "quality" | "all" => what.as_str(),
        _ => "table",
    };
    // An unknown cycle is said as such, not answered with an empty workbook.
    run(&svc, &what, move |svc| svc.require_cycle(cycle)).await?;
    metrics::counter!("statusdata_exports_total", "kind" => kind.to_owned()).increment(1);
    let (asked, name) = (what.clone(), export_name(cycle, &what));
    let (bytes, warning) = run(&svc, &what, move |svc| match asked.as_str() {
        "progress" => svc.progress_workbook(&who, cycle).map(|b| (b, None)),
        "quality" => svc.quality_workbook(&who, cycle).map(|b| (b, None)),
        "indicators" => svc.indicators_workbook(&who, cycle).map(|b| (b, None)),
        "all" => svc
            .cycle_workbook(&who, cycle, &mut |_| {})
            .map(|w| (w.bytes, w.warning)),
        code => svc.table_workbook(&who, cycle, code).map(|b| (b, None)),
    })
    .await?;
    let mut response = workbook(bytes, &name);
    // The final export before the leaders signed off the core data (warned, as
    // `serve --export-before-signoff` says).
    if warning.is_some() {
        response.headers_mut().insert(
            "x-statusdata-warning",
            header::HeaderValue::from_static("indicators-not-signed-off"),
        );
    }
    Ok(response)
}
/// The table (or `all`) and format a BI file's name asks for.
fn flat_file(file: &str, header: Heading) -> Option<(String, Flat)> {
    if file == "all-csv.zip" {
        return Some(("all".into(), Flat::Csv(header)));
    }
    if let Some(code) = file.strip_suffix(".csv").filter(|c| *c != "all") {
        return Some((code.to_owned(), Flat::Csv(header)));
    }
    let code = file.strip_suffix(".jsonl")?;
    Some((code.to_owned(), Flat::Jsonl))
}

/// A table's rows, or the whole cycle's, as CSV or JSON Lines: the rights, row scope and (for
/// the whole cycle) sign-off check of the xlsx export.
async fn export_flat(cycle: i32, what: String, flat: Flat, svc: Service, who: Access) -> Answer {
    run(&svc, &what, move |svc| svc.require_cycle(cycle)).await?;
    let kind = match flat {
        Flat::Csv(_) => "csv",
        Flat::Jsonl => "jsonl",
    };
    metrics::counter!("statusdata_exports_total", "kind" => kind).increment(1);
    let asked = what.clone();
    let (bytes, warning) = run(&svc, &what, move |svc| match asked.as_str() {
        "all" => svc
            .cycle_file(&who, cycle, flat, &mut |_| {})
            .map(|w| (w.bytes, w.warning)),
        code => svc.table_file(&who, cycle, code, flat).map(|b| (b, None)),
    })
    .await?;
    let (media, name) = match (flat, what.as_str()) {
        (Flat::Csv(_), "all") => (
            "application/zip",
            format!("{cycle}-人才培养状态数据-csv.zip"),
        ),
        (Flat::Csv(_), code) => ("text/csv; charset=utf-8", format!("{cycle}-{code}.csv")),
        (Flat::Jsonl, "all") => (
            "application/x-ndjson",
            format!("{cycle}-人才培养状态数据.jsonl"),
        ),
        (Flat::Jsonl, code) => ("application/x-ndjson", format!("{cycle}-{code}.jsonl")),
    };
    let mut response = download(media, attachment(&name), bytes);
    if warning.is_some() {
        response.headers_mut().insert(
            "x-statusdata-warning",
            header::HeaderValue::from_static("indicators-not-signed-off"),
        );
    }
    Ok(response)
}

/// The download name of an export.
fn export_name(cycle: i32, what: &str) -> String {
    match what {
        "progress" => format!("progress-{cycle}.xlsx"),
        "quality" => format!("quality-{cycle}.xlsx"),
        "indicators" => format!("{cycle}-核心数据.xlsx"),
        "all" => format!("{cycle}-人才培养状态数据.xlsx"),
        code => format!("{cycle}-{code}.xlsx"),
    }
}
