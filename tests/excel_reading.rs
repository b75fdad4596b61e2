//! Reading the workbooks collectors really send: repeated keys and titles, missing columns, a
//! renamed sheet behind others under a merged title, the office forms of dates and numbers, and
//! templates whose dropdowns and notes reach every row.

use std::io::Read;

use axum::http::StatusCode;
use rust_xlsxwriter::{Format, Workbook, Worksheet};
use serde_json::Value as Json;

use crate::api::Api;
use crate::excel_import::upload;

fn problems(report: &Json) -> Vec<Json> {
    report["problems"].as_array().cloned().unwrap_or_default()
}

fn header(sheet: &mut Worksheet, row: u32, first_col: u16, titles: &[&str]) {
    for (i, t) in titles.iter().enumerate() {
        sheet
            .write_string(row, first_col + i as u16, *t)
            .expect("title");
    }
}

const AWARD: [&str; 4] = ["奖项（荣誉）名称*", "级别*", "授予单位*", "获奖日期*"];

fn award(sheet: &mut Worksheet, row: u32, col: u16, name: &str, date: &str) {
    let values = [name, "国家级", "教育部", date];
    header(sheet, row, col, &values);
}

async fn dry_run(api: &Api, code: &str, bytes: &[u8]) -> Json {
    let (status, report) = upload(api, &format!("/import/2023/{code}?dryRun=true"), bytes).await;
    assert_ne!(status, StatusCode::BAD_REQUEST, "{report}");
    report
}

#[tokio::test(flavor = "multi_thread")]
async fn a_key_repeated_in_the_file_is_a_problem_naming_both_rows() {
    let api = tokio::task::spawn_blocking(|| Api::new(true))
        .await
        .expect("setup");
    let mut wb = Workbook::new();
    let sheet = wb.add_worksheet();
    header(sheet, 0, 0, &AWARD);
    award(sheet, 1, 0, "教学成果奖", "2023-01-05");
    award(sheet, 2, 0, "优秀教材奖", "2023-01-05");
    award(sheet, 3, 0, "教学成果奖", "2023年1月5日");
    let report = dry_run(&api, "1.1.7", &wb.save_to_buffer().expect("xlsx")).await;
    let dup: Vec<Json> = problems(&report)
        .into_iter()
        .filter(|p| p["rule"] == "duplicate_key")
        .collect();
    assert_eq!(dup.len(), 1, "{report}");
    assert_eq!(dup[0]["row"], 4);
    let message = dup[0]["message"].as_str().unwrap_or("");
    assert!(message.contains("第 4 行与第 2 行"), "{message}");
}

#[tokio::test(flavor = "multi_thread")]
async fn repeated_titles_and_a_missing_required_column_are_said_once() {
    let api = tokio::task::spawn_blocking(|| Api::new(true))
        .await
        .expect("setup");
    let mut wb = Workbook::new();
    let sheet = wb.add_worksheet();
    header(
        sheet,
        0,
        0,
        &[
            "奖项（荣誉）名称*",
            "级别*",
            "获奖日期*",
            "奖项（荣誉）名称",
        ],
    );
    for r in 1..=5 {
        header(
            sheet,
            r,
            0,
            &[&format!("奖{r}"), "国家级", "2023-01-05", "别的"],
        );
    }
    let report = dry_run(&api, "1.1.7", &wb.save_to_buffer().expect("xlsx")).await;
    let all = problems(&report);
    let rules: Vec<&str> = all.iter().filter_map(|p| p["rule"].as_str()).collect();
    assert_eq!(rules, ["duplicate_column", "missing_column"], "{report}");
    assert_eq!(all[0]["row"], 1);
    assert!(all[0]["message"]
        .as_str()
        .is_some_and(|m| m.contains("A、D")));
    assert!(all[1]["message"]
        .as_str()
        .is_some_and(|m| m.starts_with("缺少列“授予单位*”")));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_sheet_is_found_by_code_behind_others_under_a_merged_title() {
    let api = tokio::task::spawn_blocking(|| Api::new(true))
        .await
        .expect("setup");
    let mut wb = Workbook::new();
    wb.add_worksheet()
        .set_name("说明")
        .expect("name")
        .write_string(0, 0, "请先填写第二张表")
        .expect("text");
    let sheet = wb.add_worksheet().set_name("1.1.7获奖情况").expect("name");
    // The data starts at B3 under a merged title: rows keep the sheet's own numbers.
    sheet
        .merge_range(2, 1, 2, 4, "学校获奖信息表", &Format::new().set_bold())
        .expect("title");
    header(
        sheet,
        3,
        1,
        &["奖项（荣誉）名称＊", "级别＊", "授予单位＊", "获奖日期＊"],
    );
    award(sheet, 4, 1, "教学成果奖", "2023.1.5");
    award(sheet, 5, 1, "优秀教材奖", "2023-02-30");
    let report = dry_run(&api, "1.1.7", &wb.save_to_buffer().expect("xlsx")).await;
    let all = problems(&report);
    assert_eq!(all.len(), 1, "{report}");
    assert_eq!(all[0]["row"], 6);
    assert_eq!(all[0]["field"], "awardDate");
    assert_eq!(report["rows"], 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn numbers_are_read_as_typed_and_never_silently_altered() {
    let api = tokio::task::spawn_blocking(|| Api::new(true))
        .await
        .expect("setup");
    let mut wb = Workbook::new();
    let sheet = wb.add_worksheet();
    let titles = [
        "纸质图书总数",
        "其中：当年新增纸质图书",
        "纸质期刊种类",
        "电子图书",
        "阅览室座位数",
        "数字资源总量",
    ];
    header(sheet, 0, 0, &titles);
    sheet.write_string(1, 0, "12,474").expect("cell");
    sheet.write_number(1, 1, 1e20).expect("cell");
    sheet.write_string(1, 2, "１２０").expect("cell");
    sheet.write_number(1, 3, 3000.0).expect("cell");
    sheet.write_string(1, 4, "1,200").expect("cell");
    sheet.write_number(1, 5, 12.345).expect("cell");
    let report = dry_run(&api, "1.1.6", &wb.save_to_buffer().expect("xlsx")).await;
    let all = problems(&report);
    let fields: Vec<&str> = all.iter().filter_map(|p| p["field"].as_str()).collect();
    assert_eq!(fields, ["newBooks", "digitalGb"], "{report}");
    assert!(all[0]["message"]
        .as_str()
        .is_some_and(|m| m.contains("超出整数的范围")));
    assert_eq!(all[1]["rule"], "scale", "{report}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_lost_id_number_is_named_and_a_dropped_leading_zero_restored() {
    let api = tokio::task::spawn_blocking(|| Api::new(true))
        .await
        .expect("setup");
    let mut wb = Workbook::new();
    let sheet = wb.add_worksheet();
    header(sheet, 0, 0, &["证件号码", "民族", "出生日期"]);
    sheet.write_number(1, 0, 1.10101199001011e17).expect("cell");
    sheet.write_number(1, 1, 1.0).expect("cell");
    // 37783 is 2003-06-11 in a cell whose date format was cleared.
    sheet.write_number(1, 2, 37783.0).expect("cell");
    let report = dry_run(&api, "1.5.1", &wb.save_to_buffer().expect("xlsx")).await;
    let row: Vec<Json> = problems(&report)
        .into_iter()
        .filter(|p| p["row"] == 2)
        .collect();
    let fields: Vec<&str> = row.iter().filter_map(|p| p["field"].as_str()).collect();
    assert_eq!(fields, ["idNo"], "{report}");
    assert!(row[0]["message"]
        .as_str()
        .is_some_and(|m| m.contains("身份证号") && m.contains("文本")));
}

fn part(bytes: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("xlsx");
    let mut text = String::new();
    zip.by_name(name)
        .expect("part")
        .read_to_string(&mut text)
        .expect("read");
    text
}

#[test]
fn template_dropdowns_reach_every_row_and_notes_have_no_author() -> anyhow::Result<()> {
    let catalog = statusdata::defs::load_catalog(&crate::support::project_paths().defs)?;
    let table = catalog.table_by_code("1.5.1").expect("1.5.1");
    let bytes = statusdata::xlsx::template::template(&catalog, table)?;
    let sheet = part(&bytes, "xl/worksheets/sheet1.xml");
    assert!(sheet.contains("<dataValidation"), "validations");
    assert!(
        !sheet.contains(":C5001\"") && sheet.contains("1048576"),
        "{sheet:.600}"
    );
    let notes = part(&bytes, "xl/comments1.xml");
    assert!(!notes.contains("Author:"), "{notes:.400}");
    Ok(())
}
