//! Core schema migrations (embedded, one folder per backend), the units they reference, and the
//! record of the newest statusdata that migrated the database.

use diesel::prelude::*;
use diesel::query_dsl::methods::FilterDsl;
use diesel::upsert::excluded;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use super::conn::AnyConnection;
use super::schema::{per_backend, statusdata_version, units};
use super::sql::{DynQuery, TextRow};
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
        let insert = diesel::insert_into(units::table).values((
            units::code.eq(&u.code),
            units::name.eq(&u.name),
            units::kind.eq(kind),
            units::parent.eq(u.parent.as_deref()),
            units::aliases.eq(&aliases),
        ));
        // A unit whose file entry did not change is left alone and not counted.
        let parent_moved = units::parent.ne(excluded(units::parent)).or(units::parent
            .is_null()
            .ne(excluded(units::parent).is_null()));
        let differs = units::name
            .ne(excluded(units::name))
            .or(units::kind.ne(excluded(units::kind)))
            .or(units::aliases.ne(excluded(units::aliases)))
            .or(parent_moved);
        // diesel's MultiConnection has no ON CONFLICT; each backend's connection has.
        let upsert = insert.on_conflict(units::code).do_update().set((
            units::name.eq(excluded(units::name)),
            units::kind.eq(excluded(units::kind)),
            units::parent.eq(excluded(units::parent)),
            units::aliases.eq(excluded(units::aliases)),
        ));
        // `filter` here is the upsert's WHERE, not a query's (hence the trait named).
        changed += per_backend!(&mut *conn, c => FilterDsl::filter(upsert, differs).execute(c)?);
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
    Ok(statusdata_version::table
        .find(1)
        .select(statusdata_version::version)
        .first(conn)
        .optional()?)
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
    let insert = diesel::insert_into(statusdata_version::table).values((
        statusdata_version::id.eq(1),
        statusdata_version::version.eq(&ours),
        statusdata_version::commit_id.eq(crate::version::COMMIT),
        statusdata_version::migrated_at.eq(super::now()),
    ));
    // diesel's MultiConnection has no ON CONFLICT; each backend's connection has.
    per_backend!(conn, c => insert
        .on_conflict(statusdata_version::id)
        .do_update()
        .set((
            statusdata_version::version.eq(excluded(statusdata_version::version)),
            statusdata_version::commit_id.eq(excluded(statusdata_version::commit_id)),
            statusdata_version::migrated_at.eq(excluded(statusdata_version::migrated_at)),
        ))
        .execute(c)?);
    Ok(before.filter(|b| *b != ours))
}
