//! A past cycle written as history (the demo's previous year): its row in `cycles`, closed, with
//! the notice's periods and no schedule, since its deadlines are over.

use diesel::RunQueryDsl;

use super::conn::AnyConnection;
use super::schema::cycles;
use super::workflow::{cycle_installed, CycleRow};
use super::StoreError;
use crate::model::CycleDates;

/// Records `dates` as a closed cycle unless the cycle exists; true when it was written.
pub fn record_closed_cycle(
    conn: &mut AnyConnection,
    dates: &CycleDates,
    now: &str,
) -> Result<bool, StoreError> {
    if cycle_installed(conn, dates.year)? {
        return Ok(false);
    }
    diesel::insert_into(cycles::table)
        .values(CycleRow::new(dates, false, now, None))
        .execute(conn)?;
    Ok(true)
}
