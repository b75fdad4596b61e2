//! Rosters and their 1.x twins, drawn from one model: teachers (0.1.3/1.4.1, 0.1.4/1.4.2),
//! students (0.1.5/1.5.1, 1.5.2, freshmen 1.5.4/1.5.5), their counts (1.5.3) and enterprises (1.6.1).

use rand::RngExt;

use super::college::Student;
use super::{date, r, t, ym, Gen};
use crate::store::{Record, Value};

impl Gen<'_> {
    /// Teachers, students, their rosters and counts, freshmen and enterprises.
    pub(super) fn people(&mut self) {
        self.enterprises();
        self.teachers();
        self.ext_teachers();
        self.students();
    }

    /// 1.6.1: the enterprises the college works with.
    fn enterprises(&mut self) {
        let c = self.college;
        for (i, e) in c.enterprises.iter().enumerate() {
            self.emit(
                "1.6.1",
                None,
                r(&[
                    ("uscc", t(&e.uscc)),
                    ("ent_name", t(&e.name)),
                    ("area", t(&e.area)),
                ]),
                i,
            );
        }
        self.finish("1.6.1");
    }

    /// 0.1.3 and its 1.x twin 1.4.1: the college's own staff.
    fn teachers(&mut self) {
        let c = self.college;
        for (i, tch) in c.teachers.iter().enumerate() {
            let p = &tch.person;
            let identity = [
                ("teacher_no", t(&tch.no)),
                ("name", t(&p.name)),
                ("gender", t(&p.gender)),
                ("birth_ym", ym(p.birth)),
                ("id_type", t("1")),
                ("id_no", t(&p.id_no)),
                ("dept_code", t(&c.orgs[tch.org].code)),
            ];
            let born = chrono::Datelike::year(&p.birth);
            let work = (born + self.rng.random_range(22..27)).min(2023);
            let school = (work + self.rng.random_range(0..6)).min(2023);
            self.emit("0.1.3", None, r(&identity), i);
            let mut rec = r(&identity);
            let teaching = tch.major.is_some();
            rec.insert(
                "staff_category".into(),
                t(if teaching { "01" } else { "02" }),
            );
            rec.insert(
                "join_work_ym".into(),
                Value::YearMonth {
                    year: work,
                    month: 7,
                },
            );
            rec.insert(
                "join_school_ym".into(),
                Value::YearMonth {
                    year: school,
                    month: 9,
                },
            );
            rec.insert(
                "main_major".into(),
                tch.major.map_or(Value::Null, |m| t(&c.majors[m].code)),
            );
            rec.insert("is_counselor".into(), Value::Bool(!teaching && i % 5 == 0));
            rec.insert(
                "double_qualified".into(),
                Value::Bool(teaching && i % 2 == 0),
            );
            self.emit("1.4.1", None, rec, i);
        }
        self.finish("0.1.3");
        self.finish("1.4.1");
    }

    /// 0.1.4 and 1.4.2: the teachers from enterprises.
    fn ext_teachers(&mut self) {
        let c = self.college;
        for (i, (no, p, employer)) in c.ext_teachers.iter().enumerate() {
            let ent = &c.enterprises[*employer];
            let identity = [
                ("ext_teacher_no", t(no)),
                ("name", t(&p.name)),
                ("gender", t(&p.gender)),
                ("birth_ym", ym(p.birth)),
                ("id_type", t("1")),
                ("id_no", t(&p.id_no)),
                ("employer", t(&ent.name)),
            ];
            self.emit("0.1.4", None, r(&identity), i);
            let mut rec = r(&identity);
            rec.insert("employer_uscc".into(), t(&ent.uscc));
            rec.insert("hire_start".into(), Value::Date(date(2022, 9, 1)));
            rec.insert("hire_end".into(), Value::Date(date(2023, 7, 15)));
            rec.insert(
                "main_major".into(),
                t(&c.majors[i % c.majors.len().max(1)].code),
            );
            self.emit("1.4.2", None, rec, i);
        }
        self.finish("0.1.4");
    }

    fn students(&mut self) {
        let c = self.college;
        for (i, s) in c.students.iter().enumerate() {
            if c.majors[c.classes[s.class].major].level == "03" {
                self.secondary_student(i, s);
            } else {
                self.higher_student(i, s);
            }
        }
        for code in ["0.1.5", "1.5.1", "1.5.2", "1.5.4", "1.5.5"] {
            self.finish(code);
        }
        self.student_counts();
    }

    /// A 中职 student: 1.5.2, and 1.5.5 in the 2023 grade.
    fn secondary_student(&mut self, i: usize, s: &Student) {
        let c = self.college;
        let class = &c.classes[s.class];
        let m = &c.majors[class.major];
        let rec = student(
            s,
            &[
                ("birth_date", Value::Date(s.person.birth)),
                ("ethnicity", t(&s.ethnicity)),
                ("major_code", t(&m.code)),
                ("major_name", t(&m.name)),
                ("class_name", t(&class.name)),
                ("grade", Value::Year(class.grade)),
                ("enrol_ym", enrolled(class.grade)),
                ("duration", t(m.duration)),
                ("status", t("01")),
            ],
        );
        self.emit("1.5.2", None, rec, i);
        if class.grade == 2023 {
            let rec = student(
                s,
                &[
                    ("major_code", t(&m.code)),
                    ("duration", t(m.duration)),
                    ("class_name", t(&class.name)),
                    ("origin_area", t(&s.origin_area)),
                    ("report_date", reported(i)),
                ],
            );
            self.emit("1.5.5", None, rec, i);
        }
    }

    /// A 高职 student: 0.1.5 and its twin 1.5.1, and 1.5.4 in the 2023 grade.
    fn higher_student(&mut self, i: usize, s: &Student) {
        let c = self.college;
        let class = &c.classes[s.class];
        let m = &c.majors[class.major];
        let org = &c.orgs[m.org].code;
        let roster = [
            ("dept_code", t(org)),
            ("major_code", t(&m.code)),
            ("level", t(m.level)),
            ("duration", t(m.duration)),
            ("grade", Value::Year(class.grade)),
            ("class_name", t(&class.name)),
            ("enrol_ym", enrolled(class.grade)),
            ("status", t("01")),
        ];
        let base = student(s, &roster);
        self.emit("0.1.5", None, base.clone(), i);
        let (mode, source) = if s.social {
            ("08", "06")
        } else if i.is_multiple_of(3) {
            ("03", "02")
        } else {
            ("01", "01")
        };
        let mut rec = base;
        rec.extend(r(&[
            ("birth_date", Value::Date(s.person.birth)),
            ("ethnicity", t(&s.ethnicity)),
            ("political", t(if i % 10 < 7 { "03" } else { "13" })),
            ("nationality", t("CHN")),
            ("hk_mo_tw", Value::Null),
            ("origin_area", t(&s.origin_area)),
            ("admission_mode", t(mode)),
            ("source_type", t(source)),
            ("training_mode", t("01")),
            (
                "expected_grad_ym",
                Value::YearMonth {
                    year: class.grade + 3,
                    month: 6,
                },
            ),
        ]));
        self.emit("1.5.1", None, rec, i);
        if class.grade == 2023 {
            let rec = student(
                s,
                &[
                    ("ethnicity", t(&s.ethnicity)),
                    ("level", t(m.level)),
                    ("major_code", t(&m.code)),
                    ("dept_code", t(org)),
                    ("duration", t(m.duration)),
                    ("class_name", t(&class.name)),
                    ("admission_mode", t(mode)),
                    ("source_type", t(source)),
                    (
                        "origin_province",
                        t(&format!("{}0000", &s.origin_area[..2])),
                    ),
                    ("report_date", reported(i)),
                ],
            );
            self.emit("1.5.4", None, rec, i);
        }
    }

    /// 1.5.3 counted from the students themselves.
    fn student_counts(&mut self) {
        let c = self.college;
        let mut n = 0;
        for (mi, m) in c.majors.iter().enumerate() {
            for grade in [2021, 2022, 2023] {
                let students: Vec<_> = c.students_of(mi, grade).collect();
                if students.is_empty() {
                    continue;
                }
                let classes = c
                    .classes
                    .iter()
                    .filter(|x| x.major == mi && x.grade == grade)
                    .count();
                let count =
                    |f: &dyn Fn(&&Student) -> bool| students.iter().filter(|s| f(s)).count() as i64;
                let rec = r(&[
                    ("level", t(m.level)),
                    ("major_code", t(&m.code)),
                    ("grade", Value::Year(grade)),
                    ("class_count", Value::Int(classes as i64)),
                    ("total", Value::Int(students.len() as i64)),
                    ("female", Value::Int(count(&|s| s.person.gender == "2"))),
                    ("minority", Value::Int(count(&|s| s.ethnicity != "01"))),
                    ("social_source", Value::Int(count(&|s| s.social))),
                    ("intl", Value::Int(0)),
                ]);
                self.emit("1.5.3", None, rec, n);
                n += 1;
            }
        }
        self.finish("1.5.3");
    }
}

/// A student's row: the fields every student table starts with, and `more`.
fn student(s: &Student, more: &[(&str, Value)]) -> Record {
    let mut rec = r(&[
        ("student_no", t(&s.no)),
        ("name", t(&s.person.name)),
        ("gender", t(&s.person.gender)),
        ("id_type", t("1")),
        ("id_no", t(&s.person.id_no)),
    ]);
    rec.extend(r(more));
    rec
}

/// September of the grade's year.
fn enrolled(grade: i32) -> Value {
    Value::YearMonth {
        year: grade,
        month: 9,
    }
}

/// A freshman's report date, spread over the first days of September.
fn reported(i: usize) -> Value {
    Value::Date(date(2023, 9, 1 + (i % 5) as u32))
}
