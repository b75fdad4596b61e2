//! Lock exceptions: 质量部 lets a unit edit a table past its lock or deadline until a time.

use std::collections::BTreeMap;

use diesel::prelude::*;

use crate::store::conn::AnyConnection;
use crate::store::schema::lock_exceptions;
use crate::store::StoreError;

/// Whether 质量部 allowed `unit` to edit `table` past its lock or deadline, at `now`.
pub fn lock_exception(
    conn: &mut AnyConnection,
    cycle: i32,
    table: &str,
    unit: &str,
    now: &str,
) -> Result<bool, StoreError> {
    let found: Option<i64> = lock_exceptions::table
        .filter(lock_exceptions::cycle.eq(cycle))
        .filter(lock_exceptions::table_code.eq(table))
        .filter(lock_exceptions::unit.eq(unit))
        .filter(lock_exceptions::until.ge(now))
        .select(lock_exceptions::id)
        .first(conn)
        .optional()?;
    Ok(found.is_some())
}

/// The lock exceptions in force at `now` in `cycle`: (table, unit) to the latest `until`.
pub fn open_exceptions(
    conn: &mut AnyConnection,
    cycle: i32,
    now: &str,
) -> Result<BTreeMap<(String, String), String>, StoreError> {
    let rows: Vec<(String, String, String)> = lock_exceptions::table
        .filter(lock_exceptions::cycle.eq(cycle))
        .filter(lock_exceptions::until.ge(now))
        .select((
            lock_exceptions::table_code,
            lock_exceptions::unit,
            lock_exceptions::until,
        ))
        .load(conn)?;
    let mut out: BTreeMap<(String, String), String> = BTreeMap::new();
    for (table, unit, until) in rows {
        let latest = out.entry((table, unit)).or_default();
        if until > *latest {
            *latest = until;
        }
    }
    Ok(out)
}

/// A lock exception 质量部 grants: `unit` may edit `table` until `until` (RFC 3339).
#[derive(Insertable)]
#[diesel(table_name = lock_exceptions)]
pub struct LockException<'a> {
    pub cycle: i32,
    #[diesel(column_name = table_code)]
    pub table: &'a str,
    pub unit: &'a str,
    pub until: &'a str,
    pub reason: &'a str,
    pub granted_by: &'a str,
}

/// Records a lock exception.
pub fn grant_lock_exception(
    conn: &mut AnyConnection,
    e: &LockException<'_>,
    now: &str,
) -> Result<(), StoreError> {
    diesel::insert_into(lock_exceptions::table)
        .values((e, lock_exceptions::created_at.eq(now)))
        .execute(conn)?;
    Ok(())
}
