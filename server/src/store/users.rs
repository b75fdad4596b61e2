//! Account rows. The accounts feature builds on these; here only what seeding needs.

use diesel::RunQueryDsl;

use super::conn::AnyConnection;
use super::sql::{DynQuery, SqlValue, TextRow};
use super::StoreError;

/// An account to create.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub staff_no: String,
    pub name: String,
    /// Unit code.
    pub unit: String,
    pub role: String,
    pub password_hash: String,
    pub must_change_password: bool,
}

/// Creates the account unless one with the staff number exists; true when created.
pub fn create_user(conn: &mut AnyConnection, user: &NewUser) -> Result<bool, StoreError> {
    let now = super::now();
    let mut q = DynQuery::new(
        "INSERT INTO users (staff_no, name, unit, role, password_hash, must_change_password, created_at, updated_at) VALUES (",
    );
    for (i, v) in [
        SqlValue::Text(user.staff_no.clone()),
        SqlValue::Text(user.name.clone()),
        SqlValue::Text(user.unit.clone()),
        SqlValue::Text(user.role.clone()),
        SqlValue::Text(user.password_hash.clone()),
        SqlValue::Bool(user.must_change_password),
        SqlValue::Text(now.clone()),
        SqlValue::Text(now),
    ]
    .into_iter()
    .enumerate()
    {
        if i > 0 {
            q.sql(", ");
        }
        q.bind(v);
    }
    q.sql(") ON CONFLICT (staff_no) DO NOTHING");
    Ok(q.execute(conn)? > 0)
}

/// The number of accounts.
pub fn count_users(conn: &mut AnyConnection) -> Result<i64, StoreError> {
    let rows: Vec<TextRow> =
        DynQuery::new("SELECT CAST(COUNT(*) AS TEXT) AS n FROM users").load(conn)?;
    Ok(rows
        .first()
        .and_then(|r| r.get("n"))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0))
}

impl super::AccountsConn<'_> {
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

    /// Sets an account's name, unit (code) and role; true when the account exists.
    pub fn set_profile(
        &mut self,
        staff_no: &str,
        profile: &Profile,
        now: &str,
    ) -> Result<bool, StoreError> {
        set_profile(self.conn, staff_no, profile, now)
    }
}

/// Sets an account's name, unit (code) and role; true when the account exists.
pub fn set_profile(
    conn: &mut AnyConnection,
    staff_no: &str,
    profile: &Profile,
    now: &str,
) -> Result<bool, StoreError> {
    let mut q = DynQuery::new("UPDATE users SET name = ");
    q.bind(SqlValue::Text(profile.name.clone()))
        .sql(", unit = ")
        .bind(SqlValue::Text(profile.unit.clone()))
        .sql(", role = ")
        .bind(SqlValue::Text(profile.role.clone()))
        .sql(", updated_at = ")
        .bind(SqlValue::Text(now.to_owned()))
        .sql(" WHERE staff_no = ")
        .bind(SqlValue::Text(staff_no.to_owned()));
    Ok(q.execute(conn)? > 0)
}

/// Who an account is: name, unit (code) and role.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Profile {
    pub name: String,
    pub unit: String,
    pub role: String,
}
