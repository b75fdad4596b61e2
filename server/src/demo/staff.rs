//! Teachers' posts and titles (1.4.1) as the college model assigns them, and the 思政 and
//! 心理 staff tables (2.18.1, 2.18.3) listing exactly those teachers: a title name of the title's
//! level, 双师 only for 专任教师, work begun after school age, and enough 辅导员, 思政课 and 心理
//! teachers for the students (rules X16, X18).

use std::collections::HashMap;

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use super::college::Teacher;
use super::consistent::text;
use super::{r, t, Gen};
use crate::store::{Record, Value};

/// A title level ("1" 正高 … "4" 初级, "6" 无) likely at an age.
fn title_level(rng: &mut ChaCha8Rng, age: i32) -> &'static str {
    let roll = rng.random_range(0..100);
    match age {
        ..=27 => {
            if roll < 30 {
                "6"
            } else {
                "4"
            }
        }
        28..=35 => {
            if roll < 70 {
                "3"
            } else {
                "4"
            }
        }
        36..=45 => {
            if roll < 55 {
                "3"
            } else if roll < 95 {
                "2"
            } else {
                "1"
            }
        }
        _ => {
            if roll < 25 {
                "3"
            } else if roll < 75 {
                "2"
            } else {
                "1"
            }
        }
    }
}

/// The title series of a staff category: GB/T 8561 codes whose last digit is the level.
fn series(category: &str) -> &'static str {
    match category {
        "02" => "13",
        "03" => "07",
        _ => "01",
    }
}

/// Highest education and degree that go together, by title level.
fn education(level: &str, odd: bool) -> (&'static str, &'static str) {
    match (level, odd) {
        ("1" | "2", true) => ("11", "2"),
        ("1" | "2" | "3", _) => ("14", "3"),
        (_, true) => ("14", "3"),
        _ => ("21", "4"),
    }
}

fn ym(v: Option<&Value>) -> (i32, u32) {
    match v {
        Some(Value::YearMonth { year, month }) => (*year, *month),
        _ => (2000, 1),
    }
}

impl Gen<'_> {
    /// 1.4.1 posts and titles, then 2.18.1 and 2.18.3 from them.
    pub(super) fn staff(&mut self, rng: &mut ChaCha8Rng) {
        let c = self.college;
        let by_no: HashMap<&str, &Teacher> =
            c.teachers.iter().map(|t| (t.no.as_str(), t)).collect();
        let first_major = c.majors.first().map(|m| m.code.clone()).unwrap_or_default();
        for (_, rec) in self.out.get_mut("1.4.1").into_iter().flatten() {
            let Some(tch) = by_no.get(text(rec, "teacher_no")).copied() else {
                continue;
            };
            post(rec, tch, &first_major, c);
            title(rng, rec, tch);
        }
        let served = c.students.len() as i64
            / c.teachers
                .iter()
                .filter(|t| t.category == "05")
                .count()
                .max(1) as i64;
        let courses = [
            "思想道德与法治",
            "毛泽东思想和中国特色社会主义理论体系概论",
            "习近平新时代中国特色社会主义思想概论",
            "形势与政策",
        ];
        let teachers: HashMap<String, Record> = self
            .out
            .get("1.4.1")
            .into_iter()
            .flatten()
            .map(|(_, r)| (text(r, "teacher_no").to_owned(), r.clone()))
            .collect();
        let copy = |no: &str, fields: &[&str]| -> Record {
            let mut out = r(&[("teacher_no", t(no))]);
            if let Some(src) = teachers.get(no) {
                for f in fields {
                    if let Some(v) = src.get(*f) {
                        out.insert((*f).to_owned(), v.clone());
                    }
                }
                out.insert(
                    "start_ym".into(),
                    src.get("join_school_ym").cloned().unwrap_or(Value::Null),
                );
            }
            out
        };
        let shared = [
            "name",
            "gender",
            "birth_ym",
            "political",
            "highest_edu",
            "highest_degree",
            "title_level",
            "dept_code",
        ];
        let mut ideo_rows = Vec::new();
        for (k, tch) in c.teachers.iter().enumerate() {
            let mut rec = copy(&tch.no, &shared);
            if tch.category == "05" {
                rec.insert("role".into(), t("01"));
                rec.insert("students_served".into(), Value::Int(served));
                rec.insert("grad_major".into(), t("思想政治教育"));
                rec.insert("qualification".into(), t("高校辅导员岗前培训合格"));
                ideo_rows.push(("xwb".to_owned(), rec));
            } else if tch.ideo {
                rec.insert("role".into(), t("03"));
                rec.insert("main_course".into(), t(courses[k % courses.len()]));
                rec.insert("grad_major".into(), t("马克思主义理论"));
                ideo_rows.push(("mks".to_owned(), rec));
            }
        }
        self.replace_rows(rng, "2.18.1", ideo_rows);
        let owner = self.owner("2.18.3");
        let psych = c
            .teachers
            .iter()
            .filter(|t| t.psych)
            .map(|tch| {
                let mut rec = copy(&tch.no, &shared);
                rec.insert("fulltime".into(), Value::Bool(true));
                rec.insert("major_bg".into(), t("应用心理学"));
                rec.insert("cert".into(), t("心理健康教育教师资格"));
                rec.insert("teaches_course".into(), Value::Bool(true));
                (owner.clone(), rec)
            })
            .collect();
        self.replace_rows(rng, "2.18.3", psych);
        self.enterprise_practice();
    }

    /// 2.15.11: enterprise practice by 专任教师 of a major, at least a month in the year, the
    /// days the dates span (rule X15).
    fn enterprise_practice(&mut self) {
        let c = self.college;
        let fit: Vec<&Teacher> = c
            .teachers
            .iter()
            .filter(|t| t.category == "01" && t.major.is_some())
            .collect();
        let by_no: HashMap<&str, &Teacher> =
            c.teachers.iter().map(|t| (t.no.as_str(), t)).collect();
        let last = super::date(2023, 8, 31);
        for (i, (unit, r)) in self
            .out
            .get_mut("2.15.11")
            .into_iter()
            .flatten()
            .enumerate()
        {
            let ok = by_no
                .get(text(r, "teacher_no"))
                .is_some_and(|t| t.category == "01" && t.major.is_some());
            if !ok {
                let own: Vec<&&Teacher> =
                    fit.iter().filter(|t| c.orgs[t.org].unit == *unit).collect();
                let pick = own
                    .get(i % own.len().max(1))
                    .map(|t| **t)
                    .or_else(|| fit.get(i % fit.len().max(1)).copied());
                if let Some(t) = pick {
                    r.insert("teacher_no".into(), super::t(&t.no));
                }
            }
            if let (Some(Value::Date(start)), Some(Value::Date(end))) =
                (r.get("start_date").cloned(), r.get("end_date").cloned())
            {
                let (mut start, mut end) = (start, end);
                if (end - start).num_days() < 44 {
                    end = (start + chrono::Days::new(44)).min(last);
                    start = end - chrono::Days::new(44);
                }
                r.insert("start_date".into(), Value::Date(start));
                r.insert("end_date".into(), Value::Date(end));
                r.insert("days_ay".into(), Value::Int((end - start).num_days() + 1));
            }
        }
    }
}

/// The teacher's post: category, 辅导员/思政/心理 flags, 双师 only for 专任教师, main major.
fn post(rec: &mut Record, tch: &Teacher, first_major: &str, c: &super::College) {
    let teaching = tch.category == "01";
    rec.insert("staff_category".into(), t(tch.category));
    rec.insert("is_counselor".into(), Value::Bool(tch.category == "05"));
    rec.insert("is_ideo".into(), Value::Bool(tch.ideo));
    rec.insert("is_psych".into(), Value::Bool(tch.psych));
    if tch.ideo {
        rec.insert("political".into(), t("01"));
    }
    let dq =
        teaching && tch.major.is_some() && rec.get("double_qualified") == Some(&Value::Bool(true));
    rec.insert("double_qualified".into(), Value::Bool(dq));
    if !dq {
        rec.insert("dq_level".into(), Value::Null);
    } else if rec.get("dq_level").is_none_or(Value::is_null) {
        rec.insert("dq_level".into(), t("01"));
    }
    let major = match (teaching, tch.major) {
        (true, Some(m)) => t(&c.majors[m].code),
        (true, None) => t(first_major),
        _ => Value::Null,
    };
    rec.insert("main_major".into(), major);
}

/// Title level, name and date that agree with each other and with the teacher's age and career;
/// education and degree that go together; 来校 no later than the time point.
fn title(rng: &mut ChaCha8Rng, rec: &mut Record, tch: &Teacher) {
    let born = chrono::Datelike::year(&tch.person.birth);
    let level = title_level(rng, 2023 - born);
    let (work, _) = ym(rec.get("join_work_ym"));
    let (school, month) = ym(rec.get("join_school_ym"));
    if school >= 2023 && month > 8 {
        rec.insert(
            "join_school_ym".into(),
            Value::YearMonth {
                year: 2023,
                month: 8,
            },
        );
    }
    let years = match level {
        "1" => 16,
        "2" => 10,
        "3" => 5,
        _ => 1,
    };
    // A title comes after some years of work; one not reached by the time point is none yet.
    let level = if work + years > 2023 { "6" } else { level };
    rec.insert("title_level".into(), t(level));
    if level == "6" {
        rec.insert("title_name".into(), Value::Null);
        rec.insert("title_ym".into(), Value::Null);
    } else {
        let year = work + years;
        let month = if year == 2023 { 6 } else { 12 };
        rec.insert(
            "title_name".into(),
            Value::Text(format!("{}{level}", series(tch.category))),
        );
        rec.insert("title_ym".into(), Value::YearMonth { year, month });
    }
    let (edu, degree) = education(level, born % 2 == 1);
    rec.insert("highest_edu".into(), t(edu));
    rec.insert("highest_degree".into(), t(degree));
}
