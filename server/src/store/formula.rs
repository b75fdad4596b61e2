//! Formulas over a whole cycle (`defs::rules::Formula`) computed in one statement: each
//! aggregate becomes a scalar subquery over its table's rows of the cycle (optionally only one
//! unit's rows of one table), arithmetic stays in SQL so decimals remain exact.

use diesel::RunQueryDsl;
use rust_decimal::Decimal;

use super::conn::AnyConnection;
use super::dialect::Dialect;
use super::rules::{emit, Ctx};
use super::sql::{ident, DynQuery, SqlValue, TextRow};
use super::StoreError;
use crate::defs::naming::sql_table;
use crate::defs::rules::{ArithOp, Expr, Formula, Func};

/// Only one unit's rows of one table (by slug) count.
#[derive(Debug, Clone, Copy)]
pub struct UnitOnly<'a> {
    pub slug: &'a str,
    pub unit: &'a str,
}

/// The value of `formula` over `cycle`; `None` when it is unknown (a lookup found no row).
pub fn evaluate(
    conn: &mut AnyConnection,
    formula: &Formula,
    cycle: i32,
    only: Option<UnitOnly<'_>>,
) -> Result<Option<Decimal>, StoreError> {
    let cx = Ctx::inner(Dialect::of(conn), cycle);
    let mut q = DynQuery::new("SELECT CAST(").uncached();
    scalar(&mut q, &formula.expr, &cx, cycle, only);
    q.sql(" AS TEXT) AS v");
    let rows: Vec<TextRow> = q
        .load(conn)
        .map_err(|e| StoreError::Database(format!("公式 {}：{e}", formula.text)))?;
    let Some(text) = rows.first().and_then(|r| r.get("v")) else {
        return Ok(None);
    };
    // PostgreSQL sums integers as numeric; a whole number may come back as "12.0".
    let n: Decimal = text
        .parse()
        .map_err(|_| StoreError::Database(format!("公式 {}：值 {text} 不是数", formula.text)))?;
    let mut v = n.trunc();
    v.rescale(0);
    let mantissa = i64::try_from(v.mantissa())
        .map_err(|_| StoreError::Database(format!("公式 {}：值过大", formula.text)))?;
    Ok(Some(Decimal::new(mantissa, formula.scale)))
}

fn scalar(q: &mut DynQuery, e: &Expr, cx: &Ctx<'_>, cycle: i32, only: Option<UnitOnly<'_>>) {
    match e {
        Expr::Agg(a) => {
            q.sql("(SELECT ");
            super::rule_joins::aggregate_value(q, a, cx, true);
            q.sql(&format!(
                " FROM {} i WHERE i.cycle = ",
                ident(&sql_table(&a.table))
            ));
            q.bind(SqlValue::Int(i64::from(if a.previous {
                cycle - 1
            } else {
                cycle
            })));
            if let Some(o) = only.filter(|o| o.slug == a.table) {
                q.sql(" AND i.unit = ");
                q.bind(SqlValue::Text(o.unit.to_owned()));
            }
            if let Some(f) = &a.filter {
                q.sql(" AND ");
                emit(q, f, cx);
            }
            q.sql(")");
        }
        Expr::Neg(a) => {
            q.sql("(- ");
            scalar(q, a, cx, cycle, only);
            q.sql(")");
        }
        Expr::Rescale(a, by) => {
            q.sql("(");
            scalar(q, a, cx, cycle, only);
            q.sql(&format!(" * {})", 10_i64.pow(*by)));
        }
        Expr::Arith(op, a, b) => {
            q.sql("(");
            scalar(q, a, cx, cycle, only);
            q.sql(match op {
                ArithOp::Add => " + ",
                ArithOp::Sub => " - ",
                ArithOp::Mul => " * ",
            });
            scalar(q, b, cx, cycle, only);
            q.sql(")");
        }
        Expr::Func(Func::Coalesce, args) => {
            q.sql("COALESCE(");
            for (i, a) in args.iter().enumerate() {
                if i > 0 {
                    q.sql(", ");
                }
                scalar(q, a, cx, cycle, only);
            }
            q.sql(")");
        }
        other => emit(q, other, cx),
    }
}
