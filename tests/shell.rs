//! The office application's shell over HTTP: the page and its assets (hashed names kept a year,
//! gzip and brotli when accepted, the page itself revalidated) and `myWork`, the counts behind
//! 我的任务's summary and the navigation's badges, for each role.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use serde_json::{json, Value as Json};
use tower::ServiceExt;

use crate::site::{setup, Site};

const PASSWORD: &str = "Right#2023";

/// Answers status, headers and body of a GET with the given `Accept-Encoding`.
async fn get(
    site: &Site,
    path: &str,
    encoding: Option<&str>,
) -> (StatusCode, header::HeaderMap, Vec<u8>) {
    let mut request = Request::get(path);
    if let Some(e) = encoding {
        request = request.header(header::ACCEPT_ENCODING, e);
    }
    let response = site
        .app
        .clone()
        .oneshot(request.body(Body::empty()).expect("request"))
        .await
        .expect("response");
    let (status, headers) = (response.status(), response.headers().clone());
    let bytes = axum::body::to_bytes(response.into_body(), 16 << 20)
        .await
        .expect("body");
    (status, headers, bytes.to_vec())
}

fn header_of(headers: &header::HeaderMap, name: header::HeaderName) -> &str {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

#[tokio::test(flavor = "multi_thread")]
async fn hashed_assets_are_compressed_and_kept_a_year_and_the_page_is_revalidated() {
    let site = tokio::task::spawn_blocking(setup).await.expect("setup");
    let (status, headers, page) = get(&site, "/", Some("gzip, br")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(header_of(&headers, header::CACHE_CONTROL), "no-cache");
    let page = String::from_utf8(page).expect("utf-8");
    let script = page
        .split('"')
        .find(|s| s.starts_with("/assets/explorer.") && s.ends_with(".js"))
        .expect("the page names the hashed explorer script")
        .to_owned();
    assert!(page.contains("data-schema=\""), "{page}");
    assert!(
        !page.contains("<script src=\"/assets/graphiql."),
        "GraphiQL is not loaded by the page itself: {page}"
    );
    let (_, plain, raw) = get(&site, &script, None).await;
    assert_eq!(
        header_of(&plain, header::CACHE_CONTROL),
        "public, max-age=31536000, immutable"
    );
    assert!(plain.get(header::CONTENT_ENCODING).is_none());
    assert!(raw.len() > 50_000, "the explorer is embedded");
    for (accept, coding) in [
        ("gzip, deflate, br", "br"),
        ("gzip", "gzip"),
        ("br;q=0, gzip", "gzip"),
    ] {
        let (status, h, body) = get(&site, &script, Some(accept)).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(header_of(&h, header::CONTENT_ENCODING), coding, "{accept}");
        assert_eq!(header_of(&h, header::VARY), "accept-encoding");
        assert_eq!(
            header_of(&h, header::CACHE_CONTROL),
            "public, max-age=31536000, immutable"
        );
        assert!(
            body.len() * 2 < raw.len(),
            "{coding}: {} of {}",
            body.len(),
            raw.len()
        );
        if coding == "gzip" {
            assert_eq!(body[..2], [0x1f, 0x8b], "a gzip stream");
        }
    }
    // The plain name still answers (older pages), revalidated; unknown names are 404.
    let (status, h, body) = get(&site, "/assets/explorer.js", None).await;
    assert_eq!(
        (status, header_of(&h, header::CACHE_CONTROL)),
        (StatusCode::OK, "no-cache")
    );
    assert_eq!(body, raw);
    assert_eq!(
        get(&site, "/assets/nothing.js", None).await.0,
        StatusCode::NOT_FOUND
    );
    // GET /graphiql is the same application, opening the GraphQL editor.
    let (status, _, graphiql) = get(&site, "/graphiql", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(String::from_utf8_lossy(&graphiql).contains("data-start=\"graphiql\""));
}

const WORK: &str = "{ myWork(cycle: 2023) { returned toReview toAccept toSignOff } }";

async fn work(site: &Site, token: &str) -> Json {
    let (r, _) = site.gql(Some(token), WORK, json!({})).await;
    r["data"]["myWork"].clone()
}

fn counts(returned: i64, review: i64, accept: i64, sign: bool) -> Json {
    json!({ "returned": returned, "toReview": review, "toAccept": accept, "toSignOff": sign })
}

async fn step(site: &Site, token: &str, mutation: &str, vars: Json) {
    let (r, _) = site.gql(Some(token), mutation, vars).await;
    assert!(r["errors"].is_null(), "{mutation}: {r}");
}

#[tokio::test(flavor = "multi_thread")]
async fn my_work_counts_what_awaits_each_role() {
    let site = tokio::task::spawn_blocking(setup).await.expect("setup");
    let row = json!({ "teacherNo": "T00001", "org": "全国机械行指委", "post": "委员", "kind": "01", "level": "02", "startYm": "2022-10" });
    site.satisfy_refs("2.15.5", &row);
    for (no, unit, role) in [
        ("c1", "jdgc", "collector"),
        ("h1", "jdgc", "head"),
        ("r1", "jwb", "head"),
        ("q1", "zlb", "quality_admin"),
        ("l1", "zwb", "leader"),
    ] {
        site.account(no, "测试", unit, role, PASSWORD, false);
    }
    let mut t = Vec::new();
    for no in ["c1", "h1", "r1", "q1", "l1"] {
        t.push(site.token(no, PASSWORD).await);
    }
    let [collector, head, reviewer, quality, leader] = [&t[0], &t[1], &t[2], &t[3], &t[4]];
    let nothing = counts(0, 0, 0, false);
    for token in [collector, head, reviewer, quality, leader] {
        assert_eq!(work(&site, token).await, nothing);
    }
    step(
        &site,
        collector,
        "mutation($i: CreateExternalPostInput!) { createExternalPost(input: $i) { id } }",
        json!({ "i": row }),
    )
    .await;
    let submit =
        "mutation { submitTable(cycle: 2023, table: \"2.15.5\", unit: \"jdgc\") { state } }";
    step(&site, head, submit, json!({})).await;
    assert_eq!(
        work(&site, reviewer).await,
        counts(0, 1, 0, false),
        "教务部 reviews it"
    );
    assert_eq!(
        work(&site, head).await,
        nothing,
        "not the own unit's review"
    );
    let review = "mutation($d: ReviewDecision!, $c: String) { reviewTable(cycle: 2023, table: \"2.15.5\", unit: \"jdgc\", decision: $d, comment: $c) { state } }";
    step(
        &site,
        reviewer,
        review,
        json!({ "d": "RETURN", "c": "兼职级别有误" }),
    )
    .await;
    assert_eq!(work(&site, collector).await, counts(1, 0, 0, false));
    assert_eq!(work(&site, head).await, counts(1, 0, 0, false));
    assert_eq!(work(&site, reviewer).await, nothing);
    step(&site, head, submit, json!({})).await;
    step(
        &site,
        reviewer,
        review,
        json!({ "d": "APPROVE", "c": null }),
    )
    .await;
    assert_eq!(
        work(&site, quality).await,
        counts(0, 0, 1, false),
        "质量部 accepts it"
    );
    assert_eq!(work(&site, collector).await, nothing);
    step(
        &site,
        quality,
        "mutation { acceptTable(cycle: 2023, table: \"2.15.5\", unit: \"jdgc\") { state } }",
        json!({}),
    )
    .await;
    assert_eq!(work(&site, quality).await, nothing);
    assert_eq!(work(&site, leader).await, nothing, "nothing published yet");
    step(
        &site,
        quality,
        "mutation { publishIndicators(cycle: 2023) { state } }",
        json!({}),
    )
    .await;
    assert_eq!(work(&site, leader).await, counts(0, 0, 0, true), "待签字");
    assert_eq!(work(&site, collector).await, nothing, "only leaders sign");
    let (r, _) = site.gql(None, WORK, json!({})).await;
    assert_eq!(crate::site::code(&r), "UNAUTHENTICATED", "{r}");
}
