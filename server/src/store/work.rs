//! Work [`Store`] hands to callers on one connection: account and session work, login and
//! account transactions, write transactions, workflow reads, the audit log and cycles.

use super::{
    audit, now, tx, users, workflow, AccountsConn, AnyConnection, AuditRecord, NewUser, Store,
    StoreError,
};

impl Store {
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
}
