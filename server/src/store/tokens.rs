//! API token rows: created with a name, looked up by hash (never the token itself), revoked.

use diesel::prelude::*;

use super::accounts::{AccountsConn, ApiTokenRow};
use super::schema::api_tokens;
use super::StoreError;

impl AccountsConn<'_> {
    /// Creates an API token record; returns its id.
    pub fn insert_api_token(
        &mut self,
        token_hash: &str,
        name: &str,
        created_by: &str,
        now: &str,
    ) -> Result<i64, StoreError> {
        Ok(diesel::insert_into(api_tokens::table)
            .values((
                api_tokens::token_hash.eq(token_hash),
                api_tokens::name.eq(name),
                api_tokens::created_by.eq(created_by),
                api_tokens::created_at.eq(now),
            ))
            .returning(api_tokens::id)
            .get_result(self.conn)?)
    }

    /// Every API token, newest first.
    pub fn list_api_tokens(&mut self) -> Result<Vec<ApiTokenRow>, StoreError> {
        Ok(api_tokens::table
            .select(ApiTokenRow::as_select())
            .order(api_tokens::id.desc())
            .load(self.conn)?)
    }

    /// A live (not revoked) API token by hash, marking it used.
    pub fn use_api_token(
        &mut self,
        token_hash: &str,
        now: &str,
    ) -> Result<Option<ApiTokenRow>, StoreError> {
        let found = api_tokens::table
            .filter(api_tokens::revoked_at.is_null())
            .filter(api_tokens::token_hash.eq(token_hash))
            .select(ApiTokenRow::as_select())
            .first(self.conn)
            .optional()?;
        if let Some(t) = &found {
            diesel::update(api_tokens::table.find(t.id))
                .set(api_tokens::last_used_at.eq(now))
                .execute(self.conn)?;
        }
        Ok(found)
    }

    /// Revokes an API token; true when it was live.
    pub fn revoke_api_token(&mut self, id: i64, now: &str) -> Result<bool, StoreError> {
        let revoked = diesel::update(
            api_tokens::table
                .find(id)
                .filter(api_tokens::revoked_at.is_null()),
        )
        .set(api_tokens::revoked_at.eq(now))
        .execute(self.conn)?;
        Ok(revoked > 0)
    }
}
