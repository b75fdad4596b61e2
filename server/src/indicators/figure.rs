//! One indicator's figure per group: its formulas' aggregates come grouped from SQL (one
//! statement per aggregate, by the rules' aggregate builder), and the formulas' `+ - *` are
//! evaluated here on the same scaled integers the rule compiler would give SQL, then divided by
//! `per`, scaled by `factor` and rounded by the one rule of `model::decimal`.
//!
//! The arithmetic stays here rather than in SQL because a breakdown needs, per group, values of
//! several tables whose groups differ, and because a division rounded half away from zero at the
//! declared precision would be written twice in SQL (SQLite divides integers by truncating and
//! overflows into floating point; PostgreSQL sums into numeric). `tests/indicators_engine.rs`
//! holds both ways equal for every indicator: this one and `store::formula::evaluate`.

use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::Decimal;

use crate::defs::rules::{Agg, ArithOp, Expr, Formula, Lit};
use crate::defs::Indicator;
use crate::model::decimal;
use crate::store::indicators::aggregate_values;
use crate::store::{AnyConnection, StoreError};

/// A group of a breakdown (its key as text; `None` for blank, or for the whole figure).
pub type Key = Option<String>;

/// The indicator's value per group (one group, `None`, when not broken down by `group`); `None`
/// as a value when its denominator is zero.
pub fn figure(
    conn: &mut AnyConnection,
    ind: &Indicator,
    cycle: i32,
    group: Option<&str>,
) -> Result<BTreeMap<Key, Option<Decimal>>, StoreError> {
    let formulas = || std::iter::once(&ind.value).chain(ind.per.as_ref());
    let mut groups: Vec<(&Agg, BTreeMap<Key, i128>)> = Vec::new();
    for agg in formulas().flat_map(|f| f.expr.aggregates()) {
        if !groups.iter().any(|(a, _)| *a == agg) {
            let values = aggregate_values(conn, agg, cycle, group)?;
            groups.push((agg, values.into_iter().collect()));
        }
    }
    let mut keys: BTreeSet<Key> = groups.iter().flat_map(|(_, g)| g.keys().cloned()).collect();
    if group.is_none() {
        keys.insert(None);
    }
    let mut out = BTreeMap::new();
    for key in keys {
        // A group without rows in a table counts 0 there, as a sum over no values does.
        let of = |agg: &Agg| -> i128 {
            groups
                .iter()
                .find(|(a, _)| *a == agg)
                .and_then(|(_, g)| g.get(&key))
                .copied()
                .unwrap_or(0)
        };
        let value = value_of(&ind.value, &of);
        let per = match &ind.per {
            Some(p) => value_of(p, &of).map(Some),
            None => Some(None),
        };
        let v = value.zip(per).and_then(|(v, p)| finish(ind, v, p));
        out.insert(key, v);
    }
    Ok(out)
}

/// The figure from its formulas' values: `value ÷ per × factor`, rounded half away from zero to
/// the indicator's `decimals` (trailing zeros dropped); `None` when `per` is zero.
pub fn finish(ind: &Indicator, value: Decimal, per: Option<Decimal>) -> Option<Decimal> {
    let num = value.checked_mul(ind.factor)?;
    decimal::divide(num, per.unwrap_or(Decimal::ONE), ind.decimals).map(|d| d.normalize())
}

/// A formula's value from its aggregates' values; `None` beyond 128 bits.
fn value_of(f: &Formula, of: &dyn Fn(&Agg) -> i128) -> Option<Decimal> {
    Decimal::try_from_i128_with_scale(eval(&f.expr, of)?, f.scale).ok()
}

/// The scaled integer of a checked indicator formula, as SQL computes it: literals are scaled
/// already, `Rescale` aligns a sum's operands, a product carries both scales.
fn eval(e: &Expr, of: &dyn Fn(&Agg) -> i128) -> Option<i128> {
    match e {
        Expr::Lit(Lit::Int(n)) => Some(i128::from(*n)),
        Expr::Agg(a) => Some(of(a)),
        Expr::Neg(a) => eval(a, of)?.checked_neg(),
        Expr::Rescale(a, by) => eval(a, of)?.checked_mul(10_i128.checked_pow(*by)?),
        Expr::Arith(op, a, b) => {
            let (a, b) = (eval(a, of)?, eval(b, of)?);
            match op {
                ArithOp::Add => a.checked_add(b),
                ArithOp::Sub => a.checked_sub(b),
                ArithOp::Mul => a.checked_mul(b),
            }
        }
        // `check_indicator_formula` admits nothing else.
        _ => None,
    }
}
