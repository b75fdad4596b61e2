//! Rows of the workflow: cycles with their schedule, submissions with their events, and lock
//! exceptions. The rules live in `crate::workflow`; this module only reads and writes.

use std::collections::BTreeMap;

use diesel::RunQueryDsl;

use super::conn::AnyConnection;
use super::sql::{DynQuery, SqlValue, TextRow};
use super::StoreError;

mod cycles;
mod locks;
mod submissions;
mod summary;

pub use cycles::{
    cycle_dates, cycle_source, deadlines, install_cycle, list_cycles, newest_open_cycle,
    set_cycle_source, CycleSource,
};
pub(crate) use cycles::{cycle_installed, CycleRow};
pub use locks::{grant_lock_exception, lock_exception, open_exceptions, LockException};
pub(crate) use submissions::submission;
pub use submissions::{counts, get_submission, list_submissions, record_step, Actor, Counts};
pub use summary::last_submit_comment;

/// Row counts and last change per unit for a data table in a cycle (a definition table: its
/// name comes from the catalog, so this statement stays dynamic).
pub fn unit_activity(
    conn: &mut AnyConnection,
    sql_table: &str,
    cycle: i32,
) -> Result<BTreeMap<String, (i64, String)>, StoreError> {
    let mut q = DynQuery::new(format!(
        "SELECT unit, CAST(COUNT(*) AS TEXT) AS n, MAX(updated_at) AS last FROM {} WHERE cycle = ",
        super::sql::ident(sql_table)
    ));
    q.bind(SqlValue::Int(i64::from(cycle)))
        .sql(" GROUP BY unit");
    let rows: Vec<TextRow> = q.load(conn)?;
    Ok(rows
        .iter()
        .map(|r| {
            (
                r.get("unit").unwrap_or_default().to_owned(),
                (
                    r.get("n").and_then(|n| n.parse().ok()).unwrap_or(0),
                    r.get("last").unwrap_or_default().to_owned(),
                ),
            )
        })
        .collect())
}
