//! 高基报表 reference figures over HTTP: 质量部 downloads the template, fills it and imports it; the
//! comparison lists a match, a difference the 时点 explains and an unexplained one, which becomes
//! a warning on its table; a bad file stores nothing; two imports at once leave one consistent
//! result.

use calamine::{DataType, Reader};
use rust_decimal::Decimal;
use serde_json::{json, Value as Json};
use statusdata::store::Value;

use crate::excel_import::upload_raw;
use crate::site::Site;
use crate::yoy::{put, students};

fn area(land: i64) -> statusdata::store::Record {
    [
        (
            "land_total".to_owned(),
            Value::Decimal(Decimal::new(land * 100, 2)),
        ),
        (
            "bldg_total".to_owned(),
            Value::Decimal(Decimal::new(2_000_000, 2)),
        ),
    ]
    .into_iter()
    .collect()
}

/// A site with 2023 data: 100 students, 50000 m² of land, 1000 万元 of equipment.
async fn college() -> anyhow::Result<(Site, String)> {
    let site = tokio::task::spawn_blocking(Site::new).await?;
    site.account("5555", "赵六", "zlb", "quality_admin", "Secret#2023", false);
    students(&site, 2023, 100);
    put(&site, "1.1.4", "zlb", 2023, &[area(50_000)]);
    let equip = [(
        "equip_value".to_owned(),
        Value::Decimal(Decimal::new(100_000, 2)),
    )];
    put(&site, "1.1.5", "zlb", 2023, &[equip.into_iter().collect()]);
    let token = site.token("5555", "Secret#2023").await;
    Ok((site, token))
}

/// The template as downloaded, with 数值 filled for the given items.
async fn filled(site: &Site, token: &str, values: &[(&str, &str)]) -> Vec<u8> {
    let request = axum::http::Request::get("/gaoji/2023/template.xlsx")
        .header("authorization", format!("Bearer {token}"))
        .body(axum::body::Body::empty())
        .expect("request");
    let response = tower::ServiceExt::oneshot(site.app.clone(), request)
        .await
        .expect("response");
    assert_eq!(response.status(), 200);
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .expect("body");
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes.to_vec())).expect("xlsx");
    let range = book.worksheet_range("高基报表").expect("sheet");
    let mut out = rust_xlsxwriter::Workbook::new();
    let ws = out.add_worksheet();
    for (r, row) in range.rows().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let shown = match cell.as_date() {
                Some(d) => d.format("%Y-%m-%d").to_string(),
                None => cell.to_string(),
            };
            ws.write_string(r as u32, c as u16, shown).expect("cell");
        }
        let item = row.first().map(|c| c.to_string()).unwrap_or_default();
        if let Some((_, v)) = values.iter().find(|(i, _)| *i == item) {
            ws.write_number(r as u32, 5, v.parse::<f64>().expect("number"))
                .expect("value");
        }
    }
    out.save_to_buffer().expect("workbook")
}

async fn import(site: &Site, token: &str, file: &[u8]) -> (u16, Json) {
    let (status, body) = upload_raw(&site.app, Some(token), "/gaoji/2023/import", file).await;
    (
        status.as_u16(),
        serde_json::from_slice(&body).unwrap_or(Json::Null),
    )
}

fn status_of<'a>(lines: &'a Json, item: &str) -> &'a Json {
    lines
        .as_array()
        .and_then(|l| l.iter().find(|l| l["item"] == item))
        .map_or(&Json::Null, |l| &l["status"])
}

async fn gaoji_findings(site: &Site, token: &str) -> Vec<Json> {
    let (r, _) = site
        .gql(
            Some(token),
            "{ findings(cycle: 2023) { rule table unit state severity message } }",
            json!({}),
        )
        .await;
    r["data"]["findings"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|f| f["rule"].as_str().is_some_and(|r| r.starts_with("GAOJI:")))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn imported_gaoji_figures_match_explain_or_raise_a_finding() -> anyhow::Result<()> {
    let (site, token) = college().await?;
    let file = filled(
        &site,
        &token,
        &[
            ("students", "102"),
            ("land_area", "50000"),
            ("equipment_value", "1500"),
        ],
    )
    .await;
    let (status, report) = import(&site, &token, &file).await;
    assert_eq!(status, 200, "{report}");
    let lines = &report["lines"];
    assert_eq!(status_of(lines, "land_area"), "MATCH", "{report}");
    assert_eq!(
        status_of(lines, "students"),
        "EXPLAINED",
        "2% is within the 时点 difference"
    );
    assert_eq!(status_of(lines, "equipment_value"), "UNEXPLAINED");
    assert_eq!(status_of(lines, "paper_books"), "MISSING", "not filled in");

    let (r, _) = site
        .gql(
            Some(&token),
            "{ gaojiComparison(cycle: 2023) { item status gaoji gaojiAsOf collected collectedAsOf difference explanation } }",
            json!({}),
        )
        .await;
    let students = r["data"]["gaojiComparison"]
        .as_array()
        .and_then(|l| l.iter().find(|l| l["item"] == "students"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        (
            &students["gaoji"],
            &students["collected"],
            &students["difference"]
        ),
        (&json!("102"), &json!("100"), &json!("2")),
        "{r}"
    );
    assert_eq!(students["gaojiAsOf"], "2023-09-01", "高基 counts at 学年初");
    assert_eq!(students["collectedAsOf"], "2023-08-31");
    assert!(students["explanation"]
        .as_str()
        .is_some_and(|e| e.contains("时点")));

    let found = gaoji_findings(&site, &token).await;
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["rule"], "GAOJI:equipment_value");
    assert_eq!(
        (&found[0]["table"], &found[0]["unit"]),
        (&json!("1.1.5"), &json!("zlb"))
    );
    assert_eq!(
        (&found[0]["severity"], &found[0]["state"]),
        (&json!("warning"), &json!("open"))
    );

    // Corrected through GraphQL: the difference is gone, and so is the finding.
    let (set, _) = site
        .gql(
            Some(&token),
            "mutation { setGaojiFigures(cycle: 2023, figures: [{ item: \"equipment_value\", value: \"1000\" }]) { item status } }",
            json!({}),
        )
        .await;
    assert_eq!(
        status_of(&set["data"]["setGaojiFigures"], "equipment_value"),
        "MATCH",
        "{set}"
    );
    let after = gaoji_findings(&site, &token).await;
    assert_eq!(after[0]["state"], "resolved", "{after:?}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bad_gaoji_file_stores_nothing_and_only_quality_imports() -> anyhow::Result<()> {
    let (site, token) = college().await?;
    let file = filled(&site, &token, &[("students", "102"), ("land_area", "-5")]).await;
    let (status, report) = import(&site, &token, &file).await;
    assert_eq!(status, 422, "{report}");
    assert_eq!(report["ok"], false);
    let problem = &report["problems"][0];
    assert_eq!(
        problem["row"], 5,
        "land_area is the template's 5th row: {report}"
    );
    assert!(problem["message"]
        .as_str()
        .is_some_and(|m| m.contains("land_area")));
    let (r, _) = site
        .gql(
            Some(&token),
            "{ gaojiComparison(cycle: 2023) { status } }",
            json!({}),
        )
        .await;
    assert!(
        r["data"]["gaojiComparison"]
            .as_array()
            .is_some_and(|l| l.iter().all(|l| l["status"] == "MISSING")),
        "nothing stored: {r}"
    );

    site.account("6666", "钱七", "xwb", "head", "Secret#2023", false);
    let head = site.token("6666", "Secret#2023").await;
    let (status, report) = import(&site, &head, &file).await;
    assert_eq!(
        (status, &report["code"]),
        (403, &json!("FORBIDDEN")),
        "{report}"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn two_gaoji_imports_at_once_leave_one_consistent_result() -> anyhow::Result<()> {
    let (site, token) = college().await?;
    site.account("5556", "周九", "zlb", "quality_admin", "Secret#2023", false);
    let other = site.token("5556", "Secret#2023").await;
    let wrong = filled(
        &site,
        &token,
        &[("students", "100"), ("equipment_value", "1500")],
    )
    .await;
    let right = filled(
        &site,
        &token,
        &[("students", "101"), ("equipment_value", "1000")],
    )
    .await;
    for _ in 0..3 {
        let (a, b) = tokio::join!(import(&site, &token, &wrong), import(&site, &other, &right));
        assert_eq!((a.0, b.0), (200, 200), "{} {}", a.1, b.1);
        let (r, _) = site
            .gql(
                Some(&token),
                "{ gaojiComparison(cycle: 2023) { item gaoji } }",
                json!({}),
            )
            .await;
        let value = |item: &str| {
            r["data"]["gaojiComparison"]
                .as_array()
                .and_then(|l| l.iter().find(|l| l["item"] == item))
                .map(|l| l["gaoji"].clone())
                .unwrap_or_default()
        };
        let pair = (value("students"), value("equipment_value"));
        assert!(
            pair == (json!("100"), json!("1500")) || pair == (json!("101"), json!("1000")),
            "one file's figures, not a mix: {pair:?}"
        );
        let found = gaoji_findings(&site, &token).await;
        assert_eq!(found.len(), 1, "one finding, never two: {found:?}");
        let open = found[0]["state"] == "open";
        assert_eq!(
            open,
            pair.1 == json!("1500"),
            "the finding follows the last import"
        );
    }
    Ok(())
}
