//! `statusdata export` of the whole cycle asks the same sign-off policy as
//! `GET /export/{cycle}/all.xlsx`: with `refuse` both refuse before the leaders sign off and both
//! export after; with `warn` the command exports and says why the export is not final.

use std::process::{Command, Output};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::json;
use statusdata::service::indicators::ExportGate;
use tower::ServiceExt;

use crate::indicators::demo_site_with;
use crate::site::Site;
use crate::support::root;

/// `statusdata export` of the whole 2023 cycle of the site's database into `out`.
fn cli_export(site: &Site, gate: &str, out: &std::path::Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_statusdata"))
        .args(["export", "--db", &site.db.url, "--cycle", "2023"])
        .args(["--export-before-signoff", gate, "--out"])
        .arg(out)
        .current_dir(root())
        .env_remove("STATUSDATA_EXPORT_BEFORE_SIGNOFF")
        .output()
        .expect("statusdata runs")
}

/// The HTTP status of the whole-cycle export.
async fn http_export(site: &Site, token: &str) -> StatusCode {
    let request = Request::get("/export/2023/all.xlsx")
        .header("authorization", format!("Bearer {token}"))
        .body(Body::empty())
        .expect("request");
    site.app
        .clone()
        .oneshot(request)
        .await
        .expect("response")
        .status()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_cli_export_refuses_exactly_when_http_does() {
    let (site, quality, leader) = demo_site_with(ExportGate::Refuse).await;
    let dir = tempfile::tempdir().expect("temp dir");

    // Before sign-off: HTTP refuses, and so does the command line under the same setting.
    assert_eq!(
        http_export(&site, &quality).await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let refused = dir.path().join("refused.xlsx");
    let out = cli_export(&site, "refuse", &refused);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("尚未经院领导签字") && stderr(&out).contains("CONFLICT"),
        "{}",
        stderr(&out)
    );
    assert!(!refused.exists(), "a refused export writes no file");

    // `warn` exports and says why the export is not final.
    let warned = dir.path().join("warned.xlsx");
    let out = cli_export(&site, "warn", &warned);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("注意：2023 年核心数据"),
        "{}",
        stderr(&out)
    );
    assert!(warned.exists());

    // Signed off: both export, and the command line has nothing to warn about.
    let publish = "mutation { publishIndicators(cycle: 2023) { state } }";
    let r = site.gql(Some(&quality), publish, json!({})).await.0;
    assert_eq!(r["data"]["publishIndicators"]["state"], "published", "{r}");
    // Outside 院领导审核期 (the demo is in its filling phase): 质量部 lets the leader sign.
    let allow = "mutation { overrideSignOff(cycle: 2023, reason: \"导出测试\") { state } }";
    let r = site.gql(Some(&quality), allow, json!({})).await.0;
    assert_eq!(r["data"]["overrideSignOff"]["state"], "published", "{r}");
    let sign = "mutation { signOffIndicators(cycle: 2023, comment: \"同意上报\") { state } }";
    let r = site.gql(Some(&leader), sign, json!({})).await.0;
    assert_eq!(r["data"]["signOffIndicators"]["state"], "signed_off", "{r}");
    assert_eq!(http_export(&site, &quality).await, StatusCode::OK);
    let signed = dir.path().join("signed.xlsx");
    let out = cli_export(&site, "refuse", &signed);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains("注意"), "{}", stderr(&out));
    assert!(signed.exists());
}
