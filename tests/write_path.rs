//! The write path in multi-row statements: an import stores the rows and audit entries a
//! row-by-row write stored, a key clash inside a chunk names its row and writes nothing, a
//! `bulkUpsert` of new and existing keys keeps its order and versions, and two imports into two
//! units of one table at once both land.

use std::sync::Arc;

use axum::http::StatusCode;
use serde_json::{json, Value as Json};
use statusdata::store::{ListQuery, Record, RowScope, StoreError, StoredRow, Value, WriteCtx};

use crate::concurrency::workbook;
use crate::excel_import::upload_raw;
use crate::site::{setup, Site};

const PASSWORD: &str = "Right#2023";

async fn site_with(people: &[(&str, &str)]) -> (Arc<Site>, Vec<String>) {
    let site = tokio::task::spawn_blocking(setup).await.expect("setup");
    site.satisfy_refs("2.15.5", &json!({ "teacherNo": "T00002" }));
    let mut tokens = Vec::new();
    for (no, unit) in people {
        site.account(no, "测试", unit, "collector", PASSWORD, false);
        tokens.push(site.token(no, PASSWORD).await);
    }
    (Arc::new(site), tokens)
}

/// The record row `r` of [`workbook`] holds.
fn record(r: usize) -> Record {
    let t = |s: &str| Value::Text(s.to_owned());
    [
        ("teacher_no", t("T00002")),
        ("org", t(&format!("导入学会{r}"))),
        ("post", t("委员")),
        ("kind", t("01")),
        ("level", t("02")),
        (
            "start_ym",
            Value::YearMonth {
                year: 2022,
                month: 11,
            },
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

fn rows_of(site: &Site, unit: &str) -> Vec<StoredRow> {
    let table = site.db.table("2.15.5");
    let scope = RowScope::Units(vec![unit.to_owned()]);
    let mut rows = site
        .db
        .store
        .list(&table, &scope, &ListQuery::all(2023))
        .expect("list");
    rows.sort_by_key(|r| r.id);
    rows
}

/// The audit entries of a unit's rows of 2.15.5, oldest first: (operation, row id, before,
/// after without the unit).
fn audit_of(site: &Site, unit: &str) -> Vec<(String, i64, Option<Json>, Option<Json>)> {
    let log = site.db.store.audit_log("2.15.5", None).expect("audit");
    log.into_iter()
        .filter(|e| {
            let side = e.after.as_ref().or(e.before.as_ref());
            side.is_some_and(|s| s["unit"] == unit)
        })
        .map(|e| {
            let strip = |j: Option<Json>| {
                j.map(|mut j| {
                    if let Some(o) = j.as_object_mut() {
                        o.remove("unit");
                    }
                    j
                })
            };
            (
                e.operation,
                e.row_id.unwrap_or(0),
                strip(e.before),
                strip(e.after),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_import_of_two_thousand_rows_stores_what_a_row_by_row_write_stored() {
    let (site, t) = site_with(&[("c1", "jdgc")]).await;
    let n = 2000;
    let (status, body) =
        upload_raw(&site.app, Some(&t[0]), "/import/2023/2.15.5", &workbook(n)).await;
    let report: Json = serde_json::from_slice(&body).expect("report");
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["inserted"], n, "{report}");

    // The row-by-row reference: the same records, one insert (and one audit row) at a time.
    let reference = site.clone();
    tokio::task::spawn_blocking(move || {
        let table = reference.db.table("2.15.5");
        let ctx = WriteCtx {
            cycle: 2023,
            unit: "xxgc".into(),
            actor: "c1".into(),
        };
        for r in 1..=n {
            reference
                .db
                .store
                .unguarded()
                .insert(&table, &RowScope::All, &ctx, &record(r))
                .expect("insert");
        }
    })
    .await
    .expect("reference");

    let (imported, expected) = (rows_of(&site, "jdgc"), rows_of(&site, "xxgc"));
    assert_eq!(imported.len(), n);
    for (i, (a, b)) in imported.iter().zip(&expected).enumerate() {
        assert_eq!(a.values, b.values, "row {i} as stored");
        assert_eq!(
            a.values["org"],
            Value::Text(format!("导入学会{}", i + 1)),
            "file order"
        );
        assert_eq!((a.row_version, &a.created_by), (1, &"c1".to_owned()));
    }
    let (imported_log, expected_log) = (audit_of(&site, "jdgc"), audit_of(&site, "xxgc"));
    assert_eq!(imported_log.len(), n, "one audit row per row");
    for (i, (a, b)) in imported_log.iter().zip(&expected_log).enumerate() {
        assert_eq!((&a.0, &a.2, &a.3), (&b.0, &b.2, &b.3), "audit row {i}");
        assert_eq!(
            a.1, imported[i].id,
            "audit row {i} names its row, in file order"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_clash_inside_a_chunk_names_its_row_and_writes_nothing() {
    let (site, _) = site_with(&[]).await;
    let s = site.clone();
    tokio::task::spawn_blocking(move || {
        let table = s.db.table("2.15.5");
        let ctx = WriteCtx {
            cycle: 2023,
            unit: "jdgc".into(),
            actor: "c1".into(),
        };
        let fixtures = s.db.store.unguarded();
        fixtures
            .insert(&table, &RowScope::All, &ctx, &record(5000))
            .expect("an existing row");
        let before = s.db.store.audit_log("2.15.5", None).expect("audit").len();
        // Index 1500 repeats index 10; index 1700 the row already stored. Each is refused by
        // the database in the middle of a multi-row statement.
        for (clash, with) in [(1500, 10), (1700, 5000)] {
            let mut records: Vec<Record> = (1..=2000).map(record).collect();
            records[clash] = record(with);
            let err = fixtures
                .bulk_insert(&table, &RowScope::All, &ctx, &records)
                .expect_err("a clash");
            let StoreError::BulkRow { index, source } = &err else {
                panic!("not a row's error: {err:?}");
            };
            assert_eq!(*index, clash, "{err}");
            let StoreError::Duplicate { detail, .. } = source.as_ref() else {
                panic!("not a key clash: {source:?}");
            };
            for key in &table.key {
                let label = &table.field(key).expect("key field").label;
                assert!(detail.contains(label.as_str()), "{detail} names {label}");
            }
            assert!(detail.contains(&format!("导入学会{with}")), "{detail}");
            let message = statusdata::service::ApiError::from(err).message;
            assert!(message.contains("已有相同关键字段的记录"), "{message}");
            assert_eq!(rows_of(&s, "jdgc").len(), 1, "nothing written");
            let after = s.db.store.audit_log("2.15.5", None).expect("audit").len();
            assert_eq!(after, before, "no audit row written");
        }
    })
    .await
    .expect("clash");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bulk_upsert_of_new_and_existing_keys_keeps_order_and_versions() {
    let (site, t) = site_with(&[("c1", "jdgc")]).await;
    let (status, _) = upload_raw(&site.app, Some(&t[0]), "/import/2023/2.15.5", &workbook(3)).await;
    assert_eq!(status, StatusCode::OK);
    let row = |org: &str, level: &str| json!({ "teacherNo": "T00002", "org": org, "post": "委员", "kind": "01", "level": level, "startYm": "2022-11" });
    let rows = json!([
        row("新学会A", "02"),
        row("导入学会1", "03"),
        row("新学会B", "02"),
        row("新学会C", "02"),
        row("导入学会3", "04"),
    ]);
    let q = "mutation($rows: [CreateExternalPostInput!]!) { bulkUpsertExternalPost(rows: $rows) { inserted updated } }";
    let (r, _) = site.gql(Some(&t[0]), q, json!({ "rows": rows })).await;
    assert_eq!(
        r["data"]["bulkUpsertExternalPost"],
        json!({ "inserted": 3, "updated": 2 }),
        "{r}"
    );
    let stored = rows_of(&site, "jdgc");
    let version = |org: &str| {
        let row = stored
            .iter()
            .find(|r| r.values["org"] == Value::Text(org.into()))
            .expect("row");
        (row.row_version, row.values["level"].clone())
    };
    assert_eq!(version("导入学会1"), (2, Value::Text("03".into())));
    assert_eq!(version("导入学会2"), (1, Value::Text("02".into())));
    assert_eq!(version("导入学会3"), (2, Value::Text("04".into())));
    assert_eq!(version("新学会C"), (1, Value::Text("02".into())));
    let log = audit_of(&site, "jdgc");
    let ops: Vec<(&str, String)> = log[3..]
        .iter()
        .map(|(op, _, _, after)| {
            let org = after.as_ref().map_or(Json::Null, |a| a["org"].clone());
            (op.as_str(), org.as_str().unwrap_or("").to_owned())
        })
        .collect();
    let want = [
        ("insert", "新学会A"),
        ("update", "导入学会1"),
        ("insert", "新学会B"),
        ("insert", "新学会C"),
        ("update", "导入学会3"),
    ];
    let want: Vec<(&str, String)> = want.iter().map(|(o, g)| (*o, (*g).to_owned())).collect();
    assert_eq!(ops, want, "audit rows in the order of the records");
    let update = &log[4];
    assert_eq!(
        update.2.as_ref().map(|b| b["level"].clone()),
        Some(json!("02"))
    );
    assert_eq!(
        update.3.as_ref().map(|a| a["level"].clone()),
        Some(json!("03"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_imports_into_two_units_of_one_table_at_once_both_land() {
    let (site, t) = site_with(&[("c1", "jdgc"), ("c2", "xxgc")]).await;
    let file = workbook(1000);
    let mut tasks = Vec::new();
    for token in t {
        let (s, f) = (site.clone(), file.clone());
        tasks.push(tokio::spawn(async move {
            upload_raw(&s.app, Some(&token), "/import/2023/2.15.5", &f).await
        }));
    }
    for task in tasks {
        let (status, body) = task.await.expect("task");
        assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    }
    for unit in ["jdgc", "xxgc"] {
        assert_eq!(rows_of(&site, unit).len(), 1000, "{unit}");
        let log = audit_of(&site, unit);
        assert_eq!(log.len(), 1000, "{unit}: one audit row per row");
        assert!(log.iter().all(|e| e.0 == "insert"));
    }
}
