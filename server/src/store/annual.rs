//! `annual_report_values`: the annual report's items 质量部 enters per cycle (survey figures and
//! outside statistics), with where each figure comes from, its date, and who entered it.

use diesel::prelude::*;

use super::conn::AnyConnection;
use super::schema::annual_report_values as arv;
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

/// Puts `v` in place of the cycle's value of its item; the caller holds the write transaction.
pub fn put_external_value(conn: &mut AnyConnection, v: &ExternalValue) -> Result<(), StoreError> {
    diesel::delete(
        arv::table
            .filter(arv::cycle.eq(v.cycle))
            .filter(arv::item.eq(&v.item)),
    )
    .execute(conn)?;
    diesel::insert_into(arv::table).values(v).execute(conn)?;
    Ok(())
}
