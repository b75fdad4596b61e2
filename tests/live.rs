//! Live definitions: `reloadDefinitions` puts an edited definition in force without a restart
//! while readers go on; a destructive edit is refused with `migrate`'s reasons; an instance
//! whose definition of a table is older refuses writes to it.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use calamine::Reader;
use serde_json::{json, Value as Json};
use statusdata::service::definitions::{Definitions, Mode};
use statusdata::service::Service;
use tower::ServiceExt;

use crate::db::TestDb;
use crate::site::{code, Site};
use crate::support::{root, Scratch};

const PASSWORD: &str = "Live#2023x";
const REMARK: &str = "name = \"remark\"\nlabel = \"备注\"\ntype = \"string\"";

/// A site that reloads its definitions from a scratch copy, a 质量部 admin and a 政务部 collector.
async fn site_on(scratch: &Scratch) -> (Arc<Site>, String, String) {
    let site = crate::site::on_scratch(scratch).await;
    site.account("8001", "质量部", "zlb", "quality_admin", PASSWORD, false);
    site.account("8002", "政务部", "zwb", "collector", PASSWORD, false);
    let admin = site.token("8001", PASSWORD).await;
    let collector = site.token("8002", PASSWORD).await;
    (Arc::new(site), admin, collector)
}

const RELOAD: &str = "mutation { reloadDefinitions { version recorded addedColumns } }";
const FIELDS: &str = "{ __type(name: \"SchoolAward\") { fields { name } } }";

fn has_remark(r: &Json) -> bool {
    r["data"]["__type"]["fields"]
        .as_array()
        .is_some_and(|f| f.iter().any(|f| f["name"] == "remark"))
}

async fn template_cells(site: &Site, token: &str) -> Vec<String> {
    let request = Request::get("/templates/1.1.7.xlsx")
        .header("authorization", format!("Bearer {token}"))
        .body(Body::empty())
        .expect("request");
    let response = site.app.clone().oneshot(request).await.expect("response");
    assert_eq!(response.status(), StatusCode::OK);
    let bytes = axum::body::to_bytes(response.into_body(), 16 << 20)
        .await
        .expect("body");
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes.to_vec())).expect("xlsx");
    let first = book.sheet_names().first().cloned().expect("a sheet");
    let range = book.worksheet_range(&first).expect("sheet");
    range.cells().map(|(_, _, c)| c.to_string()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_field_added_through_reload_definitions_is_live_while_readers_go_on() {
    let scratch = Scratch::new();
    let (site, admin, collector) = site_on(&scratch).await;
    assert!(!has_remark(
        &site.gql(Some(&admin), FIELDS, json!({})).await.0
    ));
    assert!(!template_cells(&site, &collector)
        .await
        .iter()
        .any(|c| c == "备注"));

    // Readers keep asking for the table and its type while the definitions change under them.
    let stop = Arc::new(AtomicBool::new(false));
    let reads = Arc::new(AtomicUsize::new(0));
    let reader = {
        let (site, token, stop, reads) =
            (site.clone(), collector.clone(), stop.clone(), reads.clone());
        tokio::spawn(async move {
            let mut failures = Vec::new();
            while !stop.load(Ordering::SeqCst) {
                let q = "{ schoolAwards { totalCount nodes { id awardName } } __type(name: \"SchoolAward\") { name } }";
                let (r, _) = site.gql(Some(&token), q, json!({})).await;
                if r.get("errors").is_some() || r["data"]["schoolAwards"].is_null() {
                    failures.push(r);
                }
                reads.fetch_add(1, Ordering::SeqCst);
            }
            failures
        })
    };
    while reads.load(Ordering::SeqCst) < 3 {
        tokio::task::yield_now().await;
    }
    scratch.append_field("table-defs/1.1.7-school_awards.toml", REMARK);
    let (r, _) = site.gql(Some(&admin), RELOAD, json!({})).await;
    assert_eq!(r["data"]["reloadDefinitions"]["recorded"], true, "{r}");
    assert_eq!(
        r["data"]["reloadDefinitions"]["addedColumns"],
        json!(["1.1.7.remark"]),
        "{r}"
    );
    let after_reload = reads.load(Ordering::SeqCst);
    while reads.load(Ordering::SeqCst) < after_reload + 3 {
        tokio::task::yield_now().await;
    }
    stop.store(true, Ordering::SeqCst);
    let failures = reader.await.expect("reader");
    assert!(failures.is_empty(), "readers saw errors: {failures:?}");

    assert!(
        has_remark(&site.gql(Some(&admin), FIELDS, json!({})).await.0),
        "introspection shows the new field"
    );
    assert!(
        template_cells(&site, &collector)
            .await
            .iter()
            .any(|c| c == "备注"),
        "the template has the new column"
    );
    let create =
        "mutation($i: CreateSchoolAwardInput!) { createSchoolAward(input: $i) { id remark } }";
    let row = json!({
        "awardName": "全国文明校园", "level": "02", "issuer": "中央文明委",
        "awardDate": "2023-05-01", "remark": "重新载入后新增的字段"
    });
    let (r, _) = site
        .gql(Some(&collector), create, json!({ "i": row }))
        .await;
    assert_eq!(
        r["data"]["createSchoolAward"]["remark"], "重新载入后新增的字段",
        "{r}"
    );
    let log = site.db.store.audit_log("1.1.7", None).expect("audit");
    assert!(log.iter().any(|e| e.operation == "insert"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_destructive_edit_is_refused_with_migrates_reasons_and_changes_nothing() {
    let scratch = Scratch::new();
    let (site, admin, collector) = site_on(&scratch).await;
    let (r, _) = site.gql(Some(&collector), RELOAD, json!({})).await;
    assert_eq!(code(&r), "FORBIDDEN", "only 质量部: {r}");
    scratch.replace(
        "table-defs/1.1.7-school_awards.toml",
        "name = \"doc_no\"",
        "name = \"doc_number\"",
    );
    let (r, _) = site.gql(Some(&admin), RELOAD, json!({})).await;
    assert_eq!(code(&r), "BAD_REQUEST", "{r}");
    let message = r["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("doc_no") && message.contains("--allow-destructive"),
        "{message}"
    );
    let q = "{ __type(name: \"SchoolAward\") { fields { name } } }";
    let (r, _) = site.gql(Some(&admin), q, json!({})).await;
    let names = r["data"]["__type"]["fields"].to_string();
    assert!(
        names.contains("docNo") && !names.contains("docNumber"),
        "{names}"
    );
}

/// Creates a 1.1.7 row through `svc` as 政务部's collector.
fn create_award(svc: &Service, name: &str) -> Result<(), statusdata::service::ApiError> {
    let who = svc.access(statusdata::authz::Principal {
        staff_no: "8002".into(),
        name: "政务部".into(),
        unit: "zwb".into(),
        roles: vec!["collector".into()],
        must_change_password: false,
        development: false,
    });
    let table = svc.table("1.1.7")?;
    let mut record = statusdata::store::Record::new();
    for (k, v) in [
        ("award_name", name),
        ("level", "02"),
        ("issuer", "中央文明委"),
    ] {
        record.insert(k.into(), statusdata::store::Value::Text(v.into()));
    }
    record.insert(
        "award_date".into(),
        statusdata::store::Value::Date(chrono::NaiveDate::from_ymd_opt(2023, 5, 1).expect("date")),
    );
    let input = statusdata::service::rows::Input::from_record(record);
    svc.create_row(&who, &table, None, None, input).map(|_| ())
}

#[tokio::test(flavor = "multi_thread")]
async fn an_instance_with_an_older_definition_refuses_writes_to_that_table_and_says_so() {
    let db = tokio::task::spawn_blocking(|| {
        let db = TestDb::new(&root());
        db.install_demo_cycle();
        db
    })
    .await
    .expect("db");
    let (cell, _dir) = tokio::task::spawn_blocking(crate::support::policy_cell)
        .await
        .expect("policy");
    let units = Arc::new(db.units.clone());
    let old = Service::new(db.store.clone(), cell.clone(), units.clone());
    let recorded = old
        .blocking(|svc| svc.record_start(&root().join("table-defs"), "old:1"))
        .await
        .expect("record");
    assert_eq!(recorded, 1);
    old.blocking(|svc| create_award(svc, "甲"))
        .await
        .expect("in step");

    // Another instance reloads an edited 1.1.7.
    let scratch = Scratch::new();
    scratch.append_field("table-defs/1.1.7-school_awards.toml", REMARK);
    let installed = Arc::new(std::sync::Mutex::new(None));
    let seen = installed.clone();
    let defs = Definitions::new(
        scratch.path("table-defs"),
        Arc::new(move |store, version| {
            *seen.lock().expect("lock") = Some((store.clone(), version));
            Ok(())
        }),
    );
    let reloaded = old
        .blocking(move |svc| defs.reload(svc, &svc.system(), Mode::Explicit))
        .await
        .expect("reload");
    assert_eq!((reloaded.version, reloaded.recorded), (2, true));

    let refused = old.blocking(|svc| create_award(svc, "乙")).await;
    let e = refused.expect_err("the old definition may not write");
    assert_eq!(e.code.as_str(), "CONFLICT");
    assert!(
        e.message.contains("1.1.7")
            && e.message.contains("第 2 版")
            && e.message.contains("第 1 版新")
            && e.message.contains("重新载入表定义")
            && !e.message.contains("statusdata")
            && !e.message.contains("reloadDefinitions"),
        "{}",
        e.message
    );
    let (store, version) = installed.lock().expect("lock").clone().expect("installed");
    assert_eq!(version, 2);
    let new = Service::new(store, cell, units);
    new.blocking(|svc| create_award(svc, "丙"))
        .await
        .expect("the new definition writes");
}
