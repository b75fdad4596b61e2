//! `/readyz`: ready when the database answers, its migrations are applied and its data tables
//! match the definitions; not ready, with the reason and the advice (reload), when an
//! administrator's edit is not applied yet.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use tower::ServiceExt;

use crate::site::setup;
use crate::support::Scratch;

#[tokio::test(flavor = "multi_thread")]
async fn ready_until_the_definitions_run_ahead_of_the_database() {
    let site = tokio::task::spawn_blocking(setup).await.expect("setup");
    let request = Request::get("/readyz")
        .body(Body::empty())
        .expect("request");
    let response = site.app.clone().oneshot(request).await.expect("response");
    assert_eq!(response.status(), StatusCode::OK);

    let scratch = Scratch::new();
    scratch.append_field(
        "table-defs/1.1.7-school_awards.toml",
        "name = \"remark\"\nlabel = \"备注\"\ntype = \"string\"",
    );
    let edited = site.db.reopen(scratch.dir.path());
    let why = edited.readiness().expect("readiness");
    assert!(
        why.iter()
            .any(|w| w.contains("statusdata reload") && !w.contains("migrate")),
        "{why:?}"
    );
    edited.migrate(&site.db.units, false).expect("migrate");
    assert!(
        edited.readiness().expect("readiness").is_empty(),
        "ready after migrate"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn metrics_count_requests_by_route_and_show_the_pool() {
    let site = tokio::task::spawn_blocking(setup).await.expect("setup");
    let get = |path: &'static str| {
        let app = site.app.clone();
        async move {
            let request = Request::get(path).body(Body::empty()).expect("request");
            let response = app.oneshot(request).await.expect("response");
            let status = response.status();
            let body = axum::body::to_bytes(response.into_body(), 1 << 20)
                .await
                .expect("body");
            (status, String::from_utf8_lossy(&body).into_owned())
        }
    };
    assert_eq!(get("/healthz").await.0, StatusCode::OK);
    let (status, text) = get("/metrics").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        text.lines()
            .any(|l| l.starts_with("statusdata_http_requests_total{")
                && l.contains("route=\"/healthz\"")
                && l.contains("status=\"200\"")),
        "{text}"
    );
    assert!(text.contains("statusdata_db_connections "), "{text}");
    assert!(
        text.contains("statusdata_http_request_duration_seconds"),
        "{text}"
    );
}
