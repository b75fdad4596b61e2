//! Answers of the file routes: a refusal is JSON in the import report's shape
//! (`{ok: false, code, table, message, problems}`), whatever route refused.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

use crate::service::ApiError;

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
