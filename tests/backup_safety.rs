//! Backups that cannot lie: a backup killed part-way (early, later, and at the worst moment: every
//! row written, no completion mark yet) leaves nothing under its name, and whatever partial file
//! it leaves is refused by `restore` and `copy` as incomplete; a backup needs neither the
//! definition files nor a working directory.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use crate::db::{on_postgres, EmptyDb};
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

/// The demo college (about 220,000 rows: a backup takes seconds), seeded into SQLite and, on the
/// PostgreSQL pass, copied there (seeding PostgreSQL directly takes many times longer). Returns
/// the source's URL and what removes the PostgreSQL schema afterwards.
fn demo_source(dir: &Path) -> (String, Option<EmptyDb>) {
    let seeded = format!("sqlite://{}", dir.join("demo.db").display());
    let (out, _) = run_within(statusdata().args(["seed", "demo", "--db", &seeded]), LIMIT);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    if !on_postgres() {
        return (seeded, None);
    }
    let pg = EmptyDb::new();
    let (out, _) = run_within(
        statusdata().args(["copy", "--from", &seeded, "--to", &pg.url]),
        LIMIT,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (pg.url.clone(), Some(pg))
}

#[test]
fn a_backup_killed_part_way_is_refused_by_restore() {
    let dir = tempfile::tempdir().expect("tmp");
    let (source, _pg) = demo_source(dir.path());
    let target = EmptyDb::new();
    let mut partial = 0;
    for (name, ms) in [("early.db", 200), ("later.db", 1000)] {
        let delay = Duration::from_millis(ms);
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

    // From `/`, with no definition files: a complete backup, marked, that restores.
    let good = dir.path().join("good.db");
    let (done, _) = run_within(
        statusdata().current_dir("/").args([
            "backup",
            "--db",
            &source,
            "--out",
            &good.to_string_lossy(),
        ]),
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
    // A backup that is refused (its name is taken) leaves the file there as it was.
    let before = std::fs::read(&good).expect("read backup");
    let (again, _) = run_within(
        statusdata().args(["backup", "--db", &source, "--out", &good.to_string_lossy()]),
        LIMIT,
    );
    assert!(!again.status.success());
    assert_eq!(std::fs::read(&good).expect("read backup"), before);
}
