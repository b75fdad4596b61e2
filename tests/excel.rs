//! Excel through HTTP: templates with dropdowns and a read-me, and exports of one table and of the
//! whole cycle, read back with calamine.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use calamine::{Data, Reader, Xlsx};
use tower::ServiceExt;

use crate::api::Api;

pub async fn get(api: &Api, path: &str) -> (StatusCode, Vec<u8>) {
    let response = api
        .app
        .clone()
        .oneshot(Request::get(path).body(Body::empty()).expect("request"))
        .await
        .expect("response");
    let status = response.status();
    (
        status,
        axum::body::to_bytes(response.into_body(), 64 << 20)
            .await
            .expect("body")
            .to_vec(),
    )
}

pub fn book(bytes: Vec<u8>) -> Xlsx<std::io::Cursor<Vec<u8>>> {
    Xlsx::new(std::io::Cursor::new(bytes)).expect("an xlsx workbook")
}

pub fn text(d: &Data) -> String {
    d.to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn templates_carry_labels_code_lists_and_a_read_me() {
    let api = tokio::task::spawn_blocking(|| Api::new(true))
        .await
        .expect("setup");
    let (status, bytes) = get(&api, "/templates/1.5.1.xlsx").await;
    assert_eq!(status, StatusCode::OK);
    let mut wb = book(bytes);
    let names = wb.sheet_names();
    assert_eq!(
        names,
        vec!["1.5.1 全日制高职在校生信息表", "填表说明", "代码表"],
        "data sheet, read-me, hidden code lists"
    );
    let data = wb
        .worksheet_range("1.5.1 全日制高职在校生信息表")
        .expect("data sheet");
    let headers: Vec<String> = data
        .rows()
        .next()
        .map(|r| r.iter().map(text).collect())
        .unwrap_or_default();
    assert!(
        headers.contains(&"学号*".to_owned()) && headers.contains(&"民族*".to_owned()),
        "{headers:?}"
    );
    let codes = wb.worksheet_range("代码表").expect("code lists");
    let all: Vec<String> = codes.rows().flat_map(|r| r.iter().map(text)).collect();
    assert!(
        all.contains(&"01 汉族".to_owned()) && all.contains(&"CHN 中国".to_owned()),
        "long lists go to the hidden sheet"
    );
    let (status, _) = get(&api, "/templates/9.9.9.xlsx").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_cycle_exports_table_by_table_and_whole() {
    let api = tokio::task::spawn_blocking(Api::with_demo)
        .await
        .expect("setup");
    let (status, bytes) = get(&api, "/export/2023/1.5.1.xlsx").await;
    assert_eq!(status, StatusCode::OK);
    let mut wb = book(bytes);
    let sheet = wb
        .worksheet_range("1.5.1 全日制高职在校生信息表")
        .expect("sheet");
    let students = api
        .db
        .store
        .count(
            &api.db.table("1.5.1"),
            &statusdata::store::RowScope::All,
            2023,
            None,
        )
        .expect("count") as usize;
    assert_eq!(sheet.height(), students + 1, "a header and every row");
    let headers: Vec<String> = sheet
        .rows()
        .next()
        .map(|r| r.iter().map(text).collect())
        .unwrap_or_default();
    assert_eq!(
        headers[..2],
        ["填报单位", "填报单位名称"],
        "each row begins with its unit"
    );
    let gender = headers
        .iter()
        .position(|h| h == "性别*")
        .expect("性别 column");
    let birth = headers
        .iter()
        .position(|h| h.starts_with("出生日期"))
        .expect("出生日期 column");
    let first = sheet.rows().nth(1).expect("a row");
    assert!(
        matches!(text(&first[gender]).as_str(), "1 男" | "2 女"),
        "codes with their names"
    );
    assert!(
        matches!(first[birth], Data::DateTime(_)),
        "dates are dates: {:?}",
        first[birth]
    );

    let (status, bytes) = get(&api, "/export/2023/all.xlsx").await;
    assert_eq!(status, StatusCode::OK);
    let mut wb = book(bytes);
    assert_eq!(wb.sheet_names().len(), 91, "a cover and the 90 tables");
    assert_eq!(
        wb.sheet_names()[1],
        "0.1.1 新增专业基础信息表",
        "the notice's order"
    );
    let cover = wb.worksheet_range("封面").expect("cover");
    let row = cover
        .rows()
        .find(|r| r.first().map(text).as_deref() == Some("1.5.1"))
        .expect("1.5.1 on the cover");
    assert_eq!(row[2], Data::Float(students as f64));
}
