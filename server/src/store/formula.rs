//! Formulas over a whole cycle (`defs::rules::Formula`) computed in one statement by the rule
//! compiler (`rules::emit`): each aggregate becomes a scalar subquery over its table's rows of
//! the cycle (optionally only one unit's rows of one table, or one group of a breakdown), and
//! the arithmetic stays in SQL on scaled integers, so decimals remain exact (there is no
//! division in the language; `model::decimal` divides and rounds).
//! A sum over no rows or only blank values is 0, here as in rules (`rule_joins::aggregate_value`).

use diesel::RunQueryDsl;
use rust_decimal::Decimal;

use super::conn::AnyConnection;
use super::dialect::Dialect;
use super::rule_joins::aggregate_value;
use super::rules::{emit, Ctx};
use super::sql::{ident, DynQuery, SqlValue, TextRow};
use super::StoreError;
use crate::defs::naming::sql_table;
use crate::defs::rules::{Agg, Formula};

/// Which rows of the cycle count.
#[derive(Debug, Clone, Copy)]
pub enum Only<'a> {
    /// Only one unit's rows of one table (by slug); other tables count whole.
    Unit { slug: &'a str, unit: &'a str },
    /// In every table, only the rows whose `field` (as text) is `key` (blank when `None`): one
    /// group of an indicator's breakdown.
    Group {
        field: &'a str,
        key: Option<&'a str>,
    },
}

/// The value of `formula` over `cycle`; `None` when it is unknown (a lookup found no row).
pub fn evaluate(
    conn: &mut AnyConnection,
    formula: &Formula,
    cycle: i32,
    only: Option<Only<'_>>,
) -> Result<Option<Decimal>, StoreError> {
    let cx = Ctx::whole(Dialect::of(conn), cycle, only);
    let mut q = DynQuery::new("SELECT CAST(").uncached();
    emit(&mut q, &formula.expr, &cx);
    q.sql(" AS TEXT) AS v");
    let rows: Vec<TextRow> = q
        .load(conn)
        .map_err(|e| StoreError::Database(format!("公式 {}：{e}", formula.text)))?;
    let Some(text) = rows.first().and_then(|r| r.get("v")) else {
        return Ok(None);
    };
    let n = whole_number(text).ok_or_else(|| {
        StoreError::Database(format!("公式 {}：值 {text} 不是整数", formula.text))
    })?;
    Decimal::try_from_i128_with_scale(n, formula.scale)
        .map(Some)
        .map_err(|_| StoreError::Database(format!("公式 {}：值过大", formula.text)))
}

/// A scaled integer as SQL returns it: PostgreSQL sums integers as numeric and may write
/// "12.0"; a fraction is never dropped silently (`None`).
pub(super) fn whole_number(text: &str) -> Option<i128> {
    let n: Decimal = text.parse().ok()?;
    if !n.fract().is_zero() {
        return None;
    }
    let mut n = n;
    n.rescale(0);
    Some(n.mantissa())
}

/// `(SELECT agg FROM d_x i WHERE i.cycle = ? AND only AND filter)`: one aggregate of a formula.
pub(super) fn subquery(q: &mut DynQuery, a: &Agg, cx: &Ctx<'_>, cycle: i32, only: Option<Only>) {
    q.sql("(SELECT ");
    aggregate_value(q, a, cx);
    q.sql(&format!(
        " FROM {} i WHERE i.cycle = ",
        ident(&sql_table(&a.table))
    ));
    q.bind(SqlValue::Int(i64::from(if a.previous {
        cycle - 1
    } else {
        cycle
    })));
    match only {
        Some(Only::Unit { slug, unit }) if slug == a.table => {
            q.sql(" AND i.unit = ");
            q.bind(SqlValue::Text(unit.to_owned()));
        }
        Some(Only::Group { field, key }) => group_filter(q, field, key),
        _ => {}
    }
    if let Some(f) = &a.filter {
        q.sql(" AND ");
        emit(q, f, cx);
    }
    q.sql(")");
}

/// ` AND CAST(i.field AS TEXT) = key`, or ` AND i.field IS NULL` for the blank group.
fn group_filter(q: &mut DynQuery, field: &str, key: Option<&str>) {
    match key {
        Some(k) => {
            q.sql(&format!(" AND CAST(i.{} AS TEXT) = ", ident(field)));
            q.bind(SqlValue::Text(k.to_owned()));
        }
        None => {
            q.sql(&format!(" AND i.{} IS NULL", ident(field)));
        }
    }
}
