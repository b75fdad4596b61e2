//! A login attempt's claim on an account: one statement decides whether the attempt may weigh a
//! password, counts it and locks the account at the last allowed attempt, so that parallel
//! guesses cannot all pass a check made before any of them is counted.

use diesel::dsl::case_when;
use diesel::prelude::*;
use diesel::sql_types::{Integer, Text};

use super::accounts::{AccountsConn, UserRow};
use super::schema::{per_backend, users};
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
        let lock_after = i32::try_from(lock_after).unwrap_or(i32::MAX);
        // NULL (never locked) compares to nothing, so it falls to the count going on.
        let expired = users::locked_until.le(now);
        let failures = case_when::<_, _, Integer>(expired, 1).otherwise(users::failed_logins + 1);
        // Without an ELSE the CASE is NULL: not locked until the last allowed attempt.
        let locked = case_when::<_, _, Text>(failures.ge(lock_after), lock_until);
        let claimable = users::locked_until
            .is_null()
            .or(users::locked_until.le(now));
        let claim = diesel::update(
            users::table
                .filter(users::staff_no.eq(staff_no))
                .filter(users::disabled.eq(false))
                .filter(claimable),
        )
        .set((
            users::failed_logins.eq(failures),
            users::locked_until.eq(locked),
        ));
        // A typed RETURNING list is each backend's: MultiConnection returns columns only.
        Ok(per_backend!(&mut *self.conn, c => claim
            .returning(UserRow::as_returning())
            .get_result(c)
            .optional()?))
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
