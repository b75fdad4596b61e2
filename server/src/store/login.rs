//! A login attempt's claim on an account: one statement decides whether the attempt may weigh a
//! password, counts it and locks the account at the last allowed attempt, so that parallel
//! guesses cannot all pass a check made before any of them is counted.

use diesel::RunQueryDsl;

use super::accounts::{user, AccountsConn, UserRow, USER_COLUMNS};
use super::sql::{DynQuery, SqlValue, TextRow};
use super::StoreError;

impl AccountsConn<'_> {
    /// Claims one password check on the enabled account `staff_no` at `now`, or `None` when it
    /// is unknown, disabled or locked. A claim counts as a failure until a good password forgets it
    /// (`record_success`); the `lock_after`-th claim in a row also locks the account until `lock_until`
    /// (so no later attempt is weighed before then), and the first claim after a lock expired
    /// counts from one again. Timestamps are RFC 3339 UTC with milliseconds, which compare as text.
    pub fn claim_login(
        &mut self,
        staff_no: &str,
        now: &str,
        lock_after: i64,
        lock_until: &str,
    ) -> Result<Option<UserRow>, StoreError> {
        let expired = "locked_until IS NOT NULL AND locked_until <= ";
        let mut q = DynQuery::new("UPDATE users SET failed_logins = ");
        q.sql("CASE WHEN ")
            .sql(expired)
            .bind(text(now))
            .sql(" THEN 1 ELSE failed_logins + 1 END, locked_until = CASE WHEN (CASE WHEN ")
            .sql(expired)
            .bind(text(now))
            .sql(" THEN 1 ELSE failed_logins + 1 END) >= ")
            .bind(SqlValue::Int(lock_after))
            .sql(" THEN ")
            .bind(text(lock_until))
            .sql(" ELSE NULL END WHERE staff_no = ")
            .bind(text(staff_no))
            .sql(" AND disabled = ")
            .bind(SqlValue::Bool(false))
            .sql(" AND (locked_until IS NULL OR locked_until <= ")
            .bind(text(now))
            .sql(") RETURNING ")
            .sql(&USER_COLUMNS.replace("u.", ""));
        let rows: Vec<TextRow> = q.load(self.conn)?;
        Ok(rows.first().map(user))
    }

    /// Notes a login's outcome for the per-address slowdown, in the login's transaction.
    pub fn note_login(
        &mut self,
        key: &str,
        addr: &str,
        ok: bool,
        now: &str,
        since: &str,
    ) -> Result<(), StoreError> {
        super::live::record_login(self.conn, key, addr, ok, now, since)
    }
}

fn text(s: &str) -> SqlValue {
    SqlValue::Text(s.to_owned())
}
