//! A fresh database per test, so that parallel tests never collide: an SQLite file in a temp
//! folder, or, when `TEST_DATABASE_URL` is set, a PostgreSQL database of its own (dropped
//! afterwards). Migrating 118 tables and seeding the demo college are done once per test process,
//! into a template: each test gets a copy (a copied file, or `CREATE DATABASE … TEMPLATE`, which
//! takes a fraction of a second). Databases nobody migrated yet are PostgreSQL schemas.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use diesel::connection::SimpleConnection;
use diesel::Connection;
use statusdata::authz::{Action, Policy};
use statusdata::defs::{self, Catalog, Table, Units};
use statusdata::demo::{self, DemoOptions, DemoReport, FillUnits};
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
    Database { base: String, name: String },
}

impl Drop for Guard {
    fn drop(&mut self) {
        let (base, statement) = match self {
            Guard::Sqlite(_) => return,
            Guard::Postgres { base, schema } => {
                // With the BI views' schema beside it (`<schema>_bi`, see store::bi::schema_for).
                let drop = format!("DROP SCHEMA IF EXISTS {schema}_bi CASCADE; DROP SCHEMA IF EXISTS {schema} CASCADE");
                (base, drop)
            }
            // FORCE: the test's router may still hold pooled connections to it.
            Guard::Database { base, name } => {
                (base, format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            }
        };
        if let Ok(mut c) = diesel::PgConnection::establish(base) {
            let _ = c.batch_execute(&statement);
        }
    }
}

/// The PostgreSQL server of the pass, when it runs.
///
/// Every connection of the pass commits without waiting for the WAL flush
/// (`synchronous_commit=off`): a test never needs a commit to survive a crash of the server, and
/// on a slow disk the flush is most of a small transaction's time (about 20 ms a commit measured
/// here, against well under 1 ms without it). What the tests observe is unchanged: a commit is
/// still visible to every later statement.
fn postgres_base() -> Option<String> {
    std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
        .map(|u| with_option(&u, "-csynchronous_commit%3Doff"))
}

/// `url` with a server option (`-cname%3Dvalue`, URL-encoded) added to its libpq `options`.
fn with_option(url: &str, option: &str) -> String {
    match url.find("options=") {
        Some(i) => {
            let at = i + "options=".len();
            format!("{}{option}%20{}", &url[..at], &url[at..])
        }
        None => {
            let sep = if url.contains('?') { '&' } else { '?' };
            format!("{url}{sep}options={option}")
        }
    }
}

/// A name for a schema or database that no other test, process or run uses.
fn unique_name(prefix: &str) -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::SeqCst);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("{prefix}_{}_{n}_{nanos}", std::process::id())
}

/// Runs one statement on the server of `base` (schemas, databases).
fn on_server(base: &str, statement: &str) {
    let mut c = diesel::PgConnection::establish(base)
        .unwrap_or_else(|e| panic!("TEST_DATABASE_URL is set but PostgreSQL is unreachable: {e}"));
    c.batch_execute(statement)
        .unwrap_or_else(|e| panic!("{statement}: {e}"));
}

/// `base` with its database name replaced by `name` (query options kept).
fn with_database(base: &str, name: &str) -> String {
    let (path, query) = base.split_at(base.find('?').unwrap_or(base.len()));
    let server = path.rfind('/').map_or(path, |i| &path[..i]);
    format!("{server}/{name}{query}")
}

/// A database URL nobody else uses, and what removes it afterwards.
fn fresh_url() -> (String, Guard) {
    match postgres_base() {
        Some(base) => {
            let schema = unique_name("t");
            on_server(&base, &format!("CREATE SCHEMA {schema}"));
            let url = with_option(&base, &format!("-csearch_path%3D{schema}"));
            (url, Guard::Postgres { base, schema })
        }
        None => {
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
    /// A migrated database for the definitions in `dir` (a folder with table-defs/ and seeds/):
    /// a copy of one migrated once per test process and folder.
    pub fn new(dir: &Path) -> TestDb {
        TestDb::copy_of(dir, migrated(dir))
    }

    /// A database of its own copied from `template`, opened with the definitions in `dir`.
    fn copy_of(dir: &Path, template: &Source) -> TestDb {
        let (catalog, units) = load(dir);
        let (url, guard) = template.copy();
        let store = Store::open(&url, catalog).expect("open test database");
        TestDb {
            url,
            store,
            units,
            _guard: guard,
        }
    }

    /// The project's 2023 cycle, with its dates moved so that today is in the filling phase.
    pub fn install_demo_cycle(&self) {
        install_demo_cycle(&self.store);
    }

    /// The real catalog with the demo cycle installed (as [`TestDb::install_demo_cycle`]) and the
    /// demo college seeded (no accounts), as [`demo_seed`] describes; a copy of its own.
    pub fn demo() -> TestDb {
        TestDb::copy_of(&root(), &demo_seed().source)
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

/// The project's 2023 cycle, with its dates moved so that today is in the filling phase.
fn install_demo_cycle(store: &Store) {
    let cycle =
        defs::load_cycle(&root().join("seeds/cycle-2023.toml"), store.catalog()).expect("cycle");
    let today = statusdata::workflow::progress::today(chrono::Utc::now());
    store
        .install_cycle(&cycle.for_demo(today))
        .expect("install cycle");
}

/// A database seeded once per test process that tests copy: an SQLite file, or a database on
/// the pass's server that each copy takes as its template. Removed when the process exits.
enum Source {
    /// The folder holding the template's [`TEMPLATE_FILE`] (and nothing else).
    Sqlite(PathBuf),
    Postgres {
        base: String,
        name: String,
    },
}

const TEMPLATE_FILE: &str = "test.db";

impl Source {
    /// An empty template, to be filled through [`Source::url`] and closed before the first copy.
    fn new() -> Source {
        let source = match postgres_base() {
            Some(base) => {
                let name = unique_name("t_template");
                on_server(&base, &format!("CREATE DATABASE {name}"));
                Source::Postgres { base, name }
            }
            None => Source::Sqlite(tempfile::tempdir().expect("temp dir").keep()),
        };
        remove_at_exit(&source);
        source
    }

    fn url(&self) -> String {
        match self {
            Source::Sqlite(dir) => format!("sqlite://{}", dir.join(TEMPLATE_FILE).display()),
            Source::Postgres { base, name } => with_database(base, name),
        }
    }

    /// A copy of the template of its own, and what removes it afterwards. The template must have
    /// no open connection: PostgreSQL refuses to copy one, and a closed SQLite file has its
    /// journal folded in.
    fn copy(&self) -> (String, Guard) {
        match self {
            Source::Sqlite(dir) => {
                let copy = tempfile::tempdir().expect("temp dir");
                for entry in std::fs::read_dir(dir).expect("template folder") {
                    let from = entry.expect("template file").path();
                    let to = copy.path().join(from.file_name().expect("file name"));
                    std::fs::copy(&from, &to).expect("copy template");
                }
                let url = format!("sqlite://{}", copy.path().join(TEMPLATE_FILE).display());
                (url, Guard::Sqlite(copy))
            }
            Source::Postgres { base, name } => {
                let copy = unique_name("t");
                on_server(base, &format!("CREATE DATABASE {copy} TEMPLATE {name}"));
                let url = with_database(base, &copy);
                let guard = Guard::Database {
                    base: base.clone(),
                    name: copy,
                };
                (url, guard)
            }
        }
    }

    /// Drops the template; called at exit, so it neither panics nor unwinds.
    fn remove(&self) {
        match self {
            Source::Sqlite(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Source::Postgres { base, name } => {
                if let Ok(mut c) = diesel::PgConnection::establish(base) {
                    let _ =
                        c.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
                }
            }
        }
    }
}

/// Statics are never dropped, so the templates go when the test process exits.
fn remove_at_exit(source: &Source) {
    static SOURCES: Mutex<Vec<Source>> = Mutex::new(Vec::new());
    extern "C" fn remove_all() {
        if let Ok(sources) = SOURCES.lock() {
            sources.iter().for_each(Source::remove);
        }
    }
    extern "C" {
        fn atexit(f: extern "C" fn()) -> std::os::raw::c_int;
    }
    let mut sources = SOURCES.lock().unwrap_or_else(|e| e.into_inner());
    if sources.is_empty() {
        // SAFETY: `remove_all` is a plain function that neither unwinds nor needs more than statics.
        unsafe {
            atexit(remove_all);
        }
    }
    sources.push(match source {
        Source::Sqlite(dir) => Source::Sqlite(dir.clone()),
        Source::Postgres { base, name } => Source::Postgres {
            base: base.clone(),
            name: name.clone(),
        },
    });
}

/// The template migrated for the definitions in `dir` (the project's or the mini fixture's).
fn migrated(dir: &Path) -> &'static Source {
    static MIGRATED: Mutex<BTreeMap<PathBuf, &'static Source>> = Mutex::new(BTreeMap::new());
    // Held while migrating: tests asking for the same folder wait for the one template.
    let mut templates = MIGRATED.lock().unwrap_or_else(|e| e.into_inner());
    templates.entry(dir.to_path_buf()).or_insert_with(|| {
        let (catalog, units) = load(dir);
        let source = Source::new();
        let store = Store::open(&source.url(), catalog).expect("open template");
        store.migrate(&units, false).expect("migrate template");
        Box::leak(Box::new(source))
    })
}

/// The demo college every demo test starts from: seeded once per test process (minutes), copied
/// for each test (a second).
pub struct DemoSeed {
    /// The units that fill each table, by the project's policy.
    pub fill: FillUnits,
    /// What `seed_demo` reported, its planted breakages among it.
    pub report: DemoReport,
    source: Source,
}

/// The seeded demo college: the real catalog migrated, the demo cycle installed, then
/// `seed_demo` with the default options, the policy's filling units and no accounts.
pub fn demo_seed() -> &'static DemoSeed {
    static DEMO: OnceLock<DemoSeed> = OnceLock::new();
    DEMO.get_or_init(|| {
        let (catalog, units) = load(&root());
        let source = Source::new();
        let store = Store::open(&source.url(), catalog).expect("open demo template");
        store.migrate(&units, false).expect("migrate demo template");
        install_demo_cycle(&store);
        let policy = tokio::runtime::Runtime::new()
            .expect("runtime")
            .block_on(Policy::load(&crate::support::project_paths().policies))
            .expect("policy");
        let fill = policy.unit_codes(store.catalog(), &units, Action::Fill);
        let report = demo::seed_demo(&store, &units, &fill, None, DemoOptions::default())
            .expect("demo college");
        DemoSeed {
            fill,
            report,
            source,
        }
    })
}
