//! Quality rules compiled to SQL: one statement per rule selects, set-based over the whole cycle,
//! the rows where the rule's check is false. Aggregates over other tables become grouped derived
//! tables joined on their keys, so a rule costs a few scans whatever the row count. Identifiers
//! come only from the checked definitions; every value is bound.

use diesel::RunQueryDsl;

use super::conn::AnyConnection;
use super::dialect::Dialect;
use super::formula::{subquery, Only};
use super::rule_funcs::{all_exist, code_lookup, cycle_var, func};
use super::rule_joins::join_aggregate;
use super::sql::{ident, DynQuery, SqlValue, TextRow};
use super::StoreError;
use crate::defs::naming::sql_table;
use crate::defs::rules::{Agg, AggKind, ArithOp, Expr, Lit, Scope, Ty};
use crate::defs::{Catalog, Rule, Table};
use crate::model::CycleDates;

/// A row where a rule does not hold (or a unit with no rows, for completeness rules).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub rule: String,
    pub severity: String,
    pub table_code: String,
    pub unit: String,
    pub row_id: Option<i64>,
    /// The row's natural key in words (`学号=2021010001`); empty for single-row tables.
    pub row_ref: String,
    pub field: Option<String>,
    pub message: String,
}

pub(super) struct Ctx<'a> {
    pub dialect: Dialect,
    pub aggs: Vec<&'a Agg>,
    /// The cycle's dates, for `period_start()` and the like and the catalogues' year.
    pub dates: CycleDates,
    /// The code lists `code_name` and the like read (none in formulas over whole tables).
    pub catalog: Option<&'a Catalog>,
    /// A formula over whole tables (`formula`): each aggregate is a scalar subquery over this
    /// cycle's rows (those `Only` names), not a derived table joined to a checked row.
    pub whole: Option<(i32, Option<Only<'a>>)>,
}

impl Ctx<'_> {
    /// A context for expressions over one table (alias `i`) with no aggregates of their own.
    pub(super) fn inner(dialect: Dialect, cycle: i32) -> Ctx<'static> {
        Ctx {
            dialect,
            aggs: Vec::new(),
            dates: CycleDates::standard(cycle),
            catalog: None,
            whole: None,
        }
    }

    /// A context for a formula over whole tables of `cycle`.
    pub(super) fn whole(dialect: Dialect, cycle: i32, only: Option<Only<'_>>) -> Ctx<'_> {
        Ctx {
            whole: Some((cycle, only)),
            ..Ctx::inner(dialect, cycle)
        }
    }
}

/// The statement that selects the rows of `dates.year` (and of `unit`, when given) breaking
/// `rule`: columns `id`, `unit`, `k0…` (the natural key as text), `p0…` (the message's values as
/// text). A check that is unknown (a blank operand) is a finding, except where a lookup found no
/// single row (the reference and `UNIQ:` rules report that); a whole-table rule gives one row per
/// unit that has rows.
pub fn rule_query<'a>(
    dialect: Dialect,
    catalog: &'a Catalog,
    table: &Table,
    rule: &'a Rule,
    dates: &CycleDates,
    unit: Option<&str>,
) -> DynQuery {
    let cycle = dates.year;
    let mut cx = Ctx {
        dialect,
        aggs: Vec::new(),
        dates: *dates,
        catalog: Some(catalog),
        whole: None,
    };
    for e in rule.when.iter().chain([&rule.check]) {
        e.collect_aggs(&mut cx.aggs);
    }
    for p in &rule.placeholders {
        p.expr.collect_aggs(&mut cx.aggs);
    }
    let sql_name = ident(&sql_table(&table.slug));
    let mut q = if rule.whole_table {
        DynQuery::new("SELECT NULL AS id, t.unit AS unit").uncached()
    } else {
        let mut q = DynQuery::new("SELECT CAST(t.id AS TEXT) AS id, t.unit AS unit").uncached();
        for (i, k) in table.key.iter().enumerate() {
            q.sql(&format!(", CAST(t.{} AS TEXT) AS k{i}", ident(k)));
        }
        q
    };
    for (i, p) in rule.placeholders.iter().enumerate() {
        q.sql(", CAST(");
        emit(&mut q, &p.expr, &cx);
        q.sql(&format!(" AS TEXT) AS p{i}"));
    }
    if rule.whole_table {
        q.sql(&format!(
            " FROM (SELECT unit, cycle, MIN(id) AS id FROM {sql_name} WHERE cycle = "
        ));
        q.bind(SqlValue::Int(i64::from(cycle)));
        q.sql(" GROUP BY unit, cycle) t");
    } else {
        q.sql(&format!(" FROM {sql_name} t"));
    }
    for (n, agg) in cx.aggs.iter().enumerate() {
        join_aggregate(&mut q, &cx, n, agg, cycle);
    }
    super::rule_linked::join_linked(&mut q, table, rule);
    q.sql(" WHERE t.cycle = ");
    q.bind(SqlValue::Int(i64::from(cycle)));
    if let Some(u) = unit {
        q.sql(" AND t.unit = ");
        q.bind(SqlValue::Text(u.to_owned()));
    }
    if let Some(w) = &rule.when {
        q.sql(" AND ");
        emit(&mut q, w, &cx);
    }
    for (n, agg) in cx.aggs.iter().enumerate() {
        if agg.kind == AggKind::Lookup {
            q.sql(&format!(" AND a{n}.c = 1"));
        }
    }
    q.sql(" AND NOT COALESCE(");
    emit(&mut q, &rule.check, &cx);
    q.sql(", FALSE) ORDER BY t.id");
    q
}

/// Runs a row rule and renders each finding's message.
pub fn run_rule(
    conn: &mut AnyConnection,
    catalog: &Catalog,
    rule: &Rule,
    cycle: i32,
    unit: Option<&str>,
) -> Result<Vec<Violation>, StoreError> {
    let table = catalog.table_by_code(&rule.table).ok_or_else(|| {
        StoreError::Config(format!("规则 {}：没有数据表 {}", rule.id, rule.table))
    })?;
    let dates = super::workflow::cycle_dates(conn, cycle)?;
    let rows: Vec<TextRow> = rule_query(Dialect::of(conn), catalog, table, rule, &dates, unit)
        .load(conn)
        .map_err(|e| StoreError::Database(format!("规则 {}：{e}", rule.id)))?;
    let key: &[String] = if rule.whole_table { &[] } else { &table.key };
    Ok(rows
        .iter()
        .map(|row| {
            let row_ref = key
                .iter()
                .enumerate()
                .map(|(i, k)| {
                    let label = table.field(k).map_or(k.as_str(), |f| f.label.as_str());
                    format!("{label}={}", row.get(&format!("k{i}")).unwrap_or(""))
                })
                .collect::<Vec<_>>()
                .join("，");
            let values: Vec<(String, String)> = rule
                .placeholders
                .iter()
                .enumerate()
                .map(|(i, p)| (p.name.clone(), show(p.ty, row.get(&format!("p{i}")))))
                .collect();
            Violation {
                rule: rule.id.clone(),
                severity: rule.severity.as_str().to_owned(),
                table_code: rule.table.clone(),
                unit: row.get("unit").unwrap_or("").to_owned(),
                row_id: row.get("id").and_then(|s| s.parse().ok()),
                row_ref,
                field: rule.field.clone(),
                message: rule.render(&values),
            }
        })
        .collect())
}

/// Rows per unit of a table in a cycle (for completeness rules).
pub fn rows_per_unit(
    conn: &mut AnyConnection,
    table: &Table,
    cycle: i32,
) -> Result<Vec<(String, i64)>, StoreError> {
    let mut q = DynQuery::new(format!(
        "SELECT unit, CAST(COUNT(*) AS TEXT) AS n FROM {} WHERE cycle = ",
        ident(&sql_table(&table.slug))
    ));
    q.bind(SqlValue::Int(i64::from(cycle)));
    q.sql(" GROUP BY unit");
    let rows: Vec<TextRow> = q.load(conn)?;
    Ok(rows
        .iter()
        .map(|r| {
            (
                r.get("unit").unwrap_or("").to_owned(),
                r.get("n").and_then(|n| n.parse().ok()).unwrap_or(0),
            )
        })
        .collect())
}

/// A value as a message shows it: decimals with their point, booleans as 是/否, empty as （空）.
fn show(ty: Ty, text: Option<&str>) -> String {
    let Some(t) = text else {
        return "（空）".into();
    };
    match ty {
        Ty::Num(scale) if scale > 0 => match t.parse::<i64>() {
            Ok(n) => rust_decimal::Decimal::new(n, scale).to_string(),
            Err(_) => t.to_owned(),
        },
        Ty::Bool => match t {
            "1" | "true" | "t" => "是".into(),
            _ => "否".into(),
        },
        _ => t.to_owned(),
    }
}

fn lit(q: &mut DynQuery, l: &Lit) {
    match l {
        Lit::Int(n) => q.bind(SqlValue::Int(*n)),
        Lit::Text(s) => q.bind(SqlValue::Text(s.clone())),
        Lit::Bool(b) => q.bind(SqlValue::Bool(*b)),
        Lit::Null => q.sql("NULL"),
    };
}

pub(super) fn emit(q: &mut DynQuery, e: &Expr, cx: &Ctx<'_>) {
    match e {
        Expr::Lit(l) => lit(q, l),
        Expr::Col { scope, name } => {
            let alias = match scope {
                Scope::Row => "t",
                Scope::Inner => "i",
                Scope::Linked => super::rule_linked::ALIAS,
            };
            q.sql(&format!("{alias}.{}", ident(name)));
        }
        Expr::Neg(a) => wrap(q, "(- ", a, ")", cx),
        Expr::Rescale(a, by) => wrap(q, "(", a, &format!(" * {})", 10_i64.pow(*by)), cx),
        Expr::Arith(op, a, b) => {
            let op = match op {
                ArithOp::Add => " + ",
                ArithOp::Sub => " - ",
                ArithOp::Mul => " * ",
            };
            binary(q, a, op, b, cx);
        }
        Expr::Cmp(op, a, b) => binary(q, a, &format!(" {} ", op.sql()), b, cx),
        Expr::And(a, b) => binary(q, a, " AND ", b, cx),
        Expr::Or(a, b) => binary(q, a, " OR ", b, cx),
        Expr::Not(a) => wrap(q, "(NOT ", a, ")", cx),
        Expr::In(a, list, neg) => {
            wrap(q, "(", a, if *neg { " NOT IN (" } else { " IN (" }, cx);
            for (i, l) in list.iter().enumerate() {
                if i > 0 {
                    q.sql(", ");
                }
                lit(q, l);
            }
            q.sql("))");
        }
        Expr::IsNull(a, neg) => wrap(
            q,
            "(",
            a,
            if *neg { " IS NOT NULL)" } else { " IS NULL)" },
            cx,
        ),
        Expr::Agg(a) => match cx.whole {
            Some((cycle, only)) => subquery(q, a, cx, cycle, only),
            None => joined_value(q, a, cx),
        },
        Expr::Func(f, args) => func(q, *f, args, cx),
        Expr::Cycle(var) => cycle_var(q, *var, cx),
        Expr::Code { list, part, arg } => code_lookup(q, list, *part, arg, cx),
        Expr::AllExist { column, targets } => all_exist(q, cx.dialect, column, targets),
    }
}

/// The value of aggregate `a` from its derived table `aN` joined to the checked row.
fn joined_value(q: &mut DynQuery, a: &Agg, cx: &Ctx<'_>) {
    let n = cx.aggs.iter().position(|x| *x == a).unwrap_or(0);
    match a.kind {
        AggKind::Exists => q.sql(&format!("(COALESCE(a{n}.v, 0) > 0)")),
        // No matching row: unknown, so the comparison is not a finding.
        AggKind::Lookup => q.sql(&format!("a{n}.v")),
        _ => q.sql(&format!("COALESCE(a{n}.v, 0)")),
    };
}

pub(super) fn wrap(q: &mut DynQuery, before: &str, e: &Expr, after: &str, cx: &Ctx<'_>) {
    q.sql(before);
    emit(q, e, cx);
    q.sql(after);
}

fn binary(q: &mut DynQuery, a: &Expr, op: &str, b: &Expr, cx: &Ctx<'_>) {
    q.sql("(");
    emit(q, a, cx);
    q.sql(op);
    emit(q, b, cx);
    q.sql(")");
}

/// Runs a row rule's statement and only counts the rows: the baseline of `bench validate`.
pub fn count_rule_rows(
    conn: &mut AnyConnection,
    catalog: &Catalog,
    rule: &Rule,
    cycle: i32,
) -> Result<usize, StoreError> {
    let table = catalog.table_by_code(&rule.table).ok_or_else(|| {
        StoreError::Config(format!("规则 {}：没有数据表 {}", rule.id, rule.table))
    })?;
    let dates = super::workflow::cycle_dates(conn, cycle)?;
    let rows: Vec<TextRow> =
        rule_query(Dialect::of(conn), catalog, table, rule, &dates, None).load(conn)?;
    Ok(rows.len())
}
