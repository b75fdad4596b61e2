//! `/graphql` refuses hostile requests before parsing them: deep nesting, large bodies, long
//! query strings, mutations by GET or from foreign pages; it logs no request value and marks the
//! cookie `Secure` behind https.

use std::io::Write;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{json, Value as Json};
use tower::ServiceExt;

use crate::site::Site;

async fn send(site: &Site, request: Request<Body>) -> (StatusCode, Json, Option<String>) {
    let response = site.app.clone().oneshot(request).await.expect("response");
    let status = response.status();
    let cookie = response
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .expect("body");
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Json::Null),
        cookie,
    )
}

fn post() -> axum::http::request::Builder {
    Request::post("/graphql").header("content-type", "application/json")
}

fn post_json(body: &Json) -> Request<Body> {
    post().body(Body::from(body.to_string())).expect("request")
}

fn refused(r: &Json) -> &str {
    assert_eq!(r["errors"][0]["extensions"]["code"], "BAD_REQUEST", "{r}");
    r["errors"][0]["message"].as_str().unwrap_or("")
}

async fn healthy(site: &Site) {
    let request = Request::get("/healthz")
        .body(Body::empty())
        .expect("request");
    let response = site.app.clone().oneshot(request).await.expect("response");
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_document_nested_100000_deep_is_refused_and_the_server_answers_on() {
    let site = tokio::task::spawn_blocking(Site::new).await.expect("setup");
    let n = 100_000;
    let deep = format!("{{__typename(x:{}1{})}}", "[".repeat(n), "]".repeat(n));
    let (status, r, _) = send(&site, post_json(&json!({ "query": deep }))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(refused(&r).contains("嵌套过深"), "{r}");
    let filter = format!(
        "{{ students(filter: {}{{}}{}) {{ totalCount }} }}",
        "{and:[".repeat(n),
        "]}".repeat(n)
    );
    let (status, _, _) = send(&site, post_json(&json!({ "query": filter }))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    healthy(&site).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn deep_variables_and_a_deep_get_are_refused() {
    let site = tokio::task::spawn_blocking(Site::new).await.expect("setup");
    let n = 100_000;
    let variables = format!("{}1{}", "[".repeat(n), "]".repeat(n));
    let body = format!(
        r#"{{"query":"query($v: [Int]) {{ __typename }}","variables":{{"v":{variables}}}}}"#
    );
    let request = post().body(Body::from(body)).expect("request");
    let (status, r, _) = send(&site, request).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(refused(&r).contains("嵌套过深"));
    // 2,000 levels fit in a 6 KB address: the one a web page could make a browser send.
    let deep = format!(
        "{{__typename(x:{}1{})}}",
        "[".repeat(2000),
        "]".repeat(2000)
    );
    let uri = format!(
        "/graphql?query={}",
        form_urlencoded::byte_serialize(deep.as_bytes()).collect::<String>()
    );
    let request = Request::get(uri).body(Body::empty()).expect("request");
    let (status, r, _) = send(&site, request).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(refused(&r).contains("嵌套过深"));
    let long = format!("/graphql?query={}", "a".repeat(40_000));
    let request = Request::get(long).body(Body::empty()).expect("request");
    let (status, r, _) = send(&site, request).await;
    assert_eq!(status, StatusCode::URI_TOO_LONG);
    refused(&r);
    healthy(&site).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_body_over_the_limit_is_refused_declared_or_streamed() {
    let site = tokio::task::spawn_blocking(Site::new).await.expect("setup");
    let big = format!(
        r#"{{"query":"{{ __typename }}","x":"{}"}}"#,
        "a".repeat(10 << 20)
    );
    let declared = post()
        .header("content-length", big.len())
        .body(Body::from(big.clone()))
        .expect("request");
    let (status, r, _) = send(&site, declared).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(refused(&r).contains("请求体过大"));
    // Without a Content-Length the body is cut off at the limit while it is read.
    let (status, _, _) = send(&site, post().body(Body::from(big)).expect("request")).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    let ok = post_json(&json!({ "query": "{ __typename }" }));
    let (status, r, _) = send(&site, ok).await;
    assert_eq!(status, StatusCode::OK, "{r}");
}

#[tokio::test(flavor = "multi_thread")]
async fn mutations_need_post_json_and_a_same_origin_page_when_a_cookie_signs_in() {
    let site = tokio::task::spawn_blocking(Site::new).await.expect("setup");
    site.account("3333", "王五", "jwb", "head", "Right#2023", false);
    let login = "mutation { login(staffNo: \"3333\", password: \"Right#2023\") { token } }";
    let uri = format!(
        "/graphql?query={}",
        form_urlencoded::byte_serialize(login.as_bytes()).collect::<String>()
    );
    let (status, r, _) = send(
        &site,
        Request::get(uri).body(Body::empty()).expect("request"),
    )
    .await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(refused(&r).contains("POST"));
    let (_, r, cookie) = send(&site, post_json(&json!({ "query": login }))).await;
    assert!(r["data"]["login"]["token"].is_string(), "{r}");
    let cookie = cookie.expect("cookie");
    let session = cookie.split(';').next().expect("pair").to_owned();
    let logout = json!({ "query": "mutation { logout }" }).to_string();
    let plain = Request::post("/graphql")
        .header("content-type", "text/plain")
        .header("cookie", &session)
        .header("host", "statusdata.example.edu.cn")
        .header("origin", "https://evil.example.com")
        .body(Body::from(logout.clone()))
        .expect("request");
    let (status, r, _) = send(&site, plain).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    refused(&r);
    let foreign = post()
        .header("cookie", &session)
        .header("host", "statusdata.example.edu.cn")
        .header("origin", "https://evil.example.com")
        .body(Body::from(logout.clone()))
        .expect("request");
    let (status, r, _) = send(&site, foreign).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(refused(&r).contains("其他网站"));
    // A query by GET with the cookie still works: reading cannot be forged usefully.
    let me = "/graphql?query=%7B%20me%20%7B%20staffNo%20%7D%20%7D";
    let get = Request::get(me)
        .header("cookie", &session)
        .body(Body::empty())
        .expect("request");
    let (_, r, _) = send(&site, get).await;
    assert_eq!(r["data"]["me"]["staffNo"], "3333", "{r}");
    let own = post()
        .header("cookie", &session)
        .header("host", "statusdata.example.edu.cn")
        .header("referer", "http://statusdata.example.edu.cn/graphiql")
        .body(Body::from(logout))
        .expect("request");
    let (status, r, _) = send(&site, own).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(r["data"]["logout"], true, "{r}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_cookie_is_secure_over_https_or_behind_a_trusted_proxy() {
    let login = json!({ "query": "mutation { login(staffNo: \"3333\", password: \"Right#2023\") { token } }" });
    let proxy: std::net::SocketAddr = "10.0.0.5:40000".parse().expect("addr");
    let site = tokio::task::spawn_blocking(move || {
        Site::with_state(|s| {
            s.request_limits = Arc::new(statusdata::http::guard::RequestLimits {
                trusted_proxies: vec![proxy.ip()],
                ..Default::default()
            })
        })
    })
    .await
    .expect("setup");
    site.account("3333", "王五", "jwb", "head", "Right#2023", false);
    let (_, _, plain) = send(&site, post_json(&login)).await;
    assert!(!plain.expect("cookie").contains("Secure"));
    let mut behind = post()
        .header("x-forwarded-proto", "https")
        .body(Body::from(login.to_string()))
        .expect("request");
    behind
        .extensions_mut()
        .insert(axum::extract::ConnectInfo(proxy));
    let (_, _, secure) = send(&site, behind).await;
    assert!(secure.expect("cookie").contains("; Secure"));
    // The same header from anyone else is not believed.
    let mut forged = post()
        .header("x-forwarded-proto", "https")
        .body(Body::from(login.to_string()))
        .expect("request");
    let other: std::net::SocketAddr = "192.168.1.9:5000".parse().expect("addr");
    forged
        .extensions_mut()
        .insert(axum::extract::ConnectInfo(other));
    let (_, _, plain) = send(&site, forged).await;
    assert!(!plain.expect("cookie").contains("Secure"));
}

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log buffer").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "current_thread")]
async fn a_password_sent_by_get_does_not_reach_the_log() {
    let site = tokio::task::spawn_blocking(Site::new).await.expect("setup");
    let log = Captured::default();
    let writer = log.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::INFO)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let login = "mutation { login(staffNo: \"3333\", password: \"Leak#Secret99\") { token } }";
    let uri = format!(
        "/graphql?query={}",
        form_urlencoded::byte_serialize(login.as_bytes()).collect::<String>()
    );
    send(
        &site,
        Request::get(uri).body(Body::empty()).expect("request"),
    )
    .await;
    let text = String::from_utf8(log.0.lock().expect("log").clone()).expect("utf-8");
    assert!(text.contains("/graphql"), "the request is logged: {text}");
    assert!(!text.contains("Leak"), "{text}");
}
