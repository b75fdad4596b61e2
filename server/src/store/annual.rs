//! `annual_report_values`: the annual report's items 质量部 enters per cycle (survey figures and
//! outside statistics), with where each figure comes from, its date, and who entered it.

use diesel::prelude::*;

use super::conn::AnyConnection;
use super::schema::annual_report_values as arv;
use super::sql::{template, SqlValue};
use super::StoreError;

/// One entered value as stored.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = arv)]
pub struct ExternalValue {
    pub cycle: i32,
    pub item: String,
    /// The decimal as text.
    pub value: String,
    pub source: String,
    /// The figure's date (YYYY-MM-DD), e.g. when the survey closed.
    pub source_date: String,
    pub entered_by: String,
    pub entered_by_name: String,
    pub entered_at: String,
}

/// Every value entered for `cycle`.
pub fn external_values(
    conn: &mut AnyConnection,
    cycle: i32,
) -> Result<Vec<ExternalValue>, StoreError> {
    Ok(arv::table
        .filter(arv::cycle.eq(cycle))
        .order(arv::item)
        .select(ExternalValue::as_select())
        .load(conn)?)
}

/// Puts `v` in place of the cycle's value of its item, in one statement: two officers saving
/// the same item at once both succeed and one value stays (a delete then insert let the second
/// insert meet the first one's row).
pub fn put_external_value(conn: &mut AnyConnection, v: &ExternalValue) -> Result<(), StoreError> {
    let text = |s: &str| SqlValue::Text(s.to_owned());
    template(
        "INSERT INTO annual_report_values (cycle, item, value, source, source_date, entered_by, \
         entered_by_name, entered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) \
         ON CONFLICT (cycle, item) DO UPDATE SET value = excluded.value, source = excluded.source, \
         source_date = excluded.source_date, entered_by = excluded.entered_by, \
         entered_by_name = excluded.entered_by_name, entered_at = excluded.entered_at",
        vec![
            SqlValue::Int(i64::from(v.cycle)),
            text(&v.item),
            text(&v.value),
            text(&v.source),
            text(&v.source_date),
            text(&v.entered_by),
            text(&v.entered_by_name),
            text(&v.entered_at),
        ],
    )?
    .execute(conn)?;
    Ok(())
}
