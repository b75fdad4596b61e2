//! What instances on one database share: a policy change and the login slowdown reach every
//! instance; changes and reloads made at once by two instances lose nothing; instances starting
//! at once store one seed policy and one definitions version.

use std::sync::Arc;

use statusdata::service::definitions::{self, Definitions, Mode};
use statusdata::service::Service;

use crate::db::TestDb;
use crate::support::{root, Scratch};

const REMARK: &str = "name = \"remark\"\nlabel = \"备注\"\ntype = \"string\"";

#[tokio::test(flavor = "multi_thread")]
async fn a_policy_change_and_login_failures_reach_another_instance_through_the_database() {
    let db = tokio::task::spawn_blocking(|| TestDb::new(&root()))
        .await
        .expect("db");
    let units = Arc::new(db.units.clone());
    let open = |db: &TestDb| {
        let store = db.store.clone();
        async move {
            statusdata::service::rights::open_policy(&store, &root().join("policies"))
                .await
                .expect("policy")
        }
    };
    let a = Service::new(db.store.clone(), open(&db).await, units.clone());
    let b = Service::new(db.store.clone(), open(&db).await, units.clone());
    assert_eq!(a.policy.current().version(), 1, "policy.csv seeded once");
    assert_eq!(b.policy.current().version(), 1);
    let library = statusdata::authz::Principal {
        staff_no: "9".into(),
        name: "图书馆".into(),
        unit: "tsg".into(),
        roles: vec!["collector".into()],
        must_change_password: false,
        development: false,
    };
    assert!(!b
        .access(library.clone())
        .can("1.1.2", statusdata::authz::Action::Fill));
    let changed = a
        .blocking(|svc| {
            svc.change_right(
                &svc.system(),
                "图书馆",
                "1.1.2",
                statusdata::authz::Action::Fill,
                true,
            )
        })
        .await
        .expect("grant");
    assert!(changed);
    let refreshed = b
        .blocking(|svc| svc.refresh_policy())
        .await
        .expect("refresh");
    assert!(refreshed, "b sees the newer version");
    assert!(b
        .access(library)
        .can("1.1.2", statusdata::authz::Action::Fill));
    let (version, text) = b.blocking(|svc| svc.export_policy()).await.expect("export");
    assert_eq!(version, 2);
    assert!(text.contains("p, 图书馆, 1.1.2, fill") && text.starts_with("# 填报与审核分工"));

    let addr: std::net::IpAddr = "10.1.2.3".parse().expect("addr");
    for _ in 0..5 {
        a.blocking(move |svc| svc.note_login("1033", addr, false))
            .await
            .expect("note");
    }
    let delay = b
        .blocking(move |svc| svc.login_delay("1033", addr))
        .await
        .expect("delay");
    assert_eq!(
        delay,
        std::time::Duration::from_millis(500),
        "two over three"
    );
    b.blocking(move |svc| svc.note_login("1033", addr, true))
        .await
        .expect("note");
    let delay = a
        .blocking(move |svc| svc.login_delay("1033", addr))
        .await
        .expect("delay");
    assert_eq!(delay, std::time::Duration::ZERO, "a success forgets");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn instances_changing_rights_and_reloading_at_once_lose_nothing() {
    let db = tokio::task::spawn_blocking(|| TestDb::new(&root()))
        .await
        .expect("db");
    let units = Arc::new(db.units.clone());
    let mut instances = Vec::new();
    for _ in 0..2 {
        let cell = statusdata::service::rights::open_policy(&db.store, &root().join("policies"))
            .await
            .expect("policy");
        instances.push(Service::new(db.store.clone(), cell, units.clone()));
    }
    let tables = ["1.1.2", "1.1.7", "2.17.1", "2.17.2"];
    let grants: Vec<_> = tables
        .iter()
        .enumerate()
        .map(|(i, table)| {
            let svc = instances[i % 2].clone();
            let table = table.to_string();
            tokio::spawn(async move {
                svc.blocking(move |svc| {
                    svc.change_right(
                        &svc.system(),
                        "图书馆",
                        &table,
                        statusdata::authz::Action::Fill,
                        true,
                    )
                })
                .await
            })
        })
        .collect();
    for g in grants {
        assert_eq!(g.await.expect("task"), Ok(true));
    }
    let (version, text) = instances[0].export_policy().expect("export");
    assert_eq!(version, 5, "one seed and four changes");
    for table in tables {
        assert!(
            text.contains(&format!("p, 图书馆, {table}, fill")),
            "{table} lost"
        );
        let log = db.store.audit_log(table, None).expect("audit");
        assert_eq!(log.iter().filter(|e| e.operation == "grant").count(), 1);
    }

    let scratch = Scratch::new();
    scratch.append_field("table-defs/1.1.7-school_awards.toml", REMARK);
    let reloads: Vec<_> = instances
        .iter()
        .map(|svc| {
            let defs = Definitions::new(scratch.path("table-defs"), Arc::new(|_, _| Ok(())));
            let svc = svc.clone();
            tokio::spawn(async move {
                svc.blocking(move |svc| defs.reload(svc, &svc.system(), Mode::Explicit))
                    .await
            })
        })
        .collect();
    let mut outcomes = Vec::new();
    for r in reloads {
        outcomes.push(r.await.expect("task").expect("reload"));
    }
    assert_eq!(outcomes[0].version, outcomes[1].version);
    assert_eq!(
        outcomes.iter().filter(|o| o.recorded).count(),
        1,
        "one version for one set of files: {outcomes:?}"
    );
}

#[test]
fn four_instances_starting_at_once_store_one_seed_policy_and_one_definitions_version() {
    let db = TestDb::new(&root());
    let starts: Vec<_> = (0..4)
        .map(|i| {
            let (url, catalog, units) =
                (db.url.clone(), db.store.catalog().clone(), db.units.clone());
            std::thread::spawn(move || {
                let store = statusdata::store::Store::open(&url, catalog).expect("open");
                store.migrate(&units, false).expect("migrate");
                let runtime = tokio::runtime::Runtime::new().expect("runtime");
                let cell = runtime
                    .block_on(statusdata::service::rights::open_policy(
                        &store,
                        &root().join("policies"),
                    ))
                    .expect("policy");
                let version =
                    definitions::record_start(&store, &root().join("table-defs"), &format!("i{i}"))
                        .expect("definitions");
                (cell.current().version(), version)
            })
        })
        .collect();
    let outcomes: Vec<_> = starts
        .into_iter()
        .map(|s| s.join().expect("thread"))
        .collect();
    assert!(outcomes.iter().all(|o| *o == (1, 1)), "{outcomes:?}");
}
