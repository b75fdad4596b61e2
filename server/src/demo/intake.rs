//! Admissions (2.4.1–2.4.5) counted from the new students themselves (1.5.4, 1.5.5), and the
//! graduates' destinations (2.5.1–2.5.3) from each major's graduating grade, so that intake by
//! source, by level and by student agree (rules X06, X07) and placed graduates are the sum of
//! their destinations (X08).

use std::collections::BTreeMap;

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use super::consistent::{cents, set_ints, text};
use super::{r, t, Gen};
use crate::store::{Record, Value};

/// Students admitted beyond those who enrolled, and places planned beyond those admitted.
fn admitted(enrolled: i64) -> i64 {
    enrolled + enrolled / 25
}

fn plan(admitted: i64) -> i64 {
    admitted + admitted / 12
}

/// Counts of one admissions row: enrolled, of whom women and local (河南) students.
#[derive(Default, Clone, Copy)]
struct Tally {
    enrolled: i64,
    female: i64,
    local: i64,
}

impl Tally {
    fn add(&mut self, rec: &Record, province: &str) {
        self.enrolled += 1;
        self.female += i64::from(text(rec, "gender") == "2");
        self.local += i64::from(province == "410000");
    }

    /// The row's counts; plan and admitted are derived from enrolled.
    fn fill(&self, rec: &mut Record) {
        let a = admitted(self.enrolled);
        set_ints(
            rec,
            &[
                ("plan", plan(a)),
                ("admitted", a),
                ("enrolled", self.enrolled),
                ("enrolled_female", self.female),
                ("enrolled_local", self.local),
            ],
        );
    }
}

/// The exam type of 2.4.2 for a student's admission mode, if 2.4.2 counts that mode.
fn exam_type(mode: &str) -> Option<&'static str> {
    match mode {
        "02" => Some("03"),
        "03" => Some("02"),
        "04" => Some("04"),
        "05" | "06" => Some("05"),
        "07" => Some("06"),
        _ => None,
    }
}

fn grouped<K: Ord>(
    rows: &[(String, Record)],
    key: impl Fn(&Record) -> Option<K>,
) -> BTreeMap<K, Tally> {
    let mut out: BTreeMap<K, Tally> = BTreeMap::new();
    for (_, rec) in rows {
        if let Some(k) = key(rec) {
            let province = match rec.get("origin_province") {
                Some(Value::Text(p)) => p.clone(),
                _ => match rec.get("origin_area") {
                    Some(Value::Text(a)) => format!("{}0000", &a[..2.min(a.len())]),
                    _ => String::new(),
                },
            };
            out.entry(k).or_default().add(rec, &province);
        }
    }
    out
}

impl Gen<'_> {
    /// 2.4.1–2.4.5 from 1.5.4 and 1.5.5.
    pub(super) fn intake(&mut self, rng: &mut ChaCha8Rng) {
        let fresh = self.out.get("1.5.4").cloned().unwrap_or_default();
        let owner = self.owner("2.4.3");
        let by_source = grouped(&fresh, |r| {
            Some((
                text(r, "major_code").to_owned(),
                text(r, "source_type").to_owned(),
            ))
        });
        let mut rows = Vec::new();
        for ((major, source), n) in &by_source {
            let mut rec = r(&[("major_code", t(major)), ("source_type", t(source))]);
            n.fill(&mut rec);
            rows.push((owner.clone(), rec));
        }
        self.replace_rows(rng, "2.4.3", rows);
        let majors = |level: &str, duration: &str| {
            fresh
                .iter()
                .filter(|(_, r)| text(r, "level") == level && text(r, "duration") == duration)
                .map(|(_, r)| text(r, "major_code"))
                .collect::<std::collections::BTreeSet<_>>()
                .len() as i64
        };
        let by_level = grouped(&fresh, |r| {
            Some((text(r, "level").to_owned(), text(r, "duration").to_owned()))
        });
        let mut rows = Vec::new();
        for ((level, duration), n) in &by_level {
            let mut rec = r(&[("level", t(level)), ("duration", t(duration))]);
            n.fill(&mut rec);
            // The level's plan and admissions are those of its majors' rows in 2.4.3.
            let of_level = |f: &str| -> i64 {
                by_source
                    .iter()
                    .filter(|((m, _), _)| {
                        fresh.iter().any(|(_, r)| {
                            text(r, "major_code") == m
                                && text(r, "level") == level
                                && text(r, "duration") == duration
                        })
                    })
                    .map(|(_, n)| match f {
                        "plan" => plan(admitted(n.enrolled)),
                        _ => admitted(n.enrolled),
                    })
                    .sum()
            };
            set_ints(
                &mut rec,
                &[
                    ("plan", of_level("plan")),
                    ("admitted", of_level("admitted")),
                    ("majors_count", majors(level, duration)),
                ],
            );
            rows.push((owner.clone(), rec));
        }
        self.replace_rows(rng, "2.4.4", rows);
        self.exam_admissions(rng, &fresh);
        let sec = self.out.get("1.5.5").cloned().unwrap_or_default();
        let owner = self.owner("2.4.5");
        let mut rows = Vec::new();
        for ((major, duration), n) in grouped(&sec, |r| {
            Some((
                text(r, "major_code").to_owned(),
                text(r, "duration").to_owned(),
            ))
        }) {
            let mut rec = r(&[
                ("major_code", t(&major)),
                ("duration", t(&duration)),
                ("target", t("01")),
            ]);
            n.fill(&mut rec);
            rows.push((owner.clone(), rec));
        }
        self.replace_rows(rng, "2.4.5", rows);
    }

    /// 2.4.1 (普通高考, by province and 科类) and 2.4.2 (分类考试, by exam type and province).
    fn exam_admissions(&mut self, rng: &mut ChaCha8Rng, fresh: &[(String, Record)]) {
        let owner = self.owner("2.4.1");
        let subject = |r: &Record| {
            let odd = text(r, "student_no")
                .bytes()
                .last()
                .is_some_and(|b| b % 2 == 1);
            if odd {
                "01"
            } else {
                "02"
            }
        };
        let gaokao = grouped(fresh, |r| {
            (text(r, "admission_mode") == "01").then(|| {
                (
                    text(r, "major_code").to_owned(),
                    text(r, "origin_province").to_owned(),
                    subject(r).to_owned(),
                )
            })
        });
        let mut rows = Vec::new();
        for ((major, province, subject), n) in gaokao {
            let mut rec = r(&[
                ("major_code", t(&major)),
                ("province", t(&province)),
                ("subject_type", t(&subject)),
            ]);
            n.fill(&mut rec);
            let line = rng.random_range(1600..2000);
            let min = line + rng.random_range(0..400);
            let max = min + rng.random_range(100..1200);
            let avg = (min + max) / 2;
            for (f, v) in [
                ("ctrl_line", line),
                ("min_score", min),
                ("max_score", max),
                ("avg_score", avg),
            ] {
                rec.insert(f.into(), Value::Decimal(rust_decimal::Decimal::new(v, 1)));
            }
            let a = admitted(n.enrolled);
            rec.insert("first_choice".into(), Value::Int(a - a / 5));
            rows.push((owner.clone(), rec));
        }
        self.replace_rows(rng, "2.4.1", rows);
        let owner = self.owner("2.4.2");
        let exams = grouped(fresh, |r| {
            exam_type(text(r, "admission_mode")).map(|e| {
                (
                    text(r, "major_code").to_owned(),
                    e.to_owned(),
                    text(r, "origin_province").to_owned(),
                )
            })
        });
        let mut rows = Vec::new();
        for ((major, exam, province), n) in exams {
            let mut rec = r(&[
                ("major_code", t(&major)),
                ("exam_type", t(&exam)),
                ("province", t(&province)),
            ]);
            n.fill(&mut rec);
            rows.push((owner.clone(), rec));
        }
        self.replace_rows(rng, "2.4.2", rows);
    }

    /// 2.5.1–2.5.3: one row per major with a graduating grade; destinations add up.
    pub(super) fn graduates(&mut self, rng: &mut ChaCha8Rng) {
        let c = self.college;
        let cohort = |mi: usize| c.students_of(mi, 2021).count() as i64;
        let mut higher = [Vec::new(), Vec::new()];
        let mut secondary = Vec::new();
        for (mi, m) in c.majors.iter().enumerate() {
            let n = cohort(mi);
            // A major first enrolling after 2020 has no class graduating in 2023 (X08 compares
            // 2.5.1 with last year's graduating students, of whom it had none).
            if n == 0 || m.first_enrol > 2020 {
                continue;
            }
            if m.level == "03" {
                secondary.push(secondary_graduates(&m.code, n - n / 30));
                continue;
            }
            for (k, share) in [(0usize, 92i64), (1, 95)] {
                let graduates = n - n / (25 + 5 * k as i64);
                let mut rec = destinations(graduates, share, k == 0);
                rec.insert("major_code".into(), t(&m.code));
                rec.insert(
                    "avg_salary".into(),
                    cents(rng.random_range(380_000..520_000)),
                );
                higher[k].push(rec);
            }
        }
        for (code, rows) in [
            ("2.5.1", &higher[0]),
            ("2.5.2", &higher[1]),
            ("2.5.3", &secondary),
        ] {
            let owner = self.owner(code);
            let rows = rows.iter().map(|r| (owner.clone(), r.clone())).collect();
            self.replace_rows(rng, code, rows);
        }
    }
}

/// A graduating year's destinations: `share` percent placed, placed = the sum of the
/// destinations ≤ graduates, matched and local within those employed.
fn destinations(graduates: i64, share: i64, this_year: bool) -> Record {
    let placed = graduates * share / 100;
    let further = placed * 15 / 100;
    let military = placed / 60;
    let grassroots = placed / 80;
    let entrepreneur = placed / 50;
    let abroad = placed / 200;
    let flexible = placed * 12 / 100;
    let contract = placed - further - military - grassroots - entrepreneur - abroad - flexible;
    let employed = placed - further - abroad;
    let not_seeking = (graduates - placed) / 3;
    let mut rec = Record::new();
    set_ints(
        &mut rec,
        &[
            ("graduates", graduates),
            ("placed", placed),
            ("contract", contract),
            ("flexible", flexible),
            ("entrepreneur", entrepreneur),
            ("military", military),
            ("grassroots", grassroots),
            ("further_study", further),
            ("abroad", abroad),
            (
                "unplaced",
                graduates - placed - if this_year { not_seeking } else { 0 },
            ),
            ("matched", employed * 4 / 5),
        ],
    );
    if this_year {
        set_ints(
            &mut rec,
            &[("not_seeking", not_seeking), ("local", employed * 7 / 10)],
        );
    }
    rec
}

/// 2.5.3: a 中职 major's graduates, employed, studying further (most in this college) or not
/// yet placed.
fn secondary_graduates(major: &str, graduates: i64) -> Record {
    let further = graduates * 2 / 5;
    let employed = graduates / 2;
    let mut rec = r(&[("major_code", t(major))]);
    set_ints(
        &mut rec,
        &[
            ("graduates", graduates),
            ("employed", employed),
            ("entrepreneur", employed / 40),
            ("further_study", further),
            ("further_study_own", further * 7 / 10),
            ("unplaced", graduates - employed - further),
            ("matched", employed * 3 / 4),
            ("local", employed * 3 / 5),
        ],
    );
    rec
}
