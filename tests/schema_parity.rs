//! Migration parity by content: after migrating an SQLite database and (when `TEST_DATABASE_URL`
//! is set) a PostgreSQL one with the same definitions, both hold the same tables, columns (name,
//! type class, nullability), primary keys and indexes (name, columns, unique). A difference fails
//! with the lines only one side has. Folder names alone (store_schema) prove nothing about content.

use std::collections::BTreeSet;

use diesel::sql_types::{Integer, Text};
use diesel::{Connection, QueryableByName, RunQueryDsl};
use statusdata::store::Store;

use crate::db::{load, mini_dir, on_postgres, TestDb};

/// Tables each backend keeps for itself: diesel's, and SQLite's code table of the BI views
/// (PostgreSQL keeps it as `bi.codes`, outside the data's schema).
const OWN_TABLES: [&str; 2] = ["__diesel_schema_migrations", "bi_codes"];

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct Col {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    ty: String,
    #[diesel(sql_type = Integer)]
    not_null: i32,
    #[diesel(sql_type = Integer)]
    pk: i32,
}

#[derive(QueryableByName)]
struct Index {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Integer)]
    unique: i32,
    /// `c`: made by CREATE INDEX; otherwise it backs a constraint and its name is the backend's.
    #[diesel(sql_type = Text)]
    origin: String,
    #[diesel(sql_type = Text)]
    columns: String,
}

/// The class a declared type falls in: what the application can store in the column.
fn class(declared: &str) -> &'static str {
    let t = declared.to_ascii_lowercase();
    if t.contains("int") || t.contains("serial") {
        "int"
    } else if t.contains("bool") {
        "bool"
    } else if t.contains("blob") || t.contains("bytea") {
        "bytes"
    } else if t.contains("real")
        || t.contains("double")
        || t.contains("numeric")
        || t.contains("float")
    {
        "real"
    } else if t.contains("time") || t.contains("date") {
        "time"
    } else {
        "text"
    }
}

/// One line per fact: `table t`, `column t.c int not null`, `primary key t (a, b)`,
/// `index t name (a, b) unique` (constraint indexes by their columns, as their names differ).
fn describe(table: &str, cols: &[Col], indexes: &[Index], out: &mut BTreeSet<String>) {
    out.insert(format!("table {table}"));
    let mut pk: Vec<(i32, &str)> = Vec::new();
    for c in cols {
        // SQLite lets a primary key column be declared nullable; no database lets it hold NULL.
        let null = if c.not_null != 0 || c.pk != 0 {
            "not null"
        } else {
            "null"
        };
        out.insert(format!("column {table}.{} {} {null}", c.name, class(&c.ty)));
        if c.pk != 0 {
            pk.push((c.pk, &c.name));
        }
    }
    pk.sort();
    let pk: Vec<&str> = pk.into_iter().map(|(_, n)| n).collect();
    out.insert(format!("primary key {table} ({})", pk.join(", ")));
    for i in indexes.iter().filter(|i| i.origin != "pk") {
        let unique = if i.unique != 0 { " unique" } else { "" };
        let name = if i.origin == "c" {
            i.name.as_str()
        } else {
            "(constraint)"
        };
        out.insert(format!("index {table} {name} ({}){unique}", i.columns));
    }
}

fn sqlite_schema(url: &str) -> BTreeSet<String> {
    let path = url.trim_start_matches("sqlite://");
    let mut c = diesel::SqliteConnection::establish(path).expect("open sqlite");
    let tables: Vec<Name> = diesel::sql_query(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY 1",
    )
    .load(&mut c)
    .expect("sqlite tables");
    let mut out = BTreeSet::new();
    for t in tables
        .iter()
        .filter(|t| !OWN_TABLES.contains(&t.name.as_str()))
    {
        let lit = t.name.replace('\'', "''");
        let cols: Vec<Col> = diesel::sql_query(format!(
            "SELECT name, type AS ty, \"notnull\" AS not_null, pk FROM pragma_table_info('{lit}') ORDER BY cid"
        ))
        .load(&mut c)
        .expect("sqlite columns");
        let indexes: Vec<Index> = diesel::sql_query(format!(
            "SELECT l.name AS name, l.\"unique\" AS \"unique\", l.origin AS origin, \
                    COALESCE((SELECT group_concat(COALESCE(i.name, '(expression)'), ', ') \
                              FROM (SELECT name FROM pragma_index_info(l.name) ORDER BY seqno) i), '') AS columns \
             FROM pragma_index_list('{lit}') l"
        ))
        .load(&mut c)
        .expect("sqlite indexes");
        describe(&t.name, &cols, &indexes, &mut out);
    }
    out
}

fn postgres_schema(url: &str) -> BTreeSet<String> {
    let mut c = diesel::PgConnection::establish(url).expect("open postgres");
    let tables: Vec<Name> = diesel::sql_query(
        "SELECT CAST(table_name AS TEXT) AS name FROM information_schema.tables \
         WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1",
    )
    .load(&mut c)
    .expect("postgres tables");
    let mut out = BTreeSet::new();
    for t in tables
        .iter()
        .filter(|t| !OWN_TABLES.contains(&t.name.as_str()))
    {
        let lit = t.name.replace('\'', "''");
        let cols: Vec<Col> = diesel::sql_query(format!(
            "SELECT CAST(c.column_name AS TEXT) AS name, CAST(c.data_type AS TEXT) AS ty, \
                    CAST(CASE WHEN c.is_nullable = 'NO' THEN 1 ELSE 0 END AS INTEGER) AS not_null, \
                    CAST(COALESCE((SELECT k.ordinal_position FROM information_schema.table_constraints tc \
                        JOIN information_schema.key_column_usage k ON k.constraint_name = tc.constraint_name \
                         AND k.table_schema = tc.table_schema AND k.table_name = tc.table_name \
                        WHERE tc.constraint_type = 'PRIMARY KEY' AND tc.table_schema = c.table_schema \
                          AND tc.table_name = c.table_name AND k.column_name = c.column_name), 0) AS INTEGER) AS pk \
             FROM information_schema.columns c \
             WHERE c.table_schema = current_schema() AND c.table_name = '{lit}' ORDER BY c.ordinal_position"
        ))
        .load(&mut c)
        .expect("postgres columns");
        let indexes: Vec<Index> = diesel::sql_query(format!(
            "SELECT CAST(ic.relname AS TEXT) AS name, CAST(CASE WHEN x.indisunique THEN 1 ELSE 0 END AS INTEGER) AS \"unique\", \
                    CASE WHEN x.indisprimary THEN 'pk' \
                         WHEN EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid) THEN 'u' \
                         ELSE 'c' END AS origin, \
                    COALESCE((SELECT string_agg(COALESCE(a.attname::text, '(expression)'), ', ' ORDER BY o.n) \
                              FROM unnest(x.indkey::int2[]) WITH ORDINALITY AS o(attnum, n) \
                              LEFT JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = o.attnum \
                              WHERE o.n <= x.indnkeyatts), '') AS columns \
             FROM pg_index x JOIN pg_class ic ON ic.oid = x.indexrelid \
             JOIN pg_class tc ON tc.oid = x.indrelid \
             WHERE tc.relnamespace = current_schema()::regnamespace AND tc.relname = '{lit}'"
        ))
        .load(&mut c)
        .expect("postgres indexes");
        describe(&t.name, &cols, &indexes, &mut out);
    }
    out
}

/// The mini fixture migrated on SQLite, whatever TEST_DATABASE_URL says.
fn migrated_sqlite(dir: &std::path::Path) -> String {
    let (catalog, units) = load(&mini_dir());
    let url = format!("sqlite://{}", dir.join("parity.db").display());
    let store = Store::open(&url, catalog).expect("open sqlite");
    store.migrate(&units, false).expect("migrate sqlite");
    url
}

#[test]
fn both_backends_migrate_to_the_same_tables_columns_and_indexes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let sqlite = sqlite_schema(&migrated_sqlite(dir.path()));
    for core in ["table audit_log", "table users", "primary key users (id)"] {
        assert!(sqlite.contains(core), "{core} in:\n{sqlite:#?}");
    }
    assert!(
        sqlite
            .iter()
            .any(|l| l.starts_with("index ") && !l.contains("(constraint)")),
        "the migrations create named indexes"
    );
    if !on_postgres() {
        return; // The PostgreSQL half runs on the PostgreSQL pass, and must.
    }
    let pg = TestDb::mini();
    let postgres = postgres_schema(&pg.url);
    let only = |a: &BTreeSet<String>, b: &BTreeSet<String>| -> String {
        a.difference(b).map(|l| format!("  {l}\n")).collect()
    };
    let (s, p) = (only(&sqlite, &postgres), only(&postgres, &sqlite));
    assert!(
        s.is_empty() && p.is_empty(),
        "the two backends' migrations disagree.\nOnly on SQLite (migrations/sqlite):\n{s}\
         Only on PostgreSQL (migrations/postgres):\n{p}"
    );
}

/// The `column …` and `table …` lines of a backend's schema outside the data tables `d_<slug>`.
fn core_lines(schema: &BTreeSet<String>) -> BTreeSet<String> {
    schema
        .iter()
        .filter(|l| l.starts_with("column ") || l.starts_with("table "))
        .filter(|l| {
            !l.split_whitespace()
                .nth(1)
                .is_some_and(|t| t.starts_with("d_"))
        })
        .cloned()
        .collect()
}

/// The same lines as the store's `table!` definitions (store::schema) declare them.
fn typed_lines() -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for c in statusdata::store::schema::core_columns() {
        out.insert(format!("table {}", c.table));
        let null = if c.nullable { "null" } else { "not null" };
        out.insert(format!(
            "column {}.{} {} {null}",
            c.table, c.column, c.class
        ));
    }
    out
}

fn assert_typed_agree(backend: &str, migrated: &BTreeSet<String>) {
    let (typed, db) = (typed_lines(), core_lines(migrated));
    let only = |a: &BTreeSet<String>, b: &BTreeSet<String>| -> String {
        a.difference(b).map(|l| format!("  {l}\n")).collect()
    };
    let (t, d) = (only(&typed, &db), only(&db, &typed));
    assert!(
        t.is_empty() && d.is_empty(),
        "store/schema.rs and the {backend} migrations disagree.\nOnly in store/schema.rs:\n{t}\
         Only in the migrated {backend} database:\n{d}"
    );
}

#[test]
fn typed_tables_match_the_migrated_core_tables() {
    let typed = typed_lines();
    assert!(typed.contains("column users.staff_no text not null"));
    assert!(typed.contains("column audit_log.cycle int null"));
    let dir = tempfile::tempdir().expect("temp dir");
    assert_typed_agree("SQLite", &sqlite_schema(&migrated_sqlite(dir.path())));
    if !on_postgres() {
        return; // The PostgreSQL half runs on the PostgreSQL pass, and must.
    }
    let pg = TestDb::mini();
    assert_typed_agree("PostgreSQL", &postgres_schema(&pg.url));
}
