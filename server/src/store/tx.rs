//! Write transactions that wait instead of failing, and the lock that orders edits of a
//! (cycle, table, unit) against its workflow steps.
//!
//! SQLite: a deferred `BEGIN` that reads first cannot become a writer once another connection has
//! committed ("database is locked", and `busy_timeout` never helps), so every write transaction
//! begins `IMMEDIATE` and queues for the write lock up front. PostgreSQL: the submission that
//! decides whether an edit may happen is guarded by a transaction-scoped advisory lock, shared by
//! edits and exclusive for workflow steps, so an edit lands wholly before a submit or is refused.

use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::{Connection, RunQueryDsl};

use super::conn::AnyConnection;
use super::sql::{DynQuery, SqlValue, TextRow};
use super::StoreError;

type Manager = <AnyConnection as Connection>::TransactionManager;

/// Runs `f` in a write transaction (a savepoint when one is already open); commits on `Ok`,
/// rolls back on `Err`.
pub fn write_tx<T, E>(
    conn: &mut AnyConnection,
    f: impl FnOnce(&mut AnyConnection) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<StoreError>,
{
    let store_err = |e: diesel::result::Error| E::from(StoreError::from(e));
    let depth = Manager::transaction_manager_status_mut(conn)
        .transaction_depth()
        .map_err(store_err)?;
    if depth.is_some() {
        // Nested: diesel turns this into a savepoint of the outer transaction.
        return conn
            .transaction(|c| f(c).map_err(Nested::Inner))
            .map_err(|e| match e {
                Nested::Inner(e) => e,
                Nested::Db(e) => store_err(e),
            });
    }
    if let AnyConnection::Sqlite(c) = conn {
        AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE").map_err(store_err)?;
    } else {
        Manager::begin_transaction(conn).map_err(store_err)?;
    }
    match f(conn) {
        Ok(value) => match Manager::commit_transaction(conn) {
            Ok(()) => Ok(value),
            Err(e) => {
                let _ = Manager::rollback_transaction(conn);
                Err(store_err(e))
            }
        },
        Err(e) => {
            let _ = Manager::rollback_transaction(conn);
            Err(e)
        }
    }
}

enum Nested<E> {
    Inner(E),
    Db(diesel::result::Error),
}

impl<E> From<diesel::result::Error> for Nested<E> {
    fn from(e: diesel::result::Error) -> Self {
        Nested::Db(e)
    }
}

/// How a transaction holds a submission.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hold {
    /// Edits of rows: many at once, none while a step runs.
    Edit,
    /// A workflow step: alone.
    Step,
}

/// Locks the submission of (cycle, table, unit) until the transaction ends. SQLite needs nothing
/// more than its `IMMEDIATE` write lock; PostgreSQL takes an advisory lock on the triple (it also
/// covers a submission that has no row yet, which `FOR UPDATE` could not).
pub fn hold_submission(
    conn: &mut AnyConnection,
    cycle: i32,
    table: &str,
    unit: &str,
    hold: Hold,
) -> Result<(), StoreError> {
    hold_key(conn, &format!("submission:{cycle}:{table}:{unit}"), hold)
}

/// Holds an advisory lock on `key` until the transaction ends (PostgreSQL; SQLite's `IMMEDIATE`
/// transaction already excludes every other writer). Instances starting at once on one database
/// take turns installing a cycle this way instead of failing on a duplicate key.
pub fn hold_key(conn: &mut AnyConnection, key: &str, hold: Hold) -> Result<(), StoreError> {
    if matches!(conn, AnyConnection::Sqlite(_)) {
        return Ok(());
    }
    let function = match hold {
        Hold::Edit => "pg_advisory_xact_lock_shared",
        Hold::Step => "pg_advisory_xact_lock",
    };
    let mut q = DynQuery::new(format!("SELECT CAST({function}(hashtext(CAST("));
    q.bind(SqlValue::Text(key.to_owned()))
        .sql(" AS TEXT))) AS TEXT) AS locked");
    let _: Vec<TextRow> = q.load(conn)?;
    Ok(())
}
