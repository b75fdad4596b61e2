//! The same checks, early: an Excel dry run and 确认导入 name a teacher missing from 1.4.1 by
//! its Excel row (and still let the draft in); `rowChecks` names the row by its key; a reference
//! that copies a name takes it from the target and warns when the name differs.

use serde_json::{json, Value as Json};
use statusdata::store::RowScope;

use crate::db::{ctx, record, text};
use crate::excel_import::upload_raw;
use crate::site::{setup, Site};

const PASSWORD: &str = "Tester#2023";

fn teachers(site: &Site) {
    let table = site.db.table("1.4.1");
    for (no, name) in [("T1001", "王建华"), ("T1002", "李晓梅")] {
        let r = record(&[("teacher_no", text(no)), ("name", text(name))]);
        site.db
            .store
            .unguarded()
            .insert(&table, &RowScope::All, &ctx("zwb_rs"), &r)
            .expect("insert teacher");
    }
}

/// A 2.3.1 workbook: a good row (Excel row 2) and one citing teacher T99999 (Excel row 3).
fn textbooks() -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let sheet = wb.add_worksheet();
    let rows = [
        [
            "ISBN",
            "教材名称",
            "第一主编工号",
            "第一主编姓名",
            "出版社",
            "出版年月",
            "版次",
            "教材形态",
            "规划教材级别",
        ],
        [
            "9787111213826",
            "机电设备安装",
            "T1001",
            "王建华",
            "机械工业出版社",
            "2023-03",
            "1",
            "02",
            "03",
        ],
        [
            "9787040500004",
            "数控加工编程",
            "T99999",
            "测试",
            "高等教育出版社",
            "2023-05",
            "1",
            "01",
            "03",
        ],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            let (r, c) = (
                u32::try_from(r).expect("row"),
                u16::try_from(c).expect("col"),
            );
            sheet.write_string(r, c, *v).expect("cell");
        }
    }
    wb.save_to_buffer().expect("workbook")
}

async fn collector(site: &Site) -> String {
    site.account("9001", "测试员", "jdgc", "collector", PASSWORD, false);
    site.token("9001", PASSWORD).await
}

async fn import(site: &Site, token: &str, dry_run: bool) -> Json {
    let path = format!("/import/2023/2.3.1?dryRun={dry_run}");
    let (status, bytes) = upload_raw(&site.app, Some(token), &path, &textbooks()).await;
    let report: Json = serde_json::from_slice(&bytes).expect("a JSON report");
    assert_eq!(status.as_u16(), 200, "{report}");
    report
}

fn only_the_unknown_teacher(report: &Json) {
    let checks = report["checks"].as_array().cloned().unwrap_or_default();
    assert_eq!(checks.len(), 1, "{report}");
    let c = &checks[0];
    assert_eq!(c["row"], 3, "named by its Excel row: {report}");
    assert_eq!(c["field"], "chiefEditorNo", "{report}");
    assert_eq!(c["severity"], "error", "{report}");
    let message = c["message"].as_str().unwrap_or("");
    assert!(message.contains("T99999"), "{report}");
    assert_eq!(
        report["ok"], true,
        "a draft may hold it; submission refuses it: {report}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dry_run_names_a_teacher_missing_from_the_teacher_table_by_excel_row_and_writes_nothing(
) -> anyhow::Result<()> {
    let site = tokio::task::spawn_blocking(setup).await?;
    teachers(&site);
    let token = collector(&site).await;
    let report = import(&site, &token, true).await;
    only_the_unknown_teacher(&report);
    assert!(
        report["message"].as_str().unwrap_or("").contains("提交前"),
        "{report}"
    );
    let table = site.db.table("2.3.1");
    assert_eq!(site.db.store.count(&table, &RowScope::All, 2023, None)?, 0);
    // The audit log keeps no trace of the rehearsal either.
    assert!(site.db.store.audit_log("2.3.1", None)?.is_empty());
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn an_import_stores_the_draft_and_names_what_submission_will_refuse() -> anyhow::Result<()> {
    let site = tokio::task::spawn_blocking(setup).await?;
    teachers(&site);
    let token = collector(&site).await;
    let report = import(&site, &token, false).await;
    only_the_unknown_teacher(&report);
    assert_eq!(report["inserted"], 2, "{report}");
    // In the page the same problem is named by the row's key, never by a database id.
    let (r, _) = site
        .gql(
            Some(&token),
            "{ rowChecks(table: \"2.3.1\") { rowId rowRef field severity message } }",
            json!({}),
        )
        .await;
    let checks = r["data"]["rowChecks"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(checks.len(), 1, "{r}");
    assert_eq!(checks[0]["rowRef"], "ISBN=9787040500004", "{r}");
    Ok(())
}

const CREATE: &str = "mutation($i: CreateTextbooksAuthoredInput!) {
  createTextbooksAuthored(input: $i) { id rowVersion chiefEditorName } }";
const UPDATE: &str = "mutation($id: ID!, $v: Int!, $p: UpdateTextbooksAuthoredInput!) {
  updateTextbooksAuthored(id: $id, rowVersion: $v, patch: $p) { id rowVersion chiefEditorName } }";

#[tokio::test(flavor = "multi_thread")]
async fn a_teacher_number_brings_the_teachers_name_and_a_different_name_is_a_warning(
) -> anyhow::Result<()> {
    let site = tokio::task::spawn_blocking(setup).await?;
    teachers(&site);
    let token = collector(&site).await;
    let input = json!({ "isbn": "9787111213826", "title": "机电设备安装", "chiefEditorNo": "T1001",
        "publisher": "机械工业出版社", "pubYm": "2023-03", "edition": 1, "form": "02", "planned": "03" });
    let (r, _) = site.gql(Some(&token), CREATE, json!({ "i": input })).await;
    let row = &r["data"]["createTextbooksAuthored"];
    assert_eq!(row["chiefEditorName"], "王建华", "{r}");
    // Another teacher: the name that came with the old one follows the new number.
    let (r, _) = site
        .gql(
            Some(&token),
            UPDATE,
            json!({ "id": row["id"], "v": row["rowVersion"],
                "p": { "chiefEditorNo": "T1002", "chiefEditorName": "王建华" } }),
        )
        .await;
    let row = &r["data"]["updateTextbooksAuthored"];
    assert_eq!(row["chiefEditorName"], "李晓梅", "{r}");
    // A name typed by hand that differs from 1.4.1 is saved, with a warning.
    let (r, _) = site
        .gql(
            Some(&token),
            UPDATE,
            json!({ "id": row["id"], "v": row["rowVersion"], "p": { "chiefEditorName": "李小梅" } }),
        )
        .await;
    let id = r["data"]["updateTextbooksAuthored"]["id"].clone();
    assert!(id.is_string(), "{r}");
    let (r, _) = site
        .gql(
            Some(&token),
            "query($ids: [ID!]) { rowChecks(table: \"2.3.1\", ids: $ids) { field severity message } }",
            json!({ "ids": [id] }),
        )
        .await;
    let checks = r["data"]["rowChecks"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(checks.len(), 1, "{r}");
    assert_eq!(checks[0]["field"], "chiefEditorName", "{r}");
    assert_eq!(checks[0]["severity"], "warning", "{r}");
    assert!(
        checks[0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("李晓梅"),
        "{r}"
    );
    Ok(())
}
