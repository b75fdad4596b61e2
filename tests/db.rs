//! A fresh database per test: an SQLite file in a temp folder, or, when `TEST_DATABASE_URL` is
//! set, a PostgreSQL schema of its own (dropped afterwards) so that parallel tests never collide.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use diesel::connection::SimpleConnection;
use diesel::Connection;
use statusdata::defs::{self, Catalog, Table, Units};
use statusdata::store::{Record, RowScope, Store, Value, WriteCtx};

use crate::support::root;

/// The small definitions under tests/fixtures/mini: every field type, two tables, three units.
pub fn mini_dir() -> PathBuf {
    root().join("tests/fixtures/mini")
}

pub fn load(dir: &Path) -> (Arc<Catalog>, Units) {
    let catalog = defs::load_catalog(&dir.join("table-defs")).expect("fixture definitions load");
    let units = defs::load_units(&dir.join("seeds/units.toml")).expect("fixture units load");
    (Arc::new(catalog), units)
}

/// True when the PostgreSQL pass is running.
pub fn on_postgres() -> bool {
    std::env::var("TEST_DATABASE_URL").is_ok_and(|u| !u.is_empty())
}

pub struct TestDb {
    pub url: String,
    pub store: Store,
    pub units: Units,
    _guard: Guard,
}

enum Guard {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { base: String, schema: String },
}

impl Drop for Guard {
    fn drop(&mut self) {
        if let Guard::Postgres { base, schema } = self {
            if let Ok(mut c) = diesel::PgConnection::establish(base) {
                let _ = c.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
            }
        }
    }
}

/// A database URL nobody else uses, and what removes it afterwards.
fn fresh_url() -> (String, Guard) {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    match std::env::var("TEST_DATABASE_URL") {
        Ok(base) if !base.is_empty() => {
            let n = NEXT.fetch_add(1, Ordering::SeqCst);
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.subsec_nanos())
                .unwrap_or(0);
            let schema = format!("t_{}_{n}_{nanos}", std::process::id());
            let mut c = diesel::PgConnection::establish(&base).unwrap_or_else(|e| {
                panic!("TEST_DATABASE_URL is set but PostgreSQL is unreachable: {e}")
            });
            c.batch_execute(&format!("CREATE SCHEMA {schema}"))
                .expect("create test schema");
            let sep = if base.contains('?') { '&' } else { '?' };
            let url = format!("{base}{sep}options=-csearch_path%3D{schema}");
            (url, Guard::Postgres { base, schema })
        }
        _ => {
            let dir = tempfile::tempdir().expect("temp dir");
            let url = format!("sqlite://{}", dir.path().join("test.db").display());
            (url, Guard::Sqlite(dir))
        }
    }
}

/// A database nobody has migrated yet (for tests that migrate it through the binary), removed
/// afterwards.
pub struct EmptyDb {
    pub url: String,
    _guard: Guard,
}

impl EmptyDb {
    pub fn new() -> EmptyDb {
        let (url, _guard) = fresh_url();
        EmptyDb { url, _guard }
    }
}

impl TestDb {
    /// A migrated database for the definitions in `dir` (a folder with table-defs/ and seeds/).
    pub fn new(dir: &Path) -> TestDb {
        let (catalog, units) = load(dir);
        let (url, guard) = fresh_url();
        let store = Store::open(&url, catalog).expect("open test database");
        store.migrate(&units, false).expect("migrate test database");
        TestDb {
            url,
            store,
            units,
            _guard: guard,
        }
    }

    /// The project's 2023 cycle, with its dates moved so that today is in the filling phase.
    pub fn install_demo_cycle(&self) {
        let cycle = defs::load_cycle(&root().join("seeds/cycle-2023.toml"), self.store.catalog())
            .expect("cycle");
        let today = statusdata::workflow::progress::today(chrono::Utc::now());
        self.store
            .install_cycle(&cycle.for_demo(today))
            .expect("install cycle");
    }

    /// The mini fixture database.
    pub fn mini() -> TestDb {
        TestDb::new(&mini_dir())
    }

    /// The same database opened with other definitions (as after an administrator's edit).
    pub fn reopen(&self, dir: &Path) -> Store {
        let (catalog, _) = load(dir);
        Store::open(&self.url, catalog).expect("reopen test database")
    }

    pub fn table(&self, code: &str) -> Arc<Table> {
        self.store.table(code).expect("table").clone()
    }
}

/// A write context for a unit in cycle 2023.
pub fn ctx(unit: &str) -> WriteCtx {
    WriteCtx {
        cycle: 2023,
        unit: unit.to_owned(),
        actor: "T0001".to_owned(),
    }
}

/// A scope of one unit.
pub fn only(unit: &str) -> RowScope {
    RowScope::Units(vec![unit.to_owned()])
}

/// A record from (field, value) pairs.
pub fn record(pairs: &[(&str, Value)]) -> Record {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect()
}

pub fn text(s: &str) -> Value {
    Value::Text(s.to_owned())
}
