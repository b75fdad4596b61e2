//! Excel import respects what the GraphQL mutations respect: the fill right, the caller's unit,
//! and the submission's state.

use axum::http::StatusCode;
use serde_json::{json, Value as Json};

use crate::excel_import::upload_raw;
use crate::site::{setup, Site};

const PASSWORD: &str = "Right#2023";

/// A 2.15.5 社会兼职 workbook with one valid row, headed by GraphQL field names.
fn workbook() -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let sheet = wb.add_worksheet();
    let row = [
        ("teacherNo", "T00001"),
        ("org", "全国机械职业教育教学指导委员会"),
        ("post", "委员"),
        ("kind", "01"),
        ("level", "02"),
        ("startYm", "2022-10"),
    ];
    for (c, (name, value)) in row.iter().enumerate() {
        sheet.write_string(0, c as u16, *name).expect("header");
        sheet.write_string(1, c as u16, *value).expect("cell");
    }
    wb.save_to_buffer().expect("workbook")
}

async fn upload(site: &Site, token: &str, path: &str) -> (StatusCode, Json) {
    let (status, bytes) = upload_raw(&site.app, Some(token), path, &workbook()).await;
    (status, serde_json::from_slice(&bytes).unwrap_or(Json::Null))
}

#[tokio::test(flavor = "multi_thread")]
async fn import_needs_the_fill_right_the_own_unit_and_an_open_submission() {
    let site = tokio::task::spawn_blocking(setup).await.expect("setup");
    for (no, unit, role) in [
        ("c1", "jdgc", "collector"),
        ("h1", "jdgc", "head"),
        ("l1", "tsg", "collector"),
    ] {
        site.account(no, "测试", unit, role, PASSWORD, false);
    }
    let (c1, h1, l1) = (
        site.token("c1", PASSWORD).await,
        site.token("h1", PASSWORD).await,
        site.token("l1", PASSWORD).await,
    );
    let path = "/import/2023/2.15.5";
    site.satisfy_refs("2.15.5", &serde_json::json!({ "teacherNo": "T00001" }));

    let (status, report) = upload(&site, &l1, path).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "the library does not fill 2.15.5: {report}"
    );
    let (status, report) = upload(&site, &c1, &format!("{path}?unit=jwb")).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "not for another unit: {report}"
    );

    let (status, report) = upload(&site, &c1, path).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["inserted"], 1, "{report}");

    let submitted = site
        .gql(
            Some(&h1),
            "mutation { submitTable(cycle: 2023, table: \"2.15.5\", unit: \"jdgc\") { state } }",
            json!({}),
        )
        .await
        .0;
    assert_eq!(
        submitted["data"]["submitTable"]["state"], "submitted",
        "{submitted}"
    );
    let (status, report) = upload(&site, &c1, &format!("{path}?mode=replace")).await;
    assert_eq!(
        status,
        StatusCode::LOCKED,
        "a submitted table is locked: {report}"
    );
    let (status, report) = upload(&site, &c1, &format!("{path}?dryRun=true")).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "a dry run still checks the file: {report}"
    );
    let rows = site
        .db
        .store
        .count(
            &site.db.table("2.15.5"),
            &statusdata::store::RowScope::All,
            2023,
            None,
        )
        .expect("count");
    assert_eq!(rows, 1, "the locked import wrote nothing");
}
