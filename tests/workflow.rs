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
    // The teacher the rows of `post` name exists in 1.4.1, so that the reference rule holds.
    site.satisfy_refs("2.15.5", &post(""));
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

/// Submits a table the unit has no rows in: completeness asks for the declaration.
async fn submit_empty(site: &Site, token: &str, table: &str, unit: &str) -> Json {
    site.gql(Some(token), "mutation($t: String!, $u: String!) { submitTable(cycle: 2023, table: $t, unit: $u, explanation: \"本年度无数据\") { state } }", json!({ "t": table, "u": unit })).await.0
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
        submit_empty(&site, &head, "2.15.2", "jdgc").await["data"]["submitTable"]["state"],
        "submitted"
    );
    let r = review(&site, &reviewer, "2.15.2", "jdgc", "APPROVE", None).await;
    assert_eq!(
        r["data"]["reviewTable"]["state"], "submitted",
        "教务部 alone is not enough: {r}"
    );
    let (tasks, _) = site
        .gql(
            Some(&quality_head),
            "{ myTasks { table unit state approvedBy } }",
            json!({}),
        )
        .await;
    let waiting = tasks["data"]["myTasks"].as_array().and_then(|t| {
        t.iter()
            .find(|e| e["table"] == "2.15.2" && e["unit"] == "jdgc")
            .cloned()
    });
    assert_eq!(
        waiting.map(|e| e["approvedBy"].clone()),
        Some(json!(["教务部"])),
        "the second reviewer sees who has approved: {tasks}"
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
        .unguarded()
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
    let (s, _) = site.gql(Some(&quality), "{ progressSummary(cycle: 2023) { byUnit { name expected overdue } byGroup { name } onTimeRate } }", json!({})).await;
    assert_eq!(s["data"]["progressSummary"]["onTimeRate"], 0.0, "{s}");
    assert!(
        s["data"]["progressSummary"]["byUnit"]
            .as_array()
            .is_some_and(|u| u.len() >= 20),
        "{s}"
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

#[tokio::test(flavor = "multi_thread")]
async fn progress_downloads_as_a_workbook() {
    use axum::body::Body;
    use axum::http::Request;
    use calamine::Reader;
    use tower::ServiceExt;
    let site = tokio::task::spawn_blocking(setup).await.expect("setup");
    let (collector, head, _, quality, _) = people(&site).await;
    submit_empty(&site, &head, "2.15.5", "jdgc").await;
    let get = |token: Option<String>| {
        let app = site.app.clone();
        async move {
            let mut r = Request::get("/export/2023/progress.xlsx");
            if let Some(t) = token {
                r = r.header("authorization", format!("Bearer {t}"));
            }
            let response = app
                .oneshot(r.body(Body::empty()).expect("request"))
                .await
                .expect("response");
            let status = response.status();
            (
                status,
                axum::body::to_bytes(response.into_body(), 16 << 20)
                    .await
                    .expect("body"),
            )
        }
    };
    assert_eq!(get(None).await.0, axum::http::StatusCode::UNAUTHORIZED);
    let (status, bytes) = get(Some(quality)).await;
    assert_eq!(status, axum::http::StatusCode::OK);
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes.to_vec())).expect("an xlsx");
    let detail = book.worksheet_range("明细").expect("detail sheet");
    assert!(
        detail.height() > 90,
        "every (table, unit): {}",
        detail.height()
    );
    let submitted = detail.rows().any(|r| {
        r.first().map(|c| c.to_string()) == Some("2.15.5".into())
            && r.get(3).map(|c| c.to_string()) == Some("机电工程学院".into())
            && r.get(4).map(|c| c.to_string()) == Some("待审核".into())
    });
    assert!(submitted, "the submitted table shows as 待审核");
    // A college's collector sees another college's state but not its row count: “—”, not 0.
    let (status, bytes) = get(Some(collector)).await;
    assert_eq!(status, axum::http::StatusCode::OK);
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes.to_vec())).expect("an xlsx");
    let detail = book.worksheet_range("明细").expect("detail sheet");
    let count = |unit: &str| {
        detail
            .rows()
            .find(|r| {
                r.first().map(|c| c.to_string()) == Some("2.15.5".into())
                    && r.get(3).map(|c| c.to_string()) == Some(unit.into())
            })
            .and_then(|r| r.get(7).map(|c| c.to_string()))
    };
    assert_eq!(count("信息工程学院").as_deref(), Some("—"), "hidden, not 0");
    assert_eq!(
        count("机电工程学院").as_deref(),
        Some("0"),
        "the own unit's count"
    );
}

#[test]
fn a_new_cycle_carries_forward_master_data_as_drafts() -> anyhow::Result<()> {
    use statusdata::store::{RowScope, Value, WriteCtx};
    let s = crate::support::Scratch::new();
    std::fs::copy(
        crate::support::root().join("seeds/cycle-2023.toml"),
        s.path("seeds/cycle-2023.toml"),
    )?;
    let db = crate::db::TestDb::new(&crate::support::root());
    let (enterprises, visits) = (db.table("1.6.1"), db.table("2.8.1"));
    let ctx = WriteCtx {
        cycle: 2023,
        unit: "cjrh".into(),
        actor: "t".into(),
    };
    let rec = |k: &str, v: &str| {
        [(k.to_owned(), Value::Text(v.to_owned()))]
            .into_iter()
            .collect()
    };
    db.store.unguarded().insert(
        &enterprises,
        &RowScope::All,
        &ctx,
        &rec("uscc", "91350100M000100Y43"),
    )?;
    db.store
        .unguarded()
        .insert(&visits, &RowScope::All, &ctx, &rec("visitor", "王校长"))?;
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_statusdata"))
        .args(["cycle", "new", "2024", "--from", "2023", "--db", &db.url])
        .current_dir(s.dir.path())
        .output()?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("1.6.1：结转 1 行"), "{stdout}");
    assert_eq!(
        db.store.count(&enterprises, &RowScope::All, 2024, None)?,
        1,
        "master data carried forward"
    );
    assert_eq!(
        db.store.count(&visits, &RowScope::All, 2024, None)?,
        0,
        "yearly events start empty"
    );
    let file = std::fs::read_to_string(s.path("seeds/cycle-2024.toml"))?;
    assert!(
        file.contains("year = 2024")
            && file.contains("period_start = 2023-09-01")
            && file.contains("\"2.1.1\" = 2024-10-15"),
        "{file}"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn the_whole_path_for_a_single_unit_and_a_multi_unit_table() {
    let site = tokio::task::spawn_blocking(setup).await.expect("setup");
    for (no, unit, role) in [
        ("tc", "tsg", "collector"),
        ("th", "tsg", "head"),
        ("jw", "jwb", "head"),
        ("qa", "zlb", "quality_admin"),
        ("ac", "jdgc", "collector"),
        ("ah", "jdgc", "head"),
        ("bc", "xxgc", "collector"),
        ("bh", "xxgc", "head"),
        ("cc", "jjgl", "collector"),
        ("ch", "jjgl", "head"),
    ] {
        site.account(no, "测试", unit, role, PASSWORD, false);
    }
    let site = &site;
    let t = |no: &'static str| async move { site.token(no, PASSWORD).await };
    let (tc, th, jw, qa) = (t("tc").await, t("th").await, t("jw").await, t("qa").await);

    // 1.1.6 馆藏图书资料表: 图书馆 fills it and reviews it; 质量部 accepts.
    let (r, _) = site.gql(Some(&tc), "mutation { createLibraryHolding(input: { paperBooks: 820000, newBooks: 21000, paperJournals: 600, ebooks: 300000, readingSeats: 2600 }) { id } }", json!({})).await;
    assert!(r["data"]["createLibraryHolding"]["id"].is_string(), "{r}");
    assert_eq!(
        submit(site, &th, "1.1.6", "tsg").await["data"]["submitTable"]["state"],
        "submitted"
    );
    assert_eq!(
        review(site, &th, "1.1.6", "tsg", "APPROVE", None).await["data"]["reviewTable"]["state"],
        "approved"
    );
    let (r, _) = site
        .gql(
            Some(&qa),
            "mutation { acceptTable(cycle: 2023, table: \"1.1.6\", unit: \"tsg\") { state } }",
            json!({}),
        )
        .await;
    assert_eq!(r["data"]["acceptTable"]["state"], "accepted", "{r}");

    // 2.1.1 授课表: three 院系 fill and submit their own rows; 教务部 reviews each.
    let row = json!({ "term": "2022-2023-1", "courseCode": "C01", "courseName": "制图", "teacherKind": "1", "teacherNo": "T1", "teacherName": "张三", "className": "班1", "majorCode": "460101", "students": 1, "hours": 48, "practiceHours": 24, "mode": "01" });
    // What the cross-table rules read (X03, 2.1.1's help texts): the teacher by name, the
    // course offered to the major, a student in the class.
    site.insert_row("1.4.1", &[("teacher_no", "T1"), ("name", "张三")]);
    site.insert_row(
        "1.3.1",
        &[
            ("major_code", "460101"),
            ("course_code", "C01"),
            ("course_name", "制图"),
        ],
    );
    site.insert_row(
        "1.5.1",
        &[
            ("student_no", "S1"),
            ("class_name", "班1"),
            ("major_code", "460101"),
        ],
    );
    // The course as 0.1.2 sets it up (2.1.1's course reference and its help rules read it).
    site.insert_row(
        "0.1.2",
        &[
            ("course_code", "C01"),
            ("course_name", "制图"),
            ("course_type", "B"),
        ],
    );
    site.satisfy_refs("2.1.1", &row);
    for (c, h, unit) in [
        ("ac", "ah", "jdgc"),
        ("bc", "bh", "xxgc"),
        ("cc", "ch", "jjgl"),
    ] {
        let (r, _) = site.gql(Some(&t(c).await), "mutation($i: CreateTeachingAssignmentInput!) { createTeachingAssignment(input: $i) { id } }", json!({ "i": row })).await;
        assert!(
            r["data"]["createTeachingAssignment"]["id"].is_string(),
            "{unit}: {r}"
        );
        let r = submit(site, &t(h).await, "2.1.1", unit).await;
        assert_eq!(
            r["data"]["submitTable"]["state"], "submitted",
            "{unit}: {r}"
        );
    }
    assert_eq!(
        code(&review(site, &th, "2.1.1", "jdgc", "APPROVE", None).await),
        "FORBIDDEN",
        "图书馆 does not review 2.1.1"
    );
    assert_eq!(
        code(&submit(site, &t("ah").await, "2.1.1", "xxgc").await),
        "FORBIDDEN",
        "机电 cannot submit 信息's table"
    );
    assert_eq!(
        review(site, &jw, "2.1.1", "jdgc", "APPROVE", None).await["data"]["reviewTable"]["state"],
        "approved"
    );
    assert_eq!(
        review(
            site,
            &jw,
            "2.1.1",
            "xxgc",
            "RETURN",
            Some("班级与学生表不一致")
        )
        .await["data"]["reviewTable"]["state"],
        "returned"
    );
    assert_eq!(
        review(site, &jw, "2.1.1", "jjgl", "APPROVE", None).await["data"]["reviewTable"]["state"],
        "approved"
    );

    // The bulletin, checked against the exact text.
    let (r, _) = site
        .gql(
            Some(&qa),
            "{ bulletin(cycle: 2023, date: \"2023-10-10\") progress(cycle: 2023) { state } }",
            json!({}),
        )
        .await;
    let total = r["data"]["progress"].as_array().map_or(0, Vec::len);
    let expected = format!("截至10月10日，{total} 项填报任务已提交 3 项、审核通过 3 项、质量部验收 1 项。暂无逾期未提交的表。\n被退回待修改：信息工程学院 2.1.1。\n工作质量：本年度尚未进行全院数据检查。\n请各部门按时完成填报与审核。");
    assert_eq!(r["data"]["bulletin"], expected);
    let (r, _) = site
        .gql(
            Some(&qa),
            "{ cycles { year periodStart periodEnd financeYear snapshotDate } }",
            json!({}),
        )
        .await;
    assert_eq!(
        r["data"]["cycles"],
        json!([{ "year": 2023, "periodStart": "2022-09-01", "periodEnd": "2023-08-31", "financeYear": 2022, "snapshotDate": "2023-08-31" }]),
        "the installed cycle keeps the notice's periods"
    );
}
