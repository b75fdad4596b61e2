//! `GET /metrics` in Prometheus text format: requests by route and status with their latency,
//! the database pool, and, read at scrape time, submissions by state and open findings by
//! severity. One recorder per process (`metrics` + `metrics-exporter-prometheus`).

use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

use super::AppState;

/// The process's recorder; `None` when another recorder was installed first.
fn handle() -> Option<&'static PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE
        .get_or_init(|| PrometheusBuilder::new().install_recorder().ok())
        .as_ref()
}

/// Counts each request by route template (never the raw path, whose ids would explode the label
/// set) and status, and records its latency.
pub async fn track(request: Request, next: Next) -> Response {
    handle();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = request.method().to_string();
    let start = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    let labels = [
        ("route", route.clone()),
        ("method", method),
        ("status", status),
    ];
    metrics::counter!("statusdata_http_requests_total", &labels).increment(1);
    metrics::histogram!("statusdata_http_request_duration_seconds", "route" => route)
        .record(start.elapsed().as_secs_f64());
    response
}

/// `GET /metrics`.
pub async fn metrics(State(app): State<AppState>) -> Response {
    let Some(handle) = handle() else {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "metrics recorder unavailable",
        )
            .into_response();
    };
    let svc = app.service();
    let pool = svc.pool_state();
    metrics::gauge!("statusdata_db_connections").set(f64::from(pool.0));
    metrics::gauge!("statusdata_db_connections_idle").set(f64::from(pool.1));
    match svc.blocking(|svc| svc.workflow_counts()).await {
        Ok((states, findings)) => {
            for (state, n) in states {
                metrics::gauge!("statusdata_submissions", "state" => state).set(n as f64);
            }
            for (severity, n) in findings {
                metrics::gauge!("statusdata_open_findings", "severity" => severity).set(n as f64);
            }
        }
        Err(e) => tracing::error!(error = %e.message, "指标：无法统计提交"),
    }
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        handle.render(),
    )
        .into_response()
}
