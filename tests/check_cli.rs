//! `statusdata check` through the real binary: exit codes and what it prints.

use std::process::Command;

use crate::support::{root, Scratch};

fn statusdata() -> Command {
    Command::new(env!("CARGO_BIN_EXE_statusdata"))
}

#[test]
fn check_passes_on_the_repository() -> anyhow::Result<()> {
    let out = statusdata().arg("check").current_dir(root()).output()?;
    let stdout = String::from_utf8(out.stdout)?;
    assert!(out.status.success(), "check failed:\n{stdout}");
    assert!(
        stdout.starts_with("检查通过：90 张表（源数据表 5，基础数据表 20，专项数据表 65）"),
        "{stdout}"
    );
    Ok(())
}

#[test]
fn check_fails_with_file_and_key_on_a_broken_copy() -> anyhow::Result<()> {
    let s = Scratch::new();
    s.replace(
        "table-defs/1.1.6-library_holdings.toml",
        "kind = \"basic\"",
        "kind = \"basik\"",
    );
    let out = statusdata()
        .arg("check")
        .current_dir(s.dir.path())
        .output()?;
    let stdout = String::from_utf8(out.stdout)?;
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("table-defs/1.1.6-library_holdings.toml:"),
        "{stdout}"
    );
    assert!(
        stdout.contains(": kind: unknown variant `basik`"),
        "{stdout}"
    );
    assert!(
        stdout.trim_end().contains("共发现") && stdout.trim_end().ends_with("处问题"),
        "{stdout}"
    );
    Ok(())
}

#[test]
fn check_reads_the_defs_folder_from_the_environment() -> anyhow::Result<()> {
    let s = Scratch::new();
    let out = statusdata()
        .arg("check")
        .current_dir(s.dir.path())
        .env("STATUSDATA_DEFS", s.path("nowhere"))
        .output()?;
    let stdout = String::from_utf8(out.stdout)?;
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("nowhere: no such definitions folder"),
        "{stdout}"
    );
    Ok(())
}
