//! The demo's previous cycle (2022), derived from the 2023 college so that year-over-year
//! comparisons show believable differences: a few percent fewer students and teachers (a roster
//! row missing takes the rows that reference it along), the students a grade back (so that the
//! class of 2023 is there), last year's dates in the tables that record events, smaller equipment, library and building figures, less income and spending, and 1.5.3 recounted from
//! 2022's students so that last year's counts agree too. No randomness leaks into 2023's stream.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::Datelike;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rust_decimal::Decimal;

use super::dependency_order;
use crate::defs::{Catalog, FieldType, Scope, Table};
use crate::store::{Record, Value};

/// The previous cycle of the demo.
pub const PREVIOUS: i32 = super::CYCLE - 1;

/// Rows of one cycle by table code, each with its owning unit.
pub type Rows = BTreeMap<String, Vec<(String, Record)>>;

/// The share of rows a table had fewer of last year (the rest carried over).
fn fewer(code: &str) -> f64 {
    match code {
        "0.1.5" | "1.5.2" => 0.03,
        "0.1.3" | "0.1.4" => 0.02,
        // The college's structure stayed: departments, majors, major groups, their changes.
        "1.1.3" | "1.2.1" | "1.2.2" | "1.2.3" => 0.0,
        _ => 0.04,
    }
}

/// How much smaller last year's amounts were, for the single-row tables that grow.
fn smaller(code: &str) -> Option<Decimal> {
    match code {
        "1.1.5" => Some(Decimal::new(92, 2)),
        "1.1.6" => Some(Decimal::new(95, 2)),
        "1.1.4" => Some(Decimal::new(98, 2)),
        // Last calendar year's income and spending: a few percent less, item by item (the
        // totals are added up again in `refinance`).
        "2.11.1" => Some(Decimal::new(94, 2)),
        "2.11.2" => Some(Decimal::new(91, 2)),
        "2.11.3" => Some(Decimal::new(95, 2)),
        "2.11.4" => Some(Decimal::new(93, 2)),
        _ => None,
    }
}

fn text(r: &Record, f: &str) -> Option<String> {
    match r.get(f) {
        Some(Value::Text(s)) => Some(s.clone()),
        _ => None,
    }
}

fn earlier(v: &Value) -> Value {
    match v {
        Value::Date(d) => Value::Date(d.with_year(d.year() - 1).unwrap_or(*d)),
        Value::YearMonth { year, month } => Value::YearMonth {
            year: year - 1,
            month: *month,
        },
        Value::Year(y) => Value::Year(y - 1),
        other => other.clone(),
    }
}

fn scaled(v: &Value, by: Decimal, scale: u32) -> Value {
    match v {
        Value::Int(n) => Value::Int((Decimal::from(*n) * by).round().try_into().unwrap_or(*n)),
        Value::Decimal(d) => Value::Decimal((d * by).round_dp(scale)),
        other => other.clone(),
    }
}

/// Last year's rows, from this year's.
pub fn previous_year(catalog: &Catalog, this_year: &Rows, seed: u64) -> Rows {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x2022);
    // Values of referenced fields (`slug.field`) that last year did not have.
    let mut missing: HashMap<String, HashSet<String>> = HashMap::new();
    let mut out = Rows::new();
    for table in dependency_order(catalog) {
        let Some(rows) = this_year.get(&table.code) else {
            continue;
        };
        let mut kept = Vec::new();
        let mut cascaded = false;
        for (unit, rec) in rows {
            let gone = table.fields.iter().any(|f| {
                matches!(f.ty, FieldType::Ref { .. })
                    && f.ty.ref_targets().iter().any(|t| {
                        let key = format!("{}.{}", t.table, t.field);
                        text(rec, &f.name)
                            .is_some_and(|v| missing.get(&key).is_some_and(|m| m.contains(&v)))
                    })
            });
            if gone {
                cascaded = true;
                continue;
            }
            kept.push((unit.clone(), rec.clone()));
        }
        if table.scope == Scope::Rows && !cascaded && table.code != "1.5.3" {
            let p = fewer(&table.code);
            kept.retain(|_| !rng.random_bool(p));
        }
        for (_, rec) in &mut kept {
            shape(table, rec);
        }
        if COHORTS.contains(&table.code.as_str()) {
            // A grade back, a major's first class may predate its first enrolment: not there.
            let first = first_enrolment(&out);
            kept.retain(|(_, r)| match (text(r, "major_code"), r.get("grade")) {
                (Some(m), Some(Value::Year(g))) => first.get(&m).is_none_or(|y| g >= y),
                _ => true,
            });
        }
        note_missing(table, rows, &kept, &mut missing);
        out.insert(table.code.clone(), kept);
    }
    recount_students(&mut out);
    refinance(&mut out);
    out
}

/// 2.11.1 and 2.11.3 after their items were scaled: "other" is again the sum of last year's
/// detail rows (2.11.2, 2.11.4) and every total the sum of its items, to the cent.
fn refinance(out: &mut Rows) {
    for (summary, detail) in [("2.11.1", "2.11.2"), ("2.11.3", "2.11.4")] {
        let other: Decimal = out
            .get(detail)
            .into_iter()
            .flatten()
            .filter_map(|(_, r)| match r.get("amount") {
                Some(Value::Decimal(d)) => Some(*d),
                _ => None,
            })
            .sum();
        for (_, r) in out.get_mut(summary).into_iter().flatten() {
            r.insert("other".into(), Value::Decimal(other));
            if summary == "2.11.1" {
                super::extra::add_up_income(r);
            } else {
                super::extra::add_up_expense(r);
            }
        }
    }
}

/// The student tables and the cohort fields that were a year earlier last year: the roster is
/// carried forward, but last year's students are this year's a grade back, so the 2022 cycle
/// holds the class that graduated in 2023 (rule X08 compares 2.5.1 with it).
const COHORTS: &[&str] = &["0.1.5", "1.5.1", "1.5.2", "1.5.3"];
const COHORT_FIELDS: &[&str] = &["grade", "enrol_ym", "expected_grad_ym"];

/// Last year's dates in event tables, smaller amounts in the tables that grow.
fn shape(table: &Table, rec: &mut Record) {
    if COHORTS.contains(&table.code.as_str()) {
        for f in COHORT_FIELDS {
            if let Some(v) = rec.get(*f).map(earlier) {
                rec.insert((*f).to_owned(), v);
            }
        }
    }
    if !table.carry_forward && table.code != "1.5.3" {
        for f in &table.fields {
            if matches!(
                f.ty,
                FieldType::Date | FieldType::YearMonth | FieldType::Year
            ) {
                if let Some(v) = rec.get(&f.name).map(earlier) {
                    rec.insert(f.name.clone(), v);
                }
            }
        }
    }
    if let Some(by) = smaller(&table.code) {
        for f in &table.fields {
            let scale = match f.ty {
                FieldType::Decimal { scale } => scale,
                FieldType::Int => 0,
                _ => continue,
            };
            if let Some(v) = rec.get(&f.name).map(|v| scaled(v, by, scale)) {
                rec.insert(f.name.clone(), v);
            }
        }
        // Totals stay the sum of their parts (rule X11).
        for (total, a, b) in [
            ("land_total", "land_owned", "land_not_owned"),
            ("bldg_total", "bldg_owned", "bldg_not_owned"),
        ] {
            if let (Some(Value::Decimal(x)), Some(Value::Decimal(y))) = (rec.get(a), rec.get(b)) {
                let sum = x + y;
                rec.insert(total.into(), Value::Decimal(sum));
            }
        }
    }
}

/// Each major's first enrolment year (1.2.1).
fn first_enrolment(out: &Rows) -> HashMap<String, i32> {
    out.get("1.2.1")
        .into_iter()
        .flatten()
        .filter_map(
            |(_, r)| match (text(r, "major_code"), r.get("first_enrol_year")) {
                (Some(m), Some(Value::Year(y))) => Some((m, *y)),
                _ => None,
            },
        )
        .collect()
}

/// Records which referenced values of `table` last year lacks.
fn note_missing(
    table: &Table,
    this_year: &[(String, Record)],
    kept: &[(String, Record)],
    missing: &mut HashMap<String, HashSet<String>>,
) {
    for f in &table.fields {
        let have: HashSet<String> = kept.iter().filter_map(|(_, r)| text(r, &f.name)).collect();
        let lost: HashSet<String> = this_year
            .iter()
            .filter_map(|(_, r)| text(r, &f.name))
            .filter(|v| !have.contains(v))
            .collect();
        if !lost.is_empty() {
            missing.insert(format!("{}.{}", table.slug, f.name), lost);
        }
    }
}

/// 1.5.3 counts last year's students (1.5.1 for 高职, 1.5.2 for 附设中职) per level, major and
/// grade, as rule X05 asks; groups without students are dropped.
fn recount_students(out: &mut Rows) {
    type Key = (String, String, i32);
    let mut tally: HashMap<Key, (i64, i64, i64)> = HashMap::new();
    for (code, level) in [("1.5.1", None), ("1.5.2", Some("03"))] {
        for (_, r) in out.get(code).into_iter().flatten() {
            let level = level.map(str::to_owned).or_else(|| text(r, "level"));
            let (Some(level), Some(major), Some(Value::Year(grade))) =
                (level, text(r, "major_code"), r.get("grade"))
            else {
                continue;
            };
            let t = tally.entry((level, major, *grade)).or_default();
            t.0 += 1;
            t.1 += i64::from(text(r, "gender").as_deref() == Some("2"));
            t.2 += i64::from(text(r, "ethnicity").is_some_and(|e| e != "01"));
        }
    }
    if let Some(rows) = out.get_mut("1.5.3") {
        rows.retain_mut(|(_, r)| {
            let (Some(level), Some(major), Some(Value::Year(grade))) =
                (text(r, "level"), text(r, "major_code"), r.get("grade"))
            else {
                return false;
            };
            let Some(&(total, female, minority)) = tally.get(&(level.clone(), major, *grade))
            else {
                return false;
            };
            r.insert("total".into(), Value::Int(total));
            if level != "03" {
                r.insert("female".into(), Value::Int(female));
                r.insert("minority".into(), Value::Int(minority));
            }
            true
        });
    }
}
