//! Formulas over a whole cycle in the rule expression form: arithmetic over `count(…)`,
//! `sum(…)` and `lookup(…)` of whole tables (no row is being checked, so no bare field and no
//! `@field`). Year-over-year rules, the 高基 reference figures and the core indicators'
//! `value` and `per` are such formulas.

use super::check::{scopes, Checker};
use super::parse::parse_expr;
use super::{Expr, Ty};
use crate::defs::{Catalog, Table};

/// A checked formula: its expression, the decimal scale of its value and the tables it reads.
#[derive(Debug, Clone, PartialEq)]
pub struct Formula {
    /// The formula as written.
    pub text: String,
    pub expr: Expr,
    /// The value is an integer scaled by 10^scale (as decimals are stored).
    pub scale: u32,
    /// Codes of the tables read, `anchor` first (a core indicator has no anchor: in order of
    /// appearance).
    pub reads: Vec<String>,
}

/// Checks `text` as a formula; `anchor` is the table the formula belongs to (its findings' table).
pub fn compile_formula(catalog: &Catalog, anchor: &Table, text: &str) -> Result<Formula, String> {
    let parsed = parse_expr(text)?;
    let mut checker = Checker {
        catalog,
        row: anchor,
        reads: Vec::new(),
        last_cmp: Ty::Null,
        whole_table: false,
    };
    let (expr, ty) = checker.expr(&parsed, None)?;
    let scale = match ty {
        Ty::Num(s) => s,
        _ => return Err("公式的值应为数值（count、sum 及其加减乘）".into()),
    };
    if mentions_row(&expr) {
        return Err(
            "公式针对整个周期：字段须写在 count/sum/lookup 中，where 中不能用 @字段".into(),
        );
    }
    let mut reads = vec![anchor.code.clone()];
    reads.extend(checker.reads);
    Ok(Formula {
        text: text.to_owned(),
        expr,
        scale,
        reads,
    })
}

/// True when any part of the expression (aggregate keys and filters included) reads a row column.
fn mentions_row(e: &Expr) -> bool {
    let (mut row, mut inner) = (false, false);
    scopes(e, &mut row, &mut inner);
    if row {
        return true;
    }
    match e {
        Expr::Agg(a) => {
            !a.keys.is_empty()
                || a.filter.as_deref().is_some_and(mentions_row)
                || a.value.as_deref().is_some_and(mentions_row)
        }
        Expr::Neg(a) | Expr::Rescale(a, _) | Expr::Not(a) | Expr::IsNull(a, _) => mentions_row(a),
        Expr::In(a, _, _) => mentions_row(a),
        Expr::Arith(_, a, b) | Expr::Cmp(_, a, b) | Expr::And(a, b) | Expr::Or(a, b) => {
            mentions_row(a) || mentions_row(b)
        }
        Expr::Func(_, args) => args.iter().any(mentions_row),
        Expr::Code { arg, .. } => mentions_row(arg),
        Expr::Lit(_) | Expr::Col { .. } | Expr::AllExist { .. } | Expr::Cycle(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog() -> Catalog {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("table-defs");
        crate::defs::load_catalog(&dir).expect("definitions load")
    }

    #[test]
    fn a_formula_sums_and_counts_whole_tables() {
        let c = catalog();
        let anchor = c.table_by_code("1.1.4").expect("1.1.4");
        let f = compile_formula(&c, anchor, "sum('1.1.4', land_total) + count('1.5.1')")
            .expect("compiles");
        assert_eq!(f.scale, 2);
        assert_eq!(f.reads, vec!["1.1.4".to_owned(), "1.5.1".to_owned()]);
    }

    #[test]
    fn a_formula_may_not_read_a_row() {
        let c = catalog();
        let anchor = c.table_by_code("1.5.3").expect("1.5.3");
        let bare = compile_formula(&c, anchor, "total + 1").expect_err("bare field");
        assert!(bare.contains("count/sum"), "{bare}");
        let outer = compile_formula(&c, anchor, "count('1.5.1' where major_code = @major_code)")
            .expect_err("outer field");
        assert!(outer.contains("@"), "{outer}");
    }
}
