//! Rows of users, sessions and API tokens. Tokens are looked up by hash; no secret is stored.

use diesel::RunQueryDsl;

use super::conn::AnyConnection;
use super::sql::{DynQuery, SqlValue, TextRow};
use super::StoreError;

/// An account as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRow {
    pub id: i64,
    pub staff_no: String,
    pub name: String,
    pub unit: String,
    pub role: String,
    pub password_hash: String,
    pub must_change_password: bool,
    pub failed_logins: i64,
    pub locked_until: Option<String>,
    pub disabled: bool,
}

/// An API token as stored (never the token itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiTokenRow {
    pub id: i64,
    pub name: String,
    pub created_by: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
}

const USER_COLUMNS: &str =
    "CAST(u.id AS TEXT) AS id, u.staff_no, u.name, u.unit, u.role, u.password_hash, \
     CAST(u.must_change_password AS TEXT) AS must_change, CAST(u.failed_logins AS TEXT) AS failed, \
     u.locked_until, CAST(u.disabled AS TEXT) AS disabled";

fn flag(t: Option<&str>) -> bool {
    matches!(t, Some("1" | "true" | "t"))
}

fn user(r: &TextRow) -> UserRow {
    let text = |k: &str| r.get(k).unwrap_or_default().to_owned();
    UserRow {
        id: r.get("id").and_then(|v| v.parse().ok()).unwrap_or_default(),
        staff_no: text("staff_no"),
        name: text("name"),
        unit: text("unit"),
        role: text("role"),
        password_hash: text("password_hash"),
        must_change_password: flag(r.get("must_change")),
        failed_logins: r
            .get("failed")
            .and_then(|v| v.parse().ok())
            .unwrap_or_default(),
        locked_until: r.get("locked_until").map(str::to_owned),
        disabled: flag(r.get("disabled")),
    }
}

fn text(s: &str) -> SqlValue {
    SqlValue::Text(s.to_owned())
}

/// The account with this staff number.
pub fn find_user(conn: &mut AnyConnection, staff_no: &str) -> Result<Option<UserRow>, StoreError> {
    let mut q = DynQuery::new(format!(
        "SELECT {USER_COLUMNS} FROM users u WHERE u.staff_no = "
    ));
    q.bind(text(staff_no));
    let rows: Vec<TextRow> = q.load(conn)?;
    Ok(rows.first().map(user))
}

/// Records a failed login atomically (parallel guesses each count): the count goes up by one,
/// and at `lock_after` failures it restarts at 0 and the account locks until `lock_until`.
pub fn record_failure(
    conn: &mut AnyConnection,
    id: i64,
    lock_after: i64,
    lock_until: &str,
) -> Result<(), StoreError> {
    let mut q = DynQuery::new("UPDATE users SET locked_until = CASE WHEN failed_logins + 1 >= ");
    q.bind(SqlValue::Int(lock_after))
        .sql(" THEN ")
        .bind(text(lock_until))
        .sql(" ELSE locked_until END, failed_logins = CASE WHEN failed_logins + 1 >= ")
        .bind(SqlValue::Int(lock_after))
        .sql(" THEN 0 ELSE failed_logins + 1 END WHERE id = ")
        .bind(SqlValue::Int(id));
    q.execute(conn)?;
    Ok(())
}

/// Clears the failure count after a good login.
pub fn record_success(conn: &mut AnyConnection, id: i64) -> Result<(), StoreError> {
    let mut q =
        DynQuery::new("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = ");
    q.bind(SqlValue::Int(id));
    q.execute(conn)?;
    Ok(())
}

/// Sets a password hash and whether it must be changed at the next login.
pub fn set_password(
    conn: &mut AnyConnection,
    staff_no: &str,
    hash: &str,
    must_change: bool,
    now: &str,
) -> Result<bool, StoreError> {
    let mut q = DynQuery::new("UPDATE users SET password_hash = ");
    q.bind(text(hash))
        .sql(", must_change_password = ")
        .bind(SqlValue::Bool(must_change));
    q.sql(", failed_logins = 0, locked_until = NULL, updated_at = ")
        .bind(text(now));
    q.sql(" WHERE staff_no = ").bind(text(staff_no));
    Ok(q.execute(conn)? > 0)
}

/// Enables or disables an account; a disabled account's sessions end.
pub fn set_disabled(
    conn: &mut AnyConnection,
    staff_no: &str,
    disabled: bool,
    now: &str,
) -> Result<bool, StoreError> {
    let mut q = DynQuery::new("UPDATE users SET disabled = ");
    q.bind(SqlValue::Bool(disabled))
        .sql(", updated_at = ")
        .bind(text(now))
        .sql(" WHERE staff_no = ")
        .bind(text(staff_no));
    let changed = q.execute(conn)? > 0;
    if disabled {
        let mut q = DynQuery::new(
            "DELETE FROM sessions WHERE user_id IN (SELECT id FROM users WHERE staff_no = ",
        );
        q.bind(text(staff_no)).sql(")");
        q.execute(conn)?;
    }
    Ok(changed)
}

/// Starts a session.
pub fn insert_session(
    conn: &mut AnyConnection,
    token_hash: &str,
    user_id: i64,
    now: &str,
    expires: &str,
    addr: Option<&str>,
) -> Result<(), StoreError> {
    let mut q = DynQuery::new("INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at, client_addr) VALUES (");
    for (i, v) in [
        text(token_hash),
        SqlValue::Int(user_id),
        text(now),
        text(now),
        text(expires),
        addr.map_or(SqlValue::Null, text),
    ]
    .into_iter()
    .enumerate()
    {
        if i > 0 {
            q.sql(", ");
        }
        q.bind(v);
    }
    q.sql(")");
    q.execute(conn)?;
    Ok(())
}

/// The account and expiry of a live session.
pub fn find_session(
    conn: &mut AnyConnection,
    token_hash: &str,
) -> Result<Option<(UserRow, String, String)>, StoreError> {
    let mut q = DynQuery::new(format!(
        "SELECT {USER_COLUMNS}, s.expires_at, s.last_seen_at FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = "
    ));
    q.bind(text(token_hash));
    let rows: Vec<TextRow> = q.load(conn)?;
    Ok(rows.first().map(|r| {
        (
            user(r),
            r.get("expires_at").unwrap_or_default().to_owned(),
            r.get("last_seen_at").unwrap_or_default().to_owned(),
        )
    }))
}

/// Slides a session's expiry.
pub fn touch_session(
    conn: &mut AnyConnection,
    token_hash: &str,
    now: &str,
    expires: &str,
) -> Result<(), StoreError> {
    let mut q = DynQuery::new("UPDATE sessions SET last_seen_at = ");
    q.bind(text(now))
        .sql(", expires_at = ")
        .bind(text(expires))
        .sql(" WHERE token_hash = ")
        .bind(text(token_hash));
    q.execute(conn)?;
    Ok(())
}

/// Ends a session.
pub fn delete_session(conn: &mut AnyConnection, token_hash: &str) -> Result<bool, StoreError> {
    let mut q = DynQuery::new("DELETE FROM sessions WHERE token_hash = ");
    q.bind(text(token_hash));
    Ok(q.execute(conn)? > 0)
}

/// Ends every session of an account but the one whose token hash is `keep`.
pub fn end_sessions(
    conn: &mut AnyConnection,
    user_id: i64,
    keep: Option<&str>,
) -> Result<usize, StoreError> {
    let mut q = DynQuery::new("DELETE FROM sessions WHERE user_id = ");
    q.bind(SqlValue::Int(user_id));
    if let Some(k) = keep {
        q.sql(" AND token_hash <> ").bind(text(k));
    }
    Ok(q.execute(conn)?)
}

/// Creates an API token record; returns its id.
pub fn insert_api_token(
    conn: &mut AnyConnection,
    token_hash: &str,
    name: &str,
    created_by: &str,
    now: &str,
) -> Result<i64, StoreError> {
    let mut q =
        DynQuery::new("INSERT INTO api_tokens (token_hash, name, created_by, created_at) VALUES (");
    q.bind(text(token_hash))
        .sql(", ")
        .bind(text(name))
        .sql(", ")
        .bind(text(created_by))
        .sql(", ")
        .bind(text(now));
    q.sql(") RETURNING CAST(id AS TEXT) AS id");
    let rows: Vec<TextRow> = q.load(conn)?;
    rows.first()
        .and_then(|r| r.get("id"))
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| StoreError::Database("no id".into()))
}

const TOKEN_COLUMNS: &str =
    "CAST(id AS TEXT) AS id, name, created_by, created_at, last_used_at, revoked_at";

fn token_row(r: &TextRow) -> ApiTokenRow {
    ApiTokenRow {
        id: r.get("id").and_then(|v| v.parse().ok()).unwrap_or_default(),
        name: r.get("name").unwrap_or_default().to_owned(),
        created_by: r.get("created_by").unwrap_or_default().to_owned(),
        created_at: r.get("created_at").unwrap_or_default().to_owned(),
        last_used_at: r.get("last_used_at").map(str::to_owned),
        revoked_at: r.get("revoked_at").map(str::to_owned),
    }
}

/// Every API token, newest first.
pub fn list_api_tokens(conn: &mut AnyConnection) -> Result<Vec<ApiTokenRow>, StoreError> {
    let rows: Vec<TextRow> = DynQuery::new(format!(
        "SELECT {TOKEN_COLUMNS} FROM api_tokens ORDER BY id DESC"
    ))
    .load(conn)?;
    Ok(rows.iter().map(token_row).collect())
}

/// A live (not revoked) API token by hash, marking it used.
pub fn use_api_token(
    conn: &mut AnyConnection,
    token_hash: &str,
    now: &str,
) -> Result<Option<ApiTokenRow>, StoreError> {
    let mut q = DynQuery::new(format!(
        "SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE revoked_at IS NULL AND token_hash = "
    ));
    q.bind(text(token_hash));
    let rows: Vec<TextRow> = q.load(conn)?;
    let found = rows.first().map(token_row);
    if let Some(t) = &found {
        let mut q = DynQuery::new("UPDATE api_tokens SET last_used_at = ");
        q.bind(text(now))
            .sql(" WHERE id = ")
            .bind(SqlValue::Int(t.id));
        q.execute(conn)?;
    }
    Ok(found)
}

/// Revokes an API token; true when it was live.
pub fn revoke_api_token(conn: &mut AnyConnection, id: i64, now: &str) -> Result<bool, StoreError> {
    let mut q = DynQuery::new("UPDATE api_tokens SET revoked_at = ");
    q.bind(text(now))
        .sql(" WHERE revoked_at IS NULL AND id = ")
        .bind(SqlValue::Int(id));
    Ok(q.execute(conn)? > 0)
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

    fn changed(&self) {
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

    pub fn find_user(&mut self, staff_no: &str) -> Result<Option<UserRow>, StoreError> {
        find_user(self.conn, staff_no)
    }
    pub fn record_failure(
        &mut self,
        id: i64,
        lock_after: i64,
        lock_until: &str,
    ) -> Result<(), StoreError> {
        record_failure(self.conn, id, lock_after, lock_until)
    }
    pub fn record_success(&mut self, id: i64) -> Result<(), StoreError> {
        record_success(self.conn, id)
    }
    pub fn set_password(
        &mut self,
        staff_no: &str,
        hash: &str,
        must_change: bool,
        now: &str,
    ) -> Result<bool, StoreError> {
        set_password(self.conn, staff_no, hash, must_change, now)
    }
    pub fn set_disabled(
        &mut self,
        staff_no: &str,
        disabled: bool,
        now: &str,
    ) -> Result<bool, StoreError> {
        set_disabled(self.conn, staff_no, disabled, now)
    }
    pub fn create_user(&mut self, user: &super::NewUser) -> Result<bool, StoreError> {
        super::users::create_user(self.conn, user)
    }
    pub fn insert_session(
        &mut self,
        token_hash: &str,
        user_id: i64,
        now: &str,
        expires: &str,
        addr: Option<&str>,
    ) -> Result<(), StoreError> {
        insert_session(self.conn, token_hash, user_id, now, expires, addr)
    }
    pub fn find_session(
        &mut self,
        token_hash: &str,
    ) -> Result<Option<(UserRow, String, String)>, StoreError> {
        find_session(self.conn, token_hash)
    }
    pub fn touch_session(
        &mut self,
        token_hash: &str,
        now: &str,
        expires: &str,
    ) -> Result<(), StoreError> {
        touch_session(self.conn, token_hash, now, expires)
    }
    pub fn delete_session(&mut self, token_hash: &str) -> Result<bool, StoreError> {
        let done = delete_session(self.conn, token_hash);
        self.changed();
        done
    }
    pub fn end_sessions(&mut self, user_id: i64, keep: Option<&str>) -> Result<usize, StoreError> {
        let done = end_sessions(self.conn, user_id, keep);
        self.changed();
        done
    }
    pub fn insert_api_token(
        &mut self,
        token_hash: &str,
        name: &str,
        created_by: &str,
        now: &str,
    ) -> Result<i64, StoreError> {
        insert_api_token(self.conn, token_hash, name, created_by, now)
    }
    pub fn list_api_tokens(&mut self) -> Result<Vec<ApiTokenRow>, StoreError> {
        list_api_tokens(self.conn)
    }
    pub fn use_api_token(
        &mut self,
        token_hash: &str,
        now: &str,
    ) -> Result<Option<ApiTokenRow>, StoreError> {
        use_api_token(self.conn, token_hash, now)
    }
    pub fn revoke_api_token(&mut self, id: i64, now: &str) -> Result<bool, StoreError> {
        revoke_api_token(self.conn, id, now)
    }
}
