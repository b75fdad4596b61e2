//! `/graphql` bounds what a request costs before running it, and how long it runs: fragment
//! fan-out, long names and aliases of a heavy field are refused in milliseconds; anonymous
//! callers get a small budget; a principal runs few heavy requests at once; a request past its
//! time budget is answered `TOO_COMPLEX` and its database work stops.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use diesel::connection::SimpleConnection;
use serde_json::{json, Value as Json};
use statusdata::http::guard::{Budget, RequestLimits};
use statusdata::store::budget;
use statusdata::store::StoreError;
use tower::ServiceExt;

use crate::db::{on_postgres, TestDb};
use crate::site::Site;

const PASSWORD: &str = "Guard#2023x";

/// Posts a GraphQL document: (status, body, time taken).
pub async fn send(site: &Site, token: Option<&str>, query: &str) -> (StatusCode, Json, Duration) {
    let mut request = Request::post("/graphql").header("content-type", "application/json");
    if let Some(t) = token {
        request = request.header("authorization", format!("Bearer {t}"));
    }
    let body = json!({ "query": query }).to_string();
    let request = request.body(Body::from(body)).expect("request");
    let started = Instant::now();
    let response = site.app.clone().oneshot(request).await.expect("response");
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 16 << 20)
        .await
        .expect("body");
    let took = started.elapsed();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Json::Null),
        took,
    )
}

fn code(r: &Json) -> &str {
    r["errors"][0]["extensions"]["code"].as_str().unwrap_or("")
}

fn message(r: &Json) -> &str {
    r["errors"][0]["message"].as_str().unwrap_or("")
}

/// A site with a quality-office account and its token.
async fn site_with(configure: impl FnOnce(&mut RequestLimits) + Send + 'static) -> (Site, String) {
    let site = tokio::task::spawn_blocking(move || {
        Site::with_state(|s| {
            let mut limits = RequestLimits::default();
            configure(&mut limits);
            s.request_limits = Arc::new(limits);
        })
    })
    .await
    .expect("setup");
    site.account("8101", "质量", "zlb", "quality_admin", PASSWORD, false);
    site.account("8102", "质量二", "zlb", "quality_admin", PASSWORD, false);
    let token = site.token("8101", PASSWORD).await;
    (site, token)
}

#[tokio::test(flavor = "multi_thread")]
async fn fragment_fan_out_is_refused_in_milliseconds() {
    let (site, _) = site_with(|_| {}).await;
    let mut q = String::from("query { ...F0 }\n");
    for i in 0..22 {
        q.push_str(&format!(
            "fragment F{i} on Query {{ ...F{} ...F{} }}\n",
            i + 1,
            i + 1
        ));
    }
    q.push_str("fragment F22 on Query { __typename }");
    assert!(q.len() < 1200, "about 1 KB: {}", q.len());
    let (status, r, took) = send(&site, None, &q).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{r}");
    assert_eq!(code(&r), "TOO_COMPLEX", "{r}");
    assert!(message(&r).contains("展开片段后共 4194304 个"), "{r}");
    assert!(took < Duration::from_secs(1), "{took:?}");
    let cycle = "{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }";
    let (_, r, _) = send(&site, None, cycle).await;
    assert!(message(&r).contains("引用了自身"), "{r}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_million_character_name_is_refused_fast_anonymously() {
    let (site, _) = site_with(|_| {}).await;
    let q = format!("{{ {} }}", "x".repeat(1_000_000));
    let (status, r, took) = send(&site, None, &q).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{r}");
    assert_eq!(code(&r), "BAD_REQUEST", "{r}");
    assert!(message(&r).contains("名称过长"), "{r}");
    assert!(took < Duration::from_secs(1), "{took:?}");
    // Unknown names of the allowed length get no "Did you mean" work either.
    let many: Vec<String> = (0..100)
        .map(|i| format!("f{i:03}{}", "q".repeat(120)))
        .collect();
    let (_, r, took) = send(&site, None, &format!("{{ {} }}", many.join(" "))).await;
    assert_eq!(code(&r), "BAD_REQUEST", "{r}");
    assert!(!r.to_string().contains("Did you mean"));
    assert!(took < Duration::from_secs(2), "{took:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn aliases_of_a_heavy_field_are_refused_and_one_still_runs() {
    let (site, token) = site_with(|_| {}).await;
    let aliases = |n: usize| {
        let fields: Vec<String> = (0..n)
            .map(|i| format!("a{i}: bulletin(cycle: 2023)"))
            .collect();
        format!("{{ {} }}", fields.join(" "))
    };
    let (_, r, took) = send(&site, Some(&token), &aliases(299)).await;
    assert_eq!(code(&r), "TOO_COMPLEX", "{r}");
    assert!(took < Duration::from_secs(1), "{took:?}");
    // Fewer aliases than the per-field limit, still over the cost budget.
    let (_, r, _) = send(&site, Some(&token), &aliases(12)).await;
    assert_eq!(code(&r), "TOO_COMPLEX", "{r}");
    assert!(message(&r).contains("估算成本"), "{r}");
    let (status, r, _) = send(&site, Some(&token), &aliases(1)).await;
    assert_eq!(status, StatusCode::OK, "{r}");
    assert!(r["data"]["a0"].is_string(), "{r}");
}

#[tokio::test(flavor = "multi_thread")]
async fn aliases_of_the_pre_submission_check_are_refused_by_their_cost() {
    // rowChecks runs a table's rules over a unit's rows: as heavy as `findings`.
    let (site, token) = site_with(|_| {}).await;
    let checks = (0..12)
        .map(|i| format!("c{i}: rowChecks(table: \"2.3.1\", cycle: 2023) {{ __typename }}"))
        .collect::<Vec<_>>()
        .join(" ");
    let (_, r, took) = send(&site, Some(&token), &format!("{{ {checks} }}")).await;
    assert_eq!(code(&r), "TOO_COMPLEX", "{r}");
    assert!(message(&r).contains("估算成本"), "{r}");
    assert!(took < Duration::from_secs(1), "{took:?}");
}

/// GraphiQL's introspection query (graphql-js `getIntrospectionQuery`).
const INTROSPECTION: &str = r"query IntrospectionQuery { __schema { queryType { name }
 mutationType { name } subscriptionType { name } types { ...FullType }
 directives { name description locations args { ...InputValue } } } }
fragment FullType on __Type { kind name description
 fields(includeDeprecated: true) { name description args { ...InputValue } type { ...TypeRef }
 isDeprecated deprecationReason } inputFields { ...InputValue } interfaces { ...TypeRef }
 enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
 possibleTypes { ...TypeRef } }
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type { kind name ofType { kind name ofType { kind name ofType { kind name
 ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } }";

#[tokio::test(flavor = "multi_thread")]
async fn anonymous_callers_get_a_small_budget_that_introspection_and_login_fit() {
    let (site, token) = site_with(|_| {}).await;
    let (status, r, _) = send(&site, None, "{ bulletin(cycle: 2023) }").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{r}");
    assert_eq!(code(&r), "TOO_COMPLEX", "{r}");
    assert!(message(&r).contains("请先登录"), "{r}");
    let (status, r, _) = send(&site, None, INTROSPECTION).await;
    assert_eq!(status, StatusCode::OK, "{r}");
    assert!(
        r["data"]["__schema"]["types"]
            .as_array()
            .is_some_and(|t| t.len() > 100),
        "{r}"
    );
    // The page's widest table, a full page of every field, fits a signed-in budget.
    let widest = site
        .db
        .store
        .catalog()
        .tables
        .iter()
        .max_by_key(|t| t.fields.len())
        .expect("tables")
        .clone();
    let fields: Vec<String> = widest
        .fields
        .iter()
        .map(|f| statusdata::defs::naming::graphql_field(&f.name))
        .collect();
    let list = statusdata::defs::naming::list_field(&widest.slug);
    let q = format!(
        "{{ {list}(cycle: 2023, first: 1000) {{ totalCount nodes {{ id unit rowVersion {} }} }} }}",
        fields.join(" ")
    );
    let (status, r, _) = send(&site, Some(&token), &q).await;
    assert_eq!(status, StatusCode::OK, "{r}");
    assert!(r["errors"].is_null(), "{r}");
}

/// Holds the database so that `runChecks` waits: SQLite's write lock, or on PostgreSQL an
/// exclusive lock on the findings. Dropping the connection (or `COMMIT`) lets it go.
fn hold_findings(db: &TestDb) -> statusdata::store::Conn {
    let mut conn = db.store.conn().expect("connection");
    let sql = if on_postgres() {
        "BEGIN; LOCK TABLE findings IN ACCESS EXCLUSIVE MODE;"
    } else {
        "BEGIN IMMEDIATE;"
    };
    conn.batch_execute(sql).expect("lock");
    conn
}

fn run_checks(site: &Site, token: &str) -> tokio::task::JoinHandle<(StatusCode, Json, Duration)> {
    let (app, token) = (site.app.clone(), token.to_owned());
    tokio::spawn(async move {
        let request = Request::post("/graphql")
            .header("content-type", "application/json")
            .header("authorization", format!("Bearer {token}"))
            .body(Body::from(
                json!({ "query": "mutation { runChecks(cycle: 2023) { __typename } }" })
                    .to_string(),
            ))
            .expect("request");
        let started = Instant::now();
        let response = app.oneshot(request).await.expect("response");
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .expect("body");
        let r = serde_json::from_slice(&bytes).unwrap_or(Json::Null);
        (status, r, started.elapsed())
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn a_principal_runs_at_most_two_heavy_requests_at_once() {
    // Two seats here (the default is four) so that two held runs fill them.
    let (site, token) = site_with(|l| l.heavy_in_flight = 2).await;
    let other = site.token("8102", PASSWORD).await;
    let mut held = hold_findings(&site.db);
    let first = run_checks(&site, &token);
    let second = run_checks(&site, &token);
    tokio::time::sleep(Duration::from_millis(400)).await;
    let (status, r, took) = send(&site, Some(&token), "{ progress(cycle: 2023) { table } }").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{r}");
    assert_eq!(code(&r), "TOO_COMPLEX", "{r}");
    assert!(message(&r).contains("请稍后再试"), "{r}");
    assert!(took < Duration::from_secs(8), "{took:?}");
    // Light requests, and another account's heavy ones, are not held up.
    let (status, r, _) = send(&site, Some(&token), "{ me { staffNo } }").await;
    assert_eq!(status, StatusCode::OK, "{r}");
    let (status, r, _) = send(&site, Some(&other), "{ progress(cycle: 2023) { table } }").await;
    assert_eq!(status, StatusCode::OK, "{r}");
    held.batch_execute("COMMIT").expect("release");
    drop(held);
    for run in [first, second] {
        let (status, r, _) = run.await.expect("runChecks");
        assert_eq!(status, StatusCode::OK, "{r}");
        assert!(r["errors"].is_null(), "{r}");
    }
    let (status, r, _) = send(&site, Some(&token), "{ progress(cycle: 2023) { table } }").await;
    assert_eq!(status, StatusCode::OK, "the seats are given back: {r}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_request_past_its_time_budget_is_cancelled_with_a_code() {
    let (site, token) = site_with(|l| {
        l.signed_in = Budget {
            time: Duration::from_millis(500),
            ..l.signed_in
        };
        l.long_time = Duration::from_millis(500);
    })
    .await;
    let mut held = hold_findings(&site.db);
    let (status, r, took) = run_checks(&site, &token).await.expect("runChecks");
    // Cancelled by the handler (400), or stopped by the database first and reported as the
    // field's error (200): coded alike.
    assert!(
        [StatusCode::BAD_REQUEST, StatusCode::OK].contains(&status),
        "{r}"
    );
    assert_eq!(code(&r), "TOO_COMPLEX", "{r}");
    assert!(message(&r).contains("已取消"), "{r}");
    assert!(took < Duration::from_secs(8), "{took:?}");
    held.batch_execute("COMMIT").expect("release");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_quality_office_s_whole_cycle_work_outlasts_a_page_s_budget_and_nobody_else_s_does() {
    let (site, token) = site_with(|l| {
        l.signed_in = Budget {
            time: Duration::from_millis(1),
            ..l.signed_in
        }
    })
    .await;
    site.account("8103", "采集", "jwb", "collector", PASSWORD, false);
    let collector = site.token("8103", PASSWORD).await;
    // Costly enough for the long budget (two 10,000-weight fields), but a collector's.
    let twice = "{ a: progress(cycle: 2023) { table } b: progress(cycle: 2023) { table } }";
    let (status, r, _) = send(&site, Some(&collector), twice).await;
    // Cancelled by the handler (400), or stopped by the database first (200): coded alike.
    assert!(
        [StatusCode::BAD_REQUEST, StatusCode::OK].contains(&status),
        "{r}"
    );
    assert_eq!(code(&r), "TOO_COMPLEX", "{r}");
    assert!(message(&r).contains("已取消"), "{r}");
    // The same document from 质量部 gets the long budget and is answered.
    let (status, r, _) = send(&site, Some(&token), twice).await;
    assert_eq!(status, StatusCode::OK, "{r}");
    assert!(r["errors"].is_null(), "{r}");
    // A whole-cycle check run that waits past the page budget still finishes.
    let mut held = hold_findings(&site.db);
    let run = run_checks(&site, &token);
    tokio::time::sleep(Duration::from_millis(800)).await;
    held.batch_execute("COMMIT").expect("release");
    drop(held);
    let (status, r, took) = run.await.expect("runChecks");
    assert_eq!(status, StatusCode::OK, "{r}");
    assert!(r["errors"].is_null(), "{r}");
    assert!(took >= Duration::from_millis(800), "{took:?}");
}

/// A statement that runs for minutes on either backend.
const ENDLESS: &str = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c \
                       WHERE x < 2000000000) SELECT count(*) FROM c";

#[tokio::test(flavor = "multi_thread")]
async fn database_work_stops_when_its_budget_is_spent_or_cancelled() {
    let db = tokio::task::spawn_blocking(TestDb::mini)
        .await
        .expect("setup");
    let endless = |s: &statusdata::store::Store| Ok(s.conn()?.batch_execute(ENDLESS)?);
    let started = Instant::now();
    let spent = budget::Budget::start(Duration::from_millis(300));
    let r = budget::within(spent, db.store.call(endless)).await;
    assert!(matches!(r, Err(StoreError::Interrupted)), "{r:?}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    // Dropped long before its deadline (the client left, or the server stops): the blocking
    // thread does not run the statement on. PostgreSQL stops it at the deadline instead (its
    // statement_timeout), so there is nothing more to see there.
    if on_postgres() {
        return;
    }
    let long = budget::Budget::start(Duration::from_secs(60));
    let cancel = long.cancel_on_drop();
    let (done, finished) = std::sync::mpsc::channel();
    let store = db.store.clone();
    let call = store.call(move |s| {
        let r = endless(s);
        let _ = done.send(Instant::now());
        r
    });
    let dropped = tokio::time::timeout(Duration::from_millis(300), budget::within(long, call));
    assert!(dropped.await.is_err(), "the statement ran 300 ms");
    let at = Instant::now();
    drop(cancel);
    let stopped = finished.recv_timeout(Duration::from_secs(3));
    assert!(stopped.is_ok_and(|t| t - at < Duration::from_secs(3)));
}
