//! The BI views (`bi.t_<code>` on PostgreSQL, `bi_t_<code>` on SQLite) read what GraphQL reads,
//! with decimals at scale, code labels and unit names, and follow the definitions through a sync;
//! `bi grant` makes a role that reads only them, also after a rebuild, and says why not on SQLite.

use std::collections::BTreeSet;
use std::str::FromStr;

use diesel::{connection::SimpleConnection, sql_types::Text};
use diesel::{Connection, QueryableByName, RunQueryDsl};
use rust_decimal::Decimal;
use serde_json::{json, Value as Json};
use statusdata::defs::{naming, Catalog, Field, FieldType, Table, Units};
use statusdata::store::Store;

use crate::api::Api;
use crate::db::{on_postgres, TestDb};
use crate::support::{root, Scratch};

const NULL: &str = "\u{1}NULL";
const SEP: &str = "\u{1f}";

#[derive(QueryableByName)]
struct Line {
    #[diesel(sql_type = Text)]
    line: String,
}

/// One expected column of a table's view: its name and how a GraphQL node's value reads in it.
struct Col<'a> {
    name: String,
    field: Option<&'a Field>,
    label: bool,
}

/// The view's columns as the README promises them.
fn expected_columns<'a>(catalog: &Catalog, table: &'a Table) -> Vec<Col<'a>> {
    let col = |name: String, field, label| Col { name, field, label };
    let mut cols: Vec<Col> = ["cycle", "unit_code", "unit_name"]
        .into_iter()
        .map(|n| col(n.to_owned(), None, false))
        .collect();
    for f in &table.fields {
        cols.push(col(f.name.clone(), Some(f), false));
        if let Some(true) = f.ty.code_list().map(|l| catalog.code_list(l).is_some()) {
            cols.push(col(format!("{}_label", f.name), Some(f), true));
        }
    }
    cols
}

fn lines(store: &Store, sql: &str) -> Vec<String> {
    let mut conn = store.conn().expect("conn");
    diesel::sql_query(sql)
        .load::<Line>(&mut *conn)
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .into_iter()
        .map(|l| l.line)
        .collect()
}

/// Every row of the view, each column as text (NULL as a marker), in the expected columns' order.
fn view_rows(store: &Store, table: &Table, cols: &[Col]) -> Vec<Vec<String>> {
    let view = store.bi_view(&table.code).expect("view name");
    let parts: Vec<String> = cols
        .iter()
        .map(|c| format!("COALESCE(CAST(\"{}\" AS TEXT), '{NULL}')", c.name))
        .collect();
    let sql = format!(
        "SELECT {} AS line FROM {view}",
        parts.join(&format!(" || '{SEP}' || "))
    );
    let decimal_pg = on_postgres();
    lines(store, &sql)
        .into_iter()
        .map(|l| {
            l.split(SEP)
                .zip(cols)
                .map(|(v, c)| view_text(v, c, decimal_pg))
                .collect()
        })
        .collect()
}

/// The view's text as compared: PostgreSQL's decimals exactly as read (numeric at its scale),
/// SQLite's doubles as their shortest text at the scale, its booleans 0/1 as true/false.
fn view_text(v: &str, c: &Col, pg: bool) -> String {
    match c.field.map(|f| &f.ty) {
        _ if v == NULL || c.label => v.to_owned(),
        Some(FieldType::Decimal { scale }) if !pg => {
            let d = Decimal::from_str(v)
                .or_else(|_| Decimal::from_scientific(v))
                .unwrap_or_else(|e| panic!("{} {v}: {e}", c.name))
                .normalize();
            // More digits than the scale stay as read (and differ): nothing is rounded here.
            if d.scale() > *scale {
                v.to_owned()
            } else {
                at_scale(d, *scale)
            }
        }
        Some(FieldType::Bool) if !pg => if v == "1" { "true" } else { "false" }.into(),
        _ => v.to_owned(),
    }
}

fn at_scale(mut d: Decimal, scale: u32) -> String {
    d.rescale(scale);
    d.to_string()
}

/// A GraphQL node as the view should show it.
fn node_row(catalog: &Catalog, units: &Units, cols: &[Col], node: &Json) -> Vec<String> {
    let unit = node["unit"].as_str().unwrap_or_default();
    cols.iter()
        .map(|c| match (c.name.as_str(), c.field) {
            ("cycle", None) => node["cycle"].to_string(),
            ("unit_code", None) => unit.to_owned(),
            ("unit_name", None) => units
                .by_code(unit)
                .map_or(NULL.to_owned(), |u| u.name.clone()),
            (_, Some(f)) => field_text(catalog, f, c.label, &node[naming::graphql_field(&f.name)]),
            _ => unreachable!(),
        })
        .collect()
}

fn field_text(catalog: &Catalog, f: &Field, label: bool, v: &Json) -> String {
    let name = |code: &str| {
        f.ty.code_list()
            .and_then(|l| catalog.code_list(l))
            .and_then(|l| l.get(code))
            .map(|c| c.name.clone())
    };
    match v {
        Json::Null => NULL.to_owned(),
        Json::Array(items) if items.is_empty() => NULL.to_owned(),
        Json::Array(items) => items
            .iter()
            .map(|i| {
                let code = i.as_str().unwrap_or_default();
                if label {
                    name(code).unwrap_or_else(|| code.to_owned())
                } else {
                    code.to_owned()
                }
            })
            .collect::<Vec<_>>()
            .join("；"),
        Json::String(s) if label => name(s).unwrap_or_else(|| NULL.to_owned()),
        Json::String(s) => match f.ty {
            FieldType::Decimal { scale } => at_scale(Decimal::from_str(s).expect("decimal"), scale),
            _ => s.clone(),
        },
        other => other.to_string(),
    }
}

/// Every node of a table in a cycle, page by page.
async fn graphql_rows(api: &Api, table: &Table, cycle: &str) -> Vec<Json> {
    let fields: Vec<String> = table
        .fields
        .iter()
        .map(|f| naming::graphql_field(&f.name))
        .collect();
    let list = naming::list_field(&table.slug);
    let query = format!(
        "query($after: String) {{ {list}(cycle: {cycle}, first: 1000, after: $after) {{ \
         nodes {{ cycle unit {} }} pageInfo {{ hasNextPage endCursor }} }} }}",
        fields.join(" ")
    );
    let (mut out, mut after) = (Vec::new(), Json::Null);
    loop {
        let r = api.gql(&query, json!({ "after": after })).await;
        assert!(r["errors"].is_null(), "{}: {}", table.code, r["errors"]);
        let page = &r["data"][&list];
        out.extend(page["nodes"].as_array().cloned().unwrap_or_default());
        if page["pageInfo"]["hasNextPage"] != json!(true) {
            return out;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn every_view_reads_what_graphql_reads_on_the_demo_college() {
    let api = tokio::task::spawn_blocking(Api::with_demo)
        .await
        .expect("setup");
    let (store, units) = (&api.db.store, &api.db.units);
    let catalog = store.catalog().clone();
    let (mut rows, mut labelled, mut decimals) = (0, 0, 0);
    for table in &catalog.tables {
        let cols = expected_columns(&catalog, table);
        let mut from_view = view_rows(store, table, &cols);
        let cycles: BTreeSet<String> = from_view.iter().map(|r| r[0].clone()).collect();
        let mut from_api = Vec::new();
        for cycle in &cycles {
            for node in graphql_rows(&api, table, cycle).await {
                from_api.push(node_row(&catalog, units, &cols, &node));
            }
        }
        from_view.sort();
        from_api.sort();
        assert_eq!(from_view.len(), from_api.len(), "{} row count", table.code);
        for (v, a) in from_view.iter().zip(&from_api) {
            for ((vv, av), c) in v.iter().zip(a).zip(&cols) {
                assert_eq!(vv, av, "{} {} column {}", table.code, table.name, c.name);
            }
        }
        rows += from_view.len();
        for r in &from_view {
            for (v, c) in r.iter().zip(&cols) {
                labelled += usize::from(c.label && v != NULL);
                decimals += usize::from(
                    v != NULL && matches!(c.field.map(|f| &f.ty), Some(FieldType::Decimal { .. })),
                );
            }
        }
    }
    assert!(rows > 10_000, "the demo college fills the views: {rows}");
    assert!(
        labelled > 10_000 && decimals > 1_000,
        "{labelled} {decimals}"
    );
}

/// The view's columns as the database lists them.
fn view_columns(store: &Store, code: &str) -> Vec<String> {
    let view = store.bi_view(code).expect("view name");
    let sql = if on_postgres() {
        let (schema, name) = view.split_once('.').expect("qualified");
        format!(
            "SELECT CAST(column_name AS TEXT) AS line FROM information_schema.columns \
             WHERE table_schema = '{}' AND table_name = '{}' ORDER BY ordinal_position",
            schema.trim_matches('"'),
            name.trim_matches('"')
        )
    } else {
        format!(
            "SELECT name AS line FROM pragma_table_info('{}') ORDER BY cid",
            view.trim_matches('"')
        )
    };
    lines(store, &sql)
}

#[test]
fn every_table_has_its_view_with_the_documented_columns_and_empty_ones_no_rows() {
    let db = TestDb::new(&root());
    let catalog = db.store.catalog().clone();
    for table in &catalog.tables {
        let want: Vec<String> = expected_columns(&catalog, table)
            .into_iter()
            .map(|c| c.name)
            .collect();
        assert_eq!(view_columns(&db.store, &table.code), want, "{}", table.code);
        let view = db.store.bi_view(&table.code).expect("view");
        let count = lines(
            &db.store,
            &format!("SELECT CAST(COUNT(*) AS TEXT) AS line FROM {view}"),
        );
        assert_eq!(count, ["0"], "{} is empty", table.code);
    }
    let expected = ["\"bi_t_1_5_1\"", "\"bi\".\"t_1_5_1\""][usize::from(on_postgres())];
    assert_eq!(db.store.bi_view("1.5.1").expect("view"), expected);
    let codes: usize = catalog.code_lists.values().map(|l| l.codes.len()).sum();
    let codes_table = ["bi_codes", "bi.codes"][usize::from(on_postgres())];
    let n = lines(
        &db.store,
        &format!("SELECT CAST(COUNT(*) AS TEXT) AS line FROM {codes_table}"),
    );
    assert_eq!(n, [codes.to_string()], "every code of every list");
}

#[test]
fn a_field_added_to_a_definition_shows_in_its_view_and_goes_with_it() {
    let db = TestDb::new(&root());
    let scratch = Scratch::new();
    scratch.append_field(
        "table-defs/1.5.1-students.toml",
        "name = \"bi_probe\"\nlabel = \"BI 探针\"\ntype = \"enum\"\ncodes = \"gender\"",
    );
    let added = db.reopen(scratch.dir.path());
    let report = added.sync_catalog().expect("sync adds the column");
    assert_eq!(report.added_columns, ["1.5.1.bi_probe"]);
    let cols = view_columns(&added, "1.5.1");
    assert!(
        cols.ends_with(&["bi_probe".to_owned(), "bi_probe_label".to_owned()]),
        "{cols:?}"
    );
    // Back to the project's definitions, the column dropped: the view no longer blocks the drop.
    let back = db.reopen(&root());
    back.sync_catalog_allowing(&|_, _| Ok(true))
        .expect("the column goes, views and all");
    let cols = view_columns(&back, "1.5.1");
    assert!(!cols.iter().any(|c| c.starts_with("bi_probe")), "{cols:?}");
}

#[test]
fn bi_grant_on_sqlite_says_why_not_and_exits_1() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("x.db");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_statusdata"))
        .current_dir(root())
        .args(["bi", "grant", "bi_reader", "--db"])
        .arg(format!("sqlite://{}", file.display()))
        .output()
        .expect("run statusdata");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    for words in ["SQLite 没有数据库角色", "PostgreSQL", "mode=ro"] {
        assert!(stderr.contains(words), "{words} in {stderr}");
    }
    assert!(!file.exists(), "the refusal opens no database");
}

/// A role of the test's own, dropped with its grants afterwards (roles are the server's).
struct Role {
    name: String,
    url: String,
}

impl Drop for Role {
    fn drop(&mut self) {
        if let Ok(mut c) = diesel::PgConnection::establish(&self.url) {
            let n = &self.name;
            let _ = c.batch_execute(&format!("DROP OWNED BY {n}; DROP ROLE IF EXISTS {n}"));
        }
    }
}

/// Whether `role` can read `what` (a `SELECT` under `SET ROLE`, on a connection of its own).
fn can_read(url: &str, role: &str, what: &str) -> Result<(), String> {
    let mut c = diesel::PgConnection::establish(url).expect("connect");
    c.batch_execute(&format!("SET ROLE {role}; SELECT COUNT(*) FROM {what}"))
        .map_err(|e| e.to_string())
}

#[test]
fn bi_grant_reads_the_views_only_and_still_after_a_rebuild() {
    if !on_postgres() {
        return; // roles exist only on PostgreSQL (the SQLite refusal is tested above)
    }
    let db = TestDb::new(&root());
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let role = Role {
        name: format!("bi_test_{}_{nanos}", std::process::id()),
        url: db.url.clone(),
    };
    let (policy, _dir) = crate::support::policy_cell();
    let units = std::sync::Arc::new(db.units.clone());
    let svc = statusdata::service::Service::new(db.store.clone(), policy, units);
    let g = svc
        .bi_grant(&svc.system(), &role.name, Some("s3cret"))
        .expect("grant");
    assert!(g.created && g.login, "{g:?}");
    assert_eq!(
        (g.schema.as_str(), g.views),
        ("bi", db.store.catalog().tables.len())
    );
    assert!(g.also_readable.is_empty(), "{g:?}");
    let again = svc
        .bi_grant(&svc.system(), &role.name, None)
        .expect("again");
    assert!(!again.created, "a second grant refreshes");
    for readable in ["bi.t_1_5_1", "bi.t_2_11_1", "bi.codes"] {
        can_read(&db.url, &role.name, readable).unwrap_or_else(|e| panic!("{readable}: {e}"));
    }
    for hidden in ["d_students", "users", "sessions", "audit_log", "units"] {
        let e = can_read(&db.url, &role.name, hidden).expect_err(hidden);
        assert!(e.contains("permission denied"), "{hidden}: {e}");
    }
    // A rebuild drops and creates every view: the role still reads them.
    db.store.sync_catalog().expect("sync rebuilds the views");
    can_read(&db.url, &role.name, "bi.t_1_5_1").expect("after a rebuild");
    let bad = svc
        .bi_grant(&svc.system(), "Bad-Name", None)
        .expect_err("bad name");
    assert!(bad.message.contains("角色名"), "{}", bad.message);
}

#[test]
fn a_database_in_a_schema_of_its_own_has_its_views_in_a_bi_schema_beside_it() {
    if !on_postgres() {
        return; // SQLite has no schemas
    }
    let empty = crate::db::EmptyDb::new();
    let (catalog, units) = crate::db::load(&root());
    let store = Store::open(&empty.url, catalog).expect("open");
    store.migrate(&units, false).expect("migrate");
    let view = store.bi_view("1.5.1").expect("view");
    assert!(
        view.starts_with("\"t_") && view.ends_with("_bi\".\"t_1_5_1\""),
        "{view}"
    );
    let count = format!("SELECT CAST(COUNT(*) AS TEXT) AS line FROM {view}");
    assert_eq!(lines(&store, &count), ["0"]);
}
