//! Backup, restore and copy through the real binary: a backup taken while collectors save is a
//! consistent snapshot that restores row for row, and a demo database copied to another database
//! (PostgreSQL in CI's second pass) keeps every row and runs the workflow.

use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use serde_json::{json, Value as Json};
use statusdata::store::dump::TableDigest;
use statusdata::store::Store;

use crate::db::{load, TestDb};
use crate::site::Site;
use crate::support::root;

const PASSWORD: &str = "Right#2023";

fn statusdata(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_statusdata"))
        .args(args)
        .current_dir(root())
        .env_remove("DATABASE_URL")
        .output()
        .expect("run statusdata")
}

fn digest_of(url: &str) -> Vec<TableDigest> {
    let (catalog, _) = load(&root());
    Store::open(url, catalog)
        .expect("open")
        .digest()
        .expect("digest")
}

fn rows(digests: &[TableDigest], table: &str) -> u64 {
    digests
        .iter()
        .find(|d| d.table == table)
        .map_or(0, |d| d.rows)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_backup_taken_during_saves_restores_every_row() {
    let site = Arc::new(tokio::task::spawn_blocking(Site::new).await.expect("site"));
    site.account("c1", "测试", "jdgc", "collector", PASSWORD, false);
    let token = site.token("c1", PASSWORD).await;
    // A 典型案例 with an attachment: bytes must survive the round trip too.
    let case = crate::cases::draft(&site, &token, "实训基地建设").await;
    let (status, r) =
        crate::cases::upload(&site, &token, &case, "总结.pdf", crate::cases::PDF).await;
    assert_eq!(status, axum::http::StatusCode::OK, "{r}");
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (site, stop, token) = (site.clone(), stop.clone(), token.clone());
        tokio::spawn(async move {
            let create =
                "mutation($i: CreateExternalPostInput!) { createExternalPost(input: $i) { id } }";
            let mut saved = 0;
            while !stop.load(Ordering::SeqCst) {
                let row = json!({ "teacherNo": "T00001", "org": format!("学会{saved}"), "post": "委员", "kind": "01", "level": "02", "startYm": "2022-10" });
                let (r, _) = site.gql(Some(&token), create, json!({ "i": row })).await;
                assert!(r["data"]["createExternalPost"]["id"].is_string(), "{r}");
                saved += 1;
            }
            saved
        })
    };
    // Let some saves land, then back up while they go on.
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    let dir = tempfile::tempdir().expect("tmp");
    let file = dir.path().join("backup.db");
    let url = site.db.url.clone();
    let out = {
        let file = file.clone();
        tokio::task::spawn_blocking(move || {
            statusdata(&["backup", "--db", &url, "--out", &file.to_string_lossy()])
        })
        .await
        .expect("backup")
    };
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    stop.store(true, Ordering::SeqCst);
    let saved = writer.await.expect("writer");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !statusdata(&[
            "backup",
            "--db",
            &site.db.url,
            "--out",
            &file.to_string_lossy()
        ])
        .status
        .success(),
        "a backup never overwrites a file"
    );

    let backup = digest_of(&format!("sqlite://{}", file.display()));
    let in_backup = rows(&backup, "d_external_posts");
    assert!(
        in_backup > 0 && in_backup <= saved,
        "{in_backup} of {saved}"
    );
    // A consistent snapshot: every saved row has its audit row, and no audit row lacks its row.
    let audited = backup
        .iter()
        .find(|d| d.table == "audit_log")
        .map_or(0, |d| d.rows);
    assert!(
        audited >= in_backup,
        "audit rows {audited} for {in_backup} rows"
    );

    let target = tokio::task::spawn_blocking(|| TestDb::new(&root()))
        .await
        .expect("db");
    let out = statusdata(&["restore", &file.to_string_lossy(), "--db", &target.url]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        digest_of(&target.url),
        backup,
        "the restore holds every row of the backup"
    );
    assert_eq!(rows(&backup, "case_attachments"), 1);
    let restored = tokio::task::spawn_blocking(move || Site::over(target, |_| {}))
        .await
        .expect("site");
    let q = restored_quality(&restored).await;
    let id = &r["attachment"]["id"];
    let id = id.as_str().map_or_else(|| id.to_string(), str::to_owned);
    let (status, bytes) =
        crate::cases::get(&restored, &q, &format!("/cases/attachments/{id}")).await;
    assert_eq!(status, axum::http::StatusCode::OK);
    assert_eq!(bytes, crate::cases::PDF, "the attachment's bytes survive");
    let target = restored.db;
    let before = digest_of(&target.url);
    let out = statusdata(&["restore", &file.to_string_lossy(), "--db", &target.url]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("不是空的"), "{err}");
    assert!(
        digest_of(&target.url) == before,
        "a refused restore changes nothing"
    );
}

async fn restored_quality(site: &Site) -> String {
    site.account("q9", "测试", "zlb", "quality_admin", PASSWORD, false);
    site.token("q9", PASSWORD).await
}

/// Demo accounts' passwords and the workflow survive a copy: the head of 机电工程学院 submits,
/// two reviewers approve, 质量部 accepts.
async fn workflow_on(site: &Site) {
    for (no, unit, role) in [
        ("h1", "jdgc", "head"),
        ("r1", "jwb", "head"),
        ("q1", "zlb", "quality_admin"),
    ] {
        site.account(no, "测试", unit, role, PASSWORD, false);
    }
    let login = site.login("1001", "Zhang@1001").await;
    assert!(
        login["data"]["login"]["token"].is_string(),
        "a demo account's password was copied: {login}"
    );
    let [head, reviewer, quality] = [
        site.token("h1", PASSWORD).await,
        site.token("r1", PASSWORD).await,
        site.token("q1", PASSWORD).await,
    ];
    let step = |token: &str, q: &str| {
        let (site, token, q) = (site, token.to_owned(), q.to_owned());
        async move { site.gql(Some(&token), &q, json!({})).await.0 }
    };
    let state = |r: &Json, field: &str| r["data"][field]["state"].as_str().unwrap_or("").to_owned();
    let r = step(
        &head,
        "mutation { submitTable(cycle: 2023, table: \"2.15.5\", unit: \"jdgc\") { state } }",
    )
    .await;
    assert_eq!(state(&r, "submitTable"), "submitted", "{r}");
    let review = "mutation { reviewTable(cycle: 2023, table: \"2.15.5\", unit: \"jdgc\", decision: APPROVE) { state } }";
    let r = step(&reviewer, review).await;
    assert_eq!(state(&r, "reviewTable"), "approved", "{r}");
    let r = step(
        &quality,
        "mutation { acceptTable(cycle: 2023, table: \"2.15.5\", unit: \"jdgc\") { state } }",
    )
    .await;
    assert_eq!(state(&r, "acceptTable"), "accepted", "{r}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_copied_to_another_database_keeps_every_row_and_serves() {
    let dir = tempfile::tempdir().expect("tmp");
    let source = format!("sqlite://{}", dir.path().join("demo.db").display());
    let out = statusdata(&["seed", "demo", "--db", &source]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let target = tokio::task::spawn_blocking(|| TestDb::new(&root()))
        .await
        .expect("db");
    let out = statusdata(&["copy", "--from", &source, "--to", &target.url]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let before = digest_of(&source);
    assert!(rows(&before, "d_student_roster") > 10_000);
    assert_eq!(
        digest_of(&target.url),
        before,
        "same rows and checksums per table"
    );

    let out = statusdata(&["copy", "--from", &source, "--to", &target.url]);
    assert!(
        !out.status.success(),
        "a second copy into a filled database is refused"
    );
    let missing = dir.path().join("nothing.db");
    let out = statusdata(&[
        "copy",
        "--from",
        &format!("sqlite://{}", missing.display()),
        "--to",
        &target.url,
    ]);
    assert!(
        !out.status.success() && !missing.exists(),
        "a missing source is not created"
    );

    // As `serve --demo` does at start: the cycle's dates moved so that today is in the filling phase.
    let site = tokio::task::spawn_blocking(move || {
        target.install_demo_cycle();
        Site::over(target, |_| {})
    })
    .await
    .expect("site");
    workflow_on(&site).await;
    assert_eq!(digest_of(&source), before, "the source was only read");
}
