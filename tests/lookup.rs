//! `lookup`: a collector chooses a referenced row (2.3.1's 第一主编 from 1.4.1) without read
//! rights on the referenced table, and sees only its key and name.

use serde_json::json;
use statusdata::store::RowScope;

use crate::db::{ctx, record, text};
use crate::site::{code, setup, Site};

const LOOKUP: &str = "query($t: String!, $f: String!, $s: String, $v: [String!]) {
  lookup(table: $t, field: $f, search: $s, values: $v) { value label table } }";

fn teachers(site: &Site) {
    let table = site.db.table("1.4.1");
    for (no, name) in [("T1001", "王建华"), ("T1002", "李晓梅"), ("T2001", "王芳")] {
        let r = record(&[("teacher_no", text(no)), ("name", text(name))]);
        site.db
            .store
            .unguarded()
            .insert(&table, &RowScope::All, &ctx("zwb_rs"), &r)
            .expect("insert teacher");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_college_collector_finds_a_teacher_by_name_without_reading_the_teacher_table(
) -> anyhow::Result<()> {
    let site = tokio::task::spawn_blocking(setup).await?;
    teachers(&site);
    site.account("9001", "测试员", "jdgc", "collector", "Tester#2023", false);
    let token = site.token("9001", "Tester#2023").await;
    let (r, _) = site
        .gql(
            Some(&token),
            LOOKUP,
            json!({ "t": "2.3.1", "f": "chiefEditorNo", "s": "王" }),
        )
        .await;
    let got = r["data"]["lookup"].as_array().cloned().unwrap_or_default();
    assert_eq!(got.len(), 2, "{r}");
    assert_eq!(
        got[0],
        json!({ "value": "T1001", "label": "王建华", "table": "1.4.1" })
    );
    assert_eq!(got[1]["label"], "王芳");
    // The teacher table itself stays closed to the college.
    let (r, _) = site
        .gql(
            Some(&token),
            "{ internalTeachers { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(code(&r), "FORBIDDEN", "{r}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn lookup_by_values_names_the_keys_already_filled_in() -> anyhow::Result<()> {
    let site = tokio::task::spawn_blocking(setup).await?;
    teachers(&site);
    site.account("9001", "测试员", "jdgc", "collector", "Tester#2023", false);
    let token = site.token("9001", "Tester#2023").await;
    let (r, _) = site
        .gql(
            Some(&token),
            LOOKUP,
            json!({ "t": "2.3.1", "f": "chief_editor_no", "v": ["T1002"] }),
        )
        .await;
    assert_eq!(r["data"]["lookup"][0]["label"], "李晓梅", "{r}");
    assert_eq!(r["data"]["lookup"].as_array().map(Vec::len), Some(1));
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_unit_that_neither_fills_nor_reads_the_table_gets_no_choices() -> anyhow::Result<()> {
    let site = tokio::task::spawn_blocking(setup).await?;
    teachers(&site);
    site.account("9002", "测试员", "bwc", "collector", "Tester#2023", false);
    let token = site.token("9002", "Tester#2023").await;
    let (r, _) = site
        .gql(
            Some(&token),
            LOOKUP,
            json!({ "t": "2.3.1", "f": "chiefEditorNo", "s": "王" }),
        )
        .await;
    assert_eq!(code(&r), "FORBIDDEN", "{r}");
    let (r, _) = site
        .gql(None, LOOKUP, json!({ "t": "2.3.1", "f": "chiefEditorNo" }))
        .await;
    assert_eq!(code(&r), "UNAUTHENTICATED", "{r}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn lookup_refuses_a_field_that_is_not_a_reference() -> anyhow::Result<()> {
    let site = tokio::task::spawn_blocking(setup).await?;
    site.account("9001", "测试员", "jdgc", "collector", "Tester#2023", false);
    let token = site.token("9001", "Tester#2023").await;
    let (r, _) = site
        .gql(Some(&token), LOOKUP, json!({ "t": "2.3.1", "f": "isbn" }))
        .await;
    assert_eq!(code(&r), "BAD_REQUEST", "{r}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_row_with_an_empty_multi_select_reads_as_an_empty_list() -> anyhow::Result<()> {
    // The explorer's grid reads every field; an empty 适用专业 (a list) must come back as an
    // empty list, not as an error for the whole row.
    let site = tokio::task::spawn_blocking(setup).await?;
    site.account("9001", "测试员", "jdgc", "collector", "Tester#2023", false);
    let table = site.db.table("2.3.1");
    let r = record(&[("isbn", text("9787111213826")), ("title", text("教程"))]);
    site.db
        .store
        .unguarded()
        .insert(&table, &RowScope::All, &ctx("jdgc"), &r)?;
    let token = site.token("9001", "Tester#2023").await;
    let (r, _) = site
        .gql(
            Some(&token),
            "{ textbooksAuthoredList { nodes { isbn majors } } }",
            json!({}),
        )
        .await;
    assert!(r["errors"].is_null(), "{r}");
    assert_eq!(
        r["data"]["textbooksAuthoredList"]["nodes"][0]["majors"],
        json!([])
    );
    Ok(())
}
