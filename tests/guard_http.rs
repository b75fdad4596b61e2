//! The HTTP layer around `/graphql`: file routes that change data refuse a cookie sent from a
//! foreign page, every refusal the router makes is coded JSON, and SIGTERM stops `serve` within
//! seconds even while a request waits on the database.

use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use diesel::connection::SimpleConnection;
use serde_json::{json, Value as Json};
use tower::ServiceExt;

use crate::db::on_postgres;
use crate::instances::{eventually, http, prepared, start, PASSWORD};
use crate::site::Site;

const BOUNDARY: &str = "guardboundary";

async fn answer(site: &Site, request: Request<Body>) -> (StatusCode, String, Json) {
    let response = site.app.clone().oneshot(request).await.expect("response");
    let status = response.status();
    let kind = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .expect("body");
    (
        status,
        kind,
        serde_json::from_slice(&bytes).unwrap_or(Json::Null),
    )
}

/// The code and message of a refusal in either shape (GraphQL error or file-route report).
fn refusal(r: &Json) -> (&str, &str) {
    let graphql = &r["errors"][0];
    let code = graphql["extensions"]["code"]
        .as_str()
        .or(r["code"].as_str());
    let message = graphql["message"].as_str().or(r["message"].as_str());
    (code.unwrap_or(""), message.unwrap_or(""))
}

fn multipart(path: &str) -> axum::http::request::Builder {
    Request::post(path).header(
        "content-type",
        format!("multipart/form-data; boundary={BOUNDARY}"),
    )
}

fn file_body() -> Body {
    Body::from(format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"t.xlsx\"\r\n\
         Content-Type: application/octet-stream\r\n\r\nnot a workbook\r\n--{BOUNDARY}--\r\n"
    ))
}

#[tokio::test(flavor = "multi_thread")]
async fn file_routes_refuse_a_cookie_from_a_foreign_page_and_take_it_from_their_own() {
    let site = tokio::task::spawn_blocking(Site::new).await.expect("setup");
    site.account("8201", "质量", "zlb", "quality_admin", PASSWORD, false);
    let login = "mutation($s: String!, $p: String!) { login(staffNo: $s, password: $p) { token } }";
    let (_, cookie) = site
        .gql(None, login, json!({ "s": "8201", "p": PASSWORD }))
        .await;
    let cookie = cookie.expect("cookie");
    let session = cookie.split(';').next().expect("pair").to_owned();
    let host = "sjcj.example.edu.cn";
    for path in [
        "/import/2023/1.1.1",
        "/gaoji/2023/import",
        "/cases/1/attachments",
    ] {
        let foreign = multipart(path)
            .header("cookie", &session)
            .header("host", host)
            .header("origin", "https://evil.example.com")
            .body(file_body())
            .expect("request");
        let (status, kind, r) = answer(&site, foreign).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {r}");
        assert!(kind.starts_with("application/json"), "{path}: {kind}");
        assert_eq!(refusal(&r).0, "FORBIDDEN", "{path}: {r}");
        assert!(refusal(&r).1.contains("其他网站"), "{path}: {r}");
        let own = multipart(path)
            .header("cookie", &session)
            .header("host", host)
            .header("referer", format!("https://{host}/"))
            .body(file_body())
            .expect("request");
        let (status, _, r) = answer(&site, own).await;
        assert!(!refusal(&r).1.contains("其他网站"), "{path}: {status} {r}");
        assert_ne!(
            refusal(&r).0,
            "UNAUTHENTICATED",
            "{path}: the cookie signs in: {r}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn every_refusal_of_the_router_is_coded_json_in_chinese() {
    let site = tokio::task::spawn_blocking(Site::new).await.expect("setup");
    site.account("8202", "质量", "zlb", "quality_admin", PASSWORD, false);
    let token = site.token("8202", PASSWORD).await;
    let bearer = format!("Bearer {token}");
    let get = |path: &str| Request::get(path).header("authorization", &bearer);
    let requests = vec![
        ("unknown path", get("/no/such/page").body(Body::empty())),
        (
            "bad path parameter",
            get("/export/abc/x.xlsx").body(Body::empty()),
        ),
        ("method", Request::delete("/healthz").body(Body::empty())),
        (
            "graphql method",
            Request::put("/graphql").body(Body::empty()),
        ),
        (
            "bad query parameter",
            Request::post("/import/2023/1.1.1?dryRun=maybe")
                .header("authorization", &bearer)
                .header(
                    "content-type",
                    format!("multipart/form-data; boundary={BOUNDARY}"),
                )
                .body(file_body()),
        ),
        (
            "multipart without a boundary",
            Request::post("/import/2023/1.1.1")
                .header("authorization", &bearer)
                .header("content-type", "multipart/form-data")
                .body(Body::from("x")),
        ),
        (
            "not JSON",
            Request::post("/graphql")
                .header("content-type", "application/json")
                .body(Body::from("{ not json")),
        ),
    ];
    for (what, request) in requests {
        let (status, kind, r) = answer(&site, request.expect("request")).await;
        assert!(status.is_client_error(), "{what}: {status}");
        assert!(
            kind.starts_with("application/json"),
            "{what}: {status} {kind}"
        );
        let (code, message) = refusal(&r);
        assert!(
            ["BAD_REQUEST", "NOT_FOUND", "TOO_COMPLEX"].contains(&code),
            "{what}: {r}"
        );
        assert!(
            message
                .chars()
                .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "{what}: {r}"
        );
        assert!(
            !message.contains("Failed to") && !message.contains("{ "),
            "{what}: {r}"
        );
    }
}

/// Holds the database so that a login waits: SQLite's write lock, or on PostgreSQL an exclusive
/// lock on the accounts.
fn hold_accounts(db: &crate::db::TestDb) -> statusdata::store::Conn {
    let mut conn = db.store.conn().expect("connection");
    let sql = if on_postgres() {
        "BEGIN; LOCK TABLE users IN ACCESS EXCLUSIVE MODE;"
    } else {
        "BEGIN IMMEDIATE;"
    };
    conn.batch_execute(sql).expect("lock");
    conn
}

#[test]
fn sigterm_stops_serve_within_seconds_while_a_request_waits_on_the_database() {
    let (db, scratch) = prepared();
    let mut server = start(&db.url, scratch.dir.path(), "guard");
    let port = server.port;
    eventually("serve answers /healthz", || {
        TcpStream::connect(("127.0.0.1", port)).is_ok()
            && http(port, "GET", "/healthz", None, "").0 == 200
    });
    let held = hold_accounts(&db);
    // An anonymous login: its budget is 5 s, after which its wait on the database ends too.
    let body = json!({
        "query": "mutation($s: String!, $p: String!) { login(staffNo: $s, password: $p) { token } }",
        "variables": { "s": "8001", "p": PASSWORD }
    })
    .to_string();
    let waiting = std::thread::spawn(move || http(port, "POST", "/graphql", None, &body));
    std::thread::sleep(Duration::from_millis(700));
    assert!(!waiting.is_finished(), "the login waits for the database");
    let term = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(term.success());
    let start = Instant::now();
    let status = loop {
        if let Some(status) = server.child.try_wait().expect("try_wait") {
            break status;
        }
        assert!(
            start.elapsed() < Duration::from_secs(9),
            "serve still running 9 s after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(status.success(), "a clean exit after SIGTERM: {status:?}");
    let (code, text) = waiting.join().expect("the login's answer");
    assert!(code == 0 || text.contains("TOO_COMPLEX"), "{code} {text}");
    let mut held = held;
    held.batch_execute("ROLLBACK").expect("release");
}
