//! Core schema migrations (embedded, one folder per backend) and the units they reference.

use diesel::RunQueryDsl;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use super::conn::AnyConnection;
use super::sql::{DynQuery, SqlValue};
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
