//! Backups that cannot lie: a backup killed part-way (early, later, and at the worst moment: every
//! row written, no completion mark yet) leaves nothing under its name, and whatever partial file
//! it leaves is refused by `restore` and `copy` as incomplete; a backup needs neither the
//! definition files nor a working directory.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::Connection;

use crate::db::{on_postgres, EmptyDb, TestDb};
use crate::startup::{run_within, statusdata};

const LIMIT: Duration = Duration::from_secs(600);

fn refused_as_incomplete(args: &[&str], target: &str) {
    let (out, _) = run_within(statusdata().args(args).args(["--db", target]), LIMIT);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && stderr.contains("备份不完整"),
        "{args:?} should be refused as incomplete: {stderr}"
    );
}

/// What a backup killed after `delay` left: nothing under its name; a partial file, if any,
/// refused by restore and copy. Returns whether a partial file was there.
fn killed_after(source: &str, dir: &Path, name: &str, delay: Duration, target: &str) -> bool {
    let out = dir.join(name);
    let mut child = statusdata()
        .current_dir("/")
        .env_remove("STATUSDATA_DEFS")
        .args(["backup", "--db", source, "--out", &out.to_string_lossy()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start backup");
    std::thread::sleep(delay);
    let _ = child.kill(); // SIGKILL
    let status = child.wait().expect("wait");
    assert!(
        !status.success(),
        "the backup finished within {delay:?}: make the source bigger"
    );
    assert!(!out.exists(), "a killed backup left a file under its name");
    let part = dir.join(format!("{name}.part"));
    if !part.exists() {
        return false;
    }
    let part = part.to_string_lossy().into_owned();
    refused_as_incomplete(&["restore", &part], target);
    let from = format!("sqlite://{part}");
    let (copied, _) = run_within(
        statusdata().args(["copy", "--from", &from, "--to", target]),
        LIMIT,
    );
    let stderr = String::from_utf8_lossy(&copied.stderr);
    assert!(
        !copied.status.success() && stderr.contains("备份不完整"),
        "copy from a partial backup: {stderr}"
    );
    true
}

/// A source of audit rows made by one SQL statement on the active backend (seconds, where
/// seeding the demo college took minutes): rows enough for a backup to be killed part-way, and
/// no definitions needed to copy them. A backup of PostgreSQL copies row by row, so fewer rows
/// take as long.
fn source_rows() -> i64 {
    if on_postgres() {
        20_000
    } else {
        100_000
    }
}

fn big_source() -> TestDb {
    let db = TestDb::mini();
    let filler = "备份不能说谎 backups cannot lie ".repeat(8);
    let rows = if on_postgres() {
        "SELECT i FROM generate_series(1, {n}) AS g(i)"
    } else {
        "WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < {n}) SELECT i FROM g"
    };
    let insert = format!(
        "INSERT INTO audit_log (at, actor, cycle, table_code, row_id, operation, after_json) \
         SELECT '2023-10-15T08:00:00Z', 'T0001', 2023, '1.1', i, 'insert', '{filler}' || i FROM ({}) AS n",
        rows.replace("{n}", &source_rows().to_string())
    );
    if on_postgres() {
        let mut c = diesel::PgConnection::establish(&db.url).expect("connect");
        c.batch_execute(&insert).expect("fill the source");
    } else {
        let path = db.url.trim_start_matches("sqlite://");
        let mut c = diesel::SqliteConnection::establish(path).expect("connect");
        c.batch_execute(&insert).expect("fill the source");
    }
    db
}

#[test]
fn a_backup_killed_part_way_is_refused_by_restore() {
    let dir = tempfile::tempdir().expect("tmp");
    let source_db = big_source();
    let source = source_db.url.clone();
    let target = EmptyDb::new();

    // From `/`, with no definition files: a complete backup, marked. How long it takes tells
    // when "early" and "later" are on this machine, however loaded.
    let good = dir.path().join("good.db");
    let (done, took) = run_within(
        statusdata()
            .current_dir("/")
            .env_remove("STATUSDATA_DEFS")
            .args(["backup", "--db", &source, "--out", &good.to_string_lossy()]),
        LIMIT,
    );
    let stdout = String::from_utf8_lossy(&done.stdout);
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    assert!(stdout.contains("写入完成标记"), "{stdout}");
    assert!(!dir.path().join("good.db.part").exists(), "no .part left");
    // (That a complete backup restores row for row is dump::a_backup_taken_during_saves_….)

    let mut partial = 0;
    for (name, share) in [("early.db", 5), ("later.db", 2)] {
        let delay = (took / share).max(Duration::from_millis(50));
        partial += usize::from(killed_after(&source, dir.path(), name, delay, &target.url));
    }
    assert!(partial >= 1, "no kill left a partial file to refuse");

    // The worst moment: every row in the file, the completion mark not yet written.
    let out = dir.path().join("worst.db");
    let (aborted, _) = run_within(
        statusdata()
            .current_dir("/")
            .env("STATUSDATA_TEST_ABORT_BEFORE_MARK", "1")
            .args(["backup", "--db", &source, "--out", &out.to_string_lossy()]),
        LIMIT,
    );
    assert!(!aborted.status.success(), "the backup should have aborted");
    assert!(!out.exists(), "no file under the backup's name");
    let part = dir.path().join("worst.db.part");
    assert!(part.exists(), "the aborted backup's partial file");
    refused_as_incomplete(&["restore", &part.to_string_lossy()], &target.url);
    // Even renamed to look like a backup, it is refused.
    let renamed = dir.path().join("renamed.db");
    std::fs::rename(&part, &renamed).expect("rename");
    refused_as_incomplete(&["restore", &renamed.to_string_lossy()], &target.url);

    // A backup that is refused (its name is taken) leaves the file there as it was.
    let before = std::fs::read(&good).expect("read backup");
    let (again, _) = run_within(
        statusdata().args(["backup", "--db", &source, "--out", &good.to_string_lossy()]),
        LIMIT,
    );
    assert!(!again.status.success());
    assert_eq!(std::fs::read(&good).expect("read backup"), before);
}
