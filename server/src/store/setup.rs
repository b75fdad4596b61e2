//! Bringing a database in line with this binary and the definitions: core migrations, units,
//! data tables and indexes (`migrate`), and why a database is not ready to serve (`readiness`).

use super::{indexes, migrate, sync, tx, AnyConnection, DbUrl, Store, StoreError, SyncReport};
use crate::defs::Units;

/// What `migrate` did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MigrateReport {
    /// Core migrations applied now.
    pub core: Vec<String>,
    /// Unit rows inserted or changed.
    pub units_changed: usize,
    /// Data table changes.
    pub tables: SyncReport,
    /// Where the SQLite database was copied before destructive changes.
    pub backup: Option<std::path::PathBuf>,
    /// The statusdata version that had migrated the database before, when this binary differs
    /// (an upgrade).
    pub upgraded_from: Option<String>,
}

impl MigrateReport {
    /// True when the database already matched.
    pub fn is_empty(&self) -> bool {
        self.core.is_empty()
            && self.units_changed == 0
            && self.tables.is_empty()
            && self.upgraded_from.is_none()
    }
}

impl Store {
    /// Applies core migrations, syncs the units and brings every data table in line with the
    /// catalog. Destructive changes are refused unless `allow_destructive`; on SQLite the
    /// database is then first copied aside.
    pub fn migrate(
        &self,
        units: &Units,
        allow_destructive: bool,
    ) -> Result<MigrateReport, StoreError> {
        use diesel::connection::SimpleConnection;
        let mut conn = self.conn()?;
        // Instances started together on one PostgreSQL take turns: the second finds the schema
        // up to date instead of failing on a table the first just created.
        let pg = matches!(self.url, DbUrl::Postgres(_));
        if pg {
            conn.batch_execute("SELECT pg_advisory_lock(7274601)")?;
        }
        let report = self.migrate_on(&mut conn, units, allow_destructive);
        if pg {
            let _ = conn.batch_execute("SELECT pg_advisory_unlock(7274601)");
        }
        report
    }

    fn migrate_on(
        &self,
        conn: &mut AnyConnection,
        units: &Units,
        allow_destructive: bool,
    ) -> Result<MigrateReport, StoreError> {
        // An older binary changes nothing in a database a newer one migrated.
        migrate::refuse_newer(conn)?;
        let core = migrate::run_core_migrations(conn)?;
        let units_changed = tx::write_tx(conn, |c| migrate::sync_units(c, units))?;
        let plan = sync::plan(conn, &self.catalog)?;
        if !plan.conflicts.is_empty() {
            return Err(StoreError::Destructive(plan.conflicts));
        }
        let mut backup = None;
        if !plan.refusals.is_empty() {
            if !allow_destructive {
                return Err(StoreError::Destructive(plan.refusals));
            }
            if let DbUrl::Sqlite(path) = &self.url {
                backup = Some(sync::backup_sqlite(conn, path)?);
            }
        }
        let tables = sync::apply(conn, &self.catalog, plan)?;
        indexes::ensure_indexes(conn, &self.catalog)?;
        indexes::optimize(conn)?;
        let upgraded_from = migrate::record_version(conn)?;
        Ok(MigrateReport {
            core,
            units_changed,
            tables,
            backup,
            upgraded_from,
        })
    }

    /// Why the database is not ready for this catalog, in Chinese with what to do: a newer
    /// statusdata migrated it, core migrations are pending, or data tables differ from the
    /// definitions (empty when ready).
    pub fn readiness(&self) -> Result<Vec<String>, StoreError> {
        let mut conn = self.conn()?;
        if let Some(why) = migrate::newer_than_us(&mut conn)? {
            return Ok(vec![why]);
        }
        let mut why: Vec<String> = migrate::pending_core_migrations(&mut conn)?
            .into_iter()
            .map(|m| format!("核心迁移 {m} 尚未执行：请运行 statusdata migrate"))
            .collect();
        if why.is_empty() {
            let plan = sync::plan(&mut conn, &self.catalog)?;
            // A reload applies additive changes (and follows another instance's); only a change
            // that loses data needs migrate.
            if !plan.refusals.is_empty() {
                why.push(
                    "数据表与表定义不一致，且要删除列或改类型（会丢数据）：请先备份，再运行 statusdata migrate --allow-destructive"
                        .into(),
                );
            } else if !plan.is_empty() {
                why.push(
                    "数据表与本实例载入的表定义不一致：请运行 statusdata reload（或 systemctl reload statusdata）重新载入表定义"
                        .into(),
                );
            }
        }
        Ok(why)
    }
}
