//! Year over year for one table: row counts and the sum of every numeric field per unit for two
//! cycles, and how many of this cycle's rows continue a row of the previous cycle (by link, or
//! else by the table's key within the unit).

use diesel::RunQueryDsl;
use rust_decimal::Decimal;

use super::conn::AnyConnection;
use super::formula::whole_number;
use super::links::same_key;
use super::sql::{ident, DynQuery, SqlValue, TextRow};
use super::{RowScope, StoreError};
use crate::defs::{naming::sql_table, Field, FieldType, Table};

/// One unit's rows of one cycle: how many, and each numeric field's sum (`None`: all empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitSums {
    pub unit: String,
    pub cycle: i32,
    pub rows: i64,
    pub sums: Vec<Option<Decimal>>,
}

/// How this cycle's rows continue last cycle's.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Matched {
    /// Rows linked to a row of the previous cycle (carried forward).
    pub by_link: i64,
    /// Rows without a link whose unit and key equal a row of the previous cycle.
    pub by_key: i64,
}

/// The numeric fields of a table (integers and decimals; years are not amounts).
pub fn numeric_fields(table: &Table) -> Vec<&Field> {
    table
        .fields
        .iter()
        .filter(|f| matches!(f.ty, FieldType::Int | FieldType::Decimal { .. }))
        .collect()
}

fn scale_of(f: &Field) -> u32 {
    match f.ty {
        FieldType::Decimal { scale } => scale,
        _ => 0,
    }
}

fn restrict(q: &mut DynQuery, scope: &RowScope) {
    if let RowScope::Units(units) = scope {
        q.sql(" AND t.unit IN ").bind_list(units);
    }
}

/// Rows and sums of `fields` per unit for each of `cycles`.
pub fn unit_sums(
    conn: &mut AnyConnection,
    table: &Table,
    fields: &[&Field],
    cycles: [i32; 2],
    scope: &RowScope,
) -> Result<Vec<UnitSums>, StoreError> {
    let mut q = DynQuery::new(
        "SELECT t.unit AS unit, CAST(t.cycle AS TEXT) AS cycle, CAST(COUNT(*) AS TEXT) AS n",
    )
    .uncached();
    for (i, f) in fields.iter().enumerate() {
        q.sql(&format!(
            ", CAST(SUM(t.{}) AS TEXT) AS s{i}",
            ident(&f.name)
        ));
    }
    q.sql(&format!(
        " FROM {} t WHERE t.cycle IN (",
        ident(&sql_table(&table.slug))
    ));
    q.bind(SqlValue::Int(i64::from(cycles[0])));
    q.sql(", ");
    q.bind(SqlValue::Int(i64::from(cycles[1])));
    q.sql(")");
    restrict(&mut q, scope);
    q.sql(" GROUP BY t.unit, t.cycle ORDER BY t.unit, t.cycle");
    let rows: Vec<TextRow> = q.load(conn)?;
    Ok(rows
        .iter()
        .map(|r| UnitSums {
            unit: r.get("unit").unwrap_or("").to_owned(),
            cycle: r.get("cycle").and_then(|c| c.parse().ok()).unwrap_or(0),
            rows: r.get("n").and_then(|c| c.parse().ok()).unwrap_or(0),
            sums: fields
                .iter()
                .enumerate()
                .map(|(i, f)| {
                    let text = r.get(&format!("s{i}"))?;
                    // PostgreSQL sums bigint as numeric; either way the text is a whole number.
                    let n = i64::try_from(whole_number(text)?).ok()?;
                    Some(Decimal::new(n, scale_of(f)))
                })
                .collect(),
        })
        .collect())
}

/// How many rows of `cycle` continue a row of `prev`, by link and else by key.
pub fn matched_rows(
    conn: &mut AnyConnection,
    table: &Table,
    cycle: i32,
    prev: i32,
    scope: &RowScope,
) -> Result<Matched, StoreError> {
    let t = ident(&sql_table(&table.slug));
    let linked = |q: &mut DynQuery| {
        q.sql(&format!(
            "EXISTS (SELECT 1 FROM row_links l JOIN {t} p ON p.id = l.prev_id WHERE l.table_code = "
        ));
        q.bind(SqlValue::Text(table.code.clone()));
        q.sql(" AND l.row_id = t.id AND p.cycle = ");
        q.bind(SqlValue::Int(i64::from(prev)));
        q.sql(")");
    };
    let mut count = |by_key: bool| -> Result<i64, StoreError> {
        let mut q = DynQuery::new(format!(
            "SELECT CAST(COUNT(*) AS TEXT) AS n FROM {t} t WHERE t.cycle = "
        ))
        .uncached();
        q.bind(SqlValue::Int(i64::from(cycle)));
        restrict(&mut q, scope);
        if by_key {
            q.sql(" AND NOT ");
            linked(&mut q);
            q.sql(&format!(
                " AND EXISTS (SELECT 1 FROM {t} p WHERE p.cycle = "
            ));
            q.bind(SqlValue::Int(i64::from(prev)));
            q.sql(&format!(" AND {})", same_key(table)));
        } else {
            q.sql(" AND ");
            linked(&mut q);
        }
        let rows: Vec<TextRow> = q.load(conn)?;
        Ok(rows
            .first()
            .and_then(|r| r.get("n"))
            .and_then(|n| n.parse().ok())
            .unwrap_or(0))
    };
    Ok(Matched {
        by_link: count(false)?,
        by_key: count(true)?,
    })
}
