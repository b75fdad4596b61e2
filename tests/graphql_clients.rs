//! What browser and BI clients on other origins need from `/graphql`: CORS for the listed
//! origins only (their cookie writes trusted, others' refused), Apollo's Automatic Persisted
//! Queries (a hash alone is still checked against every limit) and batched requests.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use serde_json::{json, Value as Json};
use statusdata::http::documents::sha256_hex;
use statusdata::http::guard::RequestLimits;
use tower::ServiceExt;

use crate::instances::PASSWORD;
use crate::site::{code, Site};

const BI: &str = "https://bi.example.edu.cn";
const HOST: &str = "sjcj.example.edu.cn";

async fn send(site: &Site, request: Request<Body>) -> (StatusCode, HeaderMap, Json) {
    let response = site.app.clone().oneshot(request).await.expect("response");
    let (status, headers) = (response.status(), response.headers().clone());
    let bytes = axum::body::to_bytes(response.into_body(), 16 << 20)
        .await
        .expect("body");
    (
        status,
        headers,
        serde_json::from_slice(&bytes).unwrap_or(Json::Null),
    )
}

fn post() -> axum::http::request::Builder {
    Request::post("/graphql").header("content-type", "application/json")
}

fn json_post(body: &Json) -> Request<Body> {
    post().body(Body::from(body.to_string())).expect("request")
}

fn header<'a>(h: &'a HeaderMap, name: &str) -> Option<&'a str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

async fn cors_site() -> Site {
    tokio::task::spawn_blocking(|| {
        Site::with_state(|s| {
            s.request_limits = Arc::new(RequestLimits {
                cors_origins: vec![BI.to_owned()],
                ..(*s.request_limits).clone()
            })
        })
    })
    .await
    .expect("setup")
}

fn preflight(origin: &str) -> Request<Body> {
    Request::options("/graphql")
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "content-type,authorization,apollo-require-preflight",
        )
        .body(Body::empty())
        .expect("request")
}

#[tokio::test(flavor = "multi_thread")]
async fn cors_allows_the_listed_origins_and_trusts_their_cookie_writes_only() {
    let site = cors_site().await;
    let (status, h, _) = send(&site, preflight(BI)).await;
    assert!(status.is_success(), "{status}");
    assert_eq!(header(&h, "access-control-allow-origin"), Some(BI));
    assert_eq!(header(&h, "access-control-allow-credentials"), Some("true"));
    let methods = header(&h, "access-control-allow-methods").unwrap_or("");
    assert!(
        methods.contains("POST") && methods.contains("GET"),
        "{methods}"
    );
    let headers = header(&h, "access-control-allow-headers").unwrap_or("");
    assert!(headers.contains("authorization") && headers.contains("apollo-require-preflight"));
    assert!(
        header(&h, "vary").is_some_and(|v| v.contains("origin")),
        "{h:?}"
    );
    let (status, h, _) = send(&site, preflight("https://evil.example.com")).await;
    assert!(status.is_success(), "a clean answer, not 405: {status}");
    assert!(h.get("access-control-allow-origin").is_none(), "{h:?}");
    assert!(h.get("access-control-allow-credentials").is_none(), "{h:?}");

    let q = json!({ "query": "{ __typename }" });
    let (_, h, r) = send(
        &site,
        post()
            .header("origin", BI)
            .body(Body::from(q.to_string()))
            .expect("request"),
    )
    .await;
    assert_eq!(r["data"]["__typename"], "Query", "{r}");
    assert_eq!(header(&h, "access-control-allow-origin"), Some(BI));
    let get = Request::get("/graphql?query=%7B__typename%7D")
        .header("origin", BI)
        .body(Body::empty())
        .expect("request");
    let (_, h, r) = send(&site, get).await;
    assert_eq!(r["data"]["__typename"], "Query", "{r}");
    assert_eq!(header(&h, "access-control-allow-origin"), Some(BI));

    site.account("8301", "质量", "zlb", "quality_admin", PASSWORD, false);
    let login = json!({ "query": format!("mutation {{ login(staffNo: \"8301\", password: \"{PASSWORD}\") {{ token }} }}") });
    let (_, h, _) = send(&site, json_post(&login)).await;
    let session = header(&h, "set-cookie")
        .and_then(|c| c.split(';').next())
        .expect("cookie")
        .to_owned();
    let logout = json!({ "query": "mutation { logout }" });
    let from = |origin: &str| {
        post()
            .header("cookie", &session)
            .header("host", HOST)
            .header("origin", origin)
            .body(Body::from(logout.to_string()))
            .expect("request")
    };
    let (status, h, r) = send(&site, from("https://evil.example.com")).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{r}");
    assert_eq!(code(&r), "BAD_REQUEST", "{r}");
    assert!(h.get("access-control-allow-origin").is_none());
    let (status, h, r) = send(&site, from(BI)).await;
    assert_eq!(status, StatusCode::OK, "{r}");
    assert_eq!(r["data"]["logout"], true, "{r}");
    assert_eq!(header(&h, "access-control-allow-origin"), Some(BI));
}

fn persisted(hash: &str, query: Option<&str>) -> Json {
    let mut body = json!({
        "extensions": { "persistedQuery": { "version": 1, "sha256Hash": hash } }
    });
    if let Some(q) = query {
        body["query"] = json!(q);
    }
    body
}

#[tokio::test(flavor = "multi_thread")]
async fn persisted_queries_follow_apollos_protocol_and_the_guards_limits() {
    let site = tokio::task::spawn_blocking(Site::new).await.expect("setup");
    let query = "query Cycle { __typename }";
    let hash = sha256_hex(query);
    let (status, _, r) = send(&site, json_post(&persisted(&hash, None))).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{r}");
    assert_eq!(r["errors"][0]["message"], "PersistedQueryNotFound", "{r}");
    assert_eq!(code(&r), "PERSISTED_QUERY_NOT_FOUND", "{r}");
    let (status, _, r) = send(
        &site,
        json_post(&persisted(&hash, Some("{ me { staffNo } }"))),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{r}");
    assert_eq!(
        r["errors"][0]["message"],
        "provided sha does not match query"
    );
    assert_eq!(code(&r), "BAD_REQUEST");
    let (_, _, r) = send(&site, json_post(&persisted(&hash, Some(query)))).await;
    assert_eq!(r["data"]["__typename"], "Query", "registered and run: {r}");
    let (_, _, r) = send(&site, json_post(&persisted(&hash.to_uppercase(), None))).await;
    assert_eq!(
        r["data"]["__typename"], "Query",
        "the hash alone now runs it: {r}"
    );
    let extensions = json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } }).to_string();
    let uri = format!(
        "/graphql?extensions={}",
        form_urlencoded::byte_serialize(extensions.as_bytes()).collect::<String>()
    );
    let (_, _, r) = send(
        &site,
        Request::get(uri).body(Body::empty()).expect("request"),
    )
    .await;
    assert_eq!(r["data"]["__typename"], "Query", "by GET: {r}");

    // Registered by a signed-in caller, the same hash sent anonymously meets the anonymous
    // budget: the guard checks the stored text, not the hash.
    site.account("8302", "质量", "zlb", "quality_admin", PASSWORD, false);
    let token = site.token("8302", PASSWORD).await;
    let heavy = "{ a: __schema { types { name } } b: __schema { types { name } } }";
    let heavy_hash = sha256_hex(heavy);
    let signed = post()
        .header("authorization", format!("Bearer {token}"))
        .body(Body::from(persisted(&heavy_hash, Some(heavy)).to_string()))
        .expect("request");
    let (status, _, r) = send(&site, signed).await;
    assert_eq!(status, StatusCode::OK, "{r}");
    assert!(r["data"]["a"]["types"].is_array(), "{r}");
    let (status, _, r) = send(&site, json_post(&persisted(&heavy_hash, None))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{r}");
    assert_eq!(code(&r), "TOO_COMPLEX", "{r}");
    // A document refused by the guard is not stored for its hash.
    let deep = format!("{{ me {}{} }}", "{ staffNo ".repeat(80), "}".repeat(80));
    let deep_hash = sha256_hex(&deep);
    let (status, _, _) = send(&site, json_post(&persisted(&deep_hash, Some(&deep)))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _, r) = send(&site, json_post(&persisted(&deep_hash, None))).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{r}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_batch_is_answered_in_order_within_the_guards_bounds() {
    let site = tokio::task::spawn_blocking(Site::new).await.expect("setup");
    let batch = json!([
        { "query": "{ __typename }" },
        { "query": "query Two { t: __typename }", "operationName": "Two" },
        { "query": "{ nope }" },
    ]);
    let (status, _, r) = send(&site, json_post(&batch)).await;
    assert_eq!(status, StatusCode::OK, "{r}");
    let answers = r.as_array().expect("an array answers a batch");
    assert_eq!(answers.len(), 3);
    assert_eq!(answers[0]["data"]["__typename"], "Query");
    assert_eq!(answers[1]["data"]["t"], "Query");
    assert_eq!(code(&answers[2]), "BAD_REQUEST", "{r}");

    let eleven = Json::Array(vec![json!({ "query": "{ __typename }" }); 11]);
    let (status, h, r) = send(&site, json_post(&eleven)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{r}");
    assert!(header(&h, "content-type").is_some_and(|t| t.starts_with("application/json")));
    assert_eq!(code(&r), "BAD_REQUEST", "{r}");
    assert!(
        r["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("批量")),
        "{r}"
    );
    let (status, _, r) = send(&site, json_post(&json!([]))).await;
    assert_eq!(
        (status, code(&r)),
        (StatusCode::BAD_REQUEST, "BAD_REQUEST"),
        "{r}"
    );

    // Each operation fits the anonymous budget; together they do not.
    let one = json!({ "query": "{ __schema { types { name } } }" });
    let (status, _, r) = send(&site, json_post(&json!([one.clone()]))).await;
    assert_eq!(status, StatusCode::OK, "{r}");
    let (status, _, r) = send(&site, json_post(&json!([one.clone(), one]))).await;
    assert_eq!(
        (status, code(&r)),
        (StatusCode::BAD_REQUEST, "TOO_COMPLEX"),
        "{r}"
    );
}
