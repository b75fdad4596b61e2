//! The SQL of the rule language's functions: ID numbers (GB 11643), dates, multi-valued fields,
//! the cycle's dates and the national catalogues read for the cycle's year. Each differs between
//! SQLite and PostgreSQL only here; values (dates, a catalogue as JSON) are bound, never written
//! into the statement.

use super::dialect::Dialect;
use super::rules::{emit, wrap, Ctx};
use super::sql::{ident, DynQuery, SqlValue};
use crate::defs::naming::sql_table;
use crate::defs::rules::{CodePart, CycleVar, Expr, Func};

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

pub(super) fn func(q: &mut DynQuery, f: Func, args: &[Expr], cx: &Ctx<'_>) {
    let Some(x) = args.first() else {
        q.sql("NULL");
        return;
    };
    match f {
        Func::IdValid | Func::IdBirth | Func::IdSex => id_func(q, f, x, cx),
        Func::YearMonth | Func::Year | Func::Month | Func::AddYears | Func::Days => {
            date_func(q, f, args, cx);
        }
        Func::Coalesce | Func::Has | Func::Size | Func::Substr => value_func(q, f, args, cx),
    }
}

/// GB 11643 ID numbers: the check digit, the birth date, the sex.
fn id_func(q: &mut DynQuery, f: Func, x: &Expr, cx: &Ctx<'_>) {
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
        // `func` sends only this family here: Func::IdSex.
        _ => {
            q.sql("(CASE WHEN ");
            id_shape(q, x, cx);
            q.sql(" THEN (CASE WHEN ");
            digit(q, x, 17, cx);
            q.sql(" % 2 = 1 THEN '1' ELSE '2' END) END)");
        }
    }
}

/// Dates and year-months (`YYYY-MM-DD` text): their parts, a move by years, days between.
fn date_func(q: &mut DynQuery, f: Func, args: &[Expr], cx: &Ctx<'_>) {
    let Some(x) = args.first() else { return };
    match f {
        Func::YearMonth => wrap(q, "substr(", x, ", 1, 7)", cx),
        Func::Year => wrap(q, "CAST(substr(", x, ", 1, 4) AS INTEGER)", cx),
        Func::Month => wrap(q, "CAST(substr(", x, ", 6, 2) AS INTEGER)", cx),
        Func::AddYears => {
            wrap(q, "(CAST(CAST(substr(", x, ", 1, 4) AS INTEGER) + ", cx);
            arg(q, args, 1, cx);
            wrap(q, " AS TEXT) || substr(", x, ", 5))", cx);
        }
        // Func::Days
        _ => match cx.dialect {
            Dialect::Sqlite => {
                q.sql("CAST(julianday(");
                arg(q, args, 1, cx);
                wrap(q, ") - julianday(", x, ") AS INTEGER)", cx);
            }
            Dialect::Postgres => {
                q.sql("(CAST(");
                arg(q, args, 1, cx);
                wrap(q, " AS date) - CAST(", x, " AS date))", cx);
            }
        },
    }
}

/// Blanks, multi-valued fields and text: `coalesce`, `has`, `size`, `substr`.
fn value_func(q: &mut DynQuery, f: Func, args: &[Expr], cx: &Ctx<'_>) {
    let Some(x) = args.first() else { return };
    match f {
        Func::Coalesce => {
            q.sql("COALESCE(");
            emit(q, x, cx);
            for a in &args[1..] {
                q.sql(", ");
                emit(q, a, cx);
            }
            q.sql(")");
        }
        Func::Has => {
            q.sql("EXISTS (SELECT 1 FROM ");
            elements(q, x, cx);
            q.sql(" WHERE e.value = ");
            arg(q, args, 1, cx);
            q.sql(")");
        }
        // PostgreSQL's substr takes integer, and bound numbers are bigint.
        Func::Substr => {
            wrap(q, "substr(", x, ", CAST(", cx);
            arg(q, args, 1, cx);
            q.sql(" AS INTEGER), CAST(");
            arg(q, args, 2, cx);
            q.sql(" AS INTEGER))");
        }
        // Func::Size
        _ => match cx.dialect {
            Dialect::Sqlite => wrap(q, "COALESCE(json_array_length(", x, "), 0)", cx),
            Dialect::Postgres => wrap(
                q,
                "COALESCE(json_array_length(CAST(",
                x,
                " AS json)), 0)",
                cx,
            ),
        },
    }
}

fn arg(q: &mut DynQuery, args: &[Expr], i: usize, cx: &Ctx<'_>) {
    match args.get(i) {
        Some(a) => emit(q, a, cx),
        None => {
            q.sql("NULL");
        }
    }
}

/// The elements of a JSON list as a table `e(value)`.
pub(super) fn elements(q: &mut DynQuery, x: &Expr, cx: &Ctx<'_>) {
    match cx.dialect {
        Dialect::Sqlite => wrap(q, "json_each(", x, ") e", cx),
        Dialect::Postgres => wrap(
            q,
            "json_array_elements_text(CAST(",
            x,
            " AS json)) AS e(value)",
            cx,
        ),
    }
}

/// A date of the cycle, bound.
pub(super) fn cycle_var(q: &mut DynQuery, var: CycleVar, cx: &Ctx<'_>) {
    let d = &cx.dates;
    let day = |n: chrono::NaiveDate| SqlValue::Text(n.format("%Y-%m-%d").to_string());
    q.bind(match var {
        CycleVar::PeriodStart => day(d.start),
        CycleVar::PeriodEnd => day(d.end),
        CycleVar::Snapshot => day(d.snapshot),
        CycleVar::FiscalYear => SqlValue::Int(i64::from(d.finance_year)),
        CycleVar::Year => SqlValue::Int(i64::from(d.year)),
    });
}

/// A code list read for the cycle's year: the codes valid that year as one bound JSON object
/// (code → name or group), looked up with `->>` (SQLite 3.38+, PostgreSQL jsonb).
pub(super) fn code_lookup(q: &mut DynQuery, list: &str, part: CodePart, x: &Expr, cx: &Ctx<'_>) {
    let year = cx.dates.year;
    let map: serde_json::Map<String, serde_json::Value> = cx
        .catalog
        .and_then(|c| c.code_list(list))
        .map(|l| {
            l.codes
                .iter()
                .filter(|c| c.valid_in(year))
                .filter_map(|c| {
                    let v = match part {
                        CodePart::Group => c.group.clone()?,
                        _ => c.name.clone(),
                    };
                    Some((c.code.clone(), serde_json::Value::String(v)))
                })
                .collect()
        })
        .unwrap_or_default();
    let json = SqlValue::Text(serde_json::Value::Object(map).to_string());
    q.sql(if part == CodePart::Valid { "((" } else { "(" });
    match cx.dialect {
        // SQLite reads a right operand starting with '$' as a JSON path: never a code.
        Dialect::Sqlite => {
            wrap(
                q,
                "CASE WHEN substr(",
                x,
                ", 1, 1) = '$' THEN NULL ELSE ",
                cx,
            );
            q.bind(json);
            wrap(q, " ->> ", x, " END", cx);
        }
        Dialect::Postgres => {
            q.sql("CAST(");
            q.bind(json);
            wrap(q, " AS jsonb) ->> ", x, "", cx);
        }
    }
    q.sql(if part == CodePart::Valid {
        ") IS NOT NULL)"
    } else {
        ")"
    });
}

/// Every element of a JSON list column exists in one of the targets (same cycle).
pub(super) fn all_exist(
    q: &mut DynQuery,
    dialect: Dialect,
    column: &str,
    targets: &[(String, String)],
) {
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
