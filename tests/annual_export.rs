//! The annual quality report's exports: the workbook (read back with calamine) has one sheet per
//! report table in the template's layout, the document (word/document.xml) the tables and the
//! accepted cases; both hold the figures 质量部 entered and warn before the sign-off.

use std::io::Read;

use calamine::{Data, Reader, Xlsx};
use serde_json::json;

use crate::annual_report::{enter_surveys, items, REPORT};
use crate::cases::get;
use crate::indicators::{demo_site, PASSWORD};

#[tokio::test(flavor = "multi_thread")]
async fn both_exports_hold_the_tables_and_the_entered_items_and_warn_before_sign_off() {
    let (site, quality, leader) = demo_site().await;
    enter_surveys(&site, &quality).await;
    let report = site.gql(Some(&leader), REPORT, json!({})).await.0;
    let all = items(&report);

    // The workbook: one sheet per table, the template's columns, 本年 beside 上年.
    let (status, bytes) = get(&site, &leader, "/export/2023/annual-report.xlsx").await;
    assert_eq!(status, 200);
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).expect("an xlsx");
    let sheets = book.sheet_names().to_vec();
    assert_eq!(
        sheets,
        [
            "计分卡",
            "资源表",
            "服务贡献表",
            "落实政策表",
            "国际影响表",
            "学生反馈表"
        ]
    );
    let range = book.worksheet_range("计分卡").expect("计分卡");
    let row = |r: u32| -> Vec<String> {
        (0..7)
            .map(|c| {
                range
                    .get_value((r, c))
                    .map(Data::to_string)
                    .unwrap_or_default()
            })
            .collect()
    };
    assert_eq!(
        row(4),
        ["序号", "指标", "单位", "本年", "上年", "变化", "来源"]
    );
    assert!(row(2)[0].contains("尚未经院领导签字"), "{:?}", row(2));
    let income = (5..20)
        .map(row)
        .find(|r| r[1] == "月收入")
        .expect("月收入 line");
    assert_eq!(income[3], "4650");
    assert!(income[6].contains("2023 届毕业生跟踪调查"), "{income:?}");
    let placement = (5..20)
        .map(row)
        .find(|r| r[1] == "毕业去向落实率")
        .expect("落实率");
    let value: f64 = placement[3].parse().expect("a number");
    let shown: f64 = all["placement_rate"]["value"]
        .as_str()
        .and_then(|v| v.parse().ok())
        .expect("value");
    assert!((value - shown).abs() < 1e-9);

    // The document: the tables, the entered figures and the cases section, warned in red.
    let (status, bytes) = get(&site, &quality, "/export/2023/annual-report.docx").await;
    assert_eq!(status, 200);
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a docx is a zip");
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .expect("document.xml")
        .read_to_string(&mut xml)
        .expect("read");
    for needle in [
        "表1 计分卡",
        "表6 学生反馈表",
        "月收入",
        "4650",
        "93.5",
        "典型案例",
        "尚未经院领导签字",
        "<w:tbl>",
    ] {
        assert!(xml.contains(needle), "document lacks {needle}");
    }
    assert_eq!(
        xml.matches("<w:tbl>").count(),
        6,
        "one table per report table"
    );

    // Before the sign-off, the header says so; a collector is refused.
    let request = axum::http::Request::get("/export/2023/annual-report.xlsx")
        .header("authorization", format!("Bearer {quality}"))
        .body(axum::body::Body::empty())
        .expect("request");
    let response = tower::ServiceExt::oneshot(site.app.clone(), request)
        .await
        .expect("response");
    assert_eq!(
        response
            .headers()
            .get("x-statusdata-warning")
            .and_then(|v| v.to_str().ok()),
        Some("indicators-not-signed-off")
    );
    site.account("c9", "采集员", "jdgc", "collector", PASSWORD, false);
    let c = site.token("c9", PASSWORD).await;
    let (status, _) = get(&site, &c, "/export/2023/annual-report.docx").await;
    assert_eq!(status, 403);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_command_line_writes_the_same_files_and_warns_before_sign_off() {
    let (site, quality, _) = demo_site().await;
    enter_surveys(&site, &quality).await;
    let dir = tempfile::tempdir().expect("temp dir");
    for name in ["annual.xlsx", "annual.docx"] {
        let out = dir.path().join(name);
        let run = std::process::Command::new(env!("CARGO_BIN_EXE_statusdata"))
            .args([
                "annual-report",
                "--db",
                &site.db.url,
                "--cycle",
                "2023",
                "--out",
            ])
            .arg(&out)
            .current_dir(crate::support::root())
            .env_remove("STATUSDATA_EXPORT_BEFORE_SIGNOFF")
            .output()
            .expect("statusdata runs");
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert!(run.status.success(), "{name}: {stderr}");
        assert!(stderr.contains("尚未经院领导签字"), "{stderr}");
        let bytes = std::fs::read(&out).expect("written");
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
        let inner = if name.ends_with("xlsx") {
            "xl/workbook.xml"
        } else {
            "word/document.xml"
        };
        assert!(zip.by_name(inner).is_ok(), "{name}");
    }
    let bad = std::process::Command::new(env!("CARGO_BIN_EXE_statusdata"))
        .args([
            "annual-report",
            "--db",
            &site.db.url,
            "--cycle",
            "2023",
            "--out",
            "x.pdf",
        ])
        .current_dir(crate::support::root())
        .output()
        .expect("statusdata runs");
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains(".xlsx 或 .docx"));
}

#[tokio::test(flavor = "multi_thread")]
async fn signed_off_exports_carry_no_warning_and_reopening_a_table_only_the_report_reads_unsigns() {
    let (site, quality, leader) = demo_site().await;
    site.account("h1", "负责人", "jdgc", "head", PASSWORD, false);
    let head = site.token("h1", PASSWORD).await;
    let ok = |r: &serde_json::Value| assert!(r["errors"].is_null(), "{r}");
    ok(&site
        .gql(
            Some(&quality),
            "mutation { publishIndicators(cycle: 2023) { state } }",
            json!({}),
        )
        .await
        .0);
    ok(&site
        .gql(
            Some(&quality),
            "mutation { overrideSignOff(cycle: 2023, reason: \"测试提前签字\") { state } }",
            json!({}),
        )
        .await
        .0);
    ok(&site
        .gql(
            Some(&leader),
            "mutation { signOffIndicators(cycle: 2023) { state } }",
            json!({}),
        )
        .await
        .0);
    let request = axum::http::Request::get("/export/2023/annual-report.docx")
        .header("authorization", format!("Bearer {leader}"))
        .body(axum::body::Body::empty())
        .expect("request");
    let response = tower::ServiceExt::oneshot(site.app.clone(), request)
        .await
        .expect("response");
    assert_eq!(response.status(), 200);
    assert!(
        response.headers().get("x-statusdata-warning").is_none(),
        "signed off"
    );
    let r = site.gql(Some(&leader), REPORT, json!({})).await.0;
    assert_eq!(r["data"]["annualReport"]["signedOff"], true, "{r}");

    // 2.15.2 feeds 横向技术服务到款额 but no core indicator: reopening it un-signs all the same.
    let submit =
        "mutation { submitTable(cycle: 2023, table: \"2.15.2\", unit: \"jdgc\") { state } }";
    ok(&site.gql(Some(&head), submit, json!({})).await.0);
    let reopen = "mutation { reopenTable(cycle: 2023, table: \"2.15.2\", unit: \"jdgc\", reason: \"到款额有误\") { state } }";
    ok(&site.gql(Some(&quality), reopen, json!({})).await.0);
    let r = site.gql(Some(&leader), REPORT, json!({})).await.0;
    assert_eq!(r["data"]["annualReport"]["state"], "unsigned", "{r}");
}
