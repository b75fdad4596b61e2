//! The rows for BI tools: `/export/{cycle}/{code}.csv` and `.jsonl` hold the rows GraphQL gives
//! (with the 填报单位 first), the whole cycle as `all-csv.zip` and `all.jsonl`; a CSV export
//! imports again; a collector's file naming another unit is refused; two units import at once.

use std::collections::BTreeSet;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{json, Value as Json};
use statusdata::defs::naming;
use tower::ServiceExt;

use crate::api::Api;
use crate::excel_import::{count, upload, upload_raw};
use crate::site::{setup, Site};

/// A GET as `token` (the development principal on an `Api`): status, Content-Type, body.
pub async fn fetch(
    app: &axum::Router,
    token: Option<&str>,
    path: &str,
) -> (StatusCode, String, Vec<u8>) {
    let mut request = Request::get(path);
    if let Some(t) = token {
        request = request.header("authorization", format!("Bearer {t}"));
    }
    let response = app
        .clone()
        .oneshot(request.body(Body::empty()).expect("request"))
        .await
        .expect("response");
    let status = response.status();
    let kind = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = axum::body::to_bytes(response.into_body(), 256 << 20)
        .await
        .expect("body");
    (status, kind, body.to_vec())
}

/// The records of a CSV export (header first), after checking its byte-order mark.
pub fn csv_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    let text = bytes
        .strip_prefix(b"\xEF\xBB\xBF")
        .expect("a CSV export starts with the UTF-8 byte-order mark");
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text)
        .records()
        .map(|r| r.expect("csv record").iter().map(str::to_owned).collect())
        .collect()
}

fn lines(bytes: &[u8]) -> Vec<Json> {
    String::from_utf8(bytes.to_vec())
        .expect("utf-8")
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

/// Every row of `code` through GraphQL, each as an object of its fields.
async fn graphql_rows(api: &Api, code: &str) -> Vec<Json> {
    let table = api.db.table(code);
    let fields: Vec<String> = table
        .fields
        .iter()
        .map(|f| naming::graphql_field(&f.name))
        .collect();
    let list = naming::list_field(&table.slug);
    let (mut out, mut offset) = (Vec::new(), 0);
    loop {
        let query = format!(
            "query($o: Int!) {{ {list}(first: 1000, offset: $o) {{ nodes {{ {} }} }} }}",
            fields.join(" ")
        );
        let r = api.gql(&query, json!({ "o": offset })).await;
        let nodes = r["data"][&list]["nodes"].as_array().cloned();
        let nodes = nodes.unwrap_or_else(|| panic!("{code}: {r}"));
        offset += nodes.len();
        let done = nodes.len() < 1000;
        out.extend(nodes);
        if done {
            return out;
        }
    }
}

/// A JSON value as the CSV writes it in label mode.
fn shown(v: &Json) -> String {
    match v {
        Json::Null => String::new(),
        Json::String(s) => s.clone(),
        Json::Bool(b) => if *b { "是" } else { "否" }.to_owned(),
        Json::Array(items) => items.iter().map(shown).collect::<Vec<_>>().join("；"),
        other => other.to_string(),
    }
}

fn sorted(mut rows: Vec<String>) -> Vec<String> {
    rows.sort();
    rows
}

#[tokio::test(flavor = "multi_thread")]
async fn csv_and_json_lines_hold_the_graphql_rows() {
    let api = tokio::task::spawn_blocking(Api::with_demo)
        .await
        .expect("setup");
    for code in ["2.9.5", "1.1.4", "1.4.1"] {
        let table = api.db.table(code);
        let (status, kind, body) =
            fetch(&api.app, None, &format!("/export/2023/{code}.jsonl")).await;
        assert_eq!(
            (status, kind.as_str()),
            (StatusCode::OK, "application/x-ndjson")
        );
        let jsonl = lines(&body);
        let expected = graphql_rows(&api, code).await;
        assert_eq!(jsonl.len() as i64, count(&api, code), "{code}");
        assert!(!jsonl.is_empty(), "{code} has demo rows");
        let fields: Vec<String> = table
            .fields
            .iter()
            .map(|f| naming::graphql_field(&f.name))
            .collect();
        let project = |o: &Json| {
            let picked: serde_json::Map<String, Json> =
                fields.iter().map(|f| (f.clone(), o[f].clone())).collect();
            Json::Object(picked).to_string()
        };
        assert_eq!(
            sorted(jsonl.iter().map(project).collect()),
            sorted(expected.iter().map(project).collect()),
            "{code}: the JSON Lines values are GraphQL's (decimals as exact strings)"
        );
        assert!(jsonl
            .iter()
            .all(|l| l["cycle"] == 2023 && l["unitName"].is_string()));

        let (status, kind, body) = fetch(&api.app, None, &format!("/export/2023/{code}.csv")).await;
        assert_eq!(
            (status, kind.as_str()),
            (StatusCode::OK, "text/csv; charset=utf-8")
        );
        let rows = csv_rows(&body);
        assert_eq!(rows[0][..2], ["填报单位", "填报单位名称"], "{code}");
        assert_eq!(
            rows.len(),
            jsonl.len() + 1,
            "{code}: a header and every row"
        );
        // The CSV and the JSON Lines list the rows in one order: each cell is the line's value.
        for (row, line) in rows[1..].iter().zip(&jsonl) {
            assert_eq!(row[0], line["unit"], "{code}");
            for f in &table.fields {
                let at = rows[0]
                    .iter()
                    .position(|h| *h == statusdata::xlsx::header(f))
                    .expect("a column per field");
                let key = naming::graphql_field(&f.name);
                assert_eq!(row[at], shown(&line[&key]), "{code} {key}");
                if f.ty.code_list().is_some() {
                    assert_eq!(rows[0][at + 1], statusdata::xlsx::name_title(f));
                    assert_eq!(
                        row[at + 1],
                        shown(&line[format!("{key}Label")]),
                        "{code} {key}"
                    );
                }
            }
        }
    }
    let (_, _, body) = fetch(&api.app, None, "/export/2023/2.9.5.csv?header=names").await;
    let rows = csv_rows(&body);
    assert_eq!(rows[0][..2], ["unit", "unitName"]);
    let first = naming::graphql_field(&api.db.table("2.9.5").fields[0].name);
    assert_eq!(rows[0][2], first, "fields headed by their GraphQL names");
    let bools: BTreeSet<&str> = api
        .db
        .table("2.9.5")
        .fields
        .iter()
        .filter(|f| f.ty == statusdata::defs::FieldType::Bool)
        .filter_map(|f| {
            rows[0]
                .iter()
                .position(|h| *h == naming::graphql_field(&f.name))
        })
        .flat_map(|at| rows[1..].iter().map(move |r| r[at].as_str()))
        .filter(|v| !v.is_empty())
        .collect();
    assert!(
        bools.iter().all(|b| ["true", "false"].contains(b)),
        "{bools:?}"
    );

    let (status, _, body) = fetch(&api.app, None, "/export/2023/9.9.9.csv").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(String::from_utf8_lossy(&body).contains("没有编号为 9.9.9 的数据表"));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_whole_cycle_holds_every_table() {
    let api = tokio::task::spawn_blocking(Api::with_demo)
        .await
        .expect("setup");
    let tables = api.db.store.catalog().tables.clone();
    let (status, kind, body) = fetch(&api.app, None, "/export/2023/all-csv.zip").await;
    assert_eq!((status, kind.as_str()), (StatusCode::OK, "application/zip"));
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(body)).expect("a zip");
    assert_eq!(zip.len(), 90, "one CSV per table");
    for t in &tables {
        let mut entry = zip
            .by_name(&format!("{}.csv", t.code))
            .expect("the table's CSV");
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut entry, &mut bytes).expect("read");
        assert_eq!(
            csv_rows(&bytes).len() as i64,
            count(&api, &t.code) + 1,
            "{}",
            t.code
        );
    }
    // Before the leaders sign off, the whole cycle is warned of as the workbook is.
    let response = api
        .app
        .clone()
        .oneshot(
            Request::get("/export/2023/all.jsonl")
                .body(Body::empty())
                .expect("request"),
        )
        .await
        .expect("response");
    let header = |name: &str| {
        let value = response.headers().get(name).map(|v| v.as_bytes().to_vec());
        String::from_utf8(value.unwrap_or_default()).expect("utf-8")
    };
    assert_eq!(header("x-statusdata-warning"), "indicators-not-signed-off");
    assert!(header("content-disposition").contains("filename*=UTF-8''2023-"));
    let (status, _, body) = fetch(&api.app, None, "/export/2023/all.csv").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(String::from_utf8_lossy(&body).contains("all-csv.zip"));
    let (status, kind, body) = fetch(&api.app, None, "/export/2023/all.jsonl").await;
    assert_eq!(
        (status, kind.as_str()),
        (StatusCode::OK, "application/x-ndjson")
    );
    let all = lines(&body);
    let total: i64 = tables.iter().map(|t| count(&api, &t.code)).sum();
    assert_eq!(all.len() as i64, total);
    let named: BTreeSet<&str> = all.iter().filter_map(|l| l["table"].as_str()).collect();
    let filled = tables.iter().filter(|t| count(&api, &t.code) > 0).count();
    assert_eq!(named.len(), filled, "every table with rows");
}

/// Rows of 2.15.5 as `unit`, planted past the rules.
fn plant(site: &Site, unit: &str, teacher: &str) {
    let table = site.db.table("2.15.5");
    let record = [("teacher_no", teacher), ("org", "某协会"), ("post", "委员")]
        .iter()
        .map(|(k, v)| {
            (
                (*k).to_owned(),
                statusdata::store::Value::Text((*v).to_owned()),
            )
        })
        .collect();
    let ctx = statusdata::store::WriteCtx {
        cycle: 2023,
        unit: unit.into(),
        actor: "test".into(),
    };
    site.db
        .store
        .unguarded()
        .insert(&table, &statusdata::store::RowScope::All, &ctx, &record)
        .expect("insert");
}

fn count_of(site: &Site, code: &str) -> i64 {
    site.db
        .store
        .count(
            &site.db.table(code),
            &statusdata::store::RowScope::All,
            2023,
            None,
        )
        .expect("count")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_collector_sees_and_imports_only_the_own_unit() {
    let site = tokio::task::spawn_blocking(setup).await.expect("setup");
    site.account("c1", "测试", "jdgc", "collector", "Right#2023", false);
    let token = site.token("c1", "Right#2023").await;
    plant(&site, "jdgc", "T00001");
    plant(&site, "xxgc", "T00002");
    let (status, _, body) = fetch(&site.app, Some(&token), "/export/2023/2.15.5.csv").await;
    assert_eq!(status, StatusCode::OK);
    let rows = csv_rows(&body);
    assert_eq!(rows.len(), 2, "only the own unit's row: {rows:?}");
    assert_eq!(rows[1][0], "jdgc");
    let (status, _, _) = fetch(&site.app, None, "/export/2023/2.15.5.csv").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let file = "\u{feff}填报单位,teacherNo,org,post,kind,level,startYm\n\
                jdgc,T00003,全国机械职业教育教学指导委员会,委员,01,02,2022-10\n\
                xxgc,T00004,全国机械职业教育教学指导委员会,委员,01,02,2022-10\n";
    let (status, body) = upload_raw(
        &site.app,
        Some(&token),
        "/import/2023/2.15.5",
        file.as_bytes(),
    )
    .await;
    let report: Json = serde_json::from_slice(&body).expect("report");
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{report}");
    assert_eq!(report["code"], "VALIDATION_FAILED", "{report}");
    let problem = &report["problems"][0];
    assert_eq!(
        (problem["row"].clone(), problem["field"].clone()),
        (json!(3), json!("unit")),
        "{report}"
    );
    let message = problem["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("第 3 行") && message.contains("（xxgc）"),
        "{message}"
    );
    assert_eq!(count_of(&site, "2.15.5"), 2, "nothing written");
}

/// A 2.15.5 CSV file of one row for `unit`.
fn one_row(unit: &str, teacher: &str) -> Vec<u8> {
    rows_file(&[(unit, teacher)])
}

/// A 2.15.5 CSV file of a row per (unit, teacher).
fn rows_file(rows: &[(&str, &str)]) -> Vec<u8> {
    let mut text = "\u{feff}填报单位,teacherNo,org,post,kind,level,startYm\n".to_owned();
    for (unit, teacher) in rows {
        text += &format!("{unit},{teacher},全国机械职业教育教学指导委员会,委员,01,02,2022-10\n");
    }
    text.into_bytes()
}

#[tokio::test(flavor = "multi_thread")]
async fn two_units_import_into_one_table_at_once() {
    let api = tokio::task::spawn_blocking(|| Api::new(true))
        .await
        .expect("setup");
    let (a, b) = (one_row("jdgc", "T00001"), one_row("xxgc", "T00001"));
    let ((sa, ra), (sb, rb)) = tokio::join!(
        upload(&api, "/import/2023/2.15.5", &a),
        upload(&api, "/import/2023/2.15.5", &b),
    );
    assert_eq!((sa, sb), (StatusCode::OK, StatusCode::OK), "{ra} {rb}");
    assert_eq!(count(&api, "2.15.5"), 2, "one row in each unit, same key");
}

/// The data rows of a CSV export, sorted.
fn data_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    let mut rows = csv_rows(bytes).split_off(1);
    rows.sort();
    rows
}

#[tokio::test(flavor = "multi_thread")]
async fn an_all_units_csv_export_imports_again_unchanged() {
    let demo = tokio::task::spawn_blocking(Api::with_demo)
        .await
        .expect("setup");
    let empty = tokio::task::spawn_blocking(|| Api::new(true))
        .await
        .expect("setup");
    for code in ["2.13.2", "2.15.2", "2.15.7", "2.15.10", "2.9.5", "1.4.1"] {
        for header in ["", "?header=names"] {
            let path = format!("/export/2023/{code}.csv{header}");
            let (_, _, exported) = fetch(&demo.app, None, &path).await;
            let units: BTreeSet<String> = data_rows(&exported)
                .into_iter()
                .map(|r| r[0].clone())
                .collect();
            if code.starts_with("2.1") {
                assert!(units.len() > 1, "{code}: the demo's rows of several units");
            }
            let import = format!("/import/2023/{code}?mode=replace");
            let (status, report) = upload(&empty, &import, &exported).await;
            assert_eq!(status, StatusCode::OK, "{code}{header}: {report}");
            let (_, _, again) = fetch(&empty.app, None, &path).await;
            assert_eq!(
                data_rows(&exported),
                data_rows(&again),
                "{code}{header} ({units:?})"
            );
        }
    }
}

#[test]
fn the_command_line_writes_csv_zip_and_json_lines_and_imports_csv() {
    let api = Api::with_demo();
    let dir = tempfile::tempdir().expect("dir");
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_statusdata"))
            .args(args)
            .current_dir(crate::support::root())
            .output()
            .expect("statusdata runs")
    };
    let db = api.db.url.as_str();
    let path = |name: &str| dir.path().join(name).to_string_lossy().into_owned();
    let export = |table: Option<&str>, out: &str, extra: &[&str]| {
        let mut args = vec!["export", "--db", db, "--cycle", "2023", "--out", out];
        if let Some(t) = table {
            args.extend(["--table", t]);
        }
        args.extend(extra);
        run(&args)
    };
    let csv = path("2.15.2.csv");
    let out = export(Some("2.15.2"), &csv, &["--header", "names"]);
    assert!(out.status.success(), "{out:?}");
    let rows = csv_rows(&std::fs::read(&csv).expect("csv"));
    assert_eq!(rows[0][..2], ["unit", "unitName"]);
    assert_eq!(rows.len() as i64, count(&api, "2.15.2") + 1);
    let zip = path("all.zip");
    assert!(export(None, &zip, &[]).status.success());
    let archive = zip::ZipArchive::new(std::fs::File::open(&zip).expect("zip")).expect("a zip");
    assert_eq!(archive.len(), 90);
    let jsonl = path("all.jsonl");
    assert!(export(None, &jsonl, &[]).status.success());
    assert!(lines(&std::fs::read(&jsonl).expect("jsonl"))
        .iter()
        .all(|l| l["table"].is_string()));
    let refused = export(None, &path("all.csv"), &[]);
    assert!(
        !refused.status.success(),
        "a whole cycle is a zip, not one CSV"
    );
    assert!(!export(None, &path("all.txt"), &[]).status.success());

    // Replacing with the all-units file puts every row back in its own unit.
    let before = count(&api, "2.15.2");
    let out = run(&[
        "import",
        "--db",
        db,
        "--cycle",
        "2023",
        "--table",
        "2.15.2",
        "--unit",
        "zlb",
        "--replace",
        &csv,
    ]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(count(&api, "2.15.2"), before);
    let zlb = api
        .db
        .store
        .count(
            &api.db.table("2.15.2"),
            &statusdata::store::RowScope::Units(vec!["zlb".into()]),
            2023,
            None,
        )
        .expect("count");
    assert_eq!(
        zlb, 0,
        "no row moved into the unit named on the command line"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_import_of_several_units_checks_each_units_state_and_replaces_only_them() {
    let site = tokio::task::spawn_blocking(setup).await.expect("setup");
    site.account("a1", "管理员", "zlb", "sysadmin", "Right#2023", false);
    site.account("h1", "测试", "jdgc", "head", "Right#2023", false);
    let (admin, head) = (
        site.token("a1", "Right#2023").await,
        site.token("h1", "Right#2023").await,
    );
    site.satisfy_refs("2.15.5", &json!({ "teacherNo": "T00001" }));
    site.satisfy_refs("2.15.5", &json!({ "teacherNo": "T00002" }));
    let both = rows_file(&[("jdgc", "T00001"), ("xxgc", "T00002")]);
    let post = |path: &'static str, file: Vec<u8>| {
        let (app, token) = (site.app.clone(), admin.clone());
        async move {
            let (status, body) = upload_raw(&app, Some(&token), path, &file).await;
            (
                status,
                serde_json::from_slice::<Json>(&body).expect("report"),
            )
        }
    };
    let (status, report) = post("/import/2023/2.15.5", both.clone()).await;
    assert_eq!(
        (status, report["inserted"].clone()),
        (StatusCode::OK, json!(2)),
        "{report}"
    );

    let submit =
        "mutation { submitTable(cycle: 2023, table: \"2.15.5\", unit: \"jdgc\") { state } }";
    let (r, _) = site.gql(Some(&head), submit, json!({})).await;
    assert_eq!(r["data"]["submitTable"]["state"], "submitted", "{r}");
    let (status, report) = post("/import/2023/2.15.5?mode=replace", both).await;
    assert_eq!(status, StatusCode::LOCKED, "{report}");
    assert!(
        report["message"]
            .as_str()
            .unwrap_or_default()
            .contains("（jdgc）"),
        "{report}"
    );
    assert_eq!(count_of(&site, "2.15.5"), 2, "nothing written");

    let (status, report) = post(
        "/import/2023/2.15.5?mode=replace",
        one_row("xxgc", "T00001"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(
        (report["deleted"].clone(), report["inserted"].clone()),
        (json!(1), json!(1))
    );
    assert_eq!(
        count_of(&site, "2.15.5"),
        2,
        "the submitted unit's row is untouched"
    );
}
