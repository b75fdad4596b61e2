//! Makes the generated tables agree with each other and with the notice's cross-table rules
//! (X01–X21): summary tables are derived from their detail tables, rows that copy another
//! table's values copy them, and counts stay in order. Runs after every table is generated and
//! before the rows are broken on purpose, on its own random stream (from the seed), so that the
//! rows drawn before it stay as they were.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rust_decimal::Decimal;

use super::Gen;
use crate::store::{Record, Value};

/// An integer field (0 when blank).
pub(super) fn int(r: &Record, f: &str) -> i64 {
    match r.get(f) {
        Some(Value::Int(n)) => *n,
        _ => 0,
    }
}

/// A decimal field (0 when blank).
pub(super) fn dec(r: &Record, f: &str) -> Decimal {
    match r.get(f) {
        Some(Value::Decimal(d)) => *d,
        _ => Decimal::ZERO,
    }
}

/// A text field ("" when blank).
pub(super) fn text<'r>(r: &'r Record, f: &str) -> &'r str {
    match r.get(f) {
        Some(Value::Text(s)) => s,
        _ => "",
    }
}

/// Sets integer fields.
pub(super) fn set_ints(r: &mut Record, pairs: &[(&str, i64)]) {
    for (f, v) in pairs {
        r.insert((*f).to_owned(), Value::Int(*v));
    }
}

/// A date or year-month as (year, month, day), for ordering; None for anything else.
fn moment(v: &Value) -> Option<(i32, u32, u32)> {
    use chrono::Datelike;
    match v {
        Value::Date(d) => Some((d.year(), d.month(), d.day())),
        Value::YearMonth { year, month } => Some((*year, *month, 1)),
        Value::Year(year) => Some((*year, 1, 1)),
        _ => None,
    }
}

/// A decimal with two places from hundredths.
pub(super) fn cents(n: i64) -> Value {
    Value::Decimal(Decimal::new(n, 2))
}

impl Gen<'_> {
    /// Derives the summary tables and aligns every copied value (see the module doc).
    pub(super) fn make_consistent(&mut self) {
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed ^ 0x00C0_5157_E47E);
        self.order_dates();
        self.staff(&mut rng);
        self.intake(&mut rng);
        self.graduates(&mut rng);
        self.facilities(&mut rng);
        self.library();
        self.internships(&mut rng);
        self.certificates();
        self.external_teachers();
        self.align_rosters();
        self.secondments();
        self.activities();
        self.copy_names();
    }

    /// Replaces a table's rows with `rows` (owning unit, record), each completed from the
    /// definition on the fix-ups' stream.
    pub(super) fn replace_rows(
        &mut self,
        rng: &mut ChaCha8Rng,
        code: &str,
        rows: Vec<(String, Record)>,
    ) {
        let Some(table) = self.table(code) else {
            return;
        };
        let filled = rows
            .into_iter()
            .enumerate()
            .map(|(i, (unit, rec))| (unit, self.filler.fill(rng, table, rec, i)))
            .collect();
        self.out.insert(code.to_owned(), filled);
    }

    /// The first unit that fills a table.
    pub(super) fn owner(&self, code: &str) -> String {
        self.units_of(code).into_iter().next().unwrap_or_default()
    }

    /// Every end on or after its start, every later event after the earlier (rule X09).
    fn order_dates(&mut self) {
        const PAIRS: &[(&str, &str)] = &[
            ("start_date", "end_date"),
            ("start_date", "planned_end"),
            ("start_date", "close_date"),
            ("start_ym", "end_ym"),
            ("hire_start", "hire_end"),
            ("apply_date", "grant_date"),
            ("founded_ym", "upgrade_ym"),
            ("start_year", "enrol_end_year"),
        ];
        for rows in self.out.values_mut() {
            for (_, r) in rows.iter_mut() {
                for (a, b) in PAIRS {
                    let (Some(x), Some(y)) = (r.get(*a).cloned(), r.get(*b).cloned()) else {
                        continue;
                    };
                    if let (Some(early), Some(late)) = (moment(&x), moment(&y)) {
                        if late < early {
                            r.insert((*a).to_owned(), y);
                            r.insert((*b).to_owned(), x);
                        }
                    }
                }
            }
        }
    }

    /// Each roster row (0.1.3, 0.1.4, 0.1.5) says what its 1.x twin says on every field they
    /// share (rule X04: the twin is the fuller record).
    fn align_rosters(&mut self) {
        for (twin, roster, key) in [
            ("1.4.1", "0.1.3", "teacher_no"),
            ("1.4.2", "0.1.4", "ext_teacher_no"),
            ("1.5.1", "0.1.5", "student_no"),
        ] {
            let (Some(a), Some(b)) = (self.table(twin), self.table(roster)) else {
                continue;
            };
            let shared: Vec<String> = b
                .fields
                .iter()
                .filter(|f| a.field(&f.name).is_some())
                .map(|f| f.name.clone())
                .collect();
            let full: std::collections::HashMap<String, Record> = self
                .out
                .get(twin)
                .into_iter()
                .flatten()
                .map(|(_, r)| (text(r, key).to_owned(), r.clone()))
                .collect();
            for (_, r) in self.out.get_mut(roster).into_iter().flatten() {
                let Some(src) = full.get(text(r, key)) else {
                    continue;
                };
                for f in &shared {
                    r.insert(f.clone(), src.get(f).cloned().unwrap_or(Value::Null));
                }
            }
        }
    }

    /// 1.4.2 agrees with itself and with 0.1.4 where their fields differ in name: the title level
    /// is the last digit of the title name (rule X18), the 聘任院系 is 0.1.4's 聘用院系 (rule X04);
    /// 2.6.1 counts no more of an enterprise's teachers than 1.4.2 lists.
    fn external_teachers(&mut self) {
        let hire: std::collections::HashMap<String, Value> = self
            .out
            .get("0.1.4")
            .into_iter()
            .flatten()
            .map(|(_, r)| {
                let dept = r.get("hire_dept").cloned().unwrap_or(Value::Null);
                (text(r, "ext_teacher_no").to_owned(), dept)
            })
            .collect();
        for (_, r) in self.out.get_mut("1.4.2").into_iter().flatten() {
            // 990 (其他, the college's own code) carries no level digit.
            let digit = text(r, "title_name").get(2..3).map(str::to_owned);
            if let Some(level) = digit.filter(|d| ("1"..="5").contains(&d.as_str())) {
                r.insert("title_level".into(), Value::Text(level));
            }
            if let Some(dept) = hire.get(text(r, "ext_teacher_no")) {
                r.insert("dept_code".into(), dept.clone());
            }
        }
        // 2.6.1: an enterprise sends no more teachers than 1.4.2 lists from it (HELP-ent-teachers).
        let mut sent: std::collections::HashMap<String, i64> = std::collections::HashMap::new();
        for (_, r) in self.out.get("1.4.2").into_iter().flatten() {
            *sent.entry(text(r, "employer_uscc").to_owned()).or_default() += 1;
        }
        for (_, r) in self.out.get_mut("2.6.1").into_iter().flatten() {
            let most = sent.get(text(r, "uscc")).copied().unwrap_or(0);
            if int(r, "ent_teachers") > most {
                set_ints(r, &[("ent_teachers", most)]);
            }
        }
    }

    /// A major's certificates in proportion to its students, so that no major certifies more
    /// students than it has (rule X20, warning).
    fn certificates_per_major(&mut self) {
        let mut size: std::collections::HashMap<&str, i64> = std::collections::HashMap::new();
        for s in &self.college.students {
            let m = &self.college.majors[self.college.classes[s.class].major];
            *size.entry(m.code.as_str()).or_default() += 1;
        }
        for code in ["2.16.1", "2.16.2", "2.16.3"] {
            for (_, r) in self.out.get_mut(code).into_iter().flatten() {
                let n = size.get(text(r, "major_code")).copied().unwrap_or(0);
                for f in ["registered", "examinees", "certified", "grad_certified"] {
                    if let Some(Value::Int(v)) = r.get(f).cloned() {
                        r.insert(f.into(), Value::Int(v * n / 900));
                    }
                }
            }
        }
    }

    /// Certificates in order: certified ≤ examinees ≤ registered, the "其中" parts within their
    /// whole, and no part without its whole (rule X20).
    fn certificates(&mut self) {
        self.certificates_per_major();
        let chains: [(&str, &[&str]); 5] = [
            ("2.16.1", &["grad_certified", "certified", "examinees"]),
            ("2.16.2", &["certified", "examinees"]),
            ("2.16.2", &["social_certified", "social_examinees"]),
            ("2.16.3", &["certified", "examinees", "registered"]),
            ("2.16.4", &["certified", "examinees", "trainees"]),
        ];
        for (code, chain) in chains {
            for (_, r) in self.out.get_mut(code).into_iter().flatten() {
                let present: Vec<&str> = chain
                    .iter()
                    .copied()
                    .filter(|f| matches!(r.get(*f), Some(Value::Int(_))))
                    .collect();
                let mut n: Vec<i64> = present.iter().map(|f| int(r, f)).collect();
                n.sort_unstable();
                for (f, v) in present.into_iter().zip(n) {
                    r.insert(f.into(), Value::Int(v));
                }
                // A part without its whole is filled in: the whole is at least the part.
                let mut last = None;
                for f in chain {
                    match r.get(*f) {
                        Some(Value::Int(v)) => last = Some(*v),
                        _ => {
                            if let Some(v) = last {
                                r.insert((*f).into(), Value::Int(v));
                            }
                        }
                    }
                }
            }
        }
    }
}
