//! Excel import over HTTP: a bad file's report names rows and fields and writes nothing; files
//! that are not workbooks, encrypted or over the limits are refused; replace mode; the CLI.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use calamine::Reader;
use serde_json::Value as Json;
use tower::ServiceExt;

use crate::api::Api;
use crate::excel::{book, get, text};

const BOUNDARY: &str = "statusdata-test-boundary";

pub async fn upload(api: &Api, path: &str, file: &[u8]) -> (StatusCode, Json) {
    let (status, bytes) = upload_raw(&api.app, None, path, file).await;
    (
        status,
        serde_json::from_slice(&bytes).expect("a JSON report"),
    )
}

/// Posts `file` as the multipart field `file`, with a bearer token when given.
pub async fn upload_raw(
    app: &axum::Router,
    token: Option<&str>,
    path: &str,
    file: &[u8],
) -> (StatusCode, Vec<u8>) {
    let mut body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"t.xlsx\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    let mut request = Request::post(path).header(
        "content-type",
        format!("multipart/form-data; boundary={BOUNDARY}"),
    );
    if let Some(t) = token {
        request = request.header("authorization", format!("Bearer {t}"));
    }
    let request = request.body(Body::from(body)).expect("request");
    let response = app.clone().oneshot(request).await.expect("response");
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 16 << 20)
        .await
        .expect("body");
    (status, bytes.to_vec())
}

pub fn count(api: &Api, code: &str) -> i64 {
    api.db
        .store
        .count(
            &api.db.table(code),
            &statusdata::store::RowScope::All,
            2023,
            None,
        )
        .expect("count")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bad_file_is_reported_by_row_and_field_and_writes_nothing() {
    let api = tokio::task::spawn_blocking(|| Api::new(true))
        .await
        .expect("setup");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let sheet = wb.add_worksheet();
    let table = api.db.table("1.1.6");
    let mut column = 0u16;
    for field in &table.fields {
        sheet.write_string(0, column, &field.label).expect("header");
        column += 1;
    }
    sheet
        .write_string(0, column, "备注列")
        .expect("extra header");
    // Row 2 is empty everywhere: every required field is missing. Row 3 has a bad number.
    sheet.write_string(1, 0, " ").expect("cell");
    let number = table
        .fields
        .iter()
        .position(|f| matches!(f.ty, statusdata::defs::FieldType::Int))
        .expect("an integer field in 1.1.6");
    sheet
        .write_string(2, number as u16, "很多")
        .expect("bad cell");
    let bytes = wb.save_to_buffer().expect("workbook");

    let (status, report) = upload(&api, "/import/2023/1.1.6?dryRun=true", &bytes).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{report}");
    assert_eq!(report["ok"], false);
    let problems = report["problems"].as_array().expect("problems");
    let label = &table.fields[number].label;
    assert!(
        problems.iter().any(|p| p["row"] == 3
            && p["label"] == label.as_str()
            && p["message"].as_str().is_some_and(|m| m.contains("很多"))),
        "{report}"
    );
    assert!(problems.iter().all(|p| p["row"] == 3), "{report}");
    assert_eq!(report["ignoredColumns"][0], "备注列");
    let (status, marked) =
        upload_raw(&api.app, None, "/import/2023/1.1.6?report=xlsx", &bytes).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut wb = book(marked.clone());
    let first = wb.sheet_names()[0].clone();
    let range = wb.worksheet_range(&first).expect("sheet");
    assert_eq!(
        text(&range[(2, number)]),
        "很多",
        "the collector's cell comes back"
    );
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(marked)).expect("xlsx");
    let mut notes = String::new();
    std::io::Read::read_to_string(
        &mut zip.by_name("xl/comments1.xml").expect("notes"),
        &mut notes,
    )
    .expect("read");
    assert!(
        notes.contains("很多"),
        "the note says what is wrong: {notes}"
    );
    let (status, _) = upload(&api, "/import/2023/1.1.6", &bytes).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(count(&api, "1.1.6"), 0, "nothing written");
}

#[tokio::test(flavor = "multi_thread")]
async fn files_that_are_not_plain_workbooks_are_refused() {
    let api = tokio::task::spawn_blocking(|| Api::new(true))
        .await
        .expect("setup");
    let cases: [(&str, Vec<u8>, &str); 3] = [
        ("text", b"name,age\n".to_vec(), "不是 .xlsx"),
        (
            "encrypted",
            [0xD0, 0xCF, 0x11, 0xE0, 0xA1].repeat(40),
            "加密",
        ),
        ("broken zip", b"PK\x03\x04 not really".to_vec(), "损坏"),
    ];
    assert_refused(&api, "/import/2023/1.1.6", cases).await;
    let (status, _) = upload(&api, "/import/2023/9.9.9", b"PK").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// Each file is refused with a 400 whose message contains the needle.
async fn assert_refused(api: &Api, path: &str, cases: [(&str, Vec<u8>, &str); 3]) {
    for (kind, bytes, needle) in cases {
        let (status, report) = upload(api, path, &bytes).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{kind}: {report}");
        let message = report["message"].as_str().unwrap_or_default();
        assert!(message.contains(needle), "{kind}: {report}");
    }
}

/// A workbook of 1.1.6 with `rows` rows of a long repetitive text (made distinct per row, as
/// shared strings are stored once): it packs very small.
fn bulky(rows: u32, text: &str) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let sheet = wb.add_worksheet();
    sheet.write_string(0, 0, "纸质图书总数").expect("header");
    for r in 1..=rows {
        sheet
            .write_string(r, 0, format!("{r}{text}"))
            .expect("cell");
    }
    wb.save_to_buffer().expect("workbook")
}

#[tokio::test(flavor = "multi_thread")]
async fn the_configured_limits_refuse_large_files_bombs_and_long_sheets() {
    let limits = statusdata::xlsx::import::Limits {
        max_bytes: 200 << 10,
        max_unpacked: 2 << 20,
        max_rows: 50,
        ..Default::default()
    };
    let api = tokio::task::spawn_blocking(move || Api::with_limits(true, limits))
        .await
        .expect("setup");
    let cases: [(&str, Vec<u8>, &str); 3] = [
        ("too many rows", bulky(60, "x"), "行数过多"),
        (
            "unpacks far larger",
            bulky(40, &"压缩炸弹".repeat(8_000)),
            "压缩炸弹",
        ),
        ("too large", vec![b'P'; 300 << 10], "上限"),
    ];
    assert_refused(&api, "/import/2023/1.1.6?dryRun=true", cases).await;
    let (status, report) = upload(&api, "/import/2023/1.1.6?dryRun=true", &bulky(3, "x")).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "within limits it is read: {report}"
    );
}

/// The first `n` data rows of a workbook's first sheet, rewritten as a new workbook.
fn first_rows(bytes: Vec<u8>, n: usize) -> Vec<u8> {
    let mut wb = book(bytes);
    let first = wb.sheet_names()[0].clone();
    let range = wb.worksheet_range(&first).expect("sheet");
    let mut out = rust_xlsxwriter::Workbook::new();
    let sheet = out.add_worksheet();
    for (r, row) in range.rows().take(n + 1).enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            match cell {
                calamine::Data::Float(f) => sheet.write_number(r, c, *f),
                calamine::Data::DateTime(d) => {
                    let date = d.as_datetime().expect("a date").date();
                    sheet.write_string(r, c, date.format("%Y-%m-%d").to_string())
                }
                other => sheet.write_string(r, c, text(other)),
            }
            .expect("cell");
        }
    }
    out.save_to_buffer().expect("workbook")
}

#[tokio::test(flavor = "multi_thread")]
async fn replace_mode_swaps_the_units_rows() {
    let api = tokio::task::spawn_blocking(Api::with_demo)
        .await
        .expect("setup");
    let (_, exported) = get(&api, "/export/2023/1.4.1.xlsx").await;
    let three = first_rows(exported, 3);
    let path = "/import/2023/1.4.1?mode=replace&unit=zwb_rs";
    let (status, report) = upload(&api, path, &three).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["deleted"], 600, "{report}");
    assert_eq!(report["inserted"], 3, "{report}");
    assert_eq!(count(&api, "1.4.1"), 3);
    let (_, metrics) = get(&api, "/metrics").await;
    let metrics = String::from_utf8_lossy(&metrics);
    for line in [
        "statusdata_exports_total{kind=\"table\"}",
        "statusdata_imports_total{outcome=\"stored\"}",
        "statusdata_imported_rows_total{table=\"1.4.1\"}",
    ] {
        assert!(metrics.contains(line), "/metrics counts {line}: {metrics}");
    }
}

#[test]
fn the_command_line_exports_and_imports() {
    let api = Api::with_demo();
    let dir = tempfile::tempdir().expect("dir");
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_statusdata"))
            .args(args)
            .current_dir(crate::support::root())
            .output()
            .expect("statusdata runs")
    };
    let one = dir.path().join("1.4.1.xlsx");
    let all = dir.path().join("all.xlsx");
    let (one_s, all_s) = (one.to_string_lossy(), all.to_string_lossy());
    let db = api.db.url.as_str();
    let out = run(&[
        "export", "--db", db, "--cycle", "2023", "--table", "1.4.1", "--out", &one_s,
    ]);
    assert!(out.status.success(), "{out:?}");
    let out = run(&["export", "--db", db, "--cycle", "2023", "--out", &all_s]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        book(std::fs::read(&all).expect("file")).sheet_names().len(),
        91
    );

    let out = run(&[
        "template",
        "1.5.1",
        "2.15.5",
        "--out-dir",
        &dir.path().to_string_lossy(),
    ]);
    assert!(out.status.success(), "{out:?}");
    let template = std::fs::read(dir.path().join("1.5.1-模板.xlsx")).expect("template");
    assert_eq!(
        book(template).sheet_names()[0],
        "1.5.1 全日制高职在校生信息表"
    );
    assert!(
        !run(&["template", "9.9"]).status.success(),
        "an unknown table is an error"
    );

    let before = count(&api, "1.4.1");
    let out = run(&[
        "import", "--db", db, "--cycle", "2023", "--table", "1.4.1", "--unit", "zwb_rs", &one_s,
    ]);
    assert!(out.status.success(), "{out:?}");
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("新增 0 行"),
        "the same rows again only update: {said}"
    );
    assert_eq!(count(&api, "1.4.1"), before);

    let broken = dir.path().join("broken.xlsx");
    std::fs::write(&broken, b"not a workbook").expect("write");
    let out = run(&[
        "import",
        "--db",
        db,
        "--cycle",
        "2023",
        "--table",
        "1.4.1",
        "--unit",
        "zwb_rs",
        &broken.to_string_lossy(),
    ]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("不是 .xlsx"),
        "{out:?}"
    );
}
