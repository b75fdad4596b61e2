//! Templates carry their reference lists: a college's 2.3.1 template has a hidden sheet with its
//! own teachers (not another college's) and the college's majors, courses and enterprises, and a
//! dropdown over them; a template filled from those dropdowns, with dates typed as Excel users
//! type them, imports cleanly. `normalizeValue` reads a typed value as a save would.

use std::io::Read;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use calamine::{Reader, SheetVisible, Xlsx};
use serde_json::json;
use tower::ServiceExt;

use crate::excel_import::upload_raw;
use crate::site::{code, setup, Site};

const PASSWORD: &str = "Tester#2023";

/// Two colleges' organisations, a teacher of each and one of 人事's own, two majors, a course and
/// an enterprise.
fn plant(site: &Site) {
    site.insert_row(
        "1.1.3",
        &[("org_code", "020"), ("org_name", "机电工程学院")],
    );
    site.insert_row(
        "1.1.3",
        &[("org_code", "021"), ("org_name", "信息工程学院")],
    );
    for (no, name, dept) in [
        ("T1001", "王建华", "020"),
        ("T1002", "李晓梅", "020"),
        ("T2001", "王芳", "021"),
    ] {
        site.insert_row(
            "1.4.1",
            &[("teacher_no", no), ("name", name), ("dept_code", dept)],
        );
    }
    site.insert_row(
        "1.2.1",
        &[("major_code", "460301"), ("major_name", "机械制造及自动化")],
    );
    site.insert_row(
        "0.1.2",
        &[("course_code", "C001"), ("course_name", "机械制图")],
    );
    site.insert_row(
        "1.6.1",
        &[
            ("uscc", "91410100MA3X5TQX1K"),
            ("ent_name", "郑州精工机械有限公司"),
        ],
    );
}

async fn get_file(site: &Site, token: &str, path: &str) -> (StatusCode, Vec<u8>) {
    let request = Request::get(path)
        .header("authorization", format!("Bearer {token}"))
        .body(Body::empty())
        .expect("request");
    let response = site.app.clone().oneshot(request).await.expect("response");
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 64 << 20)
        .await
        .expect("body");
    (status, bytes.to_vec())
}

/// A collector of 机电工程学院 (jdgc), signed in.
async fn collector(site: &Site) -> String {
    site.account("9001", "测试员", "jdgc", "collector", PASSWORD, false);
    site.token("9001", PASSWORD).await
}

fn cells(book: &mut Xlsx<std::io::Cursor<Vec<u8>>>, sheet: &str) -> Vec<Vec<String>> {
    let range = book.worksheet_range(sheet).expect("sheet");
    range
        .rows()
        .map(|r| r.iter().map(ToString::to_string).collect())
        .collect()
}

fn part(bytes: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
    let mut text = String::new();
    zip.by_name(name)
        .expect("part")
        .read_to_string(&mut text)
        .expect("read");
    text
}

/// Whether column `col` (1-based) of a sheet's xml has a format of its own (the text format).
fn styled(sheet: &str, col: u32) -> bool {
    let attr = |c: &str, name: &str| -> Option<u32> {
        let at = c.find(&format!("{name}=\""))? + name.len() + 2;
        c[at..].split('"').next()?.parse().ok()
    };
    sheet.split("<col ").skip(1).any(|c| {
        let c = c.split('>').next().unwrap_or_default();
        matches!((attr(c, "min"), attr(c, "max")), (Some(lo), Some(hi)) if (lo..=hi).contains(&col))
            && c.contains("style=")
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn a_colleges_template_lists_its_own_teachers_and_the_colleges_majors() -> anyhow::Result<()>
{
    let site = tokio::task::spawn_blocking(setup).await?;
    plant(&site);
    let token = collector(&site).await;
    let started = std::time::Instant::now();
    let (status, bytes) = get_file(&site, &token, "/templates/2.3.1.xlsx").await;
    assert_eq!(status, StatusCode::OK);
    eprintln!(
        "2.3.1 template: {} bytes in {:?}",
        bytes.len(),
        started.elapsed()
    );
    let mut book = Xlsx::new(std::io::Cursor::new(bytes.clone()))?;
    let hidden = book
        .sheets_metadata()
        .iter()
        .find(|s| s.name == "引用表")
        .map(|s| s.visible);
    assert_eq!(
        hidden,
        Some(SheetVisible::Hidden),
        "a hidden sheet of lists"
    );
    let lists = cells(&mut book, "引用表");
    let all: Vec<&String> = lists.iter().flatten().collect();
    for want in [
        "T1001 王建华",
        "T1002 李晓梅",
        "C001 机械制图",
        "91410100MA3X5TQX1K 郑州精工机械有限公司",
    ] {
        assert!(all.iter().any(|c| *c == want), "{want} in {lists:?}");
    }
    assert!(
        !all.iter().any(|c| c.contains("T2001")),
        "another college's teacher stays out: {lists:?}"
    );
    // The dropdown of 第一主编工号 (column C) reads the teachers' column of the hidden sheet,
    // and warns rather than refuses a key typed without its name.
    let sheet = part(&bytes, "xl/worksheets/sheet1.xml");
    let teachers = sheet
        .split("<dataValidation ")
        .find(|v| v.contains("sqref=\"C2:C1048576\""))
        .unwrap_or_default();
    assert!(
        teachers.contains("引用表") && teachers.contains("$A$2:$A$3"),
        "{teachers}"
    );
    assert!(teachers.contains("errorStyle=\"warning\""), "{teachers}");
    // 出版年月 (column G) is a text column, so 2023.5 is not turned into a number.
    assert!(styled(&sheet, 7), "{sheet:.900}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn another_colleges_template_lists_its_own_teacher_and_a_stranger_gets_no_lists(
) -> anyhow::Result<()> {
    let site = tokio::task::spawn_blocking(setup).await?;
    plant(&site);
    site.account("9003", "测试员", "xxgc", "collector", PASSWORD, false);
    let token = site.token("9003", PASSWORD).await;
    let (_, bytes) = get_file(&site, &token, "/templates/2.3.1.xlsx").await;
    let mut book = Xlsx::new(std::io::Cursor::new(bytes))?;
    let lists = cells(&mut book, "引用表");
    let all: Vec<&String> = lists.iter().flatten().collect();
    assert!(all.iter().any(|c| *c == "T2001 王芳"), "{lists:?}");
    assert!(!all.iter().any(|c| c.starts_with("T100")), "{lists:?}");
    // 保卫处 neither fills nor reads 2.3.1: the plain template, no lists.
    site.account("9002", "测试员", "bwc", "collector", PASSWORD, false);
    let token = site.token("9002", PASSWORD).await;
    let (status, bytes) = get_file(&site, &token, "/templates/2.3.1.xlsx").await;
    assert_eq!(status, StatusCode::OK);
    let book = Xlsx::new(std::io::Cursor::new(bytes))?;
    assert!(
        !book.sheet_names().contains(&"引用表".to_owned()),
        "{:?}",
        book.sheet_names()
    );
    Ok(())
}

/// A 2.3.1 workbook as a collector fills the template: dropdown entries ("T1001 王建华",
/// "01 纸质教材") and dates typed as text ("2023.5").
fn filled(headers: &[String], sheet_name: &str) -> anyhow::Result<Vec<u8>> {
    let values = [
        ("ISBN*", "9787115428028"),
        ("教材名称*", "机械制图"),
        ("第一主编工号*", "T1001 王建华"),
        ("第一主编姓名*", "王建华"),
        ("出版社*", "机械工业出版社"),
        ("出版年月*", "2023.5"),
        ("版次*", "1"),
        ("教材形态*", "01 纸质教材"),
        ("规划教材级别*", "03 非规划教材"),
        ("对应课程代码", "C001 机械制图"),
    ];
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(sheet_name)?;
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string(0, c as u16, h)?;
        if let Some((_, v)) = values.iter().find(|(title, _)| title == h) {
            sheet.write_string(1, c as u16, *v)?;
        }
    }
    Ok(book.save_to_buffer()?)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_template_filled_from_its_dropdowns_with_typed_dates_imports_cleanly(
) -> anyhow::Result<()> {
    let site = tokio::task::spawn_blocking(setup).await?;
    plant(&site);
    let token = collector(&site).await;
    let (_, bytes) = get_file(&site, &token, "/templates/2.3.1.xlsx").await;
    let mut book = Xlsx::new(std::io::Cursor::new(bytes))?;
    let name = book.sheet_names()[0].clone();
    let headers = cells(&mut book, &name).remove(0);
    let file = filled(&headers, &name)?;
    let (status, body) = upload_raw(&site.app, Some(&token), "/import/2023/2.3.1", &file).await;
    let report: serde_json::Value = serde_json::from_slice(&body)?;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["ok"], true, "{report}");
    let (r, _) = site
        .gql(
            Some(&token),
            "{ textbooksAuthoredList { nodes { chiefEditorNo pubYm form courseCode } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        r["data"]["textbooksAuthoredList"]["nodes"][0],
        json!({ "chiefEditorNo": "T1001", "pubYm": "2023-05", "form": "01", "courseCode": "C001" }),
        "{r}"
    );
    Ok(())
}

const NORMALIZE: &str = "query($t: String!, $f: String!, $x: String!) {
  normalizeValue(table: $t, field: $f, text: $x) { value message } }";

#[tokio::test(flavor = "multi_thread")]
async fn normalize_value_reads_typed_dates_as_a_save_would() -> anyhow::Result<()> {
    let site = tokio::task::spawn_blocking(setup).await?;
    let token = collector(&site).await;
    for typed in [
        "2023.5",
        "202305",
        "2023-05",
        "2023/5/1",
        "2023年5月",
        "２０２３．５",
    ] {
        let (r, _) = site
            .gql(
                Some(&token),
                NORMALIZE,
                json!({ "t": "2.3.1", "f": "pubYm", "x": typed }),
            )
            .await;
        assert_eq!(
            r["data"]["normalizeValue"],
            json!({ "value": "2023-05", "message": null }),
            "{typed}: {r}"
        );
    }
    let (r, _) = site
        .gql(
            Some(&token),
            NORMALIZE,
            json!({ "t": "2.3.1", "f": "pub_ym", "x": "2023.13" }),
        )
        .await;
    let message = r["data"]["normalizeValue"]["message"]
        .as_str()
        .unwrap_or("");
    assert!(
        message.starts_with("出版年月：") && message.contains("2021.9"),
        "{r}"
    );
    let (r, _) = site
        .gql(
            None,
            NORMALIZE,
            json!({ "t": "2.3.1", "f": "pubYm", "x": "2023.5" }),
        )
        .await;
    assert_eq!(code(&r), "UNAUTHENTICATED", "{r}");
    site.account("9002", "测试员", "bwc", "collector", PASSWORD, false);
    let stranger = site.token("9002", PASSWORD).await;
    let (r, _) = site
        .gql(
            Some(&stranger),
            NORMALIZE,
            json!({ "t": "2.3.1", "f": "pubYm", "x": "2023.5" }),
        )
        .await;
    assert_eq!(code(&r), "FORBIDDEN", "{r}");
    Ok(())
}
