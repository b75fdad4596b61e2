//! Schema management: core migrations, data-table sync as definitions change.

use std::collections::BTreeSet;

use diesel::connection::SimpleConnection;
use diesel::{Connection, RunQueryDsl};
use diesel_migrations::MigrationHarness;
use statusdata::store::{RowScope, Store, StoreError, Value, SQLITE_MIGRATIONS};

use crate::db::{ctx, load, mini_dir, on_postgres, only, record, text, TestDb};
use crate::support::{copy_dir, root};

/// A writable copy of the mini fixture.
fn mini_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_dir(&mini_dir(), dir.path());
    dir
}

fn edit(dir: &std::path::Path, file: &str, f: impl FnOnce(String) -> String) {
    let path = dir.join("table-defs").join(file);
    let text = std::fs::read_to_string(&path).expect("read definition");
    std::fs::write(&path, f(text)).expect("write definition");
}

#[test]
fn migrate_twice_changes_nothing() -> anyhow::Result<()> {
    let db = TestDb::mini();
    let report = db.store.migrate(&db.units, false)?;
    assert!(report.is_empty(), "{report:?}");
    Ok(())
}

#[test]
fn the_real_catalog_migrates() -> anyhow::Result<()> {
    let db = TestDb::new(&root());
    assert_eq!(db.store.catalog().tables.len(), 90);
    let again = db.store.migrate(&db.units, false)?;
    assert!(again.is_empty(), "{again:?}");
    let teachers = db.table("1.4.1");
    assert_eq!(db.store.count(&teachers, &RowScope::All, 2023, None)?, 0);
    Ok(())
}

#[test]
fn adding_a_field_adds_a_column_and_keeps_the_data() -> anyhow::Result<()> {
    let db = TestDb::mini();
    let people = db.table("1.9.1");
    let row = db.store.unguarded().insert(
        &people,
        &only("jdgc"),
        &ctx("jdgc"),
        &record(&[("person_no", text("P1")), ("name", text("李四"))]),
    )?;
    let dir = mini_copy();
    edit(dir.path(), "1.9.1-people.toml", |t| {
        format!("{t}\n[[fields]]\nname = \"phone\"\nlabel = \"电话\"\ntype = \"string\"\nmax_len = 20\n")
    });
    let store = db.reopen(dir.path());
    let report = store.migrate(&db.units, false)?;
    assert_eq!(report.tables.added_columns, vec!["1.9.1.phone".to_owned()]);
    let people = store.table("1.9.1")?.clone();
    let kept = store
        .get(&people, &RowScope::All, row.id)?
        .expect("row kept");
    assert_eq!(kept.values.get("name"), Some(&text("李四")));
    assert_eq!(kept.values.get("phone"), Some(&Value::Null));
    store.unguarded().update(
        &people,
        &RowScope::All,
        row.id,
        1,
        &record(&[("phone", text("13800000000"))]),
        "T",
    )?;
    assert!(store.migrate(&db.units, false)?.is_empty());
    Ok(())
}

#[test]
fn a_dropped_field_is_refused_with_a_clear_message() -> anyhow::Result<()> {
    let db = TestDb::mini();
    let people = db.table("1.9.1");
    db.store.unguarded().insert(
        &people,
        &only("jdgc"),
        &ctx("jdgc"),
        &record(&[("person_no", text("P1")), ("name", text("王五"))]),
    )?;
    let dir = mini_copy();
    edit(dir.path(), "1.9.2-type_zoo.toml", |t| {
        t.replace("name = \"grade\"", "name = \"grade_year\"")
    });
    let store = db.reopen(dir.path());
    match store.migrate(&db.units, false) {
        Err(StoreError::Destructive(reasons)) => {
            let all = reasons.join("\n");
            assert!(all.contains("表 1.9.2 的字段“grade”被删除或改名"), "{all}");
            assert!(all.contains("--allow-destructive"), "{all}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    // Nothing changed: the old definitions still fit the database.
    assert!(db.store.migrate(&db.units, false)?.is_empty());

    let report = store.migrate(&db.units, true)?;
    assert_eq!(report.tables.dropped, vec!["1.9.2.grade".to_owned()]);
    assert_eq!(
        report.tables.added_columns,
        vec!["1.9.2.grade_year".to_owned()]
    );
    assert_eq!(
        report.backup.is_some(),
        !on_postgres(),
        "SQLite is copied aside first"
    );
    if let Some(path) = &report.backup {
        assert!(path.is_file(), "{}", path.display());
    }
    assert_eq!(
        store.count(store.table("1.9.1")?, &RowScope::All, 2023, None)?,
        1
    );
    Ok(())
}

#[test]
fn a_retyped_field_is_refused() -> anyhow::Result<()> {
    let db = TestDb::mini();
    let dir = mini_copy();
    edit(dir.path(), "1.9.2-type_zoo.toml", |t| {
        t.replace(
            "type = \"decimal\"\nscale = 2",
            "type = \"decimal\"\nscale = 3",
        )
    });
    let store = db.reopen(dir.path());
    let err = store.migrate(&db.units, false).expect_err("refused");
    assert!(
        err.to_string()
            .contains("的字段“amount”类型由 decimal(scale 2) 改为 decimal(scale 3)"),
        "{err}"
    );
    Ok(())
}

#[test]
fn a_removed_table_is_refused() -> anyhow::Result<()> {
    let db = TestDb::mini();
    let dir = mini_copy();
    std::fs::remove_file(dir.path().join("table-defs/1.9.2-type_zoo.toml"))?;
    let store = db.reopen(dir.path());
    let err = store.migrate(&db.units, false).expect_err("refused");
    assert!(
        err.to_string()
            .contains("表 1.9.2（数据表 d_type_zoo）已不在表定义中"),
        "{err}"
    );
    Ok(())
}

#[test]
fn an_unreachable_postgres_is_named() {
    let (catalog, _) = load(&mini_dir());
    let err = match Store::open("postgres://postgres@127.0.0.1:1/none", catalog) {
        Ok(_) => panic!("port 1 should refuse"),
        Err(e) => e.to_string(),
    };
    assert!(
        err.contains("无法连接数据库") && err.contains("127.0.0.1"),
        "{err}"
    );
}

#[test]
fn an_unknown_url_scheme_is_refused() {
    let (catalog, _) = load(&mini_dir());
    let err = Store::open("mysql://root@localhost/x", catalog)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        err.contains("无法识别的数据库地址“mysql://root@localhost/x”")
            && err.contains("sqlite://文件路径 或 postgres://"),
        "{err}"
    );
}

#[test]
fn a_refused_postgres_connection_says_why_and_hides_the_password() {
    let (catalog, _) = load(&mini_dir());
    let err = match Store::open("postgres://postgres:s3cret@127.0.0.1:1/none", catalog) {
        Ok(_) => panic!("port 1 should refuse"),
        Err(e) => e.to_string(),
    };
    assert!(
        err.contains("postgres://postgres:***@127.0.0.1:1/none") && err.contains("服务器拒绝连接"),
        "{err}"
    );
    assert!(!err.contains("s3cret"), "{err}");
}

#[test]
fn migration_folders_have_the_same_names() -> anyhow::Result<()> {
    let names = |backend: &str| -> anyhow::Result<BTreeSet<String>> {
        let mut out = BTreeSet::new();
        for entry in std::fs::read_dir(root().join("migrations").join(backend))? {
            let entry = entry?;
            for file in ["up.sql", "down.sql"] {
                assert!(
                    entry.path().join(file).is_file(),
                    "{}/{file}",
                    entry.path().display()
                );
            }
            out.insert(entry.file_name().to_string_lossy().into_owned());
        }
        Ok(out)
    };
    let sqlite = names("sqlite")?;
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, names("postgres")?);
    Ok(())
}

#[derive(diesel::QueryableByName, PartialEq, Debug)]
struct SchemaRow {
    #[diesel(sql_type = diesel::sql_types::Text)]
    sql: String,
}

fn sqlite_schema(c: &mut diesel::SqliteConnection) -> Vec<String> {
    diesel::sql_query(
        "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE '__diesel%' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .load::<SchemaRow>(c)
    .expect("read schema")
    .into_iter()
    .map(|r| r.sql)
    .collect()
}

#[test]
fn sqlite_migrations_go_up_down_and_up_again() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let mut c = diesel::SqliteConnection::establish(&dir.path().join("m.db").to_string_lossy())?;
    c.batch_execute("PRAGMA foreign_keys = ON")?;
    c.run_pending_migrations(SQLITE_MIGRATIONS)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let first = sqlite_schema(&mut c);
    assert!(first.iter().any(|s| s.contains("CREATE TABLE audit_log")));
    c.revert_all_migrations(SQLITE_MIGRATIONS)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    assert!(
        sqlite_schema(&mut c).is_empty(),
        "down leaves nothing behind"
    );
    c.run_pending_migrations(SQLITE_MIGRATIONS)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    assert_eq!(sqlite_schema(&mut c), first);
    Ok(())
}
