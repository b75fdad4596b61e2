//! The collection workflow through GraphQL: submit, review, accept, reopen; locks, deadlines and
//! exceptions; progress, bulletin and to-do lists.

use serde_json::{json, Value as Json};

use crate::site::{code, setup, Site};

const PASSWORD: &str = "Right#2023";

/// A valid 2.15.5 社会兼职 row (filled by 各院系, reviewed by 教务部).
fn post(org: &str) -> Json {
    json!({ "teacherNo": "T00001", "org": org, "post": "委员", "kind": "01", "level": "02", "startYm": "2022-10" })
}

async fn people(site: &Site) -> (String, String, String, String, String) {
    for (no, unit, role) in [
        ("c1", "jdgc", "collector"),
        ("h1", "jdgc", "head"),
        ("r1", "jwb", "head"),
        ("q1", "zlb", "quality_admin"),
        ("q2", "zlb", "head"),
    ] {
        site.account(no, "测试", unit, role, PASSWORD, false);
    }
    (
        site.token("c1", PASSWORD).await,
        site.token("h1", PASSWORD).await,
        site.token("r1", PASSWORD).await,
        site.token("q1", PASSWORD).await,
        site.token("q2", PASSWORD).await,
    )
}

async fn submit(site: &Site, token: &str, table: &str, unit: &str) -> Json {
    site.gql(Some(token), "mutation($t: String!, $u: String!) { submitTable(cycle: 2023, table: $t, unit: $u) { state } }", json!({ "t": table, "u": unit })).await.0
}

async fn review(
    site: &Site,
    token: &str,
    table: &str,
    unit: &str,
    decision: &str,
    comment: Option<&str>,
) -> Json {
    site.gql(Some(token), "mutation($t: String!, $u: String!, $d: ReviewDecision!, $c: String) { reviewTable(cycle: 2023, table: $t, unit: $u, decision: $d, comment: $c) { state comment approvedBy } }", json!({ "t": table, "u": unit, "d": decision, "c": comment })).await.0
}

#[tokio::test(flavor = "multi_thread")]
async fn a_table_goes_from_draft_to_accepted_and_back() {
    let site = tokio::task::spawn_blocking(setup).await.expect("setup");
    let (collector, head, reviewer, quality, _) = people(&site).await;
    let create = "mutation($i: CreateExternalPostInput!) { createExternalPost(input: $i) { id rowVersion } }";
    let (r, _) = site
        .gql(
            Some(&collector),
            create,
            json!({ "i": post("全国机械行指委") }),
        )
        .await;
    let id = r["data"]["createExternalPost"]["id"].clone();
    assert!(id.is_string(), "{r}");
    assert_eq!(
        code(&submit(&site, &collector, "2.15.5", "jdgc").await),
        "FORBIDDEN",
        "a collector does not submit"
    );
    assert_eq!(
        submit(&site, &head, "2.15.5", "jdgc").await["data"]["submitTable"]["state"],
        "submitted"
    );
    let (r, _) = site
        .gql(Some(&collector), create, json!({ "i": post("省学会") }))
        .await;
    assert_eq!(code(&r), "LOCKED", "no edits once submitted: {r}");
    assert_eq!(
        code(&review(&site, &reviewer, "2.15.5", "jdgc", "RETURN", None).await),
        "BAD_REQUEST",
        "a return needs a reason"
    );
    let r = review(
        &site,
        &reviewer,
        "2.15.5",
        "jdgc",
        "RETURN",
        Some("兼职级别有误"),
    )
    .await;
    assert_eq!(r["data"]["reviewTable"]["state"], "returned", "{r}");
    let (r, _) = site.gql(Some(&collector), "mutation($id: ID!) { updateExternalPost(id: $id, rowVersion: 1, patch: { level: \"03\" }) { rowVersion } }", json!({ "id": id })).await;
    assert_eq!(
        r["data"]["updateExternalPost"]["rowVersion"], 2,
        "editable again after a return: {r}"
    );
    let (tasks, _) = site
        .gql(
            Some(&collector),
            "{ myTasks(cycle: 2023) { table state comment } }",
            json!({}),
        )
        .await;
    assert!(
        tasks["data"]["myTasks"].as_array().is_some_and(|t| t
            .iter()
            .any(|x| x["table"] == "2.15.5" && x["comment"] == "兼职级别有误")),
        "{tasks}"
    );
    submit(&site, &head, "2.15.5", "jdgc").await;
    assert_eq!(
        review(&site, &reviewer, "2.15.5", "jdgc", "APPROVE", None).await["data"]["reviewTable"]
            ["state"],
        "approved"
    );
    let accept =
        "mutation { acceptTable(cycle: 2023, table: \"2.15.5\", unit: \"jdgc\") { state } }";
    assert_eq!(
        code(&site.gql(Some(&reviewer), accept, json!({})).await.0),
        "FORBIDDEN"
    );
    assert_eq!(
        site.gql(Some(&quality), accept, json!({})).await.0["data"]["acceptTable"]["state"],
        "accepted"
    );
    let reopen = "mutation { reopenTable(cycle: 2023, table: \"2.15.5\", unit: \"jdgc\", reason: \"核心数据需调整\") { state comment } }";
    let (r, _) = site.gql(Some(&quality), reopen, json!({})).await;
    assert_eq!(
        r["data"]["reopenTable"],
        json!({ "state": "returned", "comment": "核心数据需调整" })
    );
    let log = site.db.store.audit_log("2.15.5", None).expect("audit");
    assert_eq!(
        log.iter().filter(|e| e.operation == "workflow").count(),
        6,
        "every step audited, refused ones not"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_table_with_two_reviewers_needs_both() {
    let site = tokio::task::spawn_blocking(setup).await.expect("setup");
    let (_, head, reviewer, _, quality_head) = people(&site).await;
    assert_eq!(
        submit(&site, &head, "2.15.2", "jdgc").await["data"]["submitTable"]["state"],
        "submitted"
    );
    let r = review(&site, &reviewer, "2.15.2", "jdgc", "APPROVE", None).await;
    assert_eq!(
        r["data"]["reviewTable"]["state"], "submitted",
        "教务部 alone is not enough: {r}"
    );
    let r = review(&site, &quality_head, "2.15.2", "jdgc", "APPROVE", None).await;
    assert_eq!(r["data"]["reviewTable"]["state"], "approved", "{r}");
    assert_eq!(
        r["data"]["reviewTable"]["approvedBy"],
        json!(["jwb", "zlb"])
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn rows_with_errors_cannot_be_submitted() {
    let site = tokio::task::spawn_blocking(setup).await.expect("setup");
    let (_, head, _, _, _) = people(&site).await;
    let mut unit_row = serde_json::Map::new();
    unit_row.insert("unit".into(), json!("jdgc"));
    // A row with a missing required field, written below the API (as an import error would be).
    let table = site.db.store.table("2.15.5").expect("table").clone();
    let rec = [(
        "teacher_no".to_owned(),
        statusdata::store::Value::Text("T1".into()),
    )]
    .into_iter()
    .collect();
    site.db
        .store
        .insert(
            &table,
            &statusdata::store::RowScope::All,
            &statusdata::store::WriteCtx {
                cycle: 2023,
                unit: "jdgc".into(),
                actor: "t".into(),
            },
            &rec,
        )
        .expect("insert");
    let r = submit(&site, &head, "2.15.5", "jdgc").await;
    assert_eq!(code(&r), "VALIDATION_FAILED", "{r}");
    assert!(
        r["errors"][0]["extensions"]["problems"]
            .as_array()
            .is_some_and(|p| p
                .iter()
                .any(|x| x["field"] == "org" && x["rule"] == "required")),
        "{r}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_deadline_locks_edits_unless_the_quality_office_allows_them() {
    let site = tokio::task::spawn_blocking(setup).await.expect("setup");
    people(&site).await;
    site.advance(30 * 24 * 60);
    let (collector, quality) = (
        site.token("c1", PASSWORD).await,
        site.token("q1", PASSWORD).await,
    );
    let create = "mutation($i: CreateExternalPostInput!) { createExternalPost(input: $i) { id } }";
    let (r, _) = site
        .gql(Some(&collector), create, json!({ "i": post("学会") }))
        .await;
    assert_eq!(code(&r), "DEADLINE_PASSED", "{r}");
    let grant = "mutation($d: Date!) { grantLockException(cycle: 2023, table: \"2.15.5\", unit: \"jdgc\", until: $d, reason: \"补录\") }";
    let until = (chrono::Utc::now() + chrono::Duration::days(31))
        .format("%Y-%m-%d")
        .to_string();
    assert_eq!(
        code(
            &site
                .gql(Some(&collector), grant, json!({ "d": until }))
                .await
                .0
        ),
        "FORBIDDEN"
    );
    assert_eq!(
        site.gql(Some(&quality), grant, json!({ "d": until }))
            .await
            .0["data"]["grantLockException"],
        true
    );
    let (r, _) = site
        .gql(Some(&collector), create, json!({ "i": post("学会") }))
        .await;
    assert!(
        r["data"]["createExternalPost"]["id"].is_string(),
        "the exception opens it: {r}"
    );
    let (r, _) = site
        .gql(
            Some(&quality),
            "{ bulletin(cycle: 2023) progress(cycle: 2023) { table unit overdue state } }",
            json!({}),
        )
        .await;
    let bulletin = r["data"]["bulletin"].as_str().unwrap_or_default();
    assert!(
        bulletin.starts_with("截至")
            && bulletin.contains("项填报任务已提交 0 项")
            && bulletin.contains("逾期未提交"),
        "{bulletin}"
    );
    let progress = r["data"]["progress"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        progress.len() >= 90 && progress.iter().all(|p| p["overdue"] == true),
        "everything is late after the deadline"
    );
}
