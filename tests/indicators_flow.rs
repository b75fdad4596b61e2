//! The leaders' sign-off of the core data through GraphQL over HTTP: publish → comment → return →
//! republish → sign off → export, the refusal of the final export before sign-off, the un-signing
//! by a reopen (with its audit row), and two leaders (or 质量部 and a leader) acting at once.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use calamine::{Reader, Xlsx};
use serde_json::{json, Value as Json};
use statusdata::service::indicators::ExportGate;
use tower::ServiceExt;

use crate::indicators::{demo_site_with, PASSWORD};
use crate::site::{code, Site};

const CORE: &str = "state version warnings decidedBy decisionComment indicators { id value previousValue comments { authorName body } }";

async fn step(site: &Site, token: &str, mutation: &str, vars: Json) -> Json {
    site.gql(Some(token), mutation, vars).await.0
}

async fn publish(site: &Site, token: &str) -> Json {
    step(
        site,
        token,
        &format!("mutation {{ publishIndicators(cycle: 2023) {{ {CORE} }} }}"),
        json!({}),
    )
    .await
}

async fn sign_off(site: &Site, token: &str) -> Json {
    step(
        site,
        token,
        &format!(
            "mutation {{ signOffIndicators(cycle: 2023, comment: \"同意上报\") {{ {CORE} }} }}"
        ),
        json!({}),
    )
    .await
}

async fn send_back(site: &Site, token: &str, why: &str) -> Json {
    step(
        site,
        token,
        &format!(
            "mutation($c: String!) {{ returnIndicators(cycle: 2023, comment: $c) {{ {CORE} }} }}"
        ),
        json!({ "c": why }),
    )
    .await
}

async fn get(site: &Site, token: &str, path: &str) -> (StatusCode, Option<String>, Vec<u8>) {
    let request = Request::get(path)
        .header("authorization", format!("Bearer {token}"))
        .body(Body::empty())
        .expect("request");
    let response = site.app.clone().oneshot(request).await.expect("response");
    let status = response.status();
    let warning = response
        .headers()
        .get("x-statusdata-warning")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let bytes = axum::body::to_bytes(response.into_body(), 64 << 20)
        .await
        .expect("body");
    (status, warning, bytes.to_vec())
}

#[tokio::test(flavor = "multi_thread")]
async fn publish_comment_return_republish_sign_off_export_and_a_reopen_unsigns() {
    // The final export is refused before sign-off on this server (serve --export-before-signoff refuse).
    let (site, quality, leader) = demo_site_with(ExportGate::Refuse).await;
    site.account("h1", "负责人", "cjrh", "head", PASSWORD, false);
    let head = site.token("h1", PASSWORD).await;

    let r = step(&site, &leader, "mutation { commentIndicator(cycle: 2023, indicator: \"students\", comment: \"?\") { id } }", json!({})).await;
    assert_eq!(code(&r), "CONFLICT", "nothing published yet: {r}");
    let r = publish(&site, &leader).await;
    assert_eq!(code(&r), "FORBIDDEN", "only 质量部 publishes: {r}");

    let r = publish(&site, &quality).await;
    let v1 = &r["data"]["publishIndicators"];
    assert_eq!(v1["state"], "published", "{r}");
    assert_eq!(v1["version"], 1);
    let warnings = v1["warnings"].to_string();
    assert!(
        warnings.contains("1.5.3 在校生数量表") && warnings.contains("尚未验收"),
        "{warnings}"
    );

    let r = step(&site, &leader, "mutation { commentIndicator(cycle: 2023, indicator: \"students\", comment: \"在校生数比去年少，请核实\") { authorName body } }", json!({})).await;
    assert_eq!(r["data"]["commentIndicator"]["authorName"], "王静怡", "{r}");
    let r = step(
        &site,
        &leader,
        "mutation { commentIndicator(cycle: 2023, indicator: \"nope\", comment: \"x\") { id } }",
        json!({}),
    )
    .await;
    assert_eq!(code(&r), "NOT_FOUND", "{r}");
    let r = send_back(&site, &leader, "").await;
    assert_eq!(code(&r), "BAD_REQUEST", "a return needs a reason: {r}");
    let r = send_back(&site, &leader, "在校生数须与学务部核实后再报").await;
    let back = &r["data"]["returnIndicators"];
    assert_eq!(back["state"], "returned", "{r}");
    assert_eq!(back["decisionComment"], "在校生数须与学务部核实后再报");
    let students = back["indicators"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|i| i["id"] == "students")
        .cloned()
        .unwrap_or(Json::Null);
    assert_eq!(
        students["comments"][0]["body"], "在校生数比去年少，请核实",
        "{r}"
    );
    assert_eq!(
        code(&sign_off(&site, &leader).await),
        "CONFLICT",
        "a returned snapshot is not signed"
    );

    let (status, _, body) = get(&site, &quality, "/export/2023/all.xlsx").await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        String::from_utf8_lossy(&body)
    );
    assert!(String::from_utf8_lossy(&body).contains("尚未经院领导签字"));

    let r = publish(&site, &quality).await;
    assert_eq!(r["data"]["publishIndicators"]["version"], 2, "{r}");
    assert_eq!(r["data"]["publishIndicators"]["state"], "published");
    let r = step(&site, &leader, "mutation { commentIndicator(cycle: 2023, indicator: \"students\", comment: \"已与学务部核实\") { id } }", json!({})).await;
    assert!(r["errors"].is_null(), "{r}");
    // Outside 院领导审核期 and over open comments: refused until 质量部 lets it through.
    let r = sign_off(&site, &leader).await;
    assert_eq!(code(&r), "CONFLICT", "{r}");
    let allow =
        "mutation { overrideSignOff(cycle: 2023, reason: \"院长出差，提前签字\") { state } }";
    let r = step(&site, &quality, allow, json!({})).await;
    assert!(r["errors"].is_null(), "{r}");
    let r = sign_off(&site, &leader).await;
    let signed = &r["data"]["signOffIndicators"];
    assert_eq!(signed["state"], "signed_off", "{r}");
    assert!(signed["decidedBy"]
        .as_str()
        .unwrap_or("")
        .contains("王静怡"));
    assert_eq!(
        code(&publish(&site, &quality).await),
        "CONFLICT",
        "a signed-off snapshot stands"
    );
    assert_eq!(code(&send_back(&site, &leader, "再看看").await), "CONFLICT");

    let (status, warning, _) = get(&site, &quality, "/export/2023/all.xlsx").await;
    assert_eq!(
        (status, warning),
        (StatusCode::OK, None),
        "signed off: the final export goes ahead"
    );
    let (status, _, bytes) = get(&site, &leader, "/export/2023/indicators.xlsx").await;
    assert_eq!(status, StatusCode::OK);
    let mut book = Xlsx::new(std::io::Cursor::new(bytes)).expect("xlsx");
    let sheet = book.worksheet_range("核心数据").expect("sheet");
    let cells: Vec<String> = sheet
        .rows()
        .flat_map(|r| r.iter().map(|c| c.to_string()))
        .collect();
    for expected in [
        "2023 年",
        "2022 年",
        "变化",
        "在校生数",
        "院领导已签字",
        "王静怡：已与学务部核实",
    ] {
        assert!(
            cells.iter().any(|c| c.contains(expected)),
            "{expected} missing from {cells:?}"
        );
    }
    let (status, _, _) = get(&site, &head, "/export/2023/indicators.xlsx").await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // A reopen of a table an indicator reads (2.9.3 → 校外实习基地数) un-signs, with an audit row.
    let r = step(
        &site,
        &head,
        "mutation { submitTable(cycle: 2023, table: \"2.9.3\", unit: \"cjrh\") { state } }",
        json!({}),
    )
    .await;
    assert_eq!(r["data"]["submitTable"]["state"], "submitted", "{r}");
    let r = step(&site, &quality, "mutation { reopenTable(cycle: 2023, table: \"2.9.3\", unit: \"cjrh\", reason: \"基地数有误\") { state } }", json!({})).await;
    assert!(r["errors"].is_null(), "{r}");
    let r = site
        .gql(
            Some(&leader),
            "query { coreData(cycle: 2023) { state decidedBy } }",
            json!({}),
        )
        .await
        .0;
    assert_eq!(r["data"]["coreData"]["state"], "unsigned", "{r}");
    let audit = site.db.store.audit_log("2.9.3", None).expect("audit");
    let unsign = audit
        .iter()
        .find(|a| a.operation == "indicators_unsign")
        .expect("an audit row for the un-signing");
    assert_eq!(
        unsign.after.as_ref().and_then(|a| a["reason"].as_str()),
        Some("基地数有误")
    );
    let (status, _, _) = get(&site, &quality, "/export/2023/all.xlsx").await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "un-signed: refused again"
    );
    let r = publish(&site, &quality).await;
    assert_eq!(
        r["data"]["publishIndicators"]["version"], 3,
        "republished after the reopen: {r}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_final_export_warns_by_default_before_sign_off() {
    let site = tokio::task::spawn_blocking(Site::new).await.expect("site");
    site.account("q1", "刘雪宁", "zlb", "quality_admin", PASSWORD, false);
    let q = site.token("q1", PASSWORD).await;
    let (status, warning, bytes) = get(&site, &q, "/export/2023/all.xlsx").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(warning.as_deref(), Some("indicators-not-signed-off"));
    let mut book = Xlsx::new(std::io::Cursor::new(bytes)).expect("xlsx");
    let cover = book
        .worksheet_range_at(0)
        .expect("cover")
        .expect("cover sheet");
    let text: String = cover
        .rows()
        .flat_map(|r| r.iter().map(|c| c.to_string()))
        .collect();
    assert!(
        text.contains("注意：2023 年核心数据尚未发布，尚未经院领导签字"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn two_leaders_deciding_at_once_end_in_one_state() {
    let site = tokio::task::spawn_blocking(Site::new).await.expect("site");
    site.account("q1", "刘雪宁", "zlb", "quality_admin", PASSWORD, false);
    site.account("l1", "王静怡", "zwb", "leader", PASSWORD, false);
    site.account("l2", "李明", "zwb", "leader", PASSWORD, false);
    // Within 院领导审核期 (the clock moves there; sessions are logged in again).
    crate::guards::into_review_period(&site).await;
    let (q, l1, l2) = (
        site.token("q1", PASSWORD).await,
        site.token("l1", PASSWORD).await,
        site.token("l2", PASSWORD).await,
    );
    for round in 0..4 {
        assert_eq!(
            publish(&site, &q).await["data"]["publishIndicators"]["version"],
            round * 2 + 1
        );
        let (a, b) = tokio::join!(sign_off(&site, &l1), send_back(&site, &l2, "再核实"));
        let won: Vec<&str> = [(&a, "signOffIndicators"), (&b, "returnIndicators")]
            .iter()
            .filter(|(r, f)| r["data"][*f]["state"].is_string())
            .map(|(_, f)| *f)
            .collect();
        assert_eq!(won.len(), 1, "exactly one decision wins: {a} {b}");
        let lost = if won[0] == "signOffIndicators" {
            &b
        } else {
            &a
        };
        assert_eq!(code(lost), "CONFLICT", "{lost}");
        let state = site
            .gql(
                Some(&q),
                "query { coreData(cycle: 2023) { state } }",
                json!({}),
            )
            .await
            .0;
        let expected = if won[0] == "signOffIndicators" {
            "signed_off"
        } else {
            "returned"
        };
        assert_eq!(state["data"]["coreData"]["state"], expected);
        // 质量部 publishing while a leader signs: either the sign-off lands on the snapshot that
        // was current, or the publication is refused because it is signed; never both lost.
        if expected == "signed_off" {
            let mut conn = site.db.store.conn().expect("conn");
            diesel::RunQueryDsl::execute(
                diesel::sql_query("UPDATE indicator_snapshots SET state = 'returned'"),
                &mut *conn,
            )
            .expect("reset");
        }
        let (p, s) = tokio::join!(publish(&site, &q), sign_off(&site, &l1));
        let published = p["data"]["publishIndicators"]["version"].as_i64();
        let signed = s["data"]["signOffIndicators"]["state"].is_string();
        assert!(
            published.is_some(),
            "returned: 质量部 may always publish: {p}"
        );
        let state = site
            .gql(
                Some(&q),
                "query { coreData(cycle: 2023) { state version } }",
                json!({}),
            )
            .await
            .0;
        let now = &state["data"]["coreData"];
        assert_eq!(now["version"].as_i64(), published);
        assert_eq!(
            now["state"],
            if signed { "signed_off" } else { "published" },
            "{p} {s} {state}"
        );
        if !signed {
            assert_eq!(code(&s), "CONFLICT", "{s}");
        }
        let mut conn = site.db.store.conn().expect("conn");
        diesel::RunQueryDsl::execute(
            diesel::sql_query("UPDATE indicator_snapshots SET state = 'returned'"),
            &mut *conn,
        )
        .expect("reset");
    }
}
