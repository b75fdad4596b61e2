//! The reviewer's help (issue 25 item 5): after a return, `reviewHelp` lists exactly the rows
//! the unit added, changed and deleted since, with the reason; comments on rows are kept,
//! audited, shown to the unit and closed by it, and out of reach of other units; two reviewers
//! commenting at once both land.

use std::sync::Arc;

use serde_json::{json, Value as Json};

use crate::site::{code, setup, Site};

const PASSWORD: &str = "Right#2023";

fn post(org: &str, level: &str) -> Json {
    json!({ "teacherNo": "T00001", "org": org, "post": "委员", "kind": "01", "level": level, "startYm": "2022-10" })
}

/// c1, h1 (机电, fills 2.15.5), r1 (教务部 head, reviews it), q1 (质量部), c2 (信息, another
/// unit's collector).
async fn people(site: &Site) -> Vec<String> {
    site.satisfy_refs("2.15.5", &post("", "02"));
    let mut tokens = Vec::new();
    for (no, name, unit, role) in [
        ("c1", "李采集", "jdgc", "collector"),
        ("h1", "王主任", "jdgc", "head"),
        ("r1", "赵审核", "jwb", "head"),
        ("q1", "钱质量", "zlb", "quality_admin"),
        ("c2", "孙采集", "xxgc", "collector"),
    ] {
        site.account(no, name, unit, role, PASSWORD, false);
        tokens.push(site.token(no, PASSWORD).await);
    }
    tokens
}

async fn create(site: &Site, token: &str, org: &str) -> (String, i64) {
    let q = "mutation($i: CreateExternalPostInput!) { createExternalPost(input: $i) { id rowVersion } }";
    let (r, _) = site
        .gql(Some(token), q, json!({ "i": post(org, "02") }))
        .await;
    let row = &r["data"]["createExternalPost"];
    let id = row["id"].as_str().unwrap_or_else(|| panic!("{r}"));
    (id.to_owned(), row["rowVersion"].as_i64().unwrap_or(1))
}

async fn update(site: &Site, token: &str, (id, version): &(String, i64), patch: Json) -> i64 {
    let q = "mutation($id: ID!, $v: Int!, $p: UpdateExternalPostInput!) { updateExternalPost(id: $id, rowVersion: $v, patch: $p) { rowVersion } }";
    let (r, _) = site
        .gql(
            Some(token),
            q,
            json!({ "id": id, "v": version, "p": patch }),
        )
        .await;
    r["data"]["updateExternalPost"]["rowVersion"]
        .as_i64()
        .unwrap_or_else(|| panic!("{r}"))
}

async fn delete(site: &Site, token: &str, id: &str) {
    let q = "mutation($id: ID!) { deleteExternalPost(id: $id) }";
    let (r, _) = site.gql(Some(token), q, json!({ "id": id })).await;
    assert!(r["errors"].is_null(), "{r}");
}

async fn step(site: &Site, token: &str, mutation: &str) -> Json {
    site.gql(Some(token), mutation, json!({})).await.0
}

const SUBMIT: &str = "mutation { submitTable(cycle: 2023, table: \"2.15.5\", unit: \"jdgc\", explanation: \"已核对\") { state } }";
const RETURN: &str = "mutation { reviewTable(cycle: 2023, table: \"2.15.5\", unit: \"机电工程学院\", decision: RETURN, comment: \"级别填错，请核对\") { state } }";
const HELP: &str = "{ reviewHelp(cycle: 2023, table: \"2.15.5\", unit: \"jdgc\") { returned { at byName reason } note changes { rowId kind label fields { label before after } } } }";

/// A table filled, submitted and returned with a reason; the rows (a, b, c) as created.
async fn returned(site: &Site, t: &[String]) -> Vec<(String, i64)> {
    let mut rows = Vec::new();
    for org in ["甲学会", "乙学会", "丙学会"] {
        rows.push(create(site, &t[0], org).await);
    }
    assert_eq!(
        step(site, &t[1], SUBMIT).await["data"]["submitTable"]["state"],
        "submitted"
    );
    let r = step(site, &t[2], RETURN).await;
    assert_eq!(r["data"]["reviewTable"]["state"], "returned", "{r}");
    rows
}

#[tokio::test(flavor = "multi_thread")]
async fn the_diff_since_a_return_lists_what_the_unit_added_changed_and_deleted() {
    let site = tokio::task::spawn_blocking(setup).await.expect("setup");
    let t = people(&site).await;
    let (r, _) = site.gql(Some(&t[2]), HELP, json!({})).await;
    assert!(
        r["data"]["reviewHelp"]["returned"].is_null(),
        "never returned: {r}"
    );
    let rows = returned(&site, &t).await;
    // After the return: one row added, one changed, one deleted; one added and deleted again
    // and one changed and changed back leave no trace.
    let (d, _) = create(&site, &t[0], "丁学会").await;
    let a = update(&site, &t[0], &rows[0], json!({ "level": "03" })).await;
    update(
        &site,
        &t[0],
        &(rows[0].0.clone(), a),
        json!({ "post": "副主任" }),
    )
    .await;
    delete(&site, &t[0], &rows[1].0).await;
    let (e, _) = create(&site, &t[0], "戊学会").await;
    delete(&site, &t[0], &e).await;
    let c = update(&site, &t[0], &rows[2], json!({ "post": "理事" })).await;
    update(
        &site,
        &t[0],
        &(rows[2].0.clone(), c),
        json!({ "post": "委员" }),
    )
    .await;

    let (r, _) = site.gql(Some(&t[2]), HELP, json!({})).await;
    let help = &r["data"]["reviewHelp"];
    assert_eq!(help["returned"]["reason"], "级别填错，请核对", "{r}");
    assert_eq!(help["returned"]["byName"], "赵审核");
    let changes = help["changes"].as_array().expect("changes");
    let kinds: Vec<(&str, &str)> = changes
        .iter()
        .map(|c| {
            (
                c["rowId"].as_str().unwrap_or(""),
                c["kind"].as_str().unwrap_or(""),
            )
        })
        .collect();
    let mut want = vec![
        (rows[0].0.as_str(), "changed"),
        (rows[1].0.as_str(), "deleted"),
        (d.as_str(), "added"),
    ];
    want.sort_by_key(|(id, _)| id.parse::<i64>().unwrap_or(0));
    assert_eq!(kinds, want, "{r}");
    let changed = &changes[0];
    assert_eq!(changed["label"], "T00001 甲学会 副主任");
    assert_eq!(
        changed["fields"],
        json!([
            { "label": "兼职职务", "before": "委员", "after": "副主任" },
            { "label": "级别", "before": "国家级", "after": "省部级" },
        ]),
        "field by field, by label, code names: {r}"
    );
    // The head's note of the resubmission comes with it; the diff still counts from the return.
    assert_eq!(
        step(&site, &t[1], SUBMIT).await["data"]["submitTable"]["state"],
        "submitted"
    );
    let (r, _) = site.gql(Some(&t[2]), HELP, json!({})).await;
    assert_eq!(r["data"]["reviewHelp"]["note"], "已核对", "{r}");
    assert_eq!(
        r["data"]["reviewHelp"]["changes"].as_array().map(Vec::len),
        Some(3)
    );
    // Another unit's collector reads neither.
    let (r, _) = site.gql(Some(&t[4]), HELP, json!({})).await;
    assert_eq!(code(&r), "FORBIDDEN", "{r}");
}

const COMMENTS: &str = "{ rowComments(cycle: 2023, table: \"2.15.5\", unit: \"jdgc\") { id rowId rowRef authorName authorUnitName body resolvedAt resolvedByName reply } }";
const ADD: &str = "mutation($r: ID!, $b: String!) { addRowComment(cycle: 2023, table: \"2.15.5\", unit: \"jdgc\", rowId: $r, body: $b) { id rowRef authorName } }";
const RESOLVE: &str = "mutation($id: ID!, $reply: String) { resolveRowComment(id: $id, reply: $reply) { resolvedAt resolvedByName reply } }";

#[tokio::test(flavor = "multi_thread")]
async fn comments_reach_the_unit_and_no_other_unit() {
    let site = tokio::task::spawn_blocking(setup).await.expect("setup");
    let t = people(&site).await;
    let rows = returned(&site, &t).await;
    let row = json!({ "r": rows[0].0, "b": "级别应为省部级" });
    let (r, _) = site.gql(Some(&t[2]), ADD, row.clone()).await;
    let id = r["data"]["addRowComment"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{r}"))
        .to_owned();
    assert_eq!(r["data"]["addRowComment"]["rowRef"], "T00001 甲学会 委员");
    // Neither the unit's collector nor another unit's writes one; the other unit reads none.
    for who in [&t[0], &t[4]] {
        assert_eq!(
            code(&site.gql(Some(who), ADD, row.clone()).await.0),
            "FORBIDDEN"
        );
    }
    assert_eq!(
        code(&site.gql(Some(&t[4]), COMMENTS, json!({})).await.0),
        "FORBIDDEN"
    );
    let other = "{ rowComments(cycle: 2023, unit: \"jdgc\") { id } }";
    assert_eq!(
        code(&site.gql(Some(&t[4]), other, json!({})).await.0),
        "FORBIDDEN"
    );
    let resolve = json!({ "id": id, "reply": "不是我们的" });
    assert_eq!(
        code(&site.gql(Some(&t[4]), RESOLVE, resolve).await.0),
        "FORBIDDEN"
    );
    // The unit reads it (for one table and for all its tables) and resolves it with a reply.
    let (r, _) = site.gql(Some(&t[0]), COMMENTS, json!({})).await;
    let list = r["data"]["rowComments"].as_array().expect("list");
    assert_eq!(list.len(), 1, "{r}");
    assert_eq!(list[0]["body"], "级别应为省部级");
    assert_eq!(
        (
            list[0]["authorName"].as_str(),
            list[0]["authorUnitName"].as_str()
        ),
        (Some("赵审核"), Some("教务部"))
    );
    let (r, _) = site.gql(Some(&t[0]), other, json!({})).await;
    assert_eq!(
        r["data"]["rowComments"].as_array().map(Vec::len),
        Some(1),
        "{r}"
    );
    let (r, _) = site
        .gql(
            Some(&t[0]),
            RESOLVE,
            json!({ "id": id, "reply": "已改为省部级" }),
        )
        .await;
    assert_eq!(
        r["data"]["resolveRowComment"]["resolvedByName"], "李采集",
        "{r}"
    );
    assert_eq!(r["data"]["resolveRowComment"]["reply"], "已改为省部级");
    let again = site.gql(Some(&t[1]), RESOLVE, json!({ "id": id })).await.0;
    assert_eq!(code(&again), "CONFLICT", "resolved once: {again}");
    let log = site.db.store.audit_log("2.15.5", None).expect("audit");
    let ops: Vec<&str> = log
        .iter()
        .map(|e| e.operation.as_str())
        .filter(|o| o.starts_with("comment"))
        .collect();
    assert_eq!(ops, ["comment", "comment_resolve"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_reviewers_commenting_at_once_both_land_audited() {
    let site = Arc::new(tokio::task::spawn_blocking(setup).await.expect("setup"));
    let t = people(&site).await;
    let rows = returned(&site, &t).await;
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            // 教务部's head and 质量部, alternately, on the same row.
            let (site, token, row) = (
                site.clone(),
                t[if i % 2 == 0 { 2 } else { 3 }].clone(),
                rows[0].0.clone(),
            );
            tokio::spawn(async move {
                site.gql(
                    Some(&token),
                    ADD,
                    json!({ "r": row, "b": format!("意见 {i}") }),
                )
                .await
                .0
            })
        })
        .collect();
    for task in tasks {
        let r = task.await.expect("task");
        assert!(r["data"]["addRowComment"]["id"].is_string(), "{r}");
    }
    let (r, _) = site.gql(Some(&t[0]), COMMENTS, json!({})).await;
    let mut bodies: Vec<String> = r["data"]["rowComments"]
        .as_array()
        .expect("list")
        .iter()
        .map(|c| c["body"].as_str().unwrap_or("").to_owned())
        .collect();
    bodies.sort();
    assert_eq!(
        bodies,
        (0..8).map(|i| format!("意见 {i}")).collect::<Vec<_>>()
    );
    let log = site.db.store.audit_log("2.15.5", None).expect("audit");
    assert_eq!(log.iter().filter(|e| e.operation == "comment").count(), 8);
}
