//! Storage: one code base over SQLite (the embedded default) and PostgreSQL through diesel's
//! `MultiConnection`. It owns the connection pool, the core migrations, the data tables made from
//! the definitions, typed values, row CRUD with unit scope, aggregates and the audit log.
//! Only this module knows which database it talks to; it knows nothing of GraphQL or HTTP.

mod accounts;
mod aggregate;
mod audit;
mod baseline;
mod baseline_read;
pub mod budget;
pub mod cases;
pub mod compare;
mod conn;
mod dialect;
pub mod dump;
mod error;
mod filter;
pub mod findings;
pub mod formula;
pub mod gaoji;
pub mod indexes;
pub mod indicators;
pub mod keyset;
pub mod links;
pub mod live;
mod login;
mod migrate;
pub mod page;
pub mod past;
mod replace;
mod rows;
mod rule_funcs;
mod rule_joins;
pub mod rules;
mod sql;
mod sync;
pub mod tx;
mod users;
mod value;
pub mod workflow;
mod write;

use std::sync::Arc;

pub use accounts::{AccountsConn, ApiTokenRow, UserRow};
pub use aggregate::{AggFn, AggregateQuery, AggregateRow, Measure};
pub use audit::AuditRecord;
pub use conn::{AnyConnection, DbPool, DbUrl};
pub use dialect::Dialect;
pub use error::StoreError;
pub use filter::{escape_like, Filter, Op, Order};
pub use findings::{Finding, FindingFilter, SyncCounts};
pub use keyset::{Key, KeyValue};
pub use migrate::{POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS};
pub use page::{Cells, PageQuery, PageRows, Paging};
pub use rows::{ListQuery, StoredRow, WriteCtx};
pub use rules::Violation;
pub use sync::SyncReport;
pub use users::{NewUser, Profile};
pub use value::{parse_year_month, Record, Value};

use crate::defs::{Catalog, Table, Units};

/// The newest statusdata version recorded as having migrated the database on `conn`.
pub fn migrate_version(conn: &mut AnyConnection) -> Result<Option<String>, StoreError> {
    migrate::recorded_version(conn)
}

/// The default database: an SQLite file next to where the service runs.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/statusdata.db";

/// The set of units whose rows a caller may see or touch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowScope {
    /// Every unit (reviewers, 质量部, leaders, BI tokens reading).
    All,
    /// Only these unit codes (a filling unit: its own rows).
    Units(Vec<String>),
}

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

/// The store: a pool and the catalog whose tables it serves.
#[derive(Clone)]
pub struct Store {
    pool: DbPool,
    url: DbUrl,
    catalog: Arc<Catalog>,
    /// Counts account changes made through this store (sessions ended, passwords, tokens,
    /// accounts): whatever remembers a session's principal forgets it when this moves.
    accounts_epoch: Arc<std::sync::atomic::AtomicU64>,
}

/// Row operations on a connection the caller holds (the service's write transactions).
pub mod ops {
    pub use super::replace::replace_rows;
    pub use super::rows::{count_rows, get_row, list_rows};
    pub use super::write::{bulk_insert, bulk_upsert, delete_row, insert_row, update_row};
}

pub use conn::Conn;

impl Store {
    /// Opens (and for SQLite creates) the database named by `url`.
    pub fn open(url: &str, catalog: Arc<Catalog>) -> Result<Store, StoreError> {
        let url = DbUrl::parse(url)?;
        let size = match url {
            DbUrl::Sqlite(_) => 4,
            DbUrl::Postgres(_) => 8,
        };
        let pool = conn::open_pool(&url, size)?;
        Ok(Store {
            pool,
            url,
            catalog,
            accounts_epoch: Arc::default(),
        })
    }

    /// The pool's connections: (open, idle).
    pub fn pool_state(&self) -> (u32, u32) {
        let state = self.pool.state();
        (state.connections, state.idle_connections)
    }

    /// Submissions by state and standing findings by severity (for `/metrics`).
    pub fn workflow_counts(&self) -> Result<(workflow::Counts, workflow::Counts), StoreError> {
        workflow::counts(&mut *self.conn()?)
    }

    /// Refreshes the planner's statistics on SQLite (after seeding, imports and at start; see
    /// [`indexes::optimize`]).
    pub fn optimize(&self) -> Result<(), StoreError> {
        indexes::optimize(&mut *self.conn()?)
    }

    /// Refreshes the statistics of a data table (all when `None`) after a bulk change.
    pub fn analyze(&self, table: Option<&Table>) -> Result<(), StoreError> {
        indexes::analyze(&mut *self.conn()?, table)
    }

    /// Checks that the database answers.
    pub fn ping(&self) -> Result<(), StoreError> {
        use diesel::connection::SimpleConnection;
        self.conn()?.batch_execute("SELECT 1")?;
        Ok(())
    }

    /// The catalog the store serves.
    pub fn catalog(&self) -> &Arc<Catalog> {
        &self.catalog
    }

    /// A connection from the pool (blocking: call from `call` or a blocking thread). Under a
    /// request's budget (see [`budget`]) a spent budget is refused here and the connection's
    /// statements stop when the budget runs out.
    pub fn conn(&self) -> Result<Conn, StoreError> {
        conn::checkout(&self.pool)
    }

    /// The dialect of the database.
    pub fn dialect(&self) -> Dialect {
        match self.url {
            DbUrl::Sqlite(_) => Dialect::Sqlite,
            DbUrl::Postgres(_) => Dialect::Postgres,
        }
    }

    /// Runs blocking store work on tokio's blocking threads, never on the async executor's.
    pub async fn call<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        F: FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
        T: Send + 'static,
    {
        let store = self.clone();
        let work = budget::carry(budget::current(), move || f(&store));
        tokio::task::spawn_blocking(work)
            .await
            .map_err(|e| StoreError::Database(format!("database task failed: {e}")))?
    }

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

    /// The table with this code, or an error naming it.
    pub fn table(&self, code: &str) -> Result<&Arc<Table>, StoreError> {
        self.catalog
            .table_by_code(code)
            .ok_or_else(|| StoreError::Invalid {
                table: code.to_owned(),
                field: String::new(),
                message: format!("没有编号为 {code} 的数据表"),
            })
    }

    /// Lists rows (see [`ListQuery`]).
    pub fn list(
        &self,
        table: &Table,
        scope: &RowScope,
        query: &ListQuery,
    ) -> Result<Vec<StoredRow>, StoreError> {
        rows::list_rows(&mut *self.conn()?, table, scope, query)
    }

    /// One page of the API's list read path: the selected cells, and the count when asked for,
    /// in one statement on one connection (see [`page`]).
    pub fn page(
        &self,
        table: &Table,
        scope: &RowScope,
        query: &PageQuery,
    ) -> Result<PageRows, StoreError> {
        page::read_page(&mut *self.conn()?, table, scope, query)
    }

    /// The database's plan for a page (see [`page::explain_page`]).
    pub fn explain_page(
        &self,
        table: &Table,
        scope: &RowScope,
        query: &PageQuery,
    ) -> Result<Vec<String>, StoreError> {
        page::explain_page(&mut *self.conn()?, table, scope, query)
    }

    /// Counts rows matching a filter.
    pub fn count(
        &self,
        table: &Table,
        scope: &RowScope,
        cycle: i32,
        filter: Option<&Filter>,
    ) -> Result<i64, StoreError> {
        rows::count_rows(&mut *self.conn()?, table, scope, cycle, filter)
    }

    /// One row by id, within the scope.
    pub fn get(
        &self,
        table: &Table,
        scope: &RowScope,
        id: i64,
    ) -> Result<Option<StoredRow>, StoreError> {
        rows::get_row(&mut *self.conn()?, table, scope, id)
    }

    /// Aggregates with group-by.
    pub fn aggregate(
        &self,
        table: &Table,
        scope: &RowScope,
        query: &AggregateQuery,
    ) -> Result<Vec<AggregateRow>, StoreError> {
        aggregate::aggregate_rows(&mut *self.conn()?, table, scope, query)
    }

    /// Inserts a row (and its audit entry) in one transaction.
    pub fn insert(
        &self,
        table: &Table,
        scope: &RowScope,
        ctx: &WriteCtx,
        record: &Record,
    ) -> Result<StoredRow, StoreError> {
        write::insert_row(&mut *self.conn()?, table, scope, ctx, record)
    }

    /// Inserts many rows in one transaction: all or nothing.
    pub fn bulk_insert(
        &self,
        table: &Table,
        scope: &RowScope,
        ctx: &WriteCtx,
        records: &[Record],
    ) -> Result<Vec<i64>, StoreError> {
        write::bulk_insert(&mut *self.conn()?, table, scope, ctx, records)
    }

    /// Inserts or updates (by natural key) every record in one transaction: (inserted, updated).
    pub fn bulk_upsert(
        &self,
        table: &Table,
        scope: &RowScope,
        ctx: &WriteCtx,
        records: &[Record],
    ) -> Result<(usize, usize), StoreError> {
        write::bulk_upsert(&mut *self.conn()?, table, scope, ctx, records)
    }

    /// Replaces the context unit's rows in the cycle with `records`, in one transaction:
    /// (deleted, inserted).
    pub fn replace_rows(
        &self,
        table: &Table,
        scope: &RowScope,
        ctx: &WriteCtx,
        records: &[Record],
    ) -> Result<(usize, usize), StoreError> {
        replace::replace_rows(&mut *self.conn()?, table, scope, ctx, records)
    }

    /// Updates a row if it still has `row_version`; a stale version is a conflict.
    pub fn update(
        &self,
        table: &Table,
        scope: &RowScope,
        id: i64,
        row_version: i64,
        patch: &Record,
        actor: &str,
    ) -> Result<StoredRow, StoreError> {
        write::update_row(
            &mut *self.conn()?,
            table,
            scope,
            id,
            row_version,
            patch,
            actor,
        )
    }

    /// Inserts rows with plain diesel (no audit, no checks): the baseline of `bench storage` only.
    pub fn baseline_insert(
        &self,
        table: &Table,
        ctx: &WriteCtx,
        records: &[Record],
    ) -> Result<usize, StoreError> {
        baseline::baseline_insert(&mut *self.conn()?, table, ctx, records)
    }

    /// Creates an account unless its staff number exists; true when created.
    pub fn create_user(&self, user: &NewUser) -> Result<bool, StoreError> {
        users::create_user(&mut *self.conn()?, user)
    }

    /// Runs account and session work on one connection (the `auth` module's queries).
    pub fn with_accounts<T>(
        &self,
        f: impl FnOnce(&mut AccountsConn<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut conn = self.conn()?;
        f(&mut AccountsConn::new(&mut conn, &self.accounts_epoch))
    }

    /// Moves with every account change made through this store (see [`AccountsConn`]).
    pub fn accounts_epoch(&self) -> u64 {
        self.accounts_epoch
            .load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Runs account changes in one write transaction (with their audit rows): all or nothing.
    pub fn accounts_tx<T, E: From<StoreError>>(
        &self,
        f: impl FnOnce(&mut AccountsConn<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut conn = self.conn()?;
        let done = tx::write_tx(&mut conn, |c| {
            f(&mut AccountsConn::new(c, &self.accounts_epoch))
        });
        // Any account change in a transaction (password, reset, disable, token, role) may
        // change who a cached session is; moved after the commit so no reader caches the old.
        self.accounts_epoch
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        done
    }

    /// Runs a login's writes (claim, or outcome: count, lock, session, audit, slowdown) in one
    /// short write transaction. They change no cached session, so the accounts epoch stays.
    pub fn login_tx<T, E: From<StoreError>>(
        &self,
        f: impl FnOnce(&mut AccountsConn<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut conn = self.conn()?;
        tx::write_tx(&mut conn, |c| {
            f(&mut AccountsConn::new(c, &self.accounts_epoch))
        })
    }

    /// The number of accounts.
    pub fn count_users(&self) -> Result<i64, StoreError> {
        users::count_users(&mut *self.conn()?)
    }

    /// The benchmark's page of 1.5.1 through diesel alone: the read baseline of `bench graphql`
    /// only (see [`baseline_read`]); (rows, count).
    pub fn baseline_page(
        &self,
        cycle: i32,
        gender: &str,
        grade: i64,
        limit: i64,
    ) -> Result<(usize, i64), StoreError> {
        baseline_read::baseline_page(&mut *self.conn()?, cycle, gender, grade, limit)
    }

    /// Records a change that is not a row write (rights, accounts) in the audit log.
    pub fn audit(
        &self,
        actor: &str,
        operation: &str,
        table_code: Option<&str>,
        detail: serde_json::Value,
    ) -> Result<(), StoreError> {
        audit::write_audit(
            &mut *self.conn()?,
            &now(),
            audit::AuditEntry {
                actor,
                cycle: None,
                table_code,
                row_id: None,
                operation,
                before: None,
                after: Some(detail),
            },
        )
    }

    /// Writes a cycle and its schedule (periods, tasks, phases, deadlines).
    pub fn install_cycle(&self, cycle: &crate::defs::CycleConfig) -> Result<(), StoreError> {
        let source = workflow::CycleSource {
            hash: cycle.source_hash(),
            shift_days: 0,
        };
        workflow::install_cycle(&mut *self.conn()?, cycle, &now(), &source)
    }

    /// Runs `f` in one write transaction on one connection: `IMMEDIATE` on SQLite, so that it
    /// waits for other writers instead of failing (see [`tx`]).
    pub fn write<T, E: From<StoreError>>(
        &self,
        f: impl FnOnce(&mut AnyConnection) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut conn = self.conn()?;
        tx::write_tx(&mut conn, f)
    }

    /// Runs workflow reads and writes on one connection (see [`workflow`]).
    pub fn with_workflow<T, E: From<StoreError>>(
        &self,
        f: impl FnOnce(&mut AnyConnection) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut conn = self.conn()?;
        f(&mut conn)
    }

    /// The audit history of a table, or of one row of it, oldest first.
    pub fn audit_log(
        &self,
        table_code: &str,
        row_id: Option<i64>,
    ) -> Result<Vec<AuditRecord>, StoreError> {
        audit::read_audit(&mut *self.conn()?, table_code, row_id)
    }

    /// Deletes a row within the scope.
    pub fn delete(
        &self,
        table: &Table,
        scope: &RowScope,
        id: i64,
        actor: &str,
    ) -> Result<StoredRow, StoreError> {
        write::delete_row(&mut *self.conn()?, table, scope, id, actor)
    }
}

/// Records a change that is not a row write in the audit log, inside the caller's transaction.
pub fn audit_in(
    conn: &mut AnyConnection,
    actor: &str,
    cycle: Option<i32>,
    operation: &str,
    table_code: Option<&str>,
    detail: serde_json::Value,
) -> Result<(), StoreError> {
    audit::write_audit(
        conn,
        &now(),
        audit::AuditEntry {
            actor,
            cycle,
            table_code,
            row_id: None,
            operation,
            before: None,
            after: Some(detail),
        },
    )
}

/// The current time as RFC 3339 UTC with milliseconds, as every timestamp column stores it.
pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}
