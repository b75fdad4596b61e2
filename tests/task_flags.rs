//! What 我的任务 and the page decide from a progress entry, as the server judges it: `toReview`
//! for a table awaiting the caller's review (a unit's own table included, where it reviews it
//! itself), `editable` and `openUntil` for a table 质量部 opened past its lock; and an unknown
//! cycle refused rather than listed as 90 drafts.

use serde_json::{json, Value as Json};

use crate::site::{code, setup, Site};

const PASSWORD: &str = "Right#2023";
const TASKS: &str = "{ myTasks(cycle: 2023) { table unit state editable openUntil toReview } }";

/// The caller's entry of (`table`, `unit`) in 我的任务, or `Null` when it lists none.
async fn task(site: &Site, token: &str, table: &str, unit: &str) -> Json {
    let (r, _) = site.gql(Some(token), TASKS, json!({})).await;
    assert!(r["errors"].is_null(), "{r}");
    r["data"]["myTasks"]
        .as_array()
        .expect("list")
        .iter()
        .find(|t| t["table"] == table && t["unit"] == unit)
        .cloned()
        .unwrap_or(Json::Null)
}

async fn ok(site: &Site, token: &str, query: &str, vars: Json) -> Json {
    let (r, _) = site.gql(Some(token), query, vars).await;
    assert!(r["errors"].is_null(), "{query}: {r}");
    r["data"].clone()
}

async fn to_review(site: &Site, token: &str) -> i64 {
    let d = ok(
        site,
        token,
        "{ myWork(cycle: 2023) { toReview } }",
        json!({}),
    )
    .await;
    d["myWork"]["toReview"].as_i64().expect("count")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_unit_that_reviews_its_own_table_is_asked_to_review_it() {
    let site = tokio::task::spawn_blocking(setup).await.expect("setup");
    site.account("h1", "测试", "tsg", "head", PASSWORD, false);
    site.account("c9", "测试", "tsg", "collector", PASSWORD, false);
    let head = site.token("h1", PASSWORD).await;
    let collector = site.token("c9", PASSWORD).await;
    // 1.1.6 is filled and reviewed by 图书馆 alone.
    ok(
        &site,
        &collector,
        "mutation($i: CreateLibraryHoldingInput!) { createLibraryHolding(input: $i) { id } }",
        json!({ "i": { "paperBooks": 420000, "newBooks": 12000, "paperJournals": 300, "ebooks": 150000, "readingSeats": 1200 } }),
    )
    .await;
    let before = task(&site, &head, "1.1.6", "tsg").await;
    assert_eq!(before["toReview"], false, "{before}");
    assert_eq!(before["editable"], true, "{before}");
    ok(
        &site,
        &head,
        "mutation { submitTable(cycle: 2023, table: \"1.1.6\", unit: \"tsg\", explanation: \"已核对\") { state } }",
        json!({}),
    )
    .await;
    let waiting = task(&site, &head, "1.1.6", "tsg").await;
    assert_eq!(waiting["state"], "submitted");
    assert_eq!(waiting["toReview"], true, "{waiting}");
    assert_eq!(waiting["editable"], false, "{waiting}");
    assert_eq!(to_review(&site, &head).await, 1, "the badge counts it");
    // A collector of the same unit fills, never reviews.
    assert_eq!(
        task(&site, &collector, "1.1.6", "tsg").await["toReview"],
        false
    );
    assert_eq!(to_review(&site, &collector).await, 0);
    ok(
        &site,
        &head,
        "mutation { reviewTable(cycle: 2023, table: \"1.1.6\", unit: \"tsg\", decision: APPROVE) { state } }",
        json!({}),
    )
    .await;
    let done = task(&site, &head, "1.1.6", "tsg").await;
    assert_eq!(
        (done["state"].as_str(), done["toReview"].as_bool()),
        (Some("approved"), Some(false))
    );
    assert_eq!(to_review(&site, &head).await, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_lock_exception_makes_the_table_editable_until_its_day_ends() {
    let site = tokio::task::spawn_blocking(setup).await.expect("setup");
    let row = json!({ "teacherNo": "T00001", "org": "全国机械行指委", "post": "委员", "kind": "01", "level": "02", "startYm": "2022-10" });
    site.satisfy_refs("2.15.5", &row);
    site.account("c1", "测试", "jdgc", "collector", PASSWORD, false);
    site.account("h1", "测试", "jdgc", "head", PASSWORD, false);
    site.account("q1", "测试", "zlb", "quality_admin", PASSWORD, false);
    let collector = site.token("c1", PASSWORD).await;
    let head = site.token("h1", PASSWORD).await;
    let quality = site.token("q1", PASSWORD).await;
    let create = "mutation($i: CreateExternalPostInput!) { createExternalPost(input: $i) { id } }";
    ok(&site, &collector, create, json!({ "i": row })).await;
    ok(
        &site,
        &head,
        "mutation { submitTable(cycle: 2023, table: \"2.15.5\", unit: \"jdgc\") { state } }",
        json!({}),
    )
    .await;
    let locked = task(&site, &collector, "2.15.5", "jdgc").await;
    assert_eq!(
        (locked["editable"].as_bool(), &locked["openUntil"]),
        (Some(false), &Json::Null)
    );
    let other = json!({ "i": { "teacherNo": "T00001", "org": "全国电子行指委", "post": "委员", "kind": "01", "level": "02", "startYm": "2022-11" } });
    let (r, _) = site.gql(Some(&collector), create, other.clone()).await;
    assert_eq!(code(&r), "LOCKED", "{r}");

    let until = (statusdata::workflow::progress::today(chrono::Utc::now())
        + chrono::Duration::days(2))
    .to_string();
    ok(
        &site,
        &quality,
        "mutation($u: Date!) { grantLockException(cycle: 2023, table: \"2.15.5\", unit: \"jdgc\", until: $u, reason: \"补录一条兼职\") }",
        json!({ "u": until }),
    )
    .await;
    let open = task(&site, &collector, "2.15.5", "jdgc").await;
    assert_eq!(open["editable"], true, "{open}");
    assert_eq!(open["openUntil"], until.as_str(), "{open}");
    assert_eq!(
        open["state"], "submitted",
        "the state stays; only the lock opens"
    );
    ok(&site, &collector, create, other).await;

    // Three days on, the exception has ended and the table is locked again.
    site.advance(3 * 24 * 60);
    let collector = site.token("c1", PASSWORD).await; // the session ended meanwhile
    let again = task(&site, &collector, "2.15.5", "jdgc").await;
    assert_eq!(
        (again["editable"].as_bool(), &again["openUntil"]),
        (Some(false), &Json::Null)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_cycle_is_refused_not_listed_as_drafts() {
    let site = tokio::task::spawn_blocking(setup).await.expect("setup");
    site.account("q1", "测试", "zlb", "quality_admin", PASSWORD, false);
    let quality = site.token("q1", PASSWORD).await;
    for query in [
        "{ progress(cycle: 1999) { table } }",
        "{ myTasks(cycle: 1999) { table } }",
        "{ progressSummary(cycle: 0) { onTimeRate } }",
        "{ bulletin(cycle: 1999) }",
    ] {
        let (r, _) = site.gql(Some(&quality), query, json!({})).await;
        assert_eq!(code(&r), "NOT_FOUND", "{query}: {r}");
        let message = r["errors"][0]["message"].as_str().unwrap_or("");
        assert!(message.contains("年的采集周期"), "{query}: {message}");
    }
}
