//! Two people at once, as on the last day: parallel saves of different rows all succeed, parallel
//! saves of one row give one success and one CONFLICT, two reviewers approving at once both
//! count, and an import racing a submit lands before it or is refused, never after.

use std::sync::Arc;

use serde_json::{json, Value as Json};

use crate::excel_import::upload_raw;
use crate::site::{code, setup, Site};

const PASSWORD: &str = "Right#2023";
const UPDATE: &str = "mutation($id: ID!, $v: Int!, $p: String!) { updateExternalPost(id: $id, rowVersion: $v, patch: { post: $p }) { rowVersion } }";

/// A valid 2.15.5 社会兼职 row (filled by 各院系, reviewed by 教务部).
fn post(org: &str) -> Json {
    json!({ "teacherNo": "T00001", "org": org, "post": "委员", "kind": "01", "level": "02", "startYm": "2022-10" })
}

async fn site_with(people: &[(&str, &str, &str)]) -> (Arc<Site>, Vec<String>) {
    let site = tokio::task::spawn_blocking(setup).await.expect("setup");
    let mut tokens = Vec::new();
    for (no, unit, role) in people {
        site.account(no, "测试", unit, role, PASSWORD, false);
        tokens.push(site.token(no, PASSWORD).await);
    }
    (Arc::new(site), tokens)
}

/// Creates `n` rows of 2.15.5 for jdgc; returns their ids.
async fn rows(site: &Site, token: &str, n: usize) -> Vec<String> {
    let create = "mutation($i: CreateExternalPostInput!) { createExternalPost(input: $i) { id } }";
    let mut ids = Vec::new();
    for i in 0..n {
        let (r, _) = site
            .gql(
                Some(token),
                create,
                json!({ "i": post(&format!("学会{i}")) }),
            )
            .await;
        ids.push(
            r["data"]["createExternalPost"]["id"]
                .as_str()
                .unwrap_or_else(|| panic!("create: {r}"))
                .to_owned(),
        );
    }
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn forty_collectors_saving_forty_rows_at_once_all_succeed() {
    let (site, tokens) = site_with(&[("c1", "jdgc", "collector")]).await;
    let ids = rows(&site, &tokens[0], 40).await;
    let tasks: Vec<_> = ids
        .into_iter()
        .map(|id| {
            let (site, token) = (site.clone(), tokens[0].clone());
            tokio::spawn(async move {
                site.gql(
                    Some(&token),
                    UPDATE,
                    json!({ "id": id, "v": 1, "p": "理事" }),
                )
                .await
                .0
            })
        })
        .collect();
    for task in tasks {
        let r = task.await.expect("task");
        assert_eq!(r["data"]["updateExternalPost"]["rowVersion"], 2, "{r}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_saves_of_one_row_with_one_version_give_one_success_and_one_conflict() {
    let (site, tokens) = site_with(&[("c1", "jdgc", "collector")]).await;
    let id = rows(&site, &tokens[0], 1).await.remove(0);
    for round in 1..=50 {
        let save = |post: &'static str| {
            let (site, token, id) = (site.clone(), tokens[0].clone(), id.clone());
            tokio::spawn(async move {
                site.gql(
                    Some(&token),
                    UPDATE,
                    json!({ "id": id, "v": round, "p": post }),
                )
                .await
                .0
            })
        };
        let (a, b) = (save("理事"), save("委员"));
        let results = [a.await.expect("task"), b.await.expect("task")];
        let won = results
            .iter()
            .filter(|r| r["data"]["updateExternalPost"]["rowVersion"] == round + 1)
            .count();
        let conflicts = results.iter().filter(|r| code(r) == "CONFLICT").count();
        assert_eq!((won, conflicts), (1, 1), "round {round}: {results:?}");
    }
}

async fn step(site: &Site, token: &str, query: &str) -> Json {
    site.gql(Some(token), query, json!({})).await.0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_reviewers_approving_at_once_both_count() {
    let people = [
        ("h1", "jdgc", "head"),
        ("r1", "jwb", "head"),
        ("q1", "zlb", "head"),
        ("a1", "zlb", "quality_admin"),
    ];
    let (site, t) = site_with(&people).await;
    let submit =
        "mutation { submitTable(cycle: 2023, table: \"2.15.2\", unit: \"jdgc\", explanation: \"本年度无数据\") { state } }";
    let approve = "mutation { reviewTable(cycle: 2023, table: \"2.15.2\", unit: \"机电工程学院\", decision: APPROVE) { state approvedBy } }";
    let reopen = "mutation { reopenTable(cycle: 2023, table: \"2.15.2\", unit: \"jdgc\", reason: \"再审一次\") { state } }";
    for round in 0..10 {
        let r = step(&site, &t[0], submit).await;
        assert_eq!(r["data"]["submitTable"]["state"], "submitted", "{r}");
        let (s1, t1, s2, t2) = (site.clone(), t[1].clone(), site.clone(), t[2].clone());
        let a = tokio::spawn(async move { step(&s1, &t1, approve).await });
        let b = tokio::spawn(async move { step(&s2, &t2, approve).await });
        let (a, b) = (a.await.expect("task"), b.await.expect("task"));
        assert!(a["errors"].is_null() && b["errors"].is_null(), "{a} {b}");
        let (list, _) = site
            .gql(
                Some(&t[3]),
                "{ progress(cycle: 2023) { table unit state } }",
                json!({}),
            )
            .await;
        let state = list["data"]["progress"]
            .as_array()
            .and_then(|l| {
                l.iter()
                    .find(|e| e["table"] == "2.15.2" && e["unit"] == "jdgc")
            })
            .map(|e| e["state"].clone());
        assert_eq!(state, Some(json!("approved")), "round {round}: {a} {b}");
        let r = step(&site, &t[3], reopen).await;
        assert_eq!(r["data"]["reopenTable"]["state"], "returned", "{r}");
    }
}

/// A 2.15.5 workbook with `n` valid rows, headed by GraphQL field names.
pub fn workbook(n: usize) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let sheet = wb.add_worksheet();
    let header = ["teacherNo", "org", "post", "kind", "level", "startYm"];
    for (c, name) in header.iter().enumerate() {
        sheet.write_string(0, c as u16, *name).expect("header");
    }
    for r in 1..=n {
        let org = format!("导入学会{r}");
        let row = ["T00002", org.as_str(), "委员", "01", "02", "2022-11"];
        for (c, value) in row.iter().enumerate() {
            sheet
                .write_string(r as u32, c as u16, *value)
                .expect("cell");
        }
    }
    wb.save_to_buffer().expect("workbook")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_import_racing_a_submit_lands_before_it_or_is_refused() {
    let (site, t) = site_with(&[("c1", "jdgc", "collector"), ("h1", "jdgc", "head")]).await;
    site.satisfy_refs("2.15.5", &json!({ "teacherNo": "T00002" }));
    let file = workbook(300);
    for round in 0..6 {
        let (s1, c1, f) = (site.clone(), t[0].clone(), file.clone());
        let import =
            tokio::spawn(
                async move { upload_raw(&s1.app, Some(&c1), "/import/2023/2.15.5", &f).await },
            );
        let (s2, h1) = (site.clone(), t[1].clone());
        let submit = tokio::spawn(async move {
            let q = "mutation { submitTable(cycle: 2023, table: \"2.15.5\", explanation: \"本年度无数据\") { state } }";
            step(&s2, &h1, q).await
        });
        let ((status, body), submitted) =
            (import.await.expect("task"), submit.await.expect("task"));
        let report: Json = serde_json::from_slice(&body).unwrap_or(Json::Null);
        assert_eq!(
            submitted["data"]["submitTable"]["state"], "submitted",
            "{submitted}"
        );
        let log = site.db.store.audit_log("2.15.5", None).expect("audit");
        let submit_at = log
            .iter()
            .filter(|e| e.operation == "workflow")
            .map(|e| e.id)
            .max()
            .expect("the submit is audited");
        if status.is_success() {
            let last_write = log
                .iter()
                .filter(|e| e.operation == "insert" || e.operation == "update")
                .map(|e| e.id)
                .max()
                .expect("rows written");
            assert!(
                last_write < submit_at,
                "round {round}: rows landed after the submit"
            );
        } else {
            assert_eq!(report["code"], "LOCKED", "round {round}: {report}");
        }
        set_state(&site.db, statusdata::model::State::Draft); // for the next round
    }
}

#[test]
fn the_command_line_honours_a_submission_unless_forced_with_a_reason() {
    let db = crate::db::TestDb::new(&crate::support::root());
    db.install_demo_cycle();
    set_state(&db, statusdata::model::State::Submitted);
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("2.15.5.xlsx");
    std::fs::write(&file, workbook(3)).expect("file");
    let import = |extra: &[&str]| {
        let mut args = vec![
            "import", "--db", &db.url, "--cycle", "2023", "--table", "2.15.5",
        ];
        args.extend(["--unit", "机电工程学院"]);
        args.extend(extra);
        let file = file.to_string_lossy().into_owned();
        std::process::Command::new(env!("CARGO_BIN_EXE_statusdata"))
            .args(&args)
            .arg(file)
            .current_dir(crate::support::root())
            .output()
            .expect("statusdata runs")
    };
    let out = import(&[]);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && said.contains("LOCKED"), "{said}");
    let out = import(&["--force"]);
    assert!(!out.status.success(), "--force needs --reason");
    let out = import(&["--force", "--reason", "质量部核对后补录"]);
    assert!(out.status.success(), "{out:?}");
    let log = db.store.audit_log("2.15.5", None).expect("audit");
    let forced = log
        .iter()
        .find(|e| e.operation == "force")
        .expect("audited");
    assert_eq!(forced.actor, "cli");
    assert_eq!(
        forced.after.as_ref().map(|a| a["reason"].clone()),
        Some(json!("质量部核对后补录"))
    );
    assert_eq!(log.iter().filter(|e| e.operation == "insert").count(), 3);
}

/// Puts jdgc's 2.15.5 in `state`, below the API (as 质量部's tools would).
fn set_state(db: &crate::db::TestDb, state: statusdata::model::State) {
    let done = db.store.write(|conn| {
        statusdata::store::workflow::record_step(
            conn,
            2023,
            "2.15.5",
            "jdgc",
            statusdata::store::workflow::Actor {
                staff_no: "test",
                unit: "zlb",
            },
            &statusdata::store::now(),
            |_| {
                Ok::<_, statusdata::model::StepError>(statusdata::model::Submission {
                    state,
                    ..Default::default()
                })
            },
        )
    });
    assert!(matches!(done, Ok(Ok(_))), "state set");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_rights_changes_at_once_both_land_with_their_audit_rows() {
    let (site, t) = site_with(&[
        ("a1", "zlb", "quality_admin"),
        ("a2", "zlb", "quality_admin"),
    ])
    .await;
    let grant =
        "mutation($u: String!, $t: String!) { grantRight(unit: $u, table: $t, action: FILL) }";
    let tables = ["1.1.2", "1.1.7", "2.17.1", "2.17.2"];
    let tasks: Vec<_> = tables
        .iter()
        .enumerate()
        .map(|(i, table)| {
            let (site, token, table) = (site.clone(), t[i % 2].clone(), table.to_string());
            tokio::spawn(async move {
                site.gql(Some(&token), grant, json!({ "u": "图书馆", "t": table }))
                    .await
                    .0
            })
        })
        .collect();
    for task in tasks {
        let r = task.await.expect("task");
        assert_eq!(r["data"]["grantRight"], true, "{r}");
    }
    let policy = crate::site::stored_policy(&site);
    for table in tables {
        assert!(
            policy.contains(&format!("p, 图书馆, {table}, fill")),
            "{table} lost: {policy}"
        );
        let log = site.db.store.audit_log(table, None).expect("audit");
        assert_eq!(
            log.iter().filter(|e| e.operation == "grant").count(),
            1,
            "{table}"
        );
    }
}
