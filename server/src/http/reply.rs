//! Answers of the file routes: a refusal is JSON in the import report's shape
//! (`{ok: false, code, table, message, problems}`), whatever route refused; and the coded JSON
//! of refusals the HTTP layer makes before any handler runs.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

use crate::service::{ApiError, Code};

/// A refusal as the file routes send it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Refusal<'a> {
    ok: bool,
    code: &'a str,
    table: &'a str,
    message: &'a str,
    problems: Vec<serde_json::Value>,
    /// How many problems there were; `problems` holds the first hundred.
    problem_count: usize,
}

/// The refusal of `e` for `table` (a code, or empty), with the status its code maps to.
pub fn refuse(e: &ApiError, table: &str) -> Response {
    let status =
        StatusCode::from_u16(e.code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let problems = e
        .shown_problems()
        .iter()
        .map(|p| serde_json::json!({ "row": p.row, "field": p.field, "rule": p.rule, "message": p.message }))
        .collect();
    let body = Refusal {
        ok: false,
        code: e.code.as_str(),
        table,
        message: &e.message,
        problems,
        problem_count: e.problems.len(),
    };
    (status, Json(body)).into_response()
}

/// Makes every refusal the HTTP layer itself answers coded JSON: axum's rejections (an unreadable
/// path parameter, form or JSON body are plain English text), an unknown path (404), a method a
/// route does not take (405), a timeout (408, empty) and a body over the limit (413). GraphQL
/// clients get it in the shape of a GraphQL error, everyone else in the file routes' shape.
/// Handlers' own answers (JSON, workbooks) and the probes' plain-text 503 (`/healthz`,
/// `/readyz`) pass unchanged.
pub async fn coded_refusals(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let path = request.uri().path().to_owned();
    let method = request.method().clone();
    let response = next.run(request).await;
    let status = response.status();
    // Only the layer's own answers are rewritten: empty or plain text. A handler's JSON report
    // or marked workbook (`?report=xlsx`, 422) passes as it is.
    let own = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|t| t.starts_with("text/plain"));
    // The probes answer their own 503 in plain text for load balancers.
    let probe = status == axum::http::StatusCode::SERVICE_UNAVAILABLE
        && matches!(path.as_str(), "/healthz" | "/readyz" | "/metrics");
    if !own || probe || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let shown: String = path.chars().take(200).collect();
    let (code, message) = match status.as_u16() {
        404 => (Code::NotFound, format!("没有这个地址：{shown}")),
        405 => (Code::BadRequest, format!("{shown} 不接受 {method} 请求")),
        408 => (
            Code::TooComplex,
            "请求处理超时，已取消；请缩小范围后重试".to_owned(),
        ),
        413 => (Code::BadRequest, "请求体过大，已拒绝".to_owned()),
        415 => (Code::BadRequest, "请求的 Content-Type 不被接受".to_owned()),
        400..=499 => (
            Code::BadRequest,
            format!("请求格式不正确：{shown} 的地址参数、查询参数或请求体无法读取"),
        ),
        _ => (
            Code::Internal,
            crate::service::error::INTERNAL_MESSAGE.to_owned(),
        ),
    };
    if status.is_server_error() {
        tracing::error!(%status, path = %shown, "HTTP 层出错且没有带代码的答复");
    }
    let e = ApiError::new(code, message);
    if path == "/graphql" {
        let body = serde_json::json!({
            "errors": [{ "message": e.message, "extensions": { "code": code.as_str() } }]
        });
        return (status, Json(body)).into_response();
    }
    let mut coded = refuse(&e, "");
    *coded.status_mut() = status;
    coded
}
