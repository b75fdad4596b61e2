//! The deployment files agree with the binary: every setting in the env file is a flag the
//! service reads, every command the systemd units run exists, and nginx lets an import through.

use std::process::Command;

use crate::support::root;

fn help(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_statusdata"))
        .args(args)
        .arg("--help")
        .output()
        .expect("run statusdata");
    assert!(out.status.success(), "statusdata {args:?} --help failed");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn deploy(file: &str) -> String {
    std::fs::read_to_string(root().join("deploy").join(file)).expect("deploy file")
}

/// `KEY=value` lines, also those commented out as alternatives.
fn settings(env: &str) -> Vec<(String, String)> {
    env.lines()
        .map(|l| l.trim_start_matches('#').trim())
        .filter_map(|l| l.split_once('='))
        .filter(|(k, _)| !k.is_empty() && k.chars().all(|c| c.is_ascii_uppercase() || c == '_'))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

#[test]
fn every_setting_of_the_env_file_is_a_flag_of_serve() {
    let serve = help(&["serve"]);
    let env = settings(&deploy("statusdata.env"));
    assert!(env.len() >= 8, "{env:?}");
    for (key, _) in &env {
        assert!(
            key == "RUST_LOG"
                || ["）", "；"]
                    .iter()
                    .any(|end| serve.contains(&format!("环境变量：{key}{end}"))),
            "deploy/statusdata.env sets {key}, which `statusdata serve` does not read"
        );
    }
}

#[test]
fn the_units_run_commands_that_exist() {
    let mut seen = 0;
    for unit in ["statusdata.service", "statusdata-backup.service"] {
        for line in deploy(unit).lines().filter(|l| l.starts_with("Exec")) {
            let Some(at) = line.find("/opt/statusdata/statusdata ") else {
                continue;
            };
            let rest = &line[at + "/opt/statusdata/statusdata ".len()..];
            let sub = rest.split_whitespace().next().unwrap_or("");
            let text = help(&[sub]);
            for flag in rest.split_whitespace().filter(|w| w.starts_with("--")) {
                assert!(text.contains(flag), "{unit}: `{sub}` has no {flag}");
            }
            seen += 1;
        }
    }
    assert!(seen >= 3, "serve, check and backup are run by the units");
}

#[test]
fn nginx_lets_the_largest_import_through() {
    let env = settings(&deploy("statusdata.env"));
    let max_mb: u32 = env
        .iter()
        .find(|(k, _)| k == "STATUSDATA_IMPORT_MAX_MB")
        .and_then(|(_, v)| v.parse().ok())
        .expect("import limit set");
    let nginx = deploy("nginx/statusdata.conf");
    let body: u32 = nginx
        .lines()
        .find_map(|l| l.trim().strip_prefix("client_max_body_size "))
        .and_then(|v| v.trim_end_matches(';').trim_end_matches('m').parse().ok())
        .expect("client_max_body_size in MB");
    assert!(
        body > max_mb,
        "nginx {body} MB must exceed the import limit {max_mb} MB"
    );
    assert!(nginx.contains("proxy_set_header X-Forwarded-Proto $scheme;"));
}
