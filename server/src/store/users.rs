//! Account rows: creating accounts, finding them, their password, profile and whether they are
//! enabled.

use diesel::prelude::*;

use super::accounts::{AccountsConn, UserRow};
use super::conn::AnyConnection;
use super::schema::{per_backend, sessions, users};
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

/// Who an account is: name, unit (code) and role.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Profile {
    pub name: String,
    pub unit: String,
    pub role: String,
}

/// Creates the account unless one with the staff number exists; true when created.
pub fn create_user(conn: &mut AnyConnection, user: &NewUser) -> Result<bool, StoreError> {
    let now = super::now();
    let insert = diesel::insert_into(users::table).values((
        users::staff_no.eq(&user.staff_no),
        users::name.eq(&user.name),
        users::unit.eq(&user.unit),
        users::role.eq(&user.role),
        users::password_hash.eq(&user.password_hash),
        users::must_change_password.eq(user.must_change_password),
        users::created_at.eq(&now),
        users::updated_at.eq(&now),
    ));
    // diesel's MultiConnection has no ON CONFLICT; each backend's connection has.
    let created = per_backend!(conn, c => insert
        .on_conflict(users::staff_no)
        .do_nothing()
        .execute(c)?);
    Ok(created > 0)
}

/// The number of accounts.
pub fn count_users(conn: &mut AnyConnection) -> Result<i64, StoreError> {
    Ok(users::table.count().get_result(conn)?)
}

impl AccountsConn<'_> {
    /// The account with this staff number.
    pub fn find_user(&mut self, staff_no: &str) -> Result<Option<UserRow>, StoreError> {
        Ok(users::table
            .filter(users::staff_no.eq(staff_no))
            .select(UserRow::as_select())
            .first(self.conn)
            .optional()?)
    }

    /// Clears the failure count after a good login.
    pub fn record_success(&mut self, id: i64) -> Result<(), StoreError> {
        diesel::update(users::table.find(id))
            .set((
                users::failed_logins.eq(0),
                users::locked_until.eq(None::<String>),
            ))
            .execute(self.conn)?;
        Ok(())
    }

    /// Sets a password hash and whether it must be changed at the next login.
    pub fn set_password(
        &mut self,
        staff_no: &str,
        hash: &str,
        must_change: bool,
        now: &str,
    ) -> Result<bool, StoreError> {
        let changed = diesel::update(users::table.filter(users::staff_no.eq(staff_no)))
            .set((
                users::password_hash.eq(hash),
                users::must_change_password.eq(must_change),
                users::failed_logins.eq(0),
                users::locked_until.eq(None::<String>),
                users::updated_at.eq(now),
            ))
            .execute(self.conn)?;
        Ok(changed > 0)
    }

    /// Enables or disables an account; a disabled account's sessions end.
    pub fn set_disabled(
        &mut self,
        staff_no: &str,
        disabled: bool,
        now: &str,
    ) -> Result<bool, StoreError> {
        let changed = diesel::update(users::table.filter(users::staff_no.eq(staff_no)))
            .set((users::disabled.eq(disabled), users::updated_at.eq(now)))
            .execute(self.conn)?;
        if disabled {
            let of_user = users::table
                .filter(users::staff_no.eq(staff_no))
                .select(users::id);
            diesel::delete(sessions::table.filter(sessions::user_id.eq_any(of_user)))
                .execute(self.conn)?;
        }
        Ok(changed > 0)
    }

    /// Creates the account unless one with the staff number exists; true when created.
    pub fn create_user(&mut self, user: &NewUser) -> Result<bool, StoreError> {
        create_user(self.conn, user)
    }

    /// Sets an account's name, unit (code) and role; true when the account exists.
    pub fn set_profile(
        &mut self,
        staff_no: &str,
        profile: &Profile,
        now: &str,
    ) -> Result<bool, StoreError> {
        let changed = diesel::update(users::table.filter(users::staff_no.eq(staff_no)))
            .set((
                users::name.eq(&profile.name),
                users::unit.eq(&profile.unit),
                users::role.eq(&profile.role),
                users::updated_at.eq(now),
            ))
            .execute(self.conn)?;
        Ok(changed > 0)
    }
}
