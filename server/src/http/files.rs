//! Excel over HTTP: `/templates/{code}.xlsx`, `/export/{cycle}/{code}.xlsx`,
//! `/export/{cycle}/all.xlsx` and `/export/{cycle}/progress.xlsx`. Each answers only a signed-in
//! caller, with the rows that caller may read.

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};

use super::reply::refuse;
use super::{principal_of, token_of, AppState};
use crate::authz::{Access, Principal};
use crate::service::{ApiError, Code, Service};

pub(super) const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

pub(super) fn workbook(bytes: Vec<u8>, name: &str) -> Response {
    let disposition = format!(
        "attachment; filename=\"{name}\"; filename*=UTF-8''{}",
        urlencode(name)
    );
    (
        [
            (header::CONTENT_TYPE, XLSX.to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response()
}

fn urlencode(s: &str) -> String {
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

/// The signed-in caller's use cases and access, or the refusal to send (`UNAUTHENTICATED`).
pub(super) async fn caller(
    app: &AppState,
    headers: &HeaderMap,
) -> Result<(Service, Access), Response> {
    let principal = signed_in(app, headers).await?;
    let svc = app.service();
    let who = svc.access(principal);
    Ok((svc, who))
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

/// `GET /templates/{code}.xlsx`.
pub async fn template(
    State(app): State<AppState>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Response {
    let svc = match caller(&app, &headers).await {
        Ok((svc, _)) => svc,
        Err(r) => return r,
    };
    let Some(code) = file.strip_suffix(".xlsx").map(str::to_owned) else {
        return no_table(&file);
    };
    let name = format!("{code}-模板.xlsx");
    match svc.blocking(move |svc| svc.template_workbook(&code)).await {
        Ok(bytes) => workbook(bytes, &name),
        Err(e) => refuse(&e, file.trim_end_matches(".xlsx")),
    }
}

/// `GET /export/{cycle}/{code}.xlsx`, `…/all.xlsx`, `…/progress.xlsx`, `…/quality.xlsx` and
/// `…/indicators.xlsx`.
pub async fn export(
    State(app): State<AppState>,
    Path((cycle, file)): Path<(i32, String)>,
    headers: HeaderMap,
) -> Response {
    let (svc, who) = match caller(&app, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let Some(what) = file.strip_suffix(".xlsx").map(str::to_owned) else {
        return no_table(&file);
    };
    let kind = match what.as_str() {
        "progress" | "quality" | "all" => what.as_str(),
        _ => "table",
    };
    // An unknown cycle is said as such, not answered with an empty workbook.
    if let Err(e) = svc.blocking(move |svc| svc.require_cycle(cycle)).await {
        return refuse(&e, &what);
    }
    metrics::counter!("statusdata_exports_total", "kind" => kind.to_owned()).increment(1);
    let (asked, name) = (what.clone(), export_name(cycle, &what));
    let built = svc
        .blocking(move |svc| match asked.as_str() {
            "progress" => svc.progress_workbook(&who, cycle).map(|b| (b, None)),
            "quality" => svc.quality_workbook(&who, cycle).map(|b| (b, None)),
            "indicators" => svc.indicators_workbook(&who, cycle).map(|b| (b, None)),
            "all" => svc
                .cycle_workbook(&who, cycle, &mut |_| {})
                .map(|w| (w.bytes, w.warning)),
            code => svc.table_workbook(&who, cycle, code).map(|b| (b, None)),
        })
        .await;
    match built {
        Ok((bytes, warning)) => {
            let mut response = workbook(bytes, &name);
            // The final export before the leaders signed off the core data (warned, as
            // `serve --export-before-signoff` says).
            if warning.is_some() {
                response.headers_mut().insert(
                    "x-statusdata-warning",
                    header::HeaderValue::from_static("indicators-not-signed-off"),
                );
            }
            response
        }
        Err(e) => refuse(&e, &what),
    }
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
