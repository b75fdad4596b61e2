//! The joins of a rule's statement: each aggregate over another table becomes one grouped derived
//! table (`aN`) joined on its keys, so a rule costs a few scans whatever the row count.

use super::rule_funcs::elements;
use super::rules::{emit, wrap, Ctx};
use super::sql::{ident, DynQuery, SqlValue};
use crate::defs::naming::sql_table;
use crate::defs::rules::{Agg, AggKind, Expr, Scope};

/// The aggregate's value over the matched rows `i`: a sum, a lookup (unknown when several rows
/// match, so the caller does not judge it), a distinct count or a count. A sum over no rows or
/// only blank values is 0, in rules (which read `aN.v` through `COALESCE(…, 0)` as well, for a
/// row no group matched) as in formulas and indicators; a blank field of the checked row is what
/// leaves a rule's check unknown.
pub(super) fn aggregate_value(q: &mut DynQuery, agg: &Agg, cx: &Ctx<'_>) {
    match (&agg.kind, &agg.value) {
        (AggKind::Sum, Some(v)) => wrap(q, "COALESCE(SUM(", v, "), 0)", cx),
        (AggKind::Lookup, Some(v)) => wrap(q, "CASE WHEN COUNT(*) = 1 THEN MAX(", v, ") END", cx),
        (AggKind::CountDistinct, Some(v)) => wrap(q, "COUNT(DISTINCT ", v, ")", cx),
        _ => {
            q.sql("COUNT(*)");
        }
    }
}

/// `LEFT JOIN (SELECT keys…, agg AS v FROM d_x i WHERE i.cycle = ? AND filter GROUP BY keys) aN
/// ON aN.g0 = outer0 AND …`: one grouped scan of the other table for the whole rule.
pub(super) fn join_aggregate(q: &mut DynQuery, cx: &Ctx<'_>, n: usize, agg: &Agg, cycle: i32) {
    q.sql(" LEFT JOIN (SELECT ");
    for (i, (inner, _)) in agg.keys.iter().enumerate() {
        emit(q, inner, cx);
        q.sql(&format!(" AS g{i}, "));
    }
    if agg.member.is_some() {
        q.sql("e.value AS gm, ");
    }
    aggregate_value(q, agg, cx);
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
