//! Storage: one code base over SQLite (the embedded default) and PostgreSQL through diesel's
//! `MultiConnection`. It owns the connection pool, the core migrations, the data tables made from
//! the definitions, typed values, row CRUD with unit scope, aggregates and the audit log.
//! Only this module knows which database it talks to; it knows nothing of GraphQL or HTTP.

mod accounts;
mod aggregate;
pub mod annual;
mod audit;
mod baseline;
mod baseline_read;
pub mod bi;
pub mod budget;
pub mod cases;
pub mod comments;
pub mod compare;
mod conn;
pub mod designer;
mod dialect;
pub mod dump;
mod edit;
mod error;
mod filter;
pub mod findings;
#[cfg(feature = "test-fixtures")]
pub mod fixtures;
pub mod formula;
pub mod gaoji;
pub mod indexes;
pub mod indicators;
mod insert_many;
pub mod keyset;
pub mod links;
pub mod live;
mod login;
mod migrate;
pub mod page;
pub mod past;
mod rekey;
mod replace;
mod row_ops;
mod rows;
mod rule_funcs;
mod rule_joins;
mod rule_linked;
pub mod rules;
pub mod schema;
mod sessions;
mod setup;
mod sql;
mod sync;
mod tokens;
pub mod tx;
mod upsert;
mod users;
mod value;
mod work;
pub mod workflow;
mod write;

use std::sync::Arc;

pub use accounts::{AccountsConn, ApiTokenRow, UserRow};
pub use aggregate::{AggFn, AggregateQuery, AggregateRow, Measure};
pub use audit::{read_operations, AuditRecord};
pub use conn::{redacted, AnyConnection, DbPool, DbUrl};
pub use dialect::Dialect;
pub use error::StoreError;
pub use filter::{escape_like, Filter, Op, Order};
pub use findings::{Finding, FindingFilter, SyncCounts};
pub use keyset::{Key, KeyValue};
pub use migrate::{POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS};
pub use page::{Cells, PageQuery, PageRows, Paging};
pub use rows::{ListQuery, StoredRow, WriteCtx};
pub use rules::Violation;
pub use setup::MigrateReport;
pub use sync::SyncReport;
pub use users::{NewUser, Profile};
pub use value::{parse_year_month, Record, Value};

use crate::defs::{Catalog, Table};

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

/// Row operations on a connection the caller holds (the service's write transactions, which
/// check rights, state and deadline first; nothing outside the crate writes rows past them).
pub(crate) mod ops {
    pub use super::edit::{delete_row, update_row};
    pub use super::replace::replace_rows_ids;
    pub use super::rows::{count_rows, get_row, list_rows};
    pub use super::upsert::{bulk_upsert, bulk_upsert_ids, find_by_key};
    pub use super::write::{bulk_insert, insert_row};
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
