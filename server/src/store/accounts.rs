//! Account work on one connection: the rows of users, sessions and API tokens as read back, and
//! [`AccountsConn`], which the `auth` module's queries hang off (users.rs, sessions.rs,
//! tokens.rs, login.rs). Tokens are looked up by hash; no secret is stored.

use diesel::{Queryable, Selectable};

use super::conn::AnyConnection;
use super::schema::{api_tokens, users};
use super::StoreError;

/// An account as stored.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: i64,
    pub staff_no: String,
    pub name: String,
    pub unit: String,
    pub role: String,
    pub password_hash: String,
    pub must_change_password: bool,
    #[diesel(deserialize_as = i32)]
    pub failed_logins: i64,
    pub locked_until: Option<String>,
    pub disabled: bool,
}

/// An API token as stored (never the token itself).
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = api_tokens)]
pub struct ApiTokenRow {
    pub id: i64,
    pub name: String,
    pub created_by: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
}

/// A connection lent to account work: users, sessions and API tokens.
pub struct AccountsConn<'a> {
    pub(super) conn: &'a mut AnyConnection,
    epoch: &'a std::sync::atomic::AtomicU64,
}

impl<'a> AccountsConn<'a> {
    pub(super) fn new(
        conn: &'a mut AnyConnection,
        epoch: &'a std::sync::atomic::AtomicU64,
    ) -> Self {
        AccountsConn { conn, epoch }
    }

    /// Notes an account change: whatever remembers a session's principal forgets it.
    pub(super) fn changed(&self) {
        self.epoch.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }

    /// Records an account change in the audit log, in the same transaction as the change.
    pub fn audit(
        &mut self,
        actor: &str,
        operation: &str,
        detail: serde_json::Value,
    ) -> Result<(), StoreError> {
        super::audit_in(self.conn, actor, None, operation, None, detail)
    }

    /// Records a change of an account with its state before and after, in its transaction.
    pub fn audit_change(
        &mut self,
        actor: &str,
        operation: &str,
        before: serde_json::Value,
        after: serde_json::Value,
    ) -> Result<(), StoreError> {
        let entry = super::audit::AuditEntry {
            actor,
            cycle: None,
            table_code: None,
            row_id: None,
            operation,
            before: Some(before),
            after: Some(after),
        };
        super::audit::write_audit(self.conn, &super::now(), entry)
    }
}
