//! Rows that name another table's row say what that row says: a student's name, major and
//! class, a teacher's or an enterprise's name, a course's name (rules X03, X13, X14 and the
//! "reference copies a name" check); internships (2.2.1, 2.2.2) are a real student's, in their
//! own major, abroad only outside China, and last the days their dates say.

use std::collections::{HashMap, HashSet};

use chrono::Datelike;

use super::college::{College, Student};
use super::consistent::text;
use super::{t, Gen};
use crate::store::{Record, Value};

/// Whose name a reference copies.
#[derive(Clone, Copy)]
enum Kind {
    Major,
    Student,
    Teacher,
    Enterprise,
    Course,
}

/// (table, referring field, field holding the copied name, what it refers to).
const COPIES: &[(&str, &str, &str, Kind)] = &[
    ("1.2.3", "major_code", "major_name", Kind::Major),
    ("1.5.2", "major_code", "major_name", Kind::Major),
    ("2.16.2", "major_code", "major_name", Kind::Major),
    ("2.2.1", "major_code", "major_name", Kind::Major),
    ("2.2.2", "major_code", "major_name", Kind::Major),
    ("2.2.1", "student_no", "student_name", Kind::Student),
    ("2.2.2", "student_no", "student_name", Kind::Student),
    ("2.2.1", "company", "company_name", Kind::Enterprise),
    ("2.2.2", "company", "company_name", Kind::Enterprise),
    ("2.15.2", "client", "client_name", Kind::Enterprise),
    ("1.4.2", "employer_uscc", "employer", Kind::Enterprise),
    (
        "2.2.1",
        "school_mentor_no",
        "school_mentor_name",
        Kind::Teacher,
    ),
    (
        "2.2.2",
        "school_mentor_no",
        "school_mentor_name",
        Kind::Teacher,
    ),
    (
        "2.3.1",
        "chief_editor_no",
        "chief_editor_name",
        Kind::Teacher,
    ),
    ("2.1.1", "teacher_no", "teacher_name", Kind::Teacher),
    ("2.1.2", "teacher_no", "teacher_name", Kind::Teacher),
    ("2.18.1", "teacher_no", "name", Kind::Teacher),
    ("2.18.3", "teacher_no", "name", Kind::Teacher),
    ("2.18.2", "adviser_no", "adviser_name", Kind::Teacher),
    ("2.1.1", "course_code", "course_name", Kind::Course),
    ("2.1.2", "course_code", "course_name", Kind::Course),
    ("2.3.2", "course_code", "course_name", Kind::Course),
];

/// Countries of the internships abroad.
const ABROAD: &[(&str, &str)] = &[
    ("SGP", "新加坡"),
    ("THA", "泰国"),
    ("DEU", "德国"),
    ("MYS", "马来西亚"),
];

/// Names by key, for each kind of row a reference copies from.
fn lookups(c: &College) -> HashMap<u8, HashMap<&str, &str>> {
    let mut m: HashMap<u8, HashMap<&str, &str>> = HashMap::new();
    let majors = c.majors.iter().map(|x| (x.code.as_str(), x.name.as_str()));
    let students = c
        .students
        .iter()
        .map(|s| (s.no.as_str(), s.person.name.as_str()));
    let teachers = c
        .teachers
        .iter()
        .map(|x| (x.no.as_str(), x.person.name.as_str()))
        .chain(
            c.ext_teachers
                .iter()
                .map(|(no, p, _)| (no.as_str(), p.name.as_str())),
        );
    let firms = c
        .enterprises
        .iter()
        .map(|e| (e.uscc.as_str(), e.name.as_str()));
    let courses = c.courses.iter().map(|x| (x.code.as_str(), x.name.as_str()));
    m.insert(Kind::Major as u8, majors.collect());
    m.insert(Kind::Student as u8, students.collect());
    m.insert(Kind::Teacher as u8, teachers.collect());
    m.insert(Kind::Enterprise as u8, firms.collect());
    m.insert(Kind::Course as u8, courses.collect());
    m
}

/// The term (1–6) a student of `grade` is in on `start`.
fn term(grade: i32, start: chrono::NaiveDate) -> i64 {
    let year = if start.month() >= 9 {
        start.year()
    } else {
        start.year() - 1
    };
    let second = !(start.month() >= 9 || start.month() == 1);
    (i64::from(year - grade) * 2 + 1 + i64::from(second)).clamp(1, 10)
}

impl Gen<'_> {
    /// Copies every referenced name from the row it refers to.
    pub(super) fn copy_names(&mut self) {
        let names = lookups(self.college);
        for (code, key, name, kind) in COPIES {
            let Some(map) = names.get(&(*kind as u8)) else {
                continue;
            };
            for (_, r) in self.out.get_mut(*code).into_iter().flatten() {
                if let Some(n) = map.get(text(r, key)) {
                    r.insert((*name).to_owned(), t(n));
                }
            }
        }
    }

    /// 2.15.4: a teacher seconded to an enterprise goes to one of 1.6.1, named and coded as
    /// there (rules X13, HELP-host-uscc); the other hosts (colleges, agencies) keep theirs.
    pub(super) fn secondments(&mut self) {
        let firms = &self.college.enterprises;
        if firms.is_empty() {
            return;
        }
        for (i, (_, r)) in self.out.get_mut("2.15.4").into_iter().flatten().enumerate() {
            if matches!(text(r, "host_kind"), "03" | "04" | "05") {
                let e = &firms[(i * 7) % firms.len()];
                r.insert("host".into(), t(&e.name));
                r.insert("host_uscc".into(), t(&e.uscc));
            }
        }
    }

    /// 2.2.1 and 2.2.2: the student's own major and class, in a term they are studying, at an
    /// enterprise of 1.6.1 (in China) or abroad (not in China), for the days the dates span.
    pub(super) fn internships(&mut self, _rng: &mut rand_chacha::ChaCha8Rng) {
        let c = self.college;
        let by_no: HashMap<&str, &Student> =
            c.students.iter().map(|s| (s.no.as_str(), s)).collect();
        let firms: HashMap<&str, &str> = c
            .enterprises
            .iter()
            .map(|e| (e.uscc.as_str(), e.area.as_str()))
            .collect();
        let level = |s: &Student| c.majors[c.classes[s.class].major].level;
        for code in ["2.2.1", "2.2.2"] {
            let rows = self.out.get(code).into_iter().flatten();
            let mut taken: HashSet<_> = rows.map(|(_, r)| key(text(r, "student_no"), r)).collect();
            for (i, (_, r)) in self.out.get_mut(code).into_iter().flatten().enumerate() {
                let Some(mut s) = by_no.get(text(r, "student_no")).copied() else {
                    continue;
                };
                if c.classes[s.class].grade >= 2023 {
                    // The freshmen of 2023 did no internship this year: a senior of the major
                    // did, or (in a major new this year) a senior of the same level.
                    let major = c.classes[s.class].major;
                    let mut seniors: Vec<&Student> = c.students_of(major, 2021).collect();
                    if seniors.is_empty() {
                        seniors = c
                            .students
                            .iter()
                            .filter(|x| c.classes[x.class].grade == 2021 && level(x) == level(s))
                            .collect();
                    }
                    let free = (0..seniors.len())
                        .map(|k| seniors[(i + k) % seniors.len()])
                        .find(|x| !taken.contains(&key(&x.no, r)));
                    if let Some(x) = free {
                        taken.insert(key(&x.no, r));
                        s = x;
                    }
                }
                student(r, c, s);
                let start = match r.get("start_date") {
                    Some(Value::Date(d)) => *d,
                    _ => continue,
                };
                let grade = c.classes[s.class].grade;
                r.insert("start_term".into(), Value::Int(term(grade, start)));
                if let Some(Value::Date(end)) = r.get("end_date").cloned() {
                    let days = (end - start).num_days() + 1;
                    r.insert("days".into(), Value::Int(days.max(1)));
                }
                let area = firms.get(text(r, "company")).copied();
                place(r, area, i);
                let uninsured = r.get("insurance_type").is_none_or(Value::is_null);
                if uninsured && r.get("missing_doc_note").is_none_or(Value::is_null) {
                    r.insert(
                        "missing_doc_note".into(),
                        t("未投保实习责任保险，已督促实习单位补办"),
                    );
                }
            }
        }
        // 2.18.4 insures at least every student on a 岗位实习 (rule X14, warning).
        let placed: std::collections::HashSet<String> = self
            .out
            .get("2.2.1")
            .into_iter()
            .flatten()
            .filter(|(_, r)| text(r, "intern_type") == "02")
            .map(|(_, r)| text(r, "student_no").to_owned())
            .collect();
        for (_, r) in self.out.get_mut("2.18.4").into_iter().flatten() {
            let n = placed.len() as i64;
            let insured = super::consistent::int(r, "intern_insured").max(n);
            r.insert("intern_insured".into(), Value::Int(insured));
        }
    }
}

/// An internship's key (学号, 实习开始时间): a senior stands in for a freshman only where it
/// stays unique.
fn key(no: &str, r: &Record) -> (String, String) {
    (no.to_owned(), format!("{:?}", r.get("start_date")))
}

/// The student's identity and study fields, as 1.5.1/1.5.2 hold them.
fn student(r: &mut Record, c: &College, s: &Student) {
    let class = &c.classes[s.class];
    let m = &c.majors[class.major];
    r.insert("student_no".into(), t(&s.no));
    r.insert("student_name".into(), t(&s.person.name));
    r.insert("major_code".into(), t(&m.code));
    r.insert("major_name".into(), t(&m.name));
    r.insert("class_name".into(), t(&class.name));
    r.insert("duration".into(), t(m.duration));
}

/// Where the internship is: the enterprise's city in China, or one in forty abroad.
fn place(r: &mut Record, area: Option<&str>, i: usize) {
    let abroad = i % 40 == 7 || area.is_none();
    r.insert("overseas".into(), Value::Bool(abroad));
    if abroad {
        let (country, name) = ABROAD[i % ABROAD.len()];
        r.insert("country".into(), t(country));
        r.insert("company".into(), Value::Null);
        r.insert(
            "company_name".into(),
            t(&format!("{name}职业技能实习合作企业")),
        );
        r.insert("province".into(), Value::Null);
        r.insert("city".into(), Value::Null);
        r.insert("cross_province".into(), Value::Bool(true));
        return;
    }
    let area = area.unwrap_or("410102");
    let province = format!("{}0000", &area[..2]);
    r.insert("country".into(), t("CHN"));
    r.insert("city".into(), t(&format!("{}00", &area[..4])));
    r.insert("cross_province".into(), Value::Bool(province != "410000"));
    r.insert("province".into(), Value::Text(province));
}
