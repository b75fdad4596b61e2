//! A past cycle written as history (the demo's previous year): its row in `cycles`, closed, with
//! the notice's periods and no schedule, since its deadlines are over.

use chrono::NaiveDate;
use diesel::RunQueryDsl;

use super::conn::AnyConnection;
use super::sql::{DynQuery, SqlValue, TextRow};
use super::StoreError;
use crate::model::CycleDates;

fn day(d: NaiveDate) -> SqlValue {
    SqlValue::Text(d.format("%Y-%m-%d").to_string())
}

/// Records `dates` as a closed cycle unless the cycle exists; true when it was written.
pub fn record_closed_cycle(
    conn: &mut AnyConnection,
    dates: &CycleDates,
    now: &str,
) -> Result<bool, StoreError> {
    let mut q = DynQuery::new("SELECT CAST(year AS TEXT) AS y FROM cycles WHERE year = ");
    q.bind(SqlValue::Int(i64::from(dates.year)));
    let found: Vec<TextRow> = q.load(conn)?;
    if !found.is_empty() {
        return Ok(false);
    }
    let mut q = DynQuery::new(
        "INSERT INTO cycles (year, period_start, period_end, finance_year, snapshot_date, \
         is_open, created_at, shift_days) VALUES (",
    );
    q.bind(SqlValue::Int(i64::from(dates.year))).sql(", ");
    q.bind(day(dates.start)).sql(", ");
    q.bind(day(dates.end)).sql(", ");
    q.bind(SqlValue::Int(i64::from(dates.finance_year)))
        .sql(", ");
    q.bind(day(dates.snapshot)).sql(", ");
    q.bind(SqlValue::Bool(false)).sql(", ");
    q.bind(SqlValue::Text(now.to_owned())).sql(", 0)");
    q.execute(conn)?;
    Ok(true)
}
