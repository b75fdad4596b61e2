//! Excel over HTTP: `/templates/{code}.xlsx`, `/export/{cycle}/{code}.xlsx`,
//! `/export/{cycle}/all.xlsx` and `/export/{cycle}/progress.xlsx`. Each answers only a signed-in
//! caller, with the rows that caller may read.

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use super::{principal_of, token_of, AppState};
use crate::authz::{Access, Action, Principal};
use crate::store::ListQuery;

pub(super) const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

fn workbook(bytes: Vec<u8>, name: &str) -> Response {
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

pub(super) async fn signed_in(app: &AppState, headers: &HeaderMap) -> Result<Principal, Response> {
    match principal_of(app, token_of(headers)).await {
        None => Err((StatusCode::UNAUTHORIZED, "请先登录").into_response()),
        Some(p) if p.must_change_password => {
            Err((StatusCode::FORBIDDEN, "首次登录须先修改密码").into_response())
        }
        Some(p) => Ok(p),
    }
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
        return StatusCode::NOT_FOUND.into_response();
    };
    let Some(table) = app.store.catalog().table_by_code(code).cloned() else {
        return (StatusCode::NOT_FOUND, format!("没有编号为 {code} 的数据表")).into_response();
    };
    let catalog = app.store.catalog().clone();
    match tokio::task::spawn_blocking(move || crate::xlsx::template::template(&catalog, &table))
        .await
    {
        Ok(Ok(bytes)) => workbook(bytes, &format!("{code}-模板.xlsx")),
        other => {
            tracing::error!(?other, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "无法生成模板").into_response()
        }
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
        return StatusCode::NOT_FOUND.into_response();
    };
    match what {
        "progress" => progress_xlsx(&app, cycle, principal).await,
        "quality" => quality_xlsx(&app, cycle, principal).await,
        "all" => all_xlsx(&app, cycle, principal).await,
        code => table_xlsx(&app, cycle, code, principal).await,
    }
}

async fn table_xlsx(app: &AppState, cycle: i32, code: &str, principal: Principal) -> Response {
    let Some(table) = app.store.catalog().table_by_code(code).cloned() else {
        return (StatusCode::NOT_FOUND, format!("没有编号为 {code} 的数据表")).into_response();
    };
    let access = Access::new(principal, app.policy.current(), &app.units);
    if !access.can(code, Action::Read) {
        return (
            StatusCode::FORBIDDEN,
            format!("您没有查看“{} {}”的权限", table.code, table.name),
        )
            .into_response();
    }
    let (store, scope) = (app.store.clone(), access.read_scope(code));
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
        other => {
            tracing::error!(?other, "export failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "无法导出").into_response()
        }
    }
}

async fn all_xlsx(app: &AppState, cycle: i32, principal: Principal) -> Response {
    let access = Access::new(principal, app.policy.current(), &app.units);
    let (store, units, policy) = (app.store.clone(), app.units.clone(), app.policy.current());
    let now = (app.clock)();
    let built = tokio::task::spawn_blocking(move || {
        crate::xlsx::cycle::whole_cycle(&store, &units, &policy, &access, cycle, now, &mut |_| {})
    })
    .await;
    match built {
        Ok(Ok(bytes)) => workbook(bytes, &format!("{cycle}-人才培养状态数据.xlsx")),
        other => {
            tracing::error!(?other, "export failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "无法导出").into_response()
        }
    }
}

/// `GET /export/{cycle}/progress.xlsx`: the progress the caller may read, as a workbook.
async fn progress_xlsx(app: &AppState, cycle: i32, principal: Principal) -> Response {
    let access = Access::new(principal, app.policy.current(), &app.units);
    let policy = app.policy.current();
    let (store, units) = (app.store.clone(), app.units.clone());
    let today = crate::workflow::progress::today((app.clock)());
    let built = tokio::task::spawn_blocking(move || {
        let fill = policy.unit_codes(store.catalog(), &units, crate::authz::Action::Fill);
        let all = crate::workflow::progress::progress(
            &store,
            store.catalog(),
            &units,
            &fill,
            cycle,
            today,
        )?;
        let mine: Vec<_> = all
            .into_iter()
            .filter(|e| {
                access.can(&e.table, crate::authz::Action::Read) || e.unit == access.principal.unit
            })
            .collect();
        let bulletin = crate::workflow::progress::bulletin(&mine, today);
        crate::workflow::workbook::progress_workbook(cycle, &mine, &bulletin)
            .map_err(|e| crate::store::StoreError::Database(e.to_string()))
    })
    .await;
    match built {
        Ok(Ok(bytes)) => (
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
        other => {
            tracing::error!(?other, "progress workbook failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "无法生成进度表").into_response()
        }
    }
}

/// `GET /export/{cycle}/quality.xlsx`: the quality report (质量部 and leaders).
async fn quality_xlsx(app: &AppState, cycle: i32, principal: Principal) -> Response {
    let allowed = principal.development
        || principal
            .roles
            .iter()
            .any(|r| matches!(r.as_str(), "quality_admin" | "leader" | "sysadmin"));
    if !allowed {
        return (StatusCode::FORBIDDEN, "质量报告仅质量部和院领导可看").into_response();
    }
    let (store, units) = (app.store.clone(), app.units.clone());
    let built = tokio::task::spawn_blocking(move || {
        let report = crate::validate::report::quality_report(
            &mut *store.conn()?,
            store.catalog(),
            &units,
            cycle,
        )?;
        crate::xlsx::quality::quality_workbook(&report)
            .map_err(|e| crate::store::StoreError::Database(e.to_string()))
    })
    .await;
    match built {
        Ok(Ok(bytes)) => workbook(bytes, &format!("quality-{cycle}.xlsx")),
        other => {
            tracing::error!(?other, "quality workbook failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "无法生成质量报告").into_response()
        }
    }
}
