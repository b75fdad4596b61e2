//! Careless input that must not cost data or accounts: an empty file does not replace a unit's
//! rows unless asked, a dry run says what a replace would delete, a changed password ends the
//! other sessions, and guessing the old password locks the account like failed logins.

use axum::http::StatusCode;
use serde_json::{json, Value as Json};

use crate::concurrency::workbook;
use crate::excel_import::upload_raw;
use crate::site::{code, setup};

const PASSWORD: &str = "Right#2023";

#[tokio::test(flavor = "multi_thread")]
async fn an_empty_file_replaces_nothing_unless_asked() {
    let site = tokio::task::spawn_blocking(setup).await.expect("setup");
    site.account("c1", "测试", "jdgc", "collector", PASSWORD, false);
    let token = site.token("c1", PASSWORD).await;
    let up = |path: &'static str, file: Vec<u8>| {
        let (app, token) = (site.app.clone(), token.clone());
        async move {
            let (status, body) = upload_raw(&app, Some(&token), path, &file).await;
            (
                status,
                serde_json::from_slice::<Json>(&body).unwrap_or(Json::Null),
            )
        }
    };
    let (status, r) = up("/import/2023/2.15.5", workbook(4)).await;
    assert_eq!(status, StatusCode::OK, "{r}");
    let (status, r) = up("/import/2023/2.15.5?mode=replace&dryRun=true", workbook(2)).await;
    assert_eq!(
        (status, r["deleted"].clone()),
        (StatusCode::OK, json!(4)),
        "{r}"
    );
    assert!(
        r["message"]
            .as_str()
            .is_some_and(|m| m.contains("将删除本单位原有 4 行")),
        "{r}"
    );
    let (status, r) = up("/import/2023/2.15.5?mode=replace", workbook(0)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{r}");
    assert!(
        r["message"].as_str().is_some_and(|m| m.contains("确需清空")
            && !m.contains("allowEmpty")
            && !m.contains("--")),
        "{r}"
    );
    let count = |site: &crate::site::Site| {
        let t = site.db.table("2.15.5");
        site.db
            .store
            .count(&t, &statusdata::store::RowScope::All, 2023, None)
            .expect("count")
    };
    assert_eq!(count(&site), 4, "nothing deleted");
    let (status, r) = up(
        "/import/2023/2.15.5?mode=replace&allowEmpty=true",
        workbook(0),
    )
    .await;
    assert_eq!(
        (status, r["deleted"].clone()),
        (StatusCode::OK, json!(4)),
        "{r}"
    );
    assert_eq!(count(&site), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_changed_password_ends_the_other_sessions_and_guesses_lock_the_account() {
    let site = tokio::task::spawn_blocking(setup).await.expect("setup");
    site.account("c1", "测试", "jdgc", "collector", PASSWORD, false);
    let (here, elsewhere) = (
        site.token("c1", PASSWORD).await,
        site.token("c1", PASSWORD).await,
    );
    let change =
        "mutation($o: String!, $n: String!) { changePassword(oldPassword: $o, newPassword: $n) }";
    let (r, _) = site
        .gql(
            Some(&here),
            change,
            json!({ "o": PASSWORD, "n": "Newer#2024x" }),
        )
        .await;
    assert_eq!(r["data"]["changePassword"], true, "{r}");
    let me = "{ me { staffNo } }";
    assert_eq!(
        site.gql(Some(&here), me, json!({})).await.0["data"]["me"]["staffNo"],
        "c1"
    );
    let (r, _) = site.gql(Some(&elsewhere), me, json!({})).await;
    assert_eq!(code(&r), "UNAUTHENTICATED", "the other session ended: {r}");

    let guesses: String = (0..5)
        .map(|i| {
            format!(
                "g{i}: changePassword(oldPassword: \"guess{i}\", newPassword: \"Other#2024y\") "
            )
        })
        .collect();
    let (r, _) = site
        .gql(Some(&here), &format!("mutation {{ {guesses} }}"), json!({}))
        .await;
    assert!(r["errors"].as_array().is_some_and(|e| e.len() == 5), "{r}");
    let r = site.login("c1", "Newer#2024x").await;
    assert!(
        r["data"]["login"].is_null(),
        "five wrong old passwords lock the account: {r}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_college_sees_other_colleges_state_but_not_their_rows() {
    let site = tokio::task::spawn_blocking(setup).await.expect("setup");
    for (no, unit, role) in [
        ("c1", "jdgc", "collector"),
        ("c2", "xxgc", "collector"),
        ("r1", "jwb", "head"),
    ] {
        site.account(no, "测试", unit, role, PASSWORD, false);
    }
    let (c1, c2, r1) = (
        site.token("c1", PASSWORD).await,
        site.token("c2", PASSWORD).await,
        site.token("r1", PASSWORD).await,
    );
    let create = "mutation($i: CreateExternalPostInput!) { createExternalPost(input: $i) { id } }";
    let row = json!({ "teacherNo": "T00009", "org": "省学会", "post": "理事", "kind": "01", "level": "02", "startYm": "2022-10" });
    let (r, _) = site.gql(Some(&c2), create, json!({ "i": row })).await;
    assert!(r["errors"].is_null(), "{r}");
    let query = "{ progress(cycle: 2023) { table unit state rowCount lastChange } }";
    let entry = |r: &Json, unit: &str| {
        r["data"]["progress"]
            .as_array()
            .and_then(|l| {
                l.iter()
                    .find(|e| e["table"] == "2.15.5" && e["unit"] == unit)
                    .cloned()
            })
            .unwrap_or(Json::Null)
    };
    let (seen_by_c1, _) = site.gql(Some(&c1), query, json!({})).await;
    let other = entry(&seen_by_c1, "xxgc");
    assert_eq!(other["state"], "draft", "the state is shown: {other}");
    // Hidden, not zero: the page shows “—” for a count the caller may not see.
    assert_eq!(
        (other["rowCount"].clone(), other["lastChange"].clone()),
        (Json::Null, Json::Null),
        "{other}"
    );
    let (seen_by_reviewer, _) = site.gql(Some(&r1), query, json!({})).await;
    assert_eq!(
        entry(&seen_by_reviewer, "xxgc")["rowCount"],
        1,
        "the reviewer sees the count"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_submission_is_held_to_the_quality_rules() {
    let site = tokio::task::spawn_blocking(setup).await.expect("setup");
    for (no, unit, role) in [("c1", "jdgc", "collector"), ("h1", "jdgc", "head")] {
        site.account(no, "测试", unit, role, PASSWORD, false);
    }
    let (c1, h1) = (
        site.token("c1", PASSWORD).await,
        site.token("h1", PASSWORD).await,
    );
    let create = "mutation($i: CreateExternalPostInput!) { createExternalPost(input: $i) { id } }";
    let row = json!({ "teacherNo": "T99999", "org": "省学会", "post": "理事", "kind": "01", "level": "02", "startYm": "2022-10" });
    let (r, _) = site.gql(Some(&c1), create, json!({ "i": row })).await;
    assert!(r["errors"].is_null(), "{r}");
    let submit = "mutation($t: String!, $e: String) { submitTable(cycle: 2023, table: $t, explanation: $e) { state } }";
    let (r, _) = site.gql(Some(&h1), submit, json!({ "t": "2.15.5" })).await;
    assert_eq!(code(&r), "VALIDATION_FAILED", "{r}");
    let problems = r["errors"][0]["extensions"]["problems"].clone();
    assert!(
        problems
            .as_array()
            .is_some_and(|p| p.iter().any(|p| p["rule"] == "REF:2.15.5.teacher_no"
                && p["message"].as_str().is_some_and(|m| m.contains("T99999")))),
        "an unknown teacher blocks the submission: {r}"
    );

    let (r, _) = site.gql(Some(&h1), submit, json!({ "t": "2.15.2" })).await;
    assert_eq!(
        code(&r),
        "VALIDATION_FAILED",
        "an empty table needs the declaration: {r}"
    );
    let (r, _) = site
        .gql(
            Some(&h1),
            submit,
            json!({ "t": "2.15.2", "e": "本年度无数据" }),
        )
        .await;
    assert_eq!(r["data"]["submitTable"]["state"], "submitted", "{r}");
    let (r, _) = site
        .gql(
            Some(&c1),
            "{ findings(cycle: 2023, table: \"2.15.2\") { rule state explanation } }",
            json!({}),
        )
        .await;
    let kept = r["data"]["findings"]
        .as_array()
        .and_then(|f| f.iter().find(|f| f["rule"] == "FULL:2.15.2").cloned())
        .unwrap_or(Json::Null);
    assert_eq!(
        (kept["state"].clone(), kept["explanation"].clone()),
        (json!("explained"), json!("本年度无数据")),
        "the explanation is kept on the finding: {r}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reference_lands_on_the_referencing_units_own_row() {
    use statusdata::store::{RowScope, Value, WriteCtx};
    let site = tokio::task::spawn_blocking(setup).await.expect("setup");
    site.account("q1", "测试", "zlb", "quality_admin", PASSWORD, false);
    let q1 = site.token("q1", PASSWORD).await;
    let text = |s: &str| Value::Text(s.to_owned());
    let ctx = |unit: &str| WriteCtx {
        cycle: 2023,
        unit: unit.into(),
        actor: "t".into(),
    };
    // 2.1.1's course code points at the course library 0.1.2, here kept by two units.
    let courses = site.db.table("0.1.2");
    for (unit, name) in [("jdgc", "机械制图"), ("xxgc", "程序设计")] {
        let rec = [("course_code", text("C01")), ("course_name", text(name))]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect();
        site.db
            .store
            .unguarded()
            .insert(&courses, &RowScope::All, &ctx(unit), &rec)
            .expect("course");
    }
    let teaching = site.db.table("2.1.1");
    let rec = [("course_code".to_owned(), text("C01"))]
        .into_iter()
        .collect();
    site.db
        .store
        .unguarded()
        .insert(&teaching, &RowScope::All, &ctx("xxgc"), &rec)
        .expect("teaching row");
    let (r, _) = site
        .gql(
            Some(&q1),
            "{ teachingAssignments { nodes { unit courseCodeRow { unit courseName } } } }",
            json!({}),
        )
        .await;
    let node = &r["data"]["teachingAssignments"]["nodes"][0];
    assert_eq!(node["courseCodeRow"]["unit"], "xxgc", "{r}");
    assert_eq!(node["courseCodeRow"]["courseName"], "程序设计", "{r}");
}
