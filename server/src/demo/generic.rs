//! Fills any field of any table with a plausible value from its definition: the type, the code
//! list, the bounds and pattern, and what the field's name and label say it holds. Table-specific
//! generators pass the values that must agree with other tables; this fills in the rest.

use std::collections::HashMap;

use chrono::{Days, NaiveDate};
use rand::seq::IndexedRandom;
use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use rust_decimal::Decimal;

use super::college::College;
use super::date;
use crate::defs::{Catalog, Field, FieldType, Period, Table};
use crate::store::{Record, Value};

/// Countries of the foreign partners (2.12.x).
const PARTNERS: &[&str] = &["DEU", "GBR", "SGP", "THA", "MYS", "AUS", "KHM"];

/// Generates field values; keeps the key values of generated tables for references.
pub struct Filler<'a> {
    pub catalog: &'a Catalog,
    pub college: &'a College,
    /// Values of referenced fields so far, by `slug.field`.
    pub pools: HashMap<String, Vec<String>>,
    pub(super) regexes: HashMap<String, Option<rand_regex::Regex>>,
}

fn between(rng: &mut ChaCha8Rng, from: NaiveDate, to: NaiveDate) -> NaiveDate {
    let span = (to - from).num_days().max(1) as u64;
    from + Days::new(rng.random_range(0..span))
}

impl<'a> Filler<'a> {
    pub fn new(catalog: &'a Catalog, college: &'a College) -> Self {
        Filler {
            catalog,
            college,
            pools: HashMap::new(),
            regexes: HashMap::new(),
        }
    }

    /// Completes `rec` for `table`: every required field, most optional ones, then the fix-ups
    /// that keep sub-items below their totals and end dates after start dates.
    pub fn fill(
        &mut self,
        rng: &mut ChaCha8Rng,
        table: &Table,
        mut rec: Record,
        i: usize,
    ) -> Record {
        // Generators describe an entity once and pass it to several tables; keep what this one has.
        rec.retain(|k, _| table.field(k).is_some());
        for f in &table.fields {
            if rec.contains_key(&f.name) {
                continue;
            }
            if f.required || rng.random_bool(0.8) {
                let v = self.value(rng, table, f, &rec, i);
                rec.insert(f.name.clone(), v);
            }
        }
        for f in &table.fields {
            let needed = f
                .required_if
                .as_ref()
                .is_some_and(|c| crate::validate::holds(c, &rec));
            if needed && rec.get(&f.name).is_none_or(Value::is_null) {
                let v = self.value(rng, table, f, &rec, i);
                rec.insert(f.name.clone(), v);
            }
        }
        fix_subtotals(table, &mut rec);
        rec
    }

    /// A value for one field.
    pub fn value(
        &mut self,
        rng: &mut ChaCha8Rng,
        table: &Table,
        f: &Field,
        rec: &Record,
        i: usize,
    ) -> Value {
        match &f.ty {
            FieldType::Enum { codes } => {
                let code = self.code(rng, f, codes);
                // The partners of 2.12.x are abroad (HELP-country); chosen after the draw so
                // that the stream stays as it was.
                if codes == "country" && code == "CHN" && table.code.starts_with("2.12.") {
                    Value::Text(PARTNERS[i % PARTNERS.len()].to_owned())
                } else {
                    Value::Text(code)
                }
            }
            FieldType::MultiEnum { codes } => {
                let mut picked: Vec<String> = (0..rng.random_range(1..=3))
                    .map(|_| self.code(rng, f, codes))
                    .collect();
                picked.sort();
                picked.dedup();
                Value::List(picked)
            }
            FieldType::Ref { targets } => {
                let key = format!("{}.{}", targets[0].table, targets[0].field);
                match self.pools.get(&key).and_then(|p| p.choose(rng)) {
                    Some(v) => Value::Text(v.clone()),
                    None => self.text(rng, table, f, i),
                }
            }
            FieldType::MultiRef { targets } => {
                let key = format!("{}.{}", targets[0].table, targets[0].field);
                let pool = self.pools.get(&key).cloned().unwrap_or_default();
                let mut picked: Vec<String> = (0..rng.random_range(1..=3))
                    .filter_map(|_| pool.choose(rng).cloned())
                    .collect();
                picked.sort();
                picked.dedup();
                Value::List(picked)
            }
            FieldType::Int => Value::Int(self.int(rng, f)),
            FieldType::Decimal { scale } => Value::Decimal(self.decimal(rng, f, *scale)),
            FieldType::Date => Value::Date(self.date(rng, table, f, rec)),
            FieldType::YearMonth => {
                let d = self.date(rng, table, f, rec);
                Value::YearMonth {
                    year: chrono::Datelike::year(&d),
                    month: chrono::Datelike::month(&d),
                }
            }
            FieldType::Year => {
                let lo = f
                    .min
                    .and_then(|m| i32::try_from(m.mantissa()).ok())
                    .unwrap_or(2012)
                    .max(2000);
                let hi = f
                    .max
                    .and_then(|m| i32::try_from(m.mantissa()).ok())
                    .unwrap_or(2023)
                    .min(2023);
                let lo = if f.name == "grade" {
                    hi.saturating_sub(2).max(lo)
                } else {
                    lo
                };
                Value::Year(rng.random_range(lo..=hi.max(lo)))
            }
            FieldType::Bool => {
                Value::Bool(rng.random_bool(if f.name.starts_with("is_") { 0.25 } else { 0.6 }))
            }
            FieldType::String | FieldType::Text => self.text(rng, table, f, i),
        }
    }

    fn code(&self, rng: &mut ChaCha8Rng, f: &Field, list: &str) -> String {
        let Some(codes) = self.catalog.code_list(list) else {
            return "01".to_owned();
        };
        let common = match list {
            "id_type" => Some("1"),
            "country" => Some("CHN"),
            "ethnicity" => Some("01"),
            "student_status" => Some("01"),
            _ => None,
        };
        if let Some(c) = common.filter(|_| rng.random_bool(0.9)) {
            return c.to_owned();
        }
        if list == "areas" || list == "provinces" {
            let county = self.college.county(rng);
            return if list == "provinces" {
                format!("{}0000", &county[..2])
            } else {
                county
            };
        }
        let usable: Vec<_> = codes
            .codes
            .iter()
            .filter(|c| c.note.as_deref() != Some("类别"))
            .collect();
        let pick = usable
            .choose(rng)
            .map(|c| c.code.clone())
            .unwrap_or_default();
        match &f.pattern {
            Some(re) if !re.is_match(&pick) => codes
                .codes
                .iter()
                .map(|c| &c.code)
                .find(|c| re.is_match(c))
                .cloned()
                .unwrap_or(pick),
            _ => pick,
        }
    }

    fn int(&self, rng: &mut ChaCha8Rng, f: &Field) -> i64 {
        let n = f.name.as_str();
        let (lo, hi) = match n {
            _ if n.contains("semester") || n.contains("term") => (1, 4),
            _ if n.contains("days") => (5, 60),
            _ if n.contains("hours") => (16, 120),
            _ if n.contains("months") => (3, 24),
            _ if n.contains("mbps") => (1000, 10000),
            _ if n.contains("count") || n.contains("rank") || n.contains("edition") => (1, 12),
            _ => (0, 300),
        };
        let lo = f
            .min
            .and_then(|m| i64::try_from(m.ceil().mantissa()).ok())
            .map_or(lo, |m| lo.max(m));
        let hi = f
            .max
            .and_then(|m| i64::try_from(m.floor().mantissa()).ok())
            .map_or(hi, |m| hi.min(m));
        rng.random_range(lo..=hi.max(lo))
    }

    fn decimal(&self, rng: &mut ChaCha8Rng, f: &Field, scale: u32) -> Decimal {
        let (lo, hi): (f64, f64) = match f.unit.as_deref() {
            Some("万元") => (1.0, 800.0),
            Some("m²") => (200.0, 30000.0),
            Some("%") => (60.0, 100.0),
            _ if f.name.contains("score") || f.name.contains("line") => (180.0, 520.0),
            _ => (0.0, 100.0),
        };
        let to_f = |d: Decimal| d.to_string().parse::<f64>().unwrap_or(0.0);
        let lo = f.min.map_or(lo, |m| lo.max(to_f(m)));
        let hi = f.max.map_or(hi, |m| hi.min(to_f(m)));
        let factor = 10f64.powi(scale as i32);
        let units = rng.random_range(
            (lo * factor).ceil() as i64..=(hi * factor).floor().max(lo * factor) as i64,
        );
        Decimal::new(units, scale)
    }

    fn date(&self, rng: &mut ChaCha8Rng, table: &Table, f: &Field, rec: &Record) -> NaiveDate {
        let n = f.name.as_str();
        if n.starts_with("birth") {
            return between(rng, date(1965, 1, 1), date(1998, 12, 31));
        }
        if n.contains("end") || n.contains("until") || n.contains("close") {
            let start = ["start_date", "hire_start", "start_ym", "apply_date"]
                .iter()
                .find_map(|s| match rec.get(*s) {
                    Some(Value::Date(d)) => Some(*d),
                    Some(Value::YearMonth { year, month }) => {
                        NaiveDate::from_ymd_opt(*year, *month, 1)
                    }
                    _ => None,
                });
            if let Some(s) = start {
                let end = s + Days::new(rng.random_range(20..200));
                return if n.contains("valid") || n.contains("hire_end") {
                    end + Days::new(365)
                } else {
                    end.min(date(2023, 8, 31))
                };
            }
        }
        let old = n.contains("join")
            || n.contains("found")
            || n.contains("established")
            || n.contains("since")
            || n.contains("first")
            || n.contains("title")
            || n.contains("purchase")
            || n.contains("upgrade");
        if old {
            return between(rng, date(2003, 1, 1), date(2022, 8, 31));
        }
        match table.period {
            Period::AcademicYear => between(rng, date(2022, 9, 1), date(2023, 8, 31)),
            Period::CalendarYear => between(rng, date(2022, 1, 1), date(2022, 12, 31)),
            Period::Snapshot => between(rng, date(2019, 9, 1), date(2023, 8, 31)),
        }
    }
}

/// Keeps "其中" items at or below the item they belong to, practice hours below total hours,
/// and admissions in order (plan ≥ admitted ≥ enrolled).
fn fix_subtotals(table: &Table, rec: &mut Record) {
    let mut parent: Option<Value> = None;
    for f in &table.fields {
        let Some(v) = rec.get(&f.name).cloned() else {
            continue;
        };
        if !matches!(v, Value::Int(_) | Value::Decimal(_)) {
            continue;
        }
        if f.label.starts_with("其中") {
            if let Some(p) = &parent {
                let clamped = match (&v, p) {
                    (Value::Int(a), Value::Int(b)) => Value::Int((*a).min(*b)),
                    (Value::Decimal(a), Value::Decimal(b)) => Value::Decimal((*a).min(*b)),
                    _ => v.clone(),
                };
                rec.insert(f.name.clone(), clamped);
            }
        } else {
            parent = Some(v);
        }
    }
    let pairs = [
        ("hours_practice", "hours_total"),
        ("practice_hours", "hours"),
        ("certified", "examinees"),
        ("examinees", "registered"),
        ("enrolled", "admitted"),
        ("admitted", "plan"),
        ("placed", "graduates"),
        ("received", "contract_amount"),
        ("received", "funds"),
    ];
    for (small, big) in pairs {
        if let (Some(Value::Int(a)), Some(Value::Int(b))) = (rec.get(small), rec.get(big)) {
            if a > b {
                let (a, b) = (*a, *b);
                rec.insert(small.to_owned(), Value::Int(b));
                rec.insert(big.to_owned(), Value::Int(a));
            }
        }
        if let (Some(Value::Decimal(a)), Some(Value::Decimal(b))) = (rec.get(small), rec.get(big)) {
            if a > b {
                let (a, b) = (*a, *b);
                rec.insert(small.to_owned(), Value::Decimal(b));
                rec.insert(big.to_owned(), Value::Decimal(a));
            }
        }
    }
}
