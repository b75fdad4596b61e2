//! Session rows: a session is its token's hash, its account and its sliding expiry.

use diesel::prelude::*;

use super::accounts::{AccountsConn, UserRow};
use super::schema::{sessions, users};
use super::StoreError;

impl AccountsConn<'_> {
    /// Starts a session.
    pub fn insert_session(
        &mut self,
        token_hash: &str,
        user_id: i64,
        now: &str,
        expires: &str,
        addr: Option<&str>,
    ) -> Result<(), StoreError> {
        diesel::insert_into(sessions::table)
            .values((
                sessions::token_hash.eq(token_hash),
                sessions::user_id.eq(user_id),
                sessions::created_at.eq(now),
                sessions::last_seen_at.eq(now),
                sessions::expires_at.eq(expires),
                sessions::client_addr.eq(addr),
            ))
            .execute(self.conn)?;
        Ok(())
    }

    /// The account, expiry and last use of a live session.
    pub fn find_session(
        &mut self,
        token_hash: &str,
    ) -> Result<Option<(UserRow, String, String)>, StoreError> {
        Ok(sessions::table
            .inner_join(users::table.on(users::id.eq(sessions::user_id)))
            .filter(sessions::token_hash.eq(token_hash))
            .select((
                UserRow::as_select(),
                sessions::expires_at,
                sessions::last_seen_at,
            ))
            .first(self.conn)
            .optional()?)
    }

    /// Slides a session's expiry.
    pub fn touch_session(
        &mut self,
        token_hash: &str,
        now: &str,
        expires: &str,
    ) -> Result<(), StoreError> {
        diesel::update(sessions::table.filter(sessions::token_hash.eq(token_hash)))
            .set((
                sessions::last_seen_at.eq(now),
                sessions::expires_at.eq(expires),
            ))
            .execute(self.conn)?;
        Ok(())
    }

    /// Ends a session.
    pub fn delete_session(&mut self, token_hash: &str) -> Result<bool, StoreError> {
        let done = diesel::delete(sessions::table.filter(sessions::token_hash.eq(token_hash)))
            .execute(self.conn);
        self.changed();
        Ok(done? > 0)
    }

    /// Ends every session of an account but the one whose token hash is `keep`.
    pub fn end_sessions(&mut self, user_id: i64, keep: Option<&str>) -> Result<usize, StoreError> {
        let of_user = sessions::table.filter(sessions::user_id.eq(user_id));
        let done = match keep {
            Some(k) => {
                diesel::delete(of_user.filter(sessions::token_hash.ne(k))).execute(self.conn)
            }
            None => diesel::delete(of_user).execute(self.conn),
        };
        self.changed();
        Ok(done?)
    }
}
