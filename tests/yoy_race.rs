//! Two users at once on a year-over-year finding: the unit explains it while 质量部 reruns the
//! rules. Whichever lands first, the explanation stays and the finding is never duplicated.

use serde_json::{json, Value as Json};

use crate::site::Site;
use crate::yoy::students;

#[tokio::test(flavor = "multi_thread")]
async fn an_explanation_racing_a_rule_run_is_kept() -> anyhow::Result<()> {
    let site = tokio::task::spawn_blocking(Site::new).await?;
    site.account("5555", "赵六", "zlb", "quality_admin", "Secret#2023", false);
    site.account("7777", "孙八", "xwb", "head", "Secret#2023", false);
    let quality = site.token("5555", "Secret#2023").await;
    let head = site.token("7777", "Secret#2023").await;
    students(&site, 2022, 100);
    students(&site, 2023, 130);
    let run = "mutation { runChecks(cycle: 2023) { rules } }";
    site.gql(Some(&quality), run, json!({})).await;
    let list = "{ findings(cycle: 2023, table: \"1.5.1\") { id rule state explanation } }";
    let yoy = |r: &Json| -> Vec<Json> {
        r["data"]["findings"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .filter(|f| f["rule"] == "YOY-students")
            .collect()
    };
    let (before, _) = site.gql(Some(&quality), list, json!({})).await;
    let id = yoy(&before)[0]["id"].clone();
    let explain =
        "mutation($id: ID!, $e: String!) { explainFinding(id: $id, explanation: $e) { state } }";
    for round in 0..3 {
        let text = format!("扩招（第{round}次说明）");
        let (ran, answered) = tokio::join!(
            site.gql(Some(&quality), run, json!({})),
            site.gql(Some(&head), explain, json!({ "id": id, "e": text })),
        );
        assert!(ran.0["errors"].is_null(), "{}", ran.0);
        assert_eq!(
            answered.0["data"]["explainFinding"]["state"], "explained",
            "{}",
            answered.0
        );
        let (after, _) = site.gql(Some(&quality), list, json!({})).await;
        let found = yoy(&after);
        assert_eq!(found.len(), 1, "never duplicated: {found:?}");
        assert_eq!(found[0]["state"], "explained", "{found:?}");
        assert_eq!(found[0]["explanation"], json!(text));
    }
    Ok(())
}
