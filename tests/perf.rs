//! The fast read path keeps its answers: only the selected cells, the count in the same
//! statement, stable in-lists, indexes the planner uses, cached sessions within their bound,
//! and a connection that failed leaves the pool.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use chrono::{Duration, Utc};
use serde_json::json;
use statusdata::defs;
use statusdata::graphql::{build_schema, ApiConfig};
use statusdata::http::{router, AppState};
use statusdata::store::page::{SYSTEM, UNIT};
use statusdata::store::{
    AnyConnection, Filter, ListQuery, Op, PageQuery, Paging, RowScope, Store, Value,
};

use crate::api::Api;
use crate::db::{ctx, on_postgres, only, record, text, TestDb};
use crate::site::{code, Site};
use crate::support::project_paths;

fn cell_of(table: &statusdata::defs::Table, field: &str) -> usize {
    SYSTEM.len()
        + table
            .fields
            .iter()
            .position(|f| f.name == field)
            .expect("field")
}

#[test]
fn a_page_reads_only_its_cells_and_counts_in_the_same_statement() -> anyhow::Result<()> {
    let db = TestDb::mini();
    let zoo = db.table("1.9.2");
    // Values an array literal or JSON list must carry intact: quotes, backslash, braces, commas.
    let nasty = [
        "O'Brien",
        "a,b",
        "{x}",
        "back\\slash",
        "\"q\"",
        "NULL",
        "普通",
    ];
    for (i, s) in nasty.iter().enumerate() {
        db.store.unguarded().insert(
            &zoo,
            &only("jdgc"),
            &ctx("jdgc"),
            &record(&[("code", text(&format!("N{i}"))), ("title", text(s))]),
        )?;
    }
    let title = cell_of(&zoo, "title");
    let code_cell = cell_of(&zoo, "code");
    let page = |filter, cells: Vec<usize>, count, offset| PageQuery {
        list: ListQuery {
            filter,
            limit: Some(3),
            offset,
            ..ListQuery::all(2023)
        },
        cells,
        count,
        paging: Paging::default(),
    };
    let all = db
        .store
        .page(&zoo, &RowScope::All, &page(None, vec![0, title], true, 0))?;
    assert_eq!(all.total, Some(nasty.len() as i64));
    assert_eq!(all.rows.len(), 3);
    assert_eq!(all.rows[0].get(title), &text(nasty[0]));
    assert!(matches!(all.rows[0].get(0), Value::Int(_)));
    // Not selected: not read.
    assert_eq!(all.rows[0].get(code_cell), &Value::Null);
    assert_eq!(all.rows[0].get(UNIT), &Value::Null);
    // Without the count, none is made.
    let uncounted = db
        .store
        .page(&zoo, &RowScope::All, &page(None, vec![title], false, 0))?;
    assert_eq!(uncounted.total, None);
    // Past the end: no row carries the count, so it is counted on its own.
    let past = db
        .store
        .page(&zoo, &RowScope::All, &page(None, vec![title], true, 50))?;
    assert!(past.rows.is_empty());
    assert_eq!(past.total, Some(nasty.len() as i64));
    // Every in-list, whatever its length, finds exactly its values.
    for n in 1..=nasty.len() {
        let values: Vec<Value> = nasty[..n].iter().map(|s| text(s)).collect();
        let f = Filter::In {
            field: "title".into(),
            values,
        };
        let got = db
            .store
            .page(&zoo, &RowScope::All, &page(Some(f), vec![title], true, 0))?;
        assert_eq!(got.total, Some(n as i64), "{n} values");
    }
    // The scope still holds: another unit's reader counts nothing.
    let other = db
        .store
        .page(&zoo, &only("tsg"), &page(None, vec![title], true, 0))?;
    assert_eq!(other.total, Some(0));
    let ids = Filter::In {
        field: "id".into(),
        values: vec![Value::Int(1), Value::Int(2), Value::Int(999)],
    };
    let got = db
        .store
        .page(&zoo, &RowScope::All, &page(Some(ids), vec![0], true, 0))?;
    assert_eq!(got.total, Some(2));
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn the_list_answers_the_same_whatever_it_selects() {
    let api = tokio::task::spawn_blocking(Api::with_demo)
        .await
        .expect("setup");
    let full = api
        .gql(
            "{ students(first: 5, filter: { grade: { eq: 2022 } }) { totalCount nodes { id studentNo name gender majorCode className grade unit cycle rowVersion createdAt majorCodeRow { majorName } } pageInfo { hasNextPage endCursor } } }",
            json!({}),
        )
        .await;
    let s = &full["data"]["students"];
    assert!(s["totalCount"].as_i64().unwrap_or(0) > 5, "{full}");
    let n0 = &s["nodes"][0];
    assert!(n0["majorCodeRow"]["majorName"].is_string(), "{full}");
    assert!(n0["id"].is_string() && n0["grade"] == 2022 && n0["cycle"] == 2023);
    assert_eq!(s["pageInfo"]["hasNextPage"], true);
    // A fragment, an alias and __typename select the same cells.
    let narrow = api
        .gql(
            "query { students(first: 5, filter: { grade: { eq: 2022 } }) { pageInfo { hasNextPage } nodes { __typename ...F who: name } } } fragment F on Student { studentNo majorCodeRow { majorName } }",
            json!({}),
        )
        .await;
    let m = &narrow["data"]["students"];
    assert_eq!(m["pageInfo"]["hasNextPage"], true, "{narrow}");
    for i in 0..5 {
        assert_eq!(m["nodes"][i]["studentNo"], s["nodes"][i]["studentNo"]);
        assert_eq!(m["nodes"][i]["who"], s["nodes"][i]["name"]);
        assert_eq!(
            m["nodes"][i]["majorCodeRow"]["majorName"],
            s["nodes"][i]["majorCodeRow"]["majorName"]
        );
    }
    // Only the count.
    let count = api
        .gql(
            "{ students(filter: { grade: { eq: 2022 } }) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(count["data"]["students"]["totalCount"], s["totalCount"]);
}

#[test]
fn the_filtered_student_page_uses_an_index() {
    let api = Api::with_demo();
    let store = &api.db.store;
    let students = store.table("1.5.1").expect("1.5.1").clone();
    let filter = Filter::And(vec![
        Filter::Compare {
            field: "major_code".into(),
            op: Op::Eq,
            value: text("510203"),
        },
        Filter::Compare {
            field: "grade".into(),
            op: Op::Eq,
            value: Value::Year(2022),
        },
    ]);
    let query = PageQuery {
        list: ListQuery {
            filter: Some(filter),
            limit: Some(100),
            ..ListQuery::all(2023)
        },
        cells: (0..SYSTEM.len() + students.fields.len()).collect(),
        count: true,
        paging: Paging::default(),
    };
    let plan = store
        .explain_page(&students, &RowScope::All, &query)
        .expect("explain")
        .join("\n");
    if on_postgres() {
        assert!(!plan.contains("Seq Scan"), "{plan}");
        assert!(plan.contains("Index"), "{plan}");
    } else {
        // Every access is a search on an index, never a scan of the table.
        assert!(plan.contains("SEARCH d_students USING INDEX"), "{plan}");
        assert!(!plan.contains("SCAN d_students"), "{plan}");
    }
}

/// A second instance on the same database: its own store, pool, session cache and clock.
fn second_instance(url: &str, seconds: Arc<AtomicI64>) -> axum::Router {
    let paths = project_paths();
    let catalog = Arc::new(defs::load_catalog(&paths.defs).expect("catalog"));
    let units = Arc::new(defs::load_units(&paths.units).expect("units"));
    let store = Store::open(url, catalog.clone()).expect("second store");
    let (policy, dir) = crate::support::policy_cell();
    std::mem::forget(dir);
    let schema = build_schema(&catalog, Some(ApiConfig::default())).expect("schema");
    let mut state = AppState::new(
        schema,
        statusdata::service::Service::new(store, policy, units),
    );
    let start = Utc::now();
    state.set_clock(Arc::new(move || {
        start + Duration::seconds(seconds.load(Ordering::SeqCst))
    }));
    router(state)
}

async fn me(app: &axum::Router, token: &str) -> serde_json::Value {
    use tower::ServiceExt;
    let request = axum::http::Request::post("/graphql")
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {token}"))
        .body(axum::body::Body::from(
            json!({ "query": "{ me { staffNo } }" }).to_string(),
        ))
        .expect("request");
    let response = app.clone().oneshot(request).await.expect("response");
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .expect("body");
    serde_json::from_slice(&bytes).unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_logout_takes_effect_here_at_once_and_elsewhere_within_the_cache_bound() {
    let seconds = Arc::new(AtomicI64::new(0));
    let s = seconds.clone();
    let (site, other) = tokio::task::spawn_blocking(move || {
        let site = Site::new();
        site.account(
            "P0001",
            "王芳",
            "zlb",
            "quality_admin",
            "Zlb-Strong#2026",
            false,
        );
        let other = second_instance(&site.db.url, s);
        (site, other)
    })
    .await
    .expect("setup");
    let token = site.token("P0001", "Zlb-Strong#2026").await;
    // Both instances know the session (the other one now remembers it).
    assert_eq!(me(&other, &token).await["data"]["me"]["staffNo"], "P0001");
    let (r, _) = site
        .gql(Some(&token), "{ me { staffNo } }", json!({}))
        .await;
    assert_eq!(r["data"]["me"]["staffNo"], "P0001", "{r}");
    let (r, _) = site
        .gql(Some(&token), "mutation { logout }", json!({}))
        .await;
    assert!(r["errors"].is_null(), "{r}");
    // Here: at once.
    let (r, _) = site
        .gql(Some(&token), "{ me { staffNo } }", json!({}))
        .await;
    assert_eq!(code(&r), "UNAUTHENTICATED", "{r}");
    // There: still believed inside the bound, refused once it has passed.
    assert_eq!(me(&other, &token).await["data"]["me"]["staffNo"], "P0001");
    seconds.store(
        statusdata::auth::cache::SESSION_CACHE.num_seconds() + 1,
        Ordering::SeqCst,
    );
    let r = me(&other, &token).await;
    assert_eq!(code(&r), "UNAUTHENTICATED", "{r}");
}

#[test]
fn a_connection_that_failed_leaves_the_pool() -> anyhow::Result<()> {
    if !on_postgres() {
        // SQLite connections are files; they do not drop.
        return Ok(());
    }
    use diesel::connection::SimpleConnection;
    use diesel::{Connection, RunQueryDsl};
    #[derive(diesel::QueryableByName)]
    struct Pid {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        pid: i32,
    }
    let db = TestDb::mini();
    let zoo = db.table("1.9.2");
    let query = PageQuery {
        list: ListQuery::all(2023),
        cells: vec![0],
        count: true,
        paging: Paging::default(),
    };
    db.store.page(&zoo, &RowScope::All, &query)?;
    // Every connection the pool holds is ended by the server, as a restart or a proxy would.
    let pids: Vec<i32> = db.store.with_workflow(|c| {
        let AnyConnection::Postgresql(pg) = c else {
            return Ok::<_, anyhow::Error>(vec![]);
        };
        Ok(diesel::sql_query("SELECT pg_backend_pid() AS pid")
            .load::<Pid>(pg)?
            .into_iter()
            .map(|p| p.pid)
            .collect())
    })?;
    let base = std::env::var("TEST_DATABASE_URL")?;
    let mut admin = diesel::PgConnection::establish(&base)?;
    for pid in pids {
        admin.batch_execute(&format!("SELECT pg_terminate_backend({pid})"))?;
    }
    // The first use may fail (that connection is gone); after it the pool has a fresh one.
    let _ = db.store.page(&zoo, &RowScope::All, &query);
    for _ in 0..3 {
        db.store.page(&zoo, &RowScope::All, &query)?;
    }
    Ok(())
}
