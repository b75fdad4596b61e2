//! Quality through GraphQL: only 质量部 runs the checks and accepts; a unit sees and explains its
//! own findings; the report and its workbook count them.

use axum::http::StatusCode;
use serde_json::json;

use crate::cases::get;

use crate::site::{code, Site};

#[tokio::test(flavor = "multi_thread")]
async fn quality_office_runs_checks_and_units_answer_their_findings() -> anyhow::Result<()> {
    let site = tokio::task::spawn_blocking(Site::new).await?;
    site.account("5555", "赵六", "zlb", "quality_admin", "Secret#2023", false);
    site.account("6666", "钱七", "jwb", "collector", "Secret#2023", false);
    let quality = site.token("5555", "Secret#2023").await;
    let collector = site.token("6666", "Secret#2023").await;
    let run = "mutation { runChecks(cycle: 2023) { rules errors warnings opened } }";

    let (refused, _) = site.gql(Some(&collector), run, json!({})).await;
    assert_eq!(code(&refused), "FORBIDDEN", "{refused}");

    // An empty cycle: every single-row table is missing (error), every other table empty (warning).
    let (ran, _) = site.gql(Some(&quality), run, json!({})).await;
    let r = &ran["data"]["runChecks"];
    assert!(r["rules"].as_i64() > Some(200), "{ran}");
    assert!(
        r["errors"].as_i64() > Some(0) && r["warnings"].as_i64() > Some(0),
        "{ran}"
    );
    assert_eq!(
        r["opened"],
        json!(r["errors"].as_i64().unwrap_or(0) + r["warnings"].as_i64().unwrap_or(0))
    );

    let list = "query($u: String) { findings(cycle: 2023, unit: $u) { id unit table rule severity state message } }";
    let (own, _) = site.gql(Some(&collector), list, json!({})).await;
    let own = own["data"]["findings"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        !own.is_empty() && own.iter().all(|f| f["unit"] == "jwb"),
        "{own:?}"
    );
    let (all, _) = site.gql(Some(&quality), list, json!({})).await;
    let all = all["data"]["findings"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(all.len() > own.len());
    let (other, _) = site
        .gql(Some(&collector), list, json!({ "u": "质量部" }))
        .await;
    assert_eq!(
        other["data"]["findings"],
        json!([]),
        "another unit's findings stay hidden"
    );

    let explain = "mutation($id: ID!, $e: String!) { explainFinding(id: $id, explanation: $e) { state explanation explainedBy } }";
    let warning = own
        .iter()
        .find(|f| f["severity"] == "warning")
        .expect("a warning");
    let (explained, _) = site
        .gql(
            Some(&collector),
            explain,
            json!({ "id": warning["id"], "e": "本年度无数据" }),
        )
        .await;
    assert_eq!(
        explained["data"]["explainFinding"],
        json!({ "state": "explained", "explanation": "本年度无数据", "explainedBy": "6666" })
    );
    let foreign = all
        .iter()
        .find(|f| f["unit"] != "jwb")
        .expect("another unit's");
    let (refused, _) = site
        .gql(
            Some(&collector),
            explain,
            json!({ "id": foreign["id"], "e": "x" }),
        )
        .await;
    assert_eq!(code(&refused), "FORBIDDEN");

    let accept = "mutation($id: ID!) { acceptFinding(id: $id) { state acceptedBy } }";
    let (refused, _) = site
        .gql(Some(&collector), accept, json!({ "id": warning["id"] }))
        .await;
    assert_eq!(code(&refused), "FORBIDDEN");
    let (accepted, _) = site
        .gql(Some(&quality), accept, json!({ "id": warning["id"] }))
        .await;
    assert_eq!(
        accepted["data"]["acceptFinding"],
        json!({ "state": "accepted", "acceptedBy": "5555" })
    );

    // A rerun keeps the answer.
    site.gql(Some(&quality), run, json!({})).await;
    let (again, _) = site.gql(Some(&collector), list, json!({})).await;
    let kept = again["data"]["findings"]
        .as_array()
        .and_then(|l| l.iter().find(|f| f["id"] == warning["id"]).cloned());
    assert_eq!(kept.map(|f| f["state"].clone()), Some(json!("accepted")));

    let report = "query { qualityReport(cycle: 2023) { summary total { errors warnings accepted } byUnit { key name } byRule { key } } }";
    let (rep, _) = site.gql(Some(&quality), report, json!({})).await;
    let summary = rep["data"]["qualityReport"]["summary"]
        .as_str()
        .unwrap_or("");
    assert!(
        summary.contains("完成全院校验") && summary.contains("错误"),
        "{rep}"
    );
    assert_eq!(rep["data"]["qualityReport"]["total"]["accepted"], json!(1));
    let (refused, _) = site.gql(Some(&collector), report, json!({})).await;
    assert_eq!(code(&refused), "FORBIDDEN");

    // The workbook asks the service the same question: the same answer over HTTP.
    let (status, _) = get(&site, &collector, "/export/2023/quality.xlsx").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, bytes) = get(&site, &quality, "/export/2023/quality.xlsx").await;
    assert_eq!(status, StatusCode::OK);
    assert!(bytes.starts_with(b"PK"), "an xlsx (zip) file");
    Ok(())
}
