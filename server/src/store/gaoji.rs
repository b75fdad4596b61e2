//! `gaoji_figures`: the 高基报表 figures 质量部 entered for a cycle, one per reference item, each
//! with its own 时点. Values are exact decimals kept as text.

use chrono::NaiveDate;
use diesel::RunQueryDsl;
use rust_decimal::Decimal;

use super::conn::AnyConnection;
use super::sql::{DynQuery, SqlValue, TextRow};
use super::StoreError;

/// One entered figure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnteredFigure {
    pub item: String,
    pub value: Decimal,
    pub as_of: NaiveDate,
    pub note: Option<String>,
    pub updated_by: String,
    pub updated_at: String,
}

/// Writes (or replaces) figures of `cycle`; the caller holds the write transaction.
pub fn upsert_figures(
    conn: &mut AnyConnection,
    cycle: i32,
    figures: &[EnteredFigure],
) -> Result<(), StoreError> {
    for f in figures {
        let mut q = DynQuery::new(
            "INSERT INTO gaoji_figures (cycle, item, value, as_of, note, updated_by, updated_at) \
             VALUES (",
        );
        q.bind(SqlValue::Int(i64::from(cycle))).sql(", ");
        q.bind(SqlValue::Text(f.item.clone())).sql(", ");
        q.bind(SqlValue::Text(f.value.normalize().to_string()))
            .sql(", ");
        q.bind(SqlValue::Text(f.as_of.format("%Y-%m-%d").to_string()))
            .sql(", ");
        q.bind(f.note.clone().map_or(SqlValue::Null, SqlValue::Text))
            .sql(", ");
        q.bind(SqlValue::Text(f.updated_by.clone())).sql(", ");
        q.bind(SqlValue::Text(f.updated_at.clone()));
        q.sql(
            ") ON CONFLICT (cycle, item) DO UPDATE SET value = excluded.value, \
             as_of = excluded.as_of, note = excluded.note, updated_by = excluded.updated_by, \
             updated_at = excluded.updated_at",
        );
        q.execute(conn)?;
    }
    Ok(())
}

/// The figures entered for `cycle`, by item.
pub fn list_figures(
    conn: &mut AnyConnection,
    cycle: i32,
) -> Result<Vec<EnteredFigure>, StoreError> {
    let mut q = DynQuery::new(
        "SELECT item, value, as_of, note, updated_by, updated_at FROM gaoji_figures WHERE cycle = ",
    );
    q.bind(SqlValue::Int(i64::from(cycle)));
    q.sql(" ORDER BY item");
    let rows: Vec<TextRow> = q.load(conn)?;
    Ok(rows
        .iter()
        .filter_map(|r| {
            Some(EnteredFigure {
                item: r.get("item")?.to_owned(),
                value: r.get("value")?.parse().ok()?,
                as_of: NaiveDate::parse_from_str(r.get("as_of")?, "%Y-%m-%d").ok()?,
                note: r.get("note").map(str::to_owned),
                updated_by: r.get("updated_by").unwrap_or("").to_owned(),
                updated_at: r.get("updated_at").unwrap_or("").to_owned(),
            })
        })
        .collect())
}
