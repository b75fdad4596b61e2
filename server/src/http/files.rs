//! Excel over HTTP: `/templates/{code}.xlsx`, `/export/{cycle}/{code}.xlsx`,
//! `/export/{cycle}/all.xlsx` and `/export/{cycle}/progress.xlsx`. Each answers only a signed-in
//! caller, with the rows that caller may read.

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};

use super::reply::refuse;
use super::{principal_of, token_of, AppState};
use crate::authz::{Access, Action, Principal};
use crate::service::{ApiError, Code, Service};
use crate::store::workflow as wf;
use crate::store::ListQuery;

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

fn failed(what: &str, detail: impl std::fmt::Debug) -> Response {
    tracing::error!(?detail, "{what} failed");
    refuse(
        &ApiError::new(
            Code::Internal,
            format!("无法{what}，请稍后重试或联系管理员"),
        ),
        "",
    )
}

/// `GET /templates/{code}.xlsx`.
pub async fn template(
    State(app): State<AppState>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Err(r) = signed_in(&app, &headers).await {
        return r;
    }
    let Some(code) = file.strip_suffix(".xlsx") else {
        return no_table(&file);
    };
    let store = app.current().store.clone();
    let Some(table) = store.catalog().table_by_code(code).cloned() else {
        return no_table(code);
    };
    let catalog = store.catalog().clone();
    match tokio::task::spawn_blocking(move || crate::xlsx::template::template(&catalog, &table))
        .await
    {
        Ok(Ok(bytes)) => workbook(bytes, &format!("{code}-模板.xlsx")),
        other => failed("生成模板", other),
    }
}

/// `GET /export/{cycle}/{code}.xlsx`, `…/all.xlsx` and `…/progress.xlsx`.
pub async fn export(
    State(app): State<AppState>,
    Path((cycle, file)): Path<(i32, String)>,
    headers: HeaderMap,
) -> Response {
    let principal = match signed_in(&app, &headers).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let Some(what) = file.strip_suffix(".xlsx") else {
        return no_table(&file);
    };
    // An unknown cycle is said as such, not answered with an empty workbook.
    let known = app
        .service()
        .blocking(move |svc| {
            Ok(svc
                .store
                .with_workflow(|c| wf::deadlines(c, cycle))?
                .is_some())
        })
        .await;
    match known {
        Ok(true) => {}
        Ok(false) => {
            let e = ApiError::new(Code::NotFound, format!("没有 {cycle} 年的采集周期"));
            return refuse(&e, what);
        }
        Err(e) => return refuse(&e, what),
    }
    let kind = match what {
        "progress" | "quality" | "all" => what,
        _ => "table",
    };
    metrics::counter!("statusdata_exports_total", "kind" => kind.to_owned()).increment(1);
    match what {
        "progress" => progress_xlsx(&app, cycle, principal).await,
        "quality" => quality_xlsx(&app, cycle, principal).await,
        "indicators" => indicators_xlsx(&app, cycle, principal).await,
        "all" => all_xlsx(&app, cycle, principal).await,
        code => table_xlsx(&app, cycle, code, principal).await,
    }
}

async fn table_xlsx(app: &AppState, cycle: i32, code: &str, principal: Principal) -> Response {
    let store = app.current().store.clone();
    let Some(table) = store.catalog().table_by_code(code).cloned() else {
        return no_table(code);
    };
    let access = Access::new(principal, app.policy.current(), &app.units);
    if let Err(e) = crate::service::guard(&access, &table, Action::Read) {
        return refuse(&e, code);
    }
    let scope = access.read_scope(code);
    let built = tokio::task::spawn_blocking(move || {
        let rows = store
            .list(&table, &scope, &ListQuery::all(cycle))
            .map_err(|e| e.to_string())?;
        crate::xlsx::export::table_workbook(store.catalog(), &table, &rows)
            .map_err(|e| e.to_string())
    })
    .await;
    match built {
        Ok(Ok(bytes)) => workbook(bytes, &format!("{cycle}-{code}.xlsx")),
        other => failed("导出", other),
    }
}

async fn all_xlsx(app: &AppState, cycle: i32, principal: Principal) -> Response {
    // The final export asks whether the leaders signed off the core data: refused or warned,
    // as `serve --export-before-signoff` says.
    let warning = match app
        .service()
        .blocking(move |svc| svc.final_export_check(cycle))
        .await
    {
        Ok(w) => w,
        Err(e) => return refuse(&e, "all"),
    };
    let access = Access::new(principal, app.policy.current(), &app.units);
    let (store, units, policy) = (
        app.current().store.clone(),
        app.units.clone(),
        app.policy.current(),
    );
    let now = (app.clock)();
    let note = warning.clone();
    let built = tokio::task::spawn_blocking(move || {
        crate::xlsx::cycle::whole_cycle_with_note(
            &store,
            &units,
            &policy,
            &access,
            cycle,
            now,
            note.as_deref(),
            &mut |_| {},
        )
    })
    .await;
    match built {
        Ok(Ok(bytes)) => {
            let mut response = workbook(bytes, &format!("{cycle}-人才培养状态数据.xlsx"));
            if warning.is_some() {
                response.headers_mut().insert(
                    "x-statusdata-warning",
                    header::HeaderValue::from_static("indicators-not-signed-off"),
                );
            }
            response
        }
        other => failed("导出", other),
    }
}

/// `GET /export/{cycle}/indicators.xlsx`: the core indicators with last cycle beside them
/// (质量部, leaders).
async fn indicators_xlsx(app: &AppState, cycle: i32, principal: Principal) -> Response {
    let access = Access::new(principal, app.policy.current(), &app.units);
    let built = app
        .service()
        .blocking(move |svc| {
            let data = svc.core_data(&access, cycle)?;
            crate::xlsx::indicators::indicators_workbook(&data).map_err(ApiError::internal)
        })
        .await;
    match built {
        Ok(bytes) => workbook(bytes, &format!("{cycle}-核心数据.xlsx")),
        Err(e) => refuse(&e, "indicators"),
    }
}

/// `GET /export/{cycle}/progress.xlsx`: the progress the caller may read, as a workbook.
async fn progress_xlsx(app: &AppState, cycle: i32, principal: Principal) -> Response {
    let access = Access::new(principal, app.policy.current(), &app.units);
    let today = crate::workflow::progress::today((app.clock)());
    let built = app
        .service()
        .blocking(move |svc| {
            let mine = svc.progress_for(&access, cycle, today)?;
            let bulletin = crate::workflow::progress::bulletin(&mine, today);
            crate::workflow::workbook::progress_workbook(cycle, &mine, &bulletin)
                .map_err(ApiError::internal)
        })
        .await;
    match built {
        Ok(bytes) => (
            [
                (
                    axum::http::header::CONTENT_TYPE,
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned(),
                ),
                (
                    axum::http::header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"progress-{cycle}.xlsx\""),
                ),
            ],
            bytes,
        )
            .into_response(),
        other => failed("生成进度表", other),
    }
}

/// `GET /export/{cycle}/quality.xlsx`: the quality report (质量部 and leaders).
async fn quality_xlsx(app: &AppState, cycle: i32, principal: Principal) -> Response {
    let svc = app.service();
    let who = svc.access(principal);
    match svc
        .blocking(move |svc| svc.quality_workbook(&who, cycle))
        .await
    {
        Ok(bytes) => workbook(bytes, &format!("quality-{cycle}.xlsx")),
        Err(e) => refuse(&e, "quality"),
    }
}
