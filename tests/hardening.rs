//! Errors a stranger or a careless collector can provoke, through the real router: an unreadable
//! stored value, integers past their column, duplicates in core tables, long error lists, the
//! decimal grammar, invisible and bidi characters, and a response's stable bytes.

use axum::body::Body;
use axum::http::Request;
use diesel::RunQueryDsl;
use serde_json::{json, Value as Json};
use tower::ServiceExt;

use crate::api::{code, Api};
use crate::excel_import::upload;

fn api() -> Api {
    Api::new(true)
}

async fn setup() -> Api {
    tokio::task::spawn_blocking(api).await.expect("setup")
}

fn exec(api: &Api, sql: &str) {
    let mut conn = api.db.store.conn().expect("conn");
    diesel::sql_query(sql).execute(&mut *conn).expect(sql);
}

const CREATE_POST: &str =
    "mutation($i: CreateExternalPostInput!) { createExternalPost(input: $i, unit: \"jdgc\") { id } }";

fn post(org: &str) -> Json {
    json!({ "teacherNo": "T00001", "org": org, "post": "委员", "kind": "01", "level": "02", "startYm": "2022-10" })
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreadable_stored_value_is_an_internal_error_at_its_cell_and_the_page_still_reads() {
    let api = setup().await;
    for org in ["甲学会", "乙学会", "丙学会"] {
        let r = api.gql(CREATE_POST, json!({ "i": post(org) })).await;
        assert!(r["data"]["createExternalPost"]["id"].is_string(), "{r}");
    }
    // Another tool wrote text that is no year-month into the column.
    exec(
        &api,
        "UPDATE d_external_posts SET start_ym = 'abc-非数字' WHERE org = '乙学会'",
    );
    let r = api
        .gql(
            "{ externalPosts(first: 10) { nodes { id org startYm } } }",
            json!({}),
        )
        .await;
    let nodes = r["data"]["externalPosts"]["nodes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(nodes.len(), 3, "the other rows still read: {r}");
    let bad = nodes.iter().position(|n| n["org"] == "乙学会");
    let errors = r["errors"].as_array().cloned().unwrap_or_default();
    assert_eq!(errors.len(), 1, "{r}");
    assert_eq!(code(&r), "INTERNAL", "{r}");
    assert_eq!(
        errors[0]["path"],
        json!(["externalPosts", "nodes", bad, "startYm"]),
        "{r}"
    );
    let message = errors[0]["message"].as_str().unwrap_or("");
    assert!(
        !message.contains("abc"),
        "the stored text is not shown: {r}"
    );
    assert!(nodes.iter().all(|n| n["org"].is_string()), "{r}");
    // A single row of it answers INTERNAL, not BAD_REQUEST.
    let id = nodes[bad.unwrap_or(0)]["id"].clone();
    let r = api
        .gql(
            "query($id: ID!) { externalPost(id: $id) { org startYm } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(code(&r), "INTERNAL", "{r}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_duplicate_in_a_core_table_is_a_conflict_without_the_drivers_text() {
    let api = setup().await;
    let insert = "INSERT INTO login_throttle (staff_no, addr, failures, last_at) VALUES ('x', '127.0.0.1', 1, '2026-01-01')";
    exec(&api, insert);
    let mut conn = api.db.store.conn().expect("conn");
    let e = diesel::sql_query(insert)
        .execute(&mut *conn)
        .expect_err("a duplicate key");
    let e = statusdata::service::error::ApiError::from(statusdata::store::StoreError::from(e));
    assert_eq!(e.code.as_str(), "CONFLICT", "{e:?}");
    for driver in ["UNIQUE", "unique", "duplicate", "login_throttle"] {
        assert!(!e.message.contains(driver), "{e:?}");
    }
}

fn problems(r: &Json) -> Vec<Json> {
    r["errors"][0]["extensions"]["problems"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// The message of the first problem on `field` (GraphQL or an import report).
fn problem_on(list: &[Json], field: &str) -> String {
    list.iter()
        .find(|p| p["field"] == field)
        .and_then(|p| p["message"].as_str())
        .unwrap_or_default()
        .to_owned()
}

const CREATE_HOLDING: &str =
    "mutation($i: CreateLibraryHoldingInput!) { createLibraryHolding(input: $i, unit: \"tsg\") { id } }";

/// A workbook of one table headed by GraphQL field names, all cells text but `numbers`.
fn workbook(header: &[&str], rows: &[Vec<&str>], numbers: &[(u32, u16, f64)]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let sheet = wb.add_worksheet();
    for (c, name) in header.iter().enumerate() {
        sheet.write_string(0, c as u16, *name).expect("header");
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, value) in row.iter().enumerate() {
            sheet
                .write_string(r as u32 + 1, c as u16, *value)
                .expect("cell");
        }
    }
    for (r, c, n) in numbers {
        sheet.write_number(*r, *c, *n).expect("number");
    }
    wb.save_to_buffer().expect("workbook")
}

async fn dry_run(api: &Api, code: &str, file: &[u8]) -> Json {
    upload(
        api,
        &format!("/import/2023/{code}?dryRun=true&unit=jdgc"),
        file,
    )
    .await
    .1
}

#[tokio::test(flavor = "multi_thread")]
async fn integers_past_32_bits_are_refused_everywhere_and_a_cycle_never_wraps() {
    let api = setup().await;
    for q in [
        "{ progress(cycle: 4294969319) { table } }",
        "{ bulletin(cycle: 4294969319) }",
        "{ progressSummary(cycle: 4294969319) { __typename } }",
    ] {
        let r = api.gql(q, json!({})).await;
        assert_eq!(code(&r), "BAD_REQUEST", "{q}: {r}");
    }
    let r = api
        .gql(
            CREATE_HOLDING,
            json!({ "i": { "paperBooks": 4_294_967_296_i64 } }),
        )
        .await;
    assert!(
        problem_on(&problems(&r), "paperBooks").contains("超出整数的范围"),
        "{r}"
    );
    let r = api
        .gql(
            "query($f: LibraryHoldingFilter) { libraryHoldings(filter: $f) { totalCount } }",
            json!({ "f": { "paperBooks": { "eq": 4_294_967_296_i64 } } }),
        )
        .await;
    assert_eq!(code(&r), "BAD_REQUEST", "{r}");
    let file = workbook(
        &["paperBooks", "newBooks"],
        &[vec!["", "4294967296"]],
        &[(1, 0, 4_294_967_296.0)],
    );
    let report = dry_run(&api, "1.1.6", &file).await;
    let list = report["problems"].as_array().cloned().unwrap_or_default();
    for field in ["paperBooks", "newBooks"] {
        assert!(
            problem_on(&list, field).contains("超出整数的范围"),
            "{field}: {report}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn decimals_refuse_exponents_and_underscores_in_forms_and_in_excel() {
    let api = setup().await;
    for (typed, why) in [("1e5", "科学计数法"), ("1_000", "下划线")] {
        let r = api
            .gql(CREATE_HOLDING, json!({ "i": { "digitalGb": typed } }))
            .await;
        let m = problem_on(&problems(&r), "digitalGb");
        assert!(
            m.starts_with("数字资源总量") && m.contains(why),
            "{typed}: {r}"
        );
        let file = workbook(&["digitalGb"], &[vec![typed]], &[]);
        let report = dry_run(&api, "1.1.6", &file).await;
        let list = report["problems"].as_array().cloned().unwrap_or_default();
        assert!(
            problem_on(&list, "digitalGb").contains(why),
            "{typed}: {report}"
        );
    }
    let r = api
        .gql(CREATE_HOLDING, json!({ "i": { "digitalGb": "1,000.5" } }))
        .await;
    assert_eq!(problem_on(&problems(&r), "digitalGb"), "", "{r}");
}

#[tokio::test(flavor = "multi_thread")]
async fn invisible_characters_alone_are_empty_and_bidi_controls_are_refused() {
    let api = setup().await;
    let mut input = post("学会");
    input["org"] = json!("\u{200B}\u{FEFF} \u{2060}");
    input["post"] = json!("委员\u{202E}dis");
    let r = api.gql(CREATE_POST, json!({ "i": input })).await;
    let list = problems(&r);
    let rule = |field: &str| {
        list.iter()
            .filter(|p| p["field"] == field)
            .map(|p| p["rule"].as_str().unwrap_or("").to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(rule("org"), ["required"], "{r}");
    assert_eq!(rule("post"), ["bidi"], "{r}");
    assert!(problem_on(&list, "post").starts_with("兼职职务"), "{r}");
    let header = ["teacherNo", "org", "post", "kind", "level", "startYm"];
    let row = vec!["T00001", "\u{200B}", "委\u{FEFF}员", "01", "02", "2022-10"];
    let report = dry_run(&api, "2.15.5", &workbook(&header, &[row], &[])).await;
    let list = report["problems"].as_array().cloned().unwrap_or_default();
    let rules: Vec<(&str, &str)> = list
        .iter()
        .map(|p| {
            (
                p["field"].as_str().unwrap_or(""),
                p["rule"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert!(rules.contains(&("org", "required")), "{report}");
    assert!(rules.contains(&("post", "bidi")), "{report}");
}

#[tokio::test(flavor = "multi_thread")]
async fn error_lists_carry_the_first_hundred_problems_and_their_count() {
    let api = setup().await;
    let rows: Vec<Json> = (0..150).map(|_| json!({ "startYm": "2022-10" })).collect();
    let r = api
        .gql(
            "mutation($rows: [CreateExternalPostInput!]!) { bulkUpsertExternalPost(rows: $rows, unit: \"jdgc\") { inserted } }",
            json!({ "rows": rows }),
        )
        .await;
    assert_eq!(code(&r), "VALIDATION_FAILED", "{r}");
    let count = r["errors"][0]["extensions"]["problemCount"]
        .as_u64()
        .unwrap_or(0);
    assert_eq!(problems(&r).len(), 100, "{count}");
    assert!(count >= 150 * 5, "every problem is counted: {count}");
    let header = ["teacherNo", "org", "post", "kind", "level", "startYm"];
    let rows: Vec<Vec<&str>> = (0..150)
        .map(|_| vec!["", "", "", "", "", "2022-10"])
        .collect();
    let report = dry_run(&api, "2.15.5", &workbook(&header, &rows, &[])).await;
    let shown = report["problems"].as_array().map_or(0, Vec::len);
    let count = report["problemCount"].as_u64().unwrap_or(0);
    assert_eq!(shown, 100, "{count}");
    assert!(count >= 150 * 5, "{count}");
}

/// The raw bytes of a GraphQL answer.
async fn raw(api: &Api, query: &str) -> String {
    let request = Request::post("/graphql")
        .header("content-type", "application/json")
        .body(Body::from(json!({ "query": query }).to_string()))
        .expect("request");
    let response = api.app.clone().oneshot(request).await.expect("response");
    let bytes = axum::body::to_bytes(response.into_body(), 16 << 20)
        .await
        .expect("body");
    String::from_utf8(bytes.to_vec()).expect("utf-8")
}

#[tokio::test(flavor = "multi_thread")]
async fn identical_calls_answer_identical_bytes_in_the_order_asked() {
    let api = setup().await;
    // The slow fields first, the instant one last: finishing order is not asking order.
    let query = "{ a: progress(cycle: 2023) { table unit state } b: externalPosts { totalCount } \
                 c: libraryHoldings { totalCount } d: progressSummary(cycle: 2023) { onTimeRate } \
                 e: catalog { tables { code } } }";
    let first = raw(&api, query).await;
    let at: Vec<usize> = ["\"a\":", "\"b\":", "\"c\":", "\"d\":", "\"e\":"]
        .iter()
        .map(|k| first.find(k).unwrap_or_else(|| panic!("{k} in {first}")))
        .collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "keys as asked: {at:?}");
    for round in 0..20 {
        assert!(raw(&api, query).await == first, "round {round} differs");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_decimal_past_its_column_is_a_problem_in_chinese() {
    let api = setup().await;
    let r = api
        .gql(
            CREATE_HOLDING,
            json!({ "i": { "digitalGb": "99999999999999999999" } }),
        )
        .await;
    let m = problem_on(&problems(&r), "digitalGb");
    assert!(m.contains("超出可保存的范围"), "{r}");
}
