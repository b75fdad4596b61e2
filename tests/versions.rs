//! Versions and the way back: the database records the newest statusdata that migrated it; an
//! older binary (here the same binary pretending, through `STATUSDATA_VERSION_OVERRIDE`, which
//! only debug builds read) refuses to migrate, serve or restore what a newer one wrote, naming
//! both versions; and the rollback of deploy/README.md works: the pre-upgrade backup restored
//! into a fresh database is served by the old binary.

use std::process::Command;
use std::time::Duration;

use crate::db::EmptyDb;
use crate::startup::{run_within, statusdata, Served};

const OLD: &str = "0.0.9";
const LIMIT: Duration = Duration::from_secs(300);

fn old() -> Command {
    let mut c = statusdata();
    c.env("STATUSDATA_VERSION_OVERRIDE", OLD);
    c
}

/// Runs and returns (success, stdout, stderr).
fn run(mut cmd: Command, args: &[&str]) -> (bool, String, String) {
    let (out, _) = run_within(cmd.args(args), LIMIT);
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn names_both_versions(text: &str) -> bool {
    let new = env!("CARGO_PKG_VERSION");
    text.contains(&format!("statusdata {new}")) && text.contains(&format!("本程序是 {OLD}"))
}

#[test]
fn version_prints_the_crate_version_and_commit() {
    let (ok, stdout, _) = run(statusdata(), &["--version"]);
    assert!(ok);
    assert!(
        stdout.starts_with(&format!(
            "statusdata {} (commit ",
            env!("CARGO_PKG_VERSION")
        )),
        "{stdout}"
    );
}

#[test]
fn an_older_binary_refuses_a_newer_database_and_the_rollback_serves() {
    let live = EmptyDb::new();
    let dir = tempfile::tempdir().expect("tmp");
    // The old release runs the college: migrated, one account.
    let (ok, _, err) = run(old(), &["migrate", "--db", &live.url]);
    assert!(ok, "{err}");
    let staff = dir.path().join("staff.csv");
    std::fs::write(
        &staff,
        "工号,姓名,部门,角色\n3001,李四,质量部,quality_admin\n",
    )
    .expect("csv");
    let (ok, _, err) = run(
        old(),
        &[
            "users",
            "--db",
            &live.url,
            "import",
            &staff.to_string_lossy(),
        ],
    );
    assert!(ok, "{err}");
    // Upgrade: the backup first, then the new binary migrates.
    let before = dir.path().join("before-upgrade.db");
    let (ok, _, err) = run(
        old(),
        &[
            "backup",
            "--db",
            &live.url,
            "--out",
            &before.to_string_lossy(),
        ],
    );
    assert!(ok, "{err}");
    let (ok, stdout, err) = run(statusdata(), &["migrate", "--db", &live.url]);
    assert!(ok, "{err}");
    assert!(
        stdout.contains(&format!("原由 statusdata {OLD} 迁移")),
        "{stdout}"
    );

    // The old binary now leaves the database alone, and says why.
    let (ok, _, err) = run(old(), &["migrate", "--db", &live.url]);
    assert!(!ok && names_both_versions(&err), "{err}");
    let (ok, _, err) = run(
        old(),
        &["serve", "--db", &live.url, "--bind", "127.0.0.1:0"],
    );
    assert!(!ok && names_both_versions(&err), "{err}");
    // Nor does it restore a backup the new one wrote.
    let after = dir.path().join("after-upgrade.db");
    let (ok, _, err) = run(
        statusdata(),
        &[
            "backup",
            "--db",
            &live.url,
            "--out",
            &after.to_string_lossy(),
        ],
    );
    assert!(ok, "{err}");
    let elsewhere = EmptyDb::new();
    let (ok, _, err) = run(
        old(),
        &["restore", &after.to_string_lossy(), "--db", &elsewhere.url],
    );
    assert!(!ok && err.contains(OLD), "{err}");

    // Rollback: the pre-upgrade backup into a fresh database, served by the old binary.
    let fresh = EmptyDb::new();
    let (ok, stdout, err) = run(
        old(),
        &["restore", &before.to_string_lossy(), "--db", &fresh.url],
    );
    assert!(ok, "{err}");
    assert!(stdout.contains("users"), "the account came back: {stdout}");
    let mut serve = old();
    serve.args(["serve", "--db", &fresh.url]);
    let served = Served::start(serve);
    let (status, body) = served.get("/readyz");
    assert_eq!((status, body.trim()), (200, "ready"));
}
