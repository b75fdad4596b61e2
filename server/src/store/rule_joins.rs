//! The joins of a rule's statement: each aggregate over another table becomes one grouped derived
//! table (`aN`) joined on its keys, so a rule costs a few scans whatever the row count.

use super::rule_funcs::elements;
use super::rules::{emit, Ctx};
use super::sql::{ident, DynQuery, SqlValue};
use crate::defs::naming::sql_table;
use crate::defs::rules::{Agg, AggKind, Expr, Scope};

pub(super) fn collect_aggs<'a>(e: &'a Expr, out: &mut Vec<&'a Agg>) {
    match e {
        Expr::Agg(a) => {
            if !out.contains(&a) {
                out.push(a);
            }
        }
        Expr::Neg(a)
        | Expr::Rescale(a, _)
        | Expr::Not(a)
        | Expr::In(a, _, _)
        | Expr::IsNull(a, _) => collect_aggs(a, out),
        Expr::Arith(_, a, b) | Expr::Cmp(_, a, b) | Expr::And(a, b) | Expr::Or(a, b) => {
            collect_aggs(a, out);
            collect_aggs(b, out);
        }
        Expr::Func(_, args) => args.iter().for_each(|a| collect_aggs(a, out)),
        Expr::Code { arg, .. } => collect_aggs(arg, out),
        Expr::Lit(_) | Expr::Col { .. } | Expr::AllExist { .. } | Expr::Cycle(_) => {}
    }
}

/// `LEFT JOIN (SELECT keys…, agg AS v FROM d_x i WHERE i.cycle = ? AND filter GROUP BY keys) aN
/// ON aN.g0 = outer0 AND …`: one grouped scan of the other table for the whole rule.
/// The aggregate's value over the matched rows `i`: a sum, a lookup (unknown when several rows
/// match, so the caller does not judge it), a distinct count or a count. `blank_sum_is_zero`
/// makes a sum over no values 0 (indicators and 高基 figures) instead of NULL (rules).
pub(super) fn aggregate_value(q: &mut DynQuery, agg: &Agg, cx: &Ctx<'_>, blank_sum_is_zero: bool) {
    match (&agg.kind, &agg.value) {
        (AggKind::Sum, Some(v)) => {
            q.sql(if blank_sum_is_zero {
                "COALESCE(SUM("
            } else {
                "SUM("
            });
            emit(q, v, cx);
            q.sql(if blank_sum_is_zero { "), 0)" } else { ")" });
        }
        (AggKind::Lookup, Some(v)) => {
            q.sql("CASE WHEN COUNT(*) = 1 THEN MAX(");
            emit(q, v, cx);
            q.sql(") END");
        }
        (AggKind::CountDistinct, Some(v)) => {
            q.sql("COUNT(DISTINCT ");
            emit(q, v, cx);
            q.sql(")");
        }
        _ => {
            q.sql("COUNT(*)");
        }
    }
}

pub(super) fn join_aggregate(q: &mut DynQuery, cx: &Ctx<'_>, n: usize, agg: &Agg, cycle: i32) {
    q.sql(" LEFT JOIN (SELECT ");
    for (i, (inner, _)) in agg.keys.iter().enumerate() {
        emit(q, inner, cx);
        q.sql(&format!(" AS g{i}, "));
    }
    if agg.member.is_some() {
        q.sql("e.value AS gm, ");
    }
    // A blank sum stays blank here: the rule reports it rather than passing on a zero.
    aggregate_value(q, agg, cx, false);
    q.sql(&format!(
        " AS v, COUNT(*) AS c FROM {} i",
        ident(&sql_table(&agg.table))
    ));
    if let Some((list, _)) = &agg.member {
        q.sql(" CROSS JOIN ");
        let col = Expr::Col {
            scope: Scope::Inner,
            name: list.clone(),
        };
        elements(q, &col, cx);
    }
    q.sql(" WHERE i.cycle = ");
    let year = if agg.previous { cycle - 1 } else { cycle };
    q.bind(SqlValue::Int(i64::from(year)));
    if let Some(f) = &agg.filter {
        q.sql(" AND ");
        emit(q, f, cx);
    }
    let grouped = agg.keys.len() + usize::from(agg.member.is_some());
    if grouped > 0 {
        let positions: Vec<String> = (1..=grouped).map(|i| i.to_string()).collect();
        q.sql(&format!(" GROUP BY {}", positions.join(", ")));
    }
    q.sql(&format!(") a{n} ON "));
    if let Some((_, outer)) = &agg.member {
        q.sql(&format!("a{n}.gm = "));
        emit(q, outer, cx);
        if !agg.keys.is_empty() {
            q.sql(" AND ");
        }
    } else if agg.keys.is_empty() {
        q.sql("1 = 1");
    }
    for (i, (_, outer)) in agg.keys.iter().enumerate() {
        if i > 0 {
            q.sql(" AND ");
        }
        q.sql(&format!("a{n}.g{i} = "));
        emit(q, outer, cx);
    }
}
