//! Quality rules compiled to SQL: one statement per rule selects, set-based over the whole cycle,
//! the rows where the rule's check is false. Aggregates over other tables become grouped derived
//! tables joined on their keys, so a rule costs a few scans whatever the row count. Identifiers
//! come only from the checked definitions; every value is bound.

use diesel::RunQueryDsl;

use super::conn::AnyConnection;
use super::dialect::Dialect;
use super::sql::{ident, DynQuery, SqlValue, TextRow};
use super::StoreError;
use crate::defs::naming::sql_table;
use crate::defs::rules::{Agg, AggKind, ArithOp, Expr, Func, Lit, Scope, Ty};
use crate::defs::{Catalog, Rule, Table};

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
}

impl Ctx<'_> {
    /// A context for expressions over one table (alias `i`) with no aggregates of their own.
    pub(super) fn inner(dialect: Dialect) -> Ctx<'static> {
        Ctx {
            dialect,
            aggs: Vec::new(),
        }
    }
}

/// The statement that selects the rows of `cycle` (and of `unit`, when given) breaking `rule`:
/// columns `id`, `unit`, `k0…` (the natural key as text), `p0…` (the message's values as text).
pub fn rule_query(
    dialect: Dialect,
    table: &Table,
    rule: &Rule,
    cycle: i32,
    unit: Option<&str>,
) -> DynQuery {
    let mut cx = Ctx {
        dialect,
        aggs: Vec::new(),
    };
    for e in rule.when.iter().chain([&rule.check]) {
        collect_aggs(e, &mut cx.aggs);
    }
    for p in &rule.placeholders {
        collect_aggs(&p.expr, &mut cx.aggs);
    }
    let mut q = DynQuery::new("SELECT CAST(t.id AS TEXT) AS id, t.unit AS unit").uncached();
    for (i, k) in table.key.iter().enumerate() {
        q.sql(&format!(", CAST(t.{} AS TEXT) AS k{i}", ident(k)));
    }
    for (i, p) in rule.placeholders.iter().enumerate() {
        q.sql(", CAST(");
        emit(&mut q, &p.expr, &cx);
        q.sql(&format!(" AS TEXT) AS p{i}"));
    }
    q.sql(&format!(" FROM {} t", ident(&sql_table(&table.slug))));
    for (n, agg) in cx.aggs.iter().enumerate() {
        join_aggregate(&mut q, &cx, n, agg, cycle);
    }
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
    q.sql(" AND NOT ");
    emit(&mut q, &rule.check, &cx);
    q.sql(" ORDER BY t.id");
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
    let table = catalog
        .table_by_code(&rule.table)
        .ok_or_else(|| StoreError::Config(format!("rule {}: no table {}", rule.id, rule.table)))?;
    let rows: Vec<TextRow> = rule_query(Dialect::of(conn), table, rule, cycle, unit)
        .load(conn)
        .map_err(|e| StoreError::Database(format!("规则 {}：{e}", rule.id)))?;
    Ok(rows
        .iter()
        .map(|row| {
            let row_ref = table
                .key
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

fn collect_aggs<'a>(e: &'a Expr, out: &mut Vec<&'a Agg>) {
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
        Expr::Lit(_) | Expr::Col { .. } | Expr::AllExist { .. } => {}
    }
}

/// `LEFT JOIN (SELECT keys…, agg AS v FROM d_x i WHERE i.cycle = ? AND filter GROUP BY keys) aN
/// ON aN.g0 = outer0 AND …`: one grouped scan of the other table for the whole rule.
fn join_aggregate(q: &mut DynQuery, cx: &Ctx<'_>, n: usize, agg: &Agg, cycle: i32) {
    q.sql(" LEFT JOIN (SELECT ");
    for (i, (inner, _)) in agg.keys.iter().enumerate() {
        emit(q, inner, cx);
        q.sql(&format!(" AS g{i}, "));
    }
    match (&agg.kind, &agg.value) {
        (AggKind::Sum, Some(v)) => {
            q.sql("SUM(");
            emit(q, v, cx);
            q.sql(")");
        }
        (AggKind::Lookup, Some(v)) => {
            q.sql("MAX(");
            emit(q, v, cx);
            q.sql(")");
        }
        _ => {
            q.sql("COUNT(*)");
        }
    }
    q.sql(&format!(
        " AS v FROM {} i WHERE i.cycle = ",
        ident(&sql_table(&agg.table))
    ));
    q.bind(SqlValue::Int(i64::from(cycle)));
    if let Some(f) = &agg.filter {
        q.sql(" AND ");
        emit(q, f, cx);
    }
    if !agg.keys.is_empty() {
        let positions: Vec<String> = (1..=agg.keys.len()).map(|i| i.to_string()).collect();
        q.sql(&format!(" GROUP BY {}", positions.join(", ")));
    }
    q.sql(&format!(") a{n} ON "));
    if agg.keys.is_empty() {
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
            let alias = if *scope == Scope::Row { "t" } else { "i" };
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
        Expr::Agg(a) => {
            let n = cx.aggs.iter().position(|x| *x == a).unwrap_or(0);
            match a.kind {
                AggKind::Exists => q.sql(&format!("(COALESCE(a{n}.v, 0) > 0)")),
                // No matching row: unknown, so the comparison is not a finding.
                AggKind::Lookup => q.sql(&format!("a{n}.v")),
                _ => q.sql(&format!("COALESCE(a{n}.v, 0)")),
            };
        }
        Expr::Func(f, args) => func(q, *f, args, cx),
        Expr::AllExist { column, targets } => all_exist(q, cx.dialect, column, targets),
    }
}

fn wrap(q: &mut DynQuery, before: &str, e: &Expr, after: &str, cx: &Ctx<'_>) {
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

/// True when the argument has the shape of an 18-character ID number (17 digits and a check
/// character): only then may its digits be cast, which PostgreSQL would otherwise refuse.
fn id_shape(q: &mut DynQuery, x: &Expr, cx: &Ctx<'_>) {
    match cx.dialect {
        Dialect::Sqlite => {
            wrap(q, "(length(", x, ") = 18 AND substr(", cx);
            emit(q, x, cx);
            q.sql(", 1, 17) NOT GLOB '*[^0-9]*' AND substr(");
            emit(q, x, cx);
            q.sql(", 18, 1) GLOB '[0-9Xx]')");
        }
        Dialect::Postgres => wrap(q, "(", x, " ~ '^[0-9]{17}[0-9Xx]$')", cx),
    }
}

fn digit(q: &mut DynQuery, x: &Expr, pos: usize, cx: &Ctx<'_>) {
    wrap(
        q,
        "CAST(substr(",
        x,
        &format!(", {pos}, 1) AS INTEGER)"),
        cx,
    );
}

fn func(q: &mut DynQuery, f: Func, args: &[Expr], cx: &Ctx<'_>) {
    let Some(x) = args.first() else {
        q.sql("NULL");
        return;
    };
    match f {
        Func::IdValid => {
            // GB 11643: Σ digit × weight mod 11 picks the check character from "10X98765432".
            const WEIGHTS: [i64; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
            q.sql("(CASE WHEN ");
            id_shape(q, x, cx);
            q.sql(" THEN substr('10X98765432', ((");
            for (i, w) in WEIGHTS.iter().enumerate() {
                if i > 0 {
                    q.sql(" + ");
                }
                digit(q, x, i + 1, cx);
                q.sql(&format!(" * {w}"));
            }
            q.sql(") % 11) + 1, 1) = upper(substr(");
            emit(q, x, cx);
            q.sql(", 18, 1)) ELSE (1 = 0) END)");
        }
        Func::IdBirth => {
            q.sql("(CASE WHEN ");
            id_shape(q, x, cx);
            wrap(q, " THEN substr(", x, ", 7, 4) || '-' || substr(", cx);
            emit(q, x, cx);
            q.sql(", 11, 2) || '-' || substr(");
            emit(q, x, cx);
            q.sql(", 13, 2) END)");
        }
        Func::IdSex => {
            q.sql("(CASE WHEN ");
            id_shape(q, x, cx);
            q.sql(" THEN (CASE WHEN ");
            digit(q, x, 17, cx);
            q.sql(" % 2 = 1 THEN '1' ELSE '2' END) END)");
        }
        Func::YearMonth => wrap(q, "substr(", x, ", 1, 7)", cx),
        Func::Coalesce => {
            q.sql("COALESCE(");
            emit(q, x, cx);
            for a in &args[1..] {
                q.sql(", ");
                emit(q, a, cx);
            }
            q.sql(")");
        }
    }
}

/// Every element of a JSON list column exists in one of the targets (same cycle).
fn all_exist(q: &mut DynQuery, dialect: Dialect, column: &str, targets: &[(String, String)]) {
    let elements = match dialect {
        Dialect::Sqlite => format!("json_each(t.{}) e", ident(column)),
        Dialect::Postgres => format!(
            "json_array_elements_text(CAST(t.{} AS json)) AS e(value)",
            ident(column)
        ),
    };
    q.sql(&format!(
        "(NOT EXISTS (SELECT 1 FROM {elements} WHERE NOT ("
    ));
    for (i, (slug, field)) in targets.iter().enumerate() {
        if i > 0 {
            q.sql(" OR ");
        }
        q.sql(&format!(
            "EXISTS (SELECT 1 FROM {} x WHERE x.cycle = t.cycle AND x.{} = e.value)",
            ident(&sql_table(slug)),
            ident(field)
        ));
    }
    q.sql(")))");
}

/// Runs a row rule's statement and only counts the rows: the baseline of `bench validate`.
pub fn count_rule_rows(
    conn: &mut AnyConnection,
    catalog: &Catalog,
    rule: &Rule,
    cycle: i32,
) -> Result<usize, StoreError> {
    let table = catalog
        .table_by_code(&rule.table)
        .ok_or_else(|| StoreError::Config(format!("rule {}: no table {}", rule.id, rule.table)))?;
    let rows: Vec<TextRow> = rule_query(Dialect::of(conn), table, rule, cycle, None).load(conn)?;
    Ok(rows.len())
}
