//! The grid's bulk writes through GraphQL over HTTP: a paste checked as a whole (problems by row
//! and field, nothing saved until all are fixed, or only the good rows), `deleteRows` with the
//! gates of a single delete (another unit's rows, a reviewer, a submitted table, the deadline),
//! and two collectors pasting and deleting at once.

use std::sync::Arc;

use serde_json::{json, Value as Json};

use crate::site::{code, setup, Site};

const PASSWORD: &str = "Right#2023";
const PASTE: &str = "mutation($rows: [CreateExternalPostInput!]!, $m: BulkMode, $u: String) { bulkUpsertExternalPost(rows: $rows, mode: $m, unit: $u) { inserted updated skipped message rows { index id isNew saved problems { field message } } } }";
const DELETE: &str =
    "mutation($ids: [ID!]!) { deleteRows(table: \"2.15.5\", ids: $ids) { deleted message } }";
const IDS: &str = "query($u: String!) { externalPosts(cycle: 2023, filter: { unit: { eq: $u } }, first: 1000) { totalCount nodes { id org post kind startYm } } }";

fn post(org: &str, kind: &str) -> Json {
    json!({ "teacherNo": "T00001", "org": org, "post": "委员", "kind": kind, "level": "02", "startYm": "2022-10" })
}

/// A site with a collector and a head of jdgc, a collector of xxgc and a reviewer of 教务部.
async fn site() -> (Arc<Site>, Vec<String>) {
    let site = tokio::task::spawn_blocking(setup).await.expect("setup");
    // The teacher the rows name, so that a head may submit them.
    site.satisfy_refs("2.15.5", &post("学会", "01"));
    let mut tokens = Vec::new();
    for (no, unit, role) in [
        ("c1", "jdgc", "collector"),
        ("c2", "jdgc", "collector"),
        ("h1", "jdgc", "head"),
        ("x1", "xxgc", "collector"),
        ("r1", "jwb", "head"),
    ] {
        site.account(no, "测试", unit, role, PASSWORD, false);
        tokens.push(site.token(no, PASSWORD).await);
    }
    (Arc::new(site), tokens)
}

async fn paste(site: &Site, token: &str, rows: Json, mode: &str) -> Json {
    let (r, _) = site
        .gql(Some(token), PASTE, json!({ "rows": rows, "m": mode }))
        .await;
    r
}

/// The unit's rows of 2.15.5: (id, org).
async fn stored(site: &Site, token: &str, unit: &str) -> Vec<(String, String)> {
    let (r, _) = site.gql(Some(token), IDS, json!({ "u": unit })).await;
    r["data"]["externalPosts"]["nodes"]
        .as_array()
        .unwrap_or_else(|| panic!("list: {r}"))
        .iter()
        .map(|n| {
            let id = n["id"].as_str().unwrap_or_default().to_owned();
            (id, n["org"].as_str().unwrap_or_default().to_owned())
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_paste_is_checked_by_cell_and_saved_all_or_only_the_good_rows() {
    let (site, t) = site().await;
    let rows = json!([
        post("学会甲", "01"),
        post("学会乙", "99"),
        post("学会丙", "01")
    ]);
    let r = paste(&site, &t[0], rows.clone(), "CHECK").await;
    let result = &r["data"]["bulkUpsertExternalPost"];
    assert_eq!(result["rows"][1]["problems"][0]["field"], "kind", "{r}");
    assert!(
        result["rows"][0]["problems"]
            .as_array()
            .is_some_and(Vec::is_empty),
        "{r}"
    );
    assert_eq!(result["rows"][0]["isNew"], true);
    assert!(
        stored(&site, &t[0], "jdgc").await.is_empty(),
        "a check writes nothing"
    );
    let r = paste(&site, &t[0], rows.clone(), "ALL").await;
    let result = &r["data"]["bulkUpsertExternalPost"];
    assert_eq!(
        (result["inserted"].as_i64(), result["skipped"].as_i64()),
        (Some(0), Some(3)),
        "{r}"
    );
    assert!(
        result["message"]
            .as_str()
            .is_some_and(|m| m.contains("未保存任何行")),
        "{r}"
    );
    assert!(
        stored(&site, &t[0], "jdgc").await.is_empty(),
        "nothing until all are fixed"
    );
    let r = paste(&site, &t[0], rows, "VALID").await;
    let result = &r["data"]["bulkUpsertExternalPost"];
    assert_eq!(
        (result["inserted"].as_i64(), result["skipped"].as_i64()),
        (Some(2), Some(1)),
        "{r}"
    );
    assert_eq!(result["rows"][1]["saved"], false);
    assert_eq!(stored(&site, &t[0], "jdgc").await.len(), 2);
    // The same key again changes the row (a paste of a few columns keeps the others).
    let change = json!([{ "teacherNo": "T00001", "org": "学会甲", "post": "委员", "kind": "02" }]);
    let r = paste(&site, &t[0], change, "ALL").await;
    let result = &r["data"]["bulkUpsertExternalPost"];
    assert_eq!(
        (result["inserted"].as_i64(), result["updated"].as_i64()),
        (Some(0), Some(1)),
        "{r}"
    );
    assert_eq!(result["rows"][0]["isNew"], false, "{r}");
    // Two pasted rows with one key: the second is named, nothing is saved.
    let twice = json!([post("学会丁", "01"), post("学会丁", "02")]);
    let r = paste(&site, &t[0], twice, "ALL").await;
    let problem = &r["data"]["bulkUpsertExternalPost"]["rows"][1]["problems"][0]["message"];
    assert!(
        problem.as_str().is_some_and(|m| m.contains("第 1 行")),
        "{r}"
    );
    // Without a mode the bulk upsert keeps its contract: any problem is an error.
    let r = site
        .gql(
            Some(&t[0]),
            PASTE,
            json!({ "rows": [post("学会戊", "99")] }),
        )
        .await
        .0;
    assert_eq!(code(&r), "VALIDATION_FAILED", "{r}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_paste_into_a_submitted_table_or_by_a_reviewer_is_refused() {
    let (site, t) = site().await;
    let r = paste(&site, &t[4], json!([post("学会甲", "01")]), "CHECK").await;
    assert_eq!(code(&r), "FORBIDDEN", "a reviewer does not fill: {r}");
    let r = site
        .gql(
            Some(&t[3]),
            PASTE,
            json!({ "rows": [post("学会甲", "01")], "m": "ALL", "u": "jdgc" }),
        )
        .await
        .0;
    assert_eq!(code(&r), "FORBIDDEN", "another unit: {r}");
    paste(&site, &t[0], json!([post("学会甲", "01")]), "ALL").await;
    submit(&site, &t[2]).await;
    let r = paste(&site, &t[0], json!([post("学会乙", "01")]), "VALID").await;
    assert_eq!(code(&r), "LOCKED", "{r}");
}

async fn submit(site: &Site, head: &str) {
    let q = "mutation { submitTable(cycle: 2023, table: \"2.15.5\", unit: \"jdgc\") { state } }";
    let r = site.gql(Some(head), q, json!({})).await.0;
    assert_eq!(r["data"]["submitTable"]["state"], "submitted", "{r}");
}

/// Pastes `n` rows named `prefix…` for jdgc; returns their ids.
async fn seed(site: &Site, token: &str, prefix: &str, n: usize) -> Vec<String> {
    let rows: Vec<Json> = (0..n)
        .map(|i| post(&format!("{prefix}{i}"), "01"))
        .collect();
    let r = paste(site, token, json!(rows), "ALL").await;
    r["data"]["bulkUpsertExternalPost"]["rows"]
        .as_array()
        .unwrap_or_else(|| panic!("seed: {r}"))
        .iter()
        .map(|row| row["id"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn deleting_many_rows_takes_the_gates_of_one_delete() {
    let (site, t) = site().await;
    let ids = seed(&site, &t[0], "学会", 5).await;
    let other = seed(&site, &t[3], "协会", 1).await;
    for (who, ids, why, want) in [
        (&t[4], ids.clone(), "a reviewer", "FORBIDDEN"),
        (&t[3], ids.clone(), "another unit's rows", "NOT_FOUND"),
        (
            &t[0],
            [ids.clone(), other.clone()].concat(),
            "one row of another unit",
            "NOT_FOUND",
        ),
    ] {
        let r = site.gql(Some(who), DELETE, json!({ "ids": ids })).await.0;
        assert_eq!(code(&r), want, "{why}: {r}");
        assert!(
            r["errors"][0]["message"]
                .as_str()
                .is_some_and(|m| m.contains("未删除任何行") || want == "FORBIDDEN"),
            "{r}"
        );
    }
    assert_eq!(stored(&site, &t[0], "jdgc").await.len(), 5, "all or none");
    let r = site
        .gql(Some(&t[0]), DELETE, json!({ "ids": &ids[..2] }))
        .await
        .0;
    assert_eq!(r["data"]["deleteRows"]["deleted"], 2, "{r}");
    assert_eq!(
        r["data"]["deleteRows"]["message"],
        "已删除“2.15.5 社会兼职”的 2 行"
    );
    submit(&site, &t[2]).await;
    let r = site
        .gql(Some(&t[0]), DELETE, json!({ "ids": &ids[2..] }))
        .await
        .0;
    assert_eq!(code(&r), "LOCKED", "a submitted table: {r}");
    assert_eq!(stored(&site, &t[0], "jdgc").await.len(), 3);
    // After the deadline (xxgc's table is still a draft): refused as well.
    site.advance(30 * 24 * 60);
    let x1 = site.token("x1", PASSWORD).await;
    let r = site.gql(Some(&x1), DELETE, json!({ "ids": other })).await.0;
    assert_eq!(code(&r), "DEADLINE_PASSED", "{r}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_collectors_pasting_and_deleting_at_once_lose_nothing() {
    let (site, t) = site().await;
    for round in 0..6 {
        let old = seed(&site, &t[0], &format!("旧{round}-"), 10).await;
        let before = stored(&site, &t[0], "jdgc").await.len();
        // One pastes new rows and changes of the rows the other deletes; both pastes bring the
        // same new keys, so they race on inserting them.
        let pasting = |token: String, kind: &'static str| {
            let site = site.clone();
            tokio::spawn(async move {
                let rows: Vec<Json> = (0..10)
                    .map(|i| post(&format!("新{round}-{i}"), kind))
                    .collect();
                paste(&site, &token, json!(rows), "ALL").await
            })
        };
        let (a, b) = (pasting(t[0].clone(), "01"), pasting(t[1].clone(), "02"));
        let deleting = {
            let (site, token, old) = (site.clone(), t[1].clone(), old.clone());
            tokio::spawn(async move {
                site.gql(Some(&token), DELETE, json!({ "ids": old }))
                    .await
                    .0
            })
        };
        let (a, b, d) = (
            a.await.expect("a"),
            b.await.expect("b"),
            deleting.await.expect("d"),
        );
        assert_eq!(d["data"]["deleteRows"]["deleted"], 10, "{d}");
        let counts = |r: &Json| {
            let x = &r["data"]["bulkUpsertExternalPost"];
            (
                x["inserted"].as_i64().unwrap_or(-1),
                x["updated"].as_i64().unwrap_or(-1),
            )
        };
        let mut both = [counts(&a), counts(&b)];
        both.sort_unstable();
        assert_eq!(
            both,
            [(0, 10), (10, 0)],
            "one inserts, the other updates: {a} {b}"
        );
        let after = stored(&site, &t[0], "jdgc").await;
        assert_eq!(after.len(), before, "10 deleted, 10 added: {after:?}");
        assert!(
            !after.iter().any(|(id, _)| old.contains(id)),
            "the deleted rows are gone"
        );
        let (r, _) = site.gql(Some(&t[0]), IDS, json!({ "u": "jdgc" })).await;
        for n in r["data"]["externalPosts"]["nodes"]
            .as_array()
            .into_iter()
            .flatten()
        {
            assert!(
                n["kind"].is_string() && n["startYm"].is_string(),
                "a whole row: {n}"
            );
        }
    }
}
