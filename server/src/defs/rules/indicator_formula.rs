//! Core-indicator formulas: the rule expression language used as a figure over whole tables
//! rather than a condition on rows. A formula is constants and `count(…)`/`sum(…)` aggregates
//! combined with `+ - *`; inside an aggregate everything the rules allow in `where` is allowed,
//! except `@field` (there is no checked row). Nothing here knows SQL.

use rust_decimal::Decimal;

use super::check::Checker;
use super::parse::{parse_expr, AggKind, ArithOp, PExpr};
use super::{Agg, Ty};
use crate::defs::Catalog;

/// A checked formula over a cycle's tables.
#[derive(Debug, Clone, PartialEq)]
pub enum IndicatorFormula {
    Lit(Decimal),
    /// A count or sum over one table; `scale` is the decimal scale of the stored result.
    Agg {
        agg: Agg,
        scale: u32,
    },
    Neg(Box<IndicatorFormula>),
    Arith(ArithOp, Box<IndicatorFormula>, Box<IndicatorFormula>),
}

impl IndicatorFormula {
    /// Every aggregate of the formula, in order of appearance.
    pub fn aggregates(&self) -> Vec<&Agg> {
        let mut out = Vec::new();
        self.collect(&mut out);
        out
    }

    fn collect<'a>(&'a self, out: &mut Vec<&'a Agg>) {
        match self {
            IndicatorFormula::Lit(_) => {}
            IndicatorFormula::Agg { agg, .. } => out.push(agg),
            IndicatorFormula::Neg(a) => a.collect(out),
            IndicatorFormula::Arith(_, a, b) => {
                a.collect(out);
                b.collect(out);
            }
        }
    }
}

/// Parses and checks a formula; the error is in Chinese and says what is wrong.
pub fn check_indicator_formula(catalog: &Catalog, text: &str) -> Result<IndicatorFormula, String> {
    let parsed = parse_expr(text)?;
    let Some(row) = catalog.tables.first() else {
        return Err("没有任何数据表".into());
    };
    // The checker needs a row table; a formula has none, so `@field` and bare fields are refused
    // below before the checker could resolve them against it.
    let mut checker = Checker {
        catalog,
        row,
        reads: Vec::new(),
        last_cmp: Ty::Null,
        whole_table: false,
    };
    formula(&mut checker, &parsed)
}

fn formula(checker: &mut Checker<'_>, e: &PExpr) -> Result<IndicatorFormula, String> {
    Ok(match e {
        PExpr::Num(d) => IndicatorFormula::Lit(*d),
        PExpr::Neg(a) => IndicatorFormula::Neg(Box::new(formula(checker, a)?)),
        PExpr::Arith(op, a, b) => IndicatorFormula::Arith(
            *op,
            Box::new(formula(checker, a)?),
            Box::new(formula(checker, b)?),
        ),
        PExpr::Agg {
            kind: kind @ (AggKind::Count | AggKind::Sum),
            table,
            value,
            filter,
            previous: false,
        } => {
            if filter.as_deref().is_some_and(mentions_outer)
                || value.as_deref().is_some_and(mentions_outer)
            {
                return Err("核心指标的公式中没有“本行”，不能用 @字段".into());
            }
            let (expr, ty) =
                checker.aggregate_expr(*kind, table, value.as_deref(), filter.as_deref())?;
            let super::Expr::Agg(agg) = expr else {
                return Err("count/sum 检查失败".into());
            };
            let scale = match ty {
                Ty::Num(s) => s,
                _ => 0,
            };
            IndicatorFormula::Agg { agg, scale }
        }
        PExpr::Agg { .. } => {
            return Err("核心指标的公式只能用 count(表 where …) 与 sum(表, 字段 where …)".into())
        }
        PExpr::Field(name) | PExpr::Outer(name) => {
            return Err(format!(
                "公式中的字段 {name} 须写在 count(…) 或 sum(表, {name}) 之中"
            ))
        }
        _ => {
            return Err(
                "核心指标的公式由常数、count(…)、sum(…) 与 + - * 组成（比值写在 per 中）".into(),
            )
        }
    })
}

fn mentions_outer(e: &PExpr) -> bool {
    match e {
        PExpr::Outer(_) => true,
        PExpr::Neg(a) | PExpr::Not(a) | PExpr::In(a, _, _) | PExpr::IsNull(a, _) => {
            mentions_outer(a)
        }
        PExpr::Arith(_, a, b) | PExpr::Cmp(_, a, b) | PExpr::And(a, b) | PExpr::Or(a, b) => {
            mentions_outer(a) || mentions_outer(b)
        }
        PExpr::Call(_, args) => args.iter().any(mentions_outer),
        PExpr::Agg { value, filter, .. } => {
            value.as_deref().is_some_and(mentions_outer)
                || filter.as_deref().is_some_and(mentions_outer)
        }
        _ => false,
    }
}
