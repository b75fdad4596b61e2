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
    assert!(stdout.contains(": kind: 未知的取值 `basik`"), "{stdout}");
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
    assert!(stdout.contains("nowhere: 定义文件夹不存在"), "{stdout}");
    Ok(())
}

/// The names `statusdata <path> --help` lists under 命令.
fn subcommands(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|l| !l.starts_with("命令"))
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
        .collect()
}

/// English prose left in a help text: clap's own words, or two English words in a row, once
/// flag names, placeholders, `quoted` examples, paths and URLs are set aside.
fn english_prose(help: &str) -> Vec<String> {
    const CLAP: [&str; 12] = [
        "Usage",
        "Options",
        "Arguments",
        "Commands",
        "OPTIONS",
        "COMMAND",
        "default",
        "possible",
        "values",
        "env",
        "Print",
        "help",
    ];
    let mut found = Vec::new();
    for line in help.lines() {
        let plain: String = line.split('`').step_by(2).collect::<Vec<_>>().join(" ");
        let words = plain
            .split_whitespace()
            .filter(|w| !w.starts_with('-') && !w.contains("://"))
            .flat_map(|w| w.split(|c: char| !c.is_ascii_alphabetic()));
        for bare in words.filter(|w| CLAP.contains(w)) {
            found.push(format!("“{bare}” in: {line}"));
        }
        // Two English words separated by one space in the original line are prose (the usage
        // line's command path aside).
        if line.starts_with("用法：") {
            continue;
        }
        for pair in line.split('`').step_by(2).flat_map(|s| {
            let ws: Vec<&str> = s.split(' ').collect();
            ws.windows(2)
                .map(|p| (p[0].to_owned(), p[1].to_owned()))
                .collect::<Vec<_>>()
        }) {
            let lower = |w: &str| w.chars().any(|c| c.is_ascii_lowercase());
            let is_word = |w: &str| w.len() > 1 && w.chars().all(|c| c.is_ascii_alphabetic());
            if is_word(&pair.0) && is_word(&pair.1) && (lower(&pair.0) || lower(&pair.1)) {
                found.push(format!("“{} {}” in: {line}", pair.0, pair.1));
            }
        }
    }
    found
}

#[test]
fn help_of_every_subcommand_reads_chinese() -> anyhow::Result<()> {
    let mut pending = vec![Vec::<String>::new()];
    let mut seen = 0;
    let mut english = Vec::new();
    while let Some(path) = pending.pop() {
        let out = statusdata().args(&path).arg("--help").output()?;
        let help = String::from_utf8(out.stdout)?;
        assert!(out.status.success(), "{path:?} --help failed: {help}");
        seen += 1;
        for found in english_prose(&help) {
            english.push(format!("statusdata {} --help: {found}", path.join(" ")));
        }
        for sub in subcommands(&help) {
            let mut next = path.clone();
            next.push(sub);
            pending.push(next);
        }
    }
    assert!(seen > 17, "only {seen} help texts were read");
    assert!(english.is_empty(), "{}", english.join("\n"));
    Ok(())
}

#[test]
fn the_prose_detector_finds_clap_words_and_english_sentences() {
    assert!(!english_prose("  --db <DB>  数据库 [default: sqlite://x.db]").is_empty());
    assert!(!english_prose("用法：statusdata check [OPTIONS]").is_empty());
    assert!(!english_prose("  -h, --help  Print help").is_empty());
    assert!(!english_prose("  --x  the database to open").is_empty());
    assert!(english_prose(
        "  --db <DB>  数据库：sqlite://PATH 或 `cycle new 2024 --from 2023`（可选值：text、json）"
    )
    .is_empty());
}

#[test]
fn a_command_line_that_cannot_be_understood_is_refused_in_chinese() -> anyhow::Result<()> {
    for args in [
        &["validate", "--format", "xml"][..],
        &["nosuch"][..],
        &["export", "--cycle", "2023"][..],
        &["check", "--colour"][..],
    ] {
        let out = statusdata().args(args).output()?;
        let stderr = String::from_utf8(out.stderr)?;
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(stderr.starts_with("错误："), "{args:?}: {stderr}");
        assert_eq!(stderr.matches("错误").count(), 1, "{args:?}: {stderr}");
        let english = english_prose(&stderr);
        assert!(english.is_empty(), "{args:?}: {}", english.join("\n"));
    }
    Ok(())
}
