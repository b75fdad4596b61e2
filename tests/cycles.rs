//! A cycle file is installed once: a later start, with or without `--demo`, leaves the installed
//! deadlines alone unless the file changed (then they are replaced, audited); the next cycle
//! keeps the demo's shift, so it is not born overdue.

use std::sync::Arc;

use chrono::Duration;
use statusdata::defs;
use statusdata::service::cycles::Installed;
use statusdata::service::Service;
use statusdata::store::workflow;

use crate::db::TestDb;
use crate::support::root;

fn service(db: &TestDb) -> Service {
    let (cell, dir) = crate::support::policy_cell();
    std::mem::forget(dir);
    Service::new(db.store.clone(), cell, Arc::new(db.units.clone()))
}

fn deadline(db: &TestDb, year: i32, code: &str) -> chrono::NaiveDate {
    let all = db
        .store
        .with_workflow(|c| workflow::deadlines(c, year))
        .expect("deadlines")
        .expect("installed");
    all[code]
}

#[test]
fn a_cycle_file_is_installed_once_and_again_only_when_it_changed() {
    let db = TestDb::new(&root());
    let svc = service(&db);
    let who = svc.system();
    let file = defs::load_cycle(&root().join("seeds/cycle-2023.toml"), db.store.catalog())
        .expect("cycle file");
    let today = statusdata::workflow::progress::today(chrono::Utc::now());
    assert_eq!(
        svc.install_cycle(&who, &file, Some(today)),
        Ok(Installed::New)
    );
    let demo = deadline(&db, 2023, "1.5.1");
    assert!(demo > today, "the demo's deadlines lie ahead");

    assert_eq!(
        svc.install_cycle(&who, &file, None),
        Ok(Installed::Unchanged),
        "a plain serve"
    );
    let later = Some(today + Duration::days(9));
    assert_eq!(
        svc.install_cycle(&who, &file, later),
        Ok(Installed::Unchanged),
        "a later demo"
    );
    assert_eq!(deadline(&db, 2023, "1.5.1"), demo, "deadlines untouched");
    assert_eq!(svc.cycle_or_default(None), Ok(2023));

    let mut edited = file.clone();
    let moved = edited.deadlines["1.5.1"] + Duration::days(3);
    edited.deadlines.insert("1.5.1".into(), moved);
    assert_eq!(
        svc.install_cycle(&who, &edited, None),
        Ok(Installed::Updated)
    );
    assert_eq!(
        deadline(&db, 2023, "1.5.1"),
        demo + Duration::days(3),
        "the demo's shift kept"
    );

    let copied = svc
        .open_cycle(&who, &file.next_year(), 2023)
        .expect("cycle new");
    assert!(!copied.is_empty(), "carry-forward tables listed");
    assert!(
        deadline(&db, 2024, "1.5.1") > today,
        "the next cycle is not born overdue"
    );
    svc.forget_default_cycle();
    assert_eq!(
        svc.cycle_or_default(None),
        Ok(2024),
        "the newest open cycle is the default"
    );
}

#[test]
fn instances_starting_at_once_all_come_up() {
    let db = TestDb::new(&root());
    let file = defs::load_cycle(&root().join("seeds/cycle-2023.toml"), db.store.catalog())
        .expect("cycle file");
    let today = statusdata::workflow::progress::today(chrono::Utc::now());
    let starts: Vec<_> = (0..4)
        .map(|_| {
            let (url, catalog, units, file) = (
                db.url.clone(),
                db.store.catalog().clone(),
                db.units.clone(),
                file.clone(),
            );
            std::thread::spawn(move || {
                let store = statusdata::store::Store::open(&url, catalog).expect("open");
                store.migrate(&units, false).expect("migrate");
                let (cell, _dir) = crate::support::policy_cell();
                let svc = Service::new(store, cell, Arc::new(units));
                svc.install_cycle(&svc.system(), &file, Some(today))
            })
        })
        .collect();
    let outcomes: Vec<_> = starts
        .into_iter()
        .map(|s| s.join().expect("thread"))
        .collect();
    let new = outcomes
        .iter()
        .filter(|o| **o == Ok(Installed::New))
        .count();
    let unchanged = outcomes
        .iter()
        .filter(|o| **o == Ok(Installed::Unchanged))
        .count();
    assert_eq!((new, unchanged), (1, 3), "{outcomes:?}");
}
