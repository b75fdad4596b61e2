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
use super::people;
use super::words::*;
use crate::defs::{Catalog, Field, FieldType, Format, Period, Table};
use crate::store::{Record, Value};
use crate::validate::formats::{gb32100_check, isbn13_check};

/// Generates field values; keeps the key values of generated tables for references.
pub struct Filler<'a> {
    pub catalog: &'a Catalog,
    pub college: &'a College,
    /// Values of referenced fields so far, by `slug.field`.
    pub pools: HashMap<String, Vec<String>>,
    regexes: HashMap<String, Option<rand_regex::Regex>>,
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
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
            FieldType::Enum { codes } => Value::Text(self.code(rng, f, codes)),
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

    fn text(&mut self, rng: &mut ChaCha8Rng, table: &Table, f: &Field, i: usize) -> Value {
        let raw = self.raw_text(rng, table, f, i);
        Value::Text(self.conform(rng, f, raw))
    }

    fn raw_text(&self, rng: &mut ChaCha8Rng, table: &Table, f: &Field, i: usize) -> String {
        let (n, label) = (f.name.as_str(), f.label.as_str());
        match f.format {
            Some(Format::Gb11643) => {
                let area = self.college.county(rng);
                return people::person(rng, &area, date(1965, 1, 1), date(2004, 12, 31)).id_no;
            }
            Some(Format::Gb32100) => return self.uscc(rng),
            Some(Format::Isbn) => return isbn(rng),
            Some(Format::Issn) => return "1001-8794".to_owned(),
            Some(Format::Mobile | Format::Phone) => return people::mobile(rng),
            Some(Format::Email) => return format!("office{}@zysf.edu.cn", i + 1),
            Some(Format::Url) => {
                return format!("https://www.zysf.edu.cn/{}/{}", table.slug, i + 1)
            }
            Some(Format::Gb2260) => return self.college.county(rng),
            None => {}
        }
        if label.contains("姓名")
            || matches!(
                n,
                "visitor"
                    | "contact"
                    | "ent_mentor"
                    | "chief_editor"
                    | "party_secretary"
                    | "president"
                    | "keeper"
                    | "editors"
            )
        {
            let g = if rng.random_bool(0.5) { "1" } else { "2" };
            return people::name(rng, g);
        }
        if label.contains("电话")
            || label.contains("手机")
            || n.ends_with("phone")
            || n == "mobile"
            || n == "fax"
        {
            return people::mobile(rng);
        }
        if n == "term" {
            return format!("2022-2023-{}", 1 + i % 2);
        }
        if n.contains("uscc") {
            return self.uscc(rng);
        }
        if n.contains("isbn") {
            return isbn(rng);
        }
        if n == "id_no" {
            let area = self.college.county(rng);
            return people::person(rng, &area, date(1965, 1, 1), date(2004, 12, 31)).id_no;
        }
        if n == "postcode" {
            return "450000".to_owned();
        }
        if n.contains("address") || n == "location" {
            return format!(
                "河南省郑州市{}{}号",
                ROADS.choose(rng).copied().unwrap_or("文化路"),
                rng.random_range(1..300)
            );
        }
        if n.contains("url") || n == "website" || n == "evidence" {
            return format!("https://www.zysf.edu.cn/{}/{}", table.slug, i + 1);
        }
        if label.contains("文号") {
            return format!(
                "豫教职成〔{}〕{}号",
                rng.random_range(2019..=2023),
                rng.random_range(10..400)
            );
        }
        if n.ends_with("_no")
            || n.ends_with("_code")
            || label.contains("编号")
            || label.contains("代码")
            || label.contains("证号")
        {
            return format!(
                "{}{:05}",
                n.chars().next().unwrap_or('N').to_ascii_uppercase(),
                i + 1
            );
        }
        if n == "issuer"
            || n == "approver"
            || n == "organizer"
            || n == "organization"
            || n == "authority"
        {
            return ISSUERS.choose(rng).copied().unwrap_or("教育部").to_owned();
        }
        if n == "publisher" {
            return PUBLISHERS
                .choose(rng)
                .copied()
                .unwrap_or("高等教育出版社")
                .to_owned();
        }
        if n == "venue" || n == "media" {
            return JOURNALS
                .choose(rng)
                .copied()
                .unwrap_or("职教论坛")
                .to_owned();
        }
        if n == "language" {
            return LANGUAGES.choose(rng).copied().unwrap_or("英语").to_owned();
        }
        if n == "partner" || n == "adopter" || n == "host" {
            return FOREIGN_PARTNERS
                .choose(rng)
                .copied()
                .unwrap_or("新加坡南洋理工学院")
                .to_owned();
        }
        if n.contains("employer")
            || n.contains("company")
            || n == "org"
            || n == "client_name"
            || n == "payer"
            || n == "payee"
        {
            return self
                .college
                .enterprises
                .choose(rng)
                .map(|e| e.name.clone())
                .unwrap_or_default();
        }
        if f.ty == FieldType::Text
            || n.contains("remark")
            || n.contains("note")
            || n.contains("summary")
            || n.contains("outcome")
        {
            return format!(
                "{}{}",
                TOPICS.choose(rng).copied().unwrap_or(""),
                SENTENCES.choose(rng).copied().unwrap_or("")
            );
        }
        let stem = label.trim_end_matches("名称").trim_end_matches("（校内）");
        format!(
            "{}{}{}",
            TOPICS.choose(rng).copied().unwrap_or("职业教育"),
            stem,
            i + 1
        )
    }

    /// Makes text fit the field's pattern and length.
    fn conform(&mut self, rng: &mut ChaCha8Rng, f: &Field, mut text: String) -> String {
        if let Some(re) = &f.pattern {
            if !re.is_match(&text) {
                // Definitions anchor their patterns; the generator wants the body, with ASCII digits
                // rather than any Unicode digit `\d` would allow.
                let body = re
                    .as_str()
                    .trim_start_matches('^')
                    .trim_end_matches('$')
                    .replace("\\d", "[0-9]");
                let gen = self
                    .regexes
                    .entry(re.as_str().to_owned())
                    .or_insert_with(|| rand_regex::Regex::compile(&body, 6).ok());
                if let Some(g) = gen {
                    text = rng.sample::<String, _>(&*g);
                }
            }
        }
        if let Some(max) = f.max_len {
            text = text.chars().take(max as usize).collect();
        }
        text
    }

    fn uscc(&self, rng: &mut ChaCha8Rng) -> String {
        let body: String = (0..9)
            .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
            .collect();
        let first17 = format!("12{}{}", self.college.county(rng), body);
        format!("{first17}{}", gb32100_check(&first17).unwrap_or('0'))
    }
}

/// A Chinese ISBN-13 (978-7-…) with a valid check digit.
pub fn isbn(rng: &mut ChaCha8Rng) -> String {
    let first12 = format!("9787{:08}", rng.random_range(0..100_000_000u32));
    format!("{first12}{}", isbn13_check(&first12).unwrap_or('0'))
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
