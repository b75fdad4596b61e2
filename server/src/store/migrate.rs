//! Core schema migrations (embedded, one folder per backend), the units they reference, and the
//! record of the newest statusdata that migrated the database.

use diesel::RunQueryDsl;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use super::conn::AnyConnection;
use super::sql::{DynQuery, SqlValue, TextRow};
use super::StoreError;
use crate::defs::{UnitKind, Units};

/// The SQLite core schema, from `migrations/sqlite/`.
pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
/// The PostgreSQL core schema, from `migrations/postgres/` (same names as SQLite's).
pub const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Runs the pending core migrations; returns the versions applied.
pub fn run_core_migrations(conn: &mut AnyConnection) -> Result<Vec<String>, StoreError> {
    let applied = match conn {
        AnyConnection::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS),
        AnyConnection::Postgresql(c) => c.run_pending_migrations(POSTGRES_MIGRATIONS),
    }
    .map_err(|e| StoreError::Migration(e.to_string()))?;
    Ok(applied.into_iter().map(|v| v.to_string()).collect())
}

/// The core migrations not yet applied.
pub fn pending_core_migrations(conn: &mut AnyConnection) -> Result<Vec<String>, StoreError> {
    let names = match conn {
        AnyConnection::Sqlite(c) => c
            .pending_migrations(SQLITE_MIGRATIONS)
            .map(|p| p.iter().map(|m| m.name().to_string()).collect()),
        AnyConnection::Postgresql(c) => c
            .pending_migrations(POSTGRES_MIGRATIONS)
            .map(|p| p.iter().map(|m| m.name().to_string()).collect()),
    };
    names.map_err(|e| StoreError::Migration(e.to_string()))
}

/// Inserts or updates the units from `seeds/units.toml` (parents first); never deletes one,
/// since rows and accounts refer to units. Returns how many rows changed.
pub fn sync_units(conn: &mut AnyConnection, units: &Units) -> Result<usize, StoreError> {
    let mut ordered: Vec<_> = units.units.iter().collect();
    ordered.sort_by_key(|u| u.parent.is_some());
    let mut changed = 0;
    for u in ordered {
        let kind = match u.kind {
            UnitKind::Department => "department",
            UnitKind::College => "college",
        };
        let aliases =
            serde_json::to_string(&u.aliases).map_err(|e| StoreError::Database(e.to_string()))?;
        let mut q = DynQuery::new("INSERT INTO units (code, name, kind, parent, aliases) VALUES (");
        q.bind(SqlValue::Text(u.code.clone())).sql(", ");
        q.bind(SqlValue::Text(u.name.clone())).sql(", ");
        q.bind(SqlValue::Text(kind.to_owned())).sql(", ");
        q.bind(u.parent.clone().map_or(SqlValue::Null, SqlValue::Text))
            .sql(", ");
        q.bind(SqlValue::Text(aliases)).sql(
            ") ON CONFLICT (code) DO UPDATE SET name = excluded.name, kind = excluded.kind, \
             parent = excluded.parent, aliases = excluded.aliases \
             WHERE units.name <> excluded.name OR units.kind <> excluded.kind \
             OR units.aliases <> excluded.aliases \
             OR COALESCE(units.parent, '') <> COALESCE(excluded.parent, '')",
        );
        changed += q.execute(conn)?;
    }
    Ok(changed)
}

/// The newest statusdata version recorded as having migrated the database (`None` for a new
/// database, or one migrated before versions were recorded).
pub fn recorded_version(conn: &mut AnyConnection) -> Result<Option<String>, StoreError> {
    let exists = match conn {
        AnyConnection::Sqlite(_) => {
            "SELECT name AS n FROM sqlite_master WHERE type = 'table' AND name = 'statusdata_version'"
        }
        AnyConnection::Postgresql(_) => {
            "SELECT CAST(table_name AS TEXT) AS n FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_name = 'statusdata_version'"
        }
    };
    let found: Vec<TextRow> = DynQuery::new(exists).load(conn)?;
    if found.is_empty() {
        return Ok(None);
    }
    let rows: Vec<TextRow> =
        DynQuery::new("SELECT version FROM statusdata_version WHERE id = 1").load(conn)?;
    Ok(rows
        .first()
        .and_then(|r| r.get("version"))
        .map(str::to_owned))
}

/// Why this binary must leave the database alone: a newer statusdata migrated it (`None` when
/// this binary is as new or newer). The message names both versions and the way back.
pub fn newer_than_us(conn: &mut AnyConnection) -> Result<Option<String>, StoreError> {
    let ours = crate::version::current();
    Ok(recorded_version(conn)?
        .filter(|db| crate::version::compare(db, &ours).is_gt())
        .map(|db| {
            format!(
                "数据库已由更新的 statusdata {db} 迁移，本程序是 {ours}：旧版本程序不能迁移或使用它。\
                 请换用 {db} 或更新的程序；确需回到 {ours}，请把升级前的备份恢复到一个新数据库\
                 （见 deploy/README.md“回退”一节）"
            )
        }))
}

/// Refuses (before anything is written) when a newer statusdata migrated the database.
pub fn refuse_newer(conn: &mut AnyConnection) -> Result<(), StoreError> {
    match newer_than_us(conn)? {
        Some(why) => Err(StoreError::Config(why)),
        None => Ok(()),
    }
}

/// Records this binary as the newest that migrated the database; returns the version recorded
/// before when it was another (an upgrade), `None` when unchanged or new.
pub fn record_version(conn: &mut AnyConnection) -> Result<Option<String>, StoreError> {
    let before = recorded_version(conn)?;
    let ours = crate::version::current();
    let mut q = DynQuery::new(
        "INSERT INTO statusdata_version (id, version, commit_id, migrated_at) VALUES (1, ",
    );
    q.bind(SqlValue::Text(ours.clone())).sql(", ");
    q.bind(SqlValue::Text(crate::version::COMMIT.to_owned()))
        .sql(", ");
    q.bind(SqlValue::Text(super::now())).sql(
        ") ON CONFLICT (id) DO UPDATE SET version = excluded.version, \
         commit_id = excluded.commit_id, migrated_at = excluded.migrated_at",
    );
    q.execute(conn)?;
    Ok(before.filter(|b| *b != ours))
}
