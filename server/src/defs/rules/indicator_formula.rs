//! Core-indicator formulas: the rule expression language used as a figure over whole tables
//! rather than a condition on rows. A formula is constants and `count(…)`/`sum(…)` aggregates
//! combined with `+ - *`; inside an aggregate everything the rules allow in `where` is allowed,
//! except `@field` (there is no checked row). It is checked by the rules' own checker into the
//! same [`Formula`] as year-over-year rules and 高基 figures. Nothing here knows SQL.

use super::check::Checker;
use super::parse::{parse_expr, AggKind, PExpr};
use super::{Formula, Ty};
use crate::defs::Catalog;

/// Parses and checks a formula; the error is in Chinese and says what is wrong. `reads` holds
/// the codes of the tables its aggregates read, in order of appearance.
pub fn check_indicator_formula(catalog: &Catalog, text: &str) -> Result<Formula, String> {
    let parsed = parse_expr(text)?;
    shape(&parsed)?;
    let Some(row) = catalog.tables.first() else {
        return Err("没有任何数据表".into());
    };
    // The checker needs a row table; a formula has none, so `@field` and bare fields were
    // refused above before the checker could resolve them against it.
    let mut checker = Checker {
        catalog,
        row,
        reads: Vec::new(),
        last_cmp: Ty::Null,
        whole_table: false,
    };
    let (expr, ty) = checker.expr(&parsed, None)?;
    let Ty::Num(scale) = ty else {
        return Err("核心指标的公式的值应为数值".into());
    };
    let mut reads: Vec<String> = Vec::new();
    for agg in expr.aggregates() {
        let code = catalog
            .table_by_slug(&agg.table)
            .map_or(agg.table.clone(), |t| t.code.clone());
        if !reads.contains(&code) {
            reads.push(code);
        }
    }
    Ok(Formula {
        text: text.to_owned(),
        expr,
        scale,
        reads,
    })
}

/// Refuses what a figure over whole tables cannot hold, before the types are checked.
fn shape(e: &PExpr) -> Result<(), String> {
    match e {
        PExpr::Num(_) => Ok(()),
        PExpr::Neg(a) => shape(a),
        PExpr::Arith(_, a, b) => shape(a).and_then(|()| shape(b)),
        PExpr::Agg {
            kind: AggKind::Count | AggKind::Sum,
            value,
            filter,
            previous: false,
            ..
        } => {
            if filter.as_deref().is_some_and(mentions_outer)
                || value.as_deref().is_some_and(mentions_outer)
            {
                return Err("核心指标的公式中没有“本行”，不能用 @字段".into());
            }
            Ok(())
        }
        PExpr::Agg { .. } => {
            Err("核心指标的公式只能用 count(表 where …) 与 sum(表, 字段 where …)".into())
        }
        PExpr::Field(name) | PExpr::Outer(name) => Err(format!(
            "公式中的字段 {name} 须写在 count(…) 或 sum(表, {name}) 之中"
        )),
        _ => Err("核心指标的公式由常数、count(…)、sum(…) 与 + - * 组成（比值写在 per 中）".into()),
    }
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
