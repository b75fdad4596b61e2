//! The API's surface: the committed schema, authentication, limits, and the embedded GraphiQL.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::json;
use statusdata::defs;
use statusdata::graphql::build_schema;
use tower::ServiceExt;

use crate::api::{code, Api};
use crate::support::{project_paths, root};

#[test]
fn schema_graphql_is_current() -> anyhow::Result<()> {
    let catalog = defs::load_catalog(&project_paths().defs)?;
    let live = build_schema(&catalog, None)?.sdl();
    let committed = std::fs::read_to_string(root().join("schema.graphql"))?;
    if live != committed {
        let first = live
            .lines()
            .zip(committed.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(0);
        let show = |s: &str| {
            s.lines()
                .skip(first.saturating_sub(2))
                .take(6)
                .collect::<Vec<_>>()
                .join("\n")
        };
        panic!(
            "schema.graphql is stale; regenerate it with `cargo run -- print-schema > schema.graphql`\nfirst difference at line {}:\n--- committed\n{}\n+++ live\n{}",
            first + 1,
            show(&committed),
            show(&live)
        );
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn requests_without_a_principal_are_unauthenticated() {
    let api = tokio::task::spawn_blocking(|| Api::new(false))
        .await
        .expect("setup");
    let r = api.gql("{ me { staffNo } }", json!({})).await;
    assert_eq!(code(&r), "UNAUTHENTICATED", "{r}");
    let r = api.gql("{ students { totalCount } }", json!({})).await;
    assert_eq!(code(&r), "UNAUTHENTICATED", "{r}");
}

#[tokio::test(flavor = "multi_thread")]
async fn floods_and_deep_nesting_are_refused_before_running() {
    let api = tokio::task::spawn_blocking(|| Api::new(true))
        .await
        .expect("setup");
    let flood = format!(
        "{{ {} }}",
        (0..400)
            .map(|i| format!("a{i}: me {{ staffNo }}"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    let r = api.gql(&flood, json!({})).await;
    // Refused by the guard before async-graphql reads it (aliases of one field, cost).
    assert!(r["data"].is_null() && code(&r) == "TOO_COMPLEX", "{r}");
    let deep = format!(
        "{{ students(first: 1) {{ nodes {{ {}id{} }} }} }}",
        "studentNoRow { ".repeat(19),
        " }".repeat(19)
    );
    let r = api.gql(&deep, json!({})).await;
    assert!(
        r["errors"][0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("nested too deep"),
        "{r}"
    );
    let r = api
        .gql("{ students(first: 5000) { totalCount } }", json!({}))
        .await;
    assert_eq!(code(&r), "BAD_REQUEST", "{r}");
}

#[tokio::test(flavor = "multi_thread")]
async fn graphiql_loads_only_embedded_assets() {
    let api = tokio::task::spawn_blocking(|| Api::new(true))
        .await
        .expect("setup");
    let get = |path: &'static str| {
        let app = api.app.clone();
        async move {
            let response = app
                .oneshot(Request::get(path).body(Body::empty()).expect("request"))
                .await
                .expect("response");
            let status = response.status();
            let bytes = axum::body::to_bytes(response.into_body(), 8 << 20)
                .await
                .expect("body");
            (status, String::from_utf8_lossy(&bytes).into_owned())
        }
    };
    let (status, page) = get("/graphiql").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        !page.contains("http://") && !page.contains("https://") && !page.contains("//unpkg"),
        "the page must not load from the internet"
    );
    let assets: Vec<&str> = page
        .split("/assets/")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .collect();
    assert_eq!(assets.len(), 7, "{assets:?}");
    // Content-hashed names (explorer.6da2371f53.js); GraphiQL's two and the designer's only in
    // data attributes (loaded when needed).
    for name in [
        "graphiql.",
        "react.",
        "react-dom.",
        "explorer.",
        "designer.",
    ] {
        assert!(
            assets.iter().any(|a| a.starts_with(name)),
            "{name}: {assets:?}"
        );
    }
    for name in &assets {
        let path: &'static str = Box::leak(format!("/assets/{name}").into_boxed_str());
        let (status, body) = get(path).await;
        assert_eq!(status, StatusCode::OK, "{name}");
        assert!(body.len() > 5_000, "{name} is embedded");
        assert!(!body.contains("//unpkg"), "{name} must not load from a CDN");
    }
    let (status, root) = get("/").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        root.replace("data-start=\"tasks\"", "data-start=\"graphiql\""),
        page,
        "/ serves the form explorer, the same page as /graphiql opening on the tasks"
    );
    let (status, body) = get("/healthz").await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "ok"));
}
