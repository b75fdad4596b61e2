//! The tables everything else refers to, drawn from the college model so that they agree:
//! organisation, majors, courses, rosters and their 1.x twins, counts, enterprises and teaching.

use rand::seq::IndexedRandom;
use rand::RngExt;

use super::{date, r, t, ym, Gen};
use crate::store::Value;

impl Gen<'_> {
    /// Organisation, majors and courses (1.1.3, 0.1.1, 1.2.1, 1.2.2, 0.1.2, 1.3.1, 1.3.2).
    pub(super) fn structure(&mut self) {
        let c = self.college;
        for (i, o) in c.orgs.iter().enumerate() {
            let head = c.teachers.iter().find(|t| t.org == i).map(|t| t.no.clone());
            let mut rec = r(&[
                ("org_code", t(&o.code)),
                ("org_name", t(&o.name)),
                ("org_type", t(if o.college { "02" } else { "01" })),
            ]);
            if let Some(h) = head {
                rec.insert("head_no".into(), t(&h));
            }
            rec.insert("parent_code".into(), Value::Null);
            self.emit("1.1.3", None, rec, i);
        }
        self.finish("1.1.3");
        let leader = |m: usize| {
            c.teachers
                .iter()
                .find(|t| t.major == Some(m))
                .map(|t| t.no.clone())
        };
        for (i, m) in c.majors.iter().enumerate() {
            let new = i % 14 == 13;
            let set_year = if new {
                2023
            } else {
                2005 + (i as i32 * 7) % 17
            };
            let mut rec = r(&[
                ("major_code", t(&m.code)),
                ("major_name", t(&m.name)),
                ("direction", t("无")),
                ("level", t(m.level)),
                ("dept_code", t(&c.orgs[m.org].code)),
                ("duration", t(m.duration)),
                ("set_year", Value::Year(set_year)),
                ("first_enrol_year", Value::Year(set_year)),
                ("enrolling_2023", Value::Bool(true)),
                (
                    "group_code",
                    if m.level == "01" {
                        t(&format!("ZYQ{:02}", m.org))
                    } else {
                        Value::Null
                    },
                ),
            ]);
            if let Some(l) = leader(i) {
                rec.insert("leader_no".into(), t(&l));
            }
            self.emit("1.2.1", None, rec, i);
            if new {
                let rec = r(&[
                    ("major_code", t(&m.code)),
                    ("major_name", t(&m.name)),
                    ("direction", t("无")),
                    ("dept_code", t(&c.orgs[m.org].code)),
                    ("duration", t(m.duration)),
                    ("approve_year", Value::Year(2023)),
                    ("first_enrol_year", Value::Year(2023)),
                ]);
                self.emit("0.1.1", None, rec, i);
            }
        }
        self.finish("1.2.1");
        self.finish("0.1.1");
        for (g, o) in c.orgs.iter().enumerate().filter(|(_, o)| o.college) {
            let members: Vec<String> = c
                .majors
                .iter()
                .filter(|m| m.org == g)
                .map(|m| m.code.clone())
                .collect();
            let Some(core) = members.first().cloned() else {
                continue;
            };
            let rec = r(&[
                ("group_code", t(&format!("ZYQ{:02}", g))),
                (
                    "group_name",
                    t(&format!("{}专业群", o.name.trim_end_matches("学院"))),
                ),
                ("dept_code", t(&o.code)),
                ("core_major", t(&core)),
                ("members", Value::List(members)),
            ]);
            self.emit("1.2.2", None, rec, g);
        }
        self.finish("1.2.2");
        self.courses();
    }

    fn courses(&mut self) {
        let c = self.college;
        let jwb = c
            .orgs
            .iter()
            .find(|o| o.unit == "jwb")
            .map_or_else(String::new, |o| o.code.clone());
        for (i, course) in c.courses.iter().enumerate() {
            let owner = course
                .major
                .map_or(jwb.clone(), |m| c.orgs[c.majors[m].org].code.clone());
            let attr = if course.major.is_none() {
                "01"
            } else if i % 3 == 0 {
                "03"
            } else {
                "02"
            };
            let rec = r(&[
                ("course_code", t(&course.code)),
                ("course_name", t(&course.name)),
                ("course_type", t(course.kind)),
                ("course_attr", t(attr)),
                ("owner_dept", t(&owner)),
                ("hours_total", Value::Int(course.hours)),
            ]);
            self.emit("0.1.2", None, rec, i);
        }
        self.finish("0.1.2");
        let mut n = 0;
        for (mi, m) in c.majors.iter().enumerate() {
            let code = if m.level == "03" { "1.3.2" } else { "1.3.1" };
            for (grade, semesters) in [(2022, [1, 2]), (2021, [3, 4])] {
                let public = c
                    .courses
                    .iter()
                    .filter(|x| x.major.is_none() && grade == 2022);
                let own = c
                    .courses
                    .iter()
                    .filter(|x| x.major == Some(mi) && semesters.contains(&x.semester));
                for course in public.chain(own) {
                    let practice = match course.kind {
                        "A" => 0,
                        "C" => course.hours,
                        _ => course.hours / 2,
                    };
                    let owner = course.major.map_or(c.orgs[m.org].code.clone(), |x| {
                        c.orgs[c.majors[x].org].code.clone()
                    });
                    let rec = r(&[
                        ("major_code", t(&m.code)),
                        ("level", t(m.level)),
                        ("duration", t(m.duration)),
                        ("training_mode", t("01")),
                        ("source_type", t("01")),
                        ("grade", Value::Year(grade)),
                        ("course_code", t(&course.code)),
                        ("course_name", t(&course.name)),
                        ("course_type", t(course.kind)),
                        (
                            "course_attr",
                            t(if course.major.is_none() { "01" } else { "02" }),
                        ),
                        ("course_nature", t("01")),
                        ("semester", Value::Int(course.semester)),
                        ("owner_dept", t(&owner)),
                        ("hours_total", Value::Int(course.hours)),
                        ("hours_practice", Value::Int(practice)),
                    ]);
                    self.emit(code, None, rec, n);
                    n += 1;
                }
            }
        }
        self.finish("1.3.1");
        self.finish("1.3.2");
    }

    /// Teachers, students, their rosters and counts, freshmen and enterprises.
    pub(super) fn people(&mut self) {
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
        self.students();
    }

    fn students(&mut self) {
        let c = self.college;
        for (i, s) in c.students.iter().enumerate() {
            let class = &c.classes[s.class];
            let m = &c.majors[class.major];
            let p = &s.person;
            let enrol = Value::YearMonth {
                year: class.grade,
                month: 9,
            };
            let org = &c.orgs[m.org].code;
            if m.level == "03" {
                let rec = r(&[
                    ("student_no", t(&s.no)),
                    ("name", t(&p.name)),
                    ("gender", t(&p.gender)),
                    ("id_type", t("1")),
                    ("id_no", t(&p.id_no)),
                    ("birth_date", Value::Date(p.birth)),
                    ("ethnicity", t(&s.ethnicity)),
                    ("major_code", t(&m.code)),
                    ("major_name", t(&m.name)),
                    ("class_name", t(&class.name)),
                    ("grade", Value::Year(class.grade)),
                    ("enrol_ym", enrol),
                    ("duration", t(m.duration)),
                    ("status", t("01")),
                ]);
                self.emit("1.5.2", None, rec, i);
                if class.grade == 2023 {
                    let rec = r(&[
                        ("student_no", t(&s.no)),
                        ("name", t(&p.name)),
                        ("gender", t(&p.gender)),
                        ("id_type", t("1")),
                        ("id_no", t(&p.id_no)),
                        ("major_code", t(&m.code)),
                        ("duration", t(m.duration)),
                        ("class_name", t(&class.name)),
                        ("origin_area", t(&s.origin_area)),
                        (
                            "report_date",
                            Value::Date(date(2023, 9, 1 + (i % 5) as u32)),
                        ),
                    ]);
                    self.emit("1.5.5", None, rec, i);
                }
                continue;
            }
            let identity = [
                ("student_no", t(&s.no)),
                ("name", t(&p.name)),
                ("gender", t(&p.gender)),
                ("id_type", t("1")),
                ("id_no", t(&p.id_no)),
                ("dept_code", t(org)),
                ("major_code", t(&m.code)),
                ("level", t(m.level)),
                ("duration", t(m.duration)),
                ("grade", Value::Year(class.grade)),
                ("class_name", t(&class.name)),
                ("enrol_ym", enrol.clone()),
                ("status", t("01")),
            ];
            self.emit("0.1.5", None, r(&identity), i);
            let (mode, source) = if s.social {
                ("08", "06")
            } else if i % 3 == 0 {
                ("03", "02")
            } else {
                ("01", "01")
            };
            let mut rec = r(&identity);
            for (k, v) in [
                ("birth_date", Value::Date(p.birth)),
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
            ] {
                rec.insert(k.into(), v);
            }
            self.emit("1.5.1", None, rec, i);
            if class.grade == 2023 {
                let mut rec = r(&identity[..5]);
                for (k, v) in [
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
                    (
                        "report_date",
                        Value::Date(date(2023, 9, 1 + (i % 5) as u32)),
                    ),
                ] {
                    rec.insert(k.into(), v);
                }
                self.emit("1.5.4", None, rec, i);
            }
        }
        for code in ["0.1.5", "1.5.1", "1.5.2", "1.5.4", "1.5.5"] {
            self.finish(code);
        }
        self.student_counts();
    }

    /// 1.5.3 counted from the students themselves.
    fn student_counts(&mut self) {
        let c = self.college;
        let mut n = 0;
        for (mi, m) in c.majors.iter().enumerate() {
            for grade in [2021, 2022, 2023] {
                let students: Vec<_> = c.students_of(mi, grade).collect();
                let classes = c
                    .classes
                    .iter()
                    .filter(|x| x.major == mi && x.grade == grade)
                    .count();
                let count = |f: &dyn Fn(&&super::college::Student) -> bool| {
                    students.iter().filter(|s| f(s)).count() as i64
                };
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

    /// 2.1.1 and 2.1.2: every course of 1.3.1/1.3.2 taught to every class of its major and grade.
    pub(super) fn teaching(&mut self) {
        let c = self.college;
        let mut hours_by_ext: std::collections::HashMap<String, i64> = Default::default();
        let mut n = 0;
        for (mi, m) in c.majors.iter().enumerate() {
            let code = if m.level == "03" { "2.1.2" } else { "2.1.1" };
            let unit = c.orgs[m.org].unit.clone();
            let own: Vec<_> = c.teachers.iter().filter(|x| x.major == Some(mi)).collect();
            let any_college: Vec<_> = c.teachers.iter().filter(|x| x.major.is_some()).collect();
            for (grade, semesters) in [(2022, [1, 2]), (2021, [3, 4])] {
                let courses: Vec<_> = c
                    .courses
                    .iter()
                    .filter(|x| {
                        (x.major.is_none() && grade == 2022)
                            || (x.major == Some(mi) && semesters.contains(&x.semester))
                    })
                    .collect();
                for class in c
                    .classes
                    .iter()
                    .filter(|x| x.major == mi && x.grade == grade)
                {
                    let size = c
                        .students
                        .iter()
                        .filter(|s| std::ptr::eq(&c.classes[s.class], class))
                        .count() as i64;
                    for course in &courses {
                        let teachers = if self.rng.random_bool(0.5) { 2 } else { 1 };
                        let mut used = Vec::new();
                        for k in 0..teachers {
                            let external =
                                k == 1 && self.rng.random_bool(0.4) && !c.ext_teachers.is_empty();
                            let (kind, no, name) = if external {
                                let (no, p, _) =
                                    &c.ext_teachers[self.rng.random_range(0..c.ext_teachers.len())];
                                ("2", no.clone(), p.name.clone())
                            } else {
                                let pool = if own.is_empty() || course.major.is_none() {
                                    &any_college
                                } else {
                                    &own
                                };
                                let Some(x) = pool.choose(&mut self.rng) else {
                                    continue;
                                };
                                ("1", x.no.clone(), x.person.name.clone())
                            };
                            if used.contains(&no) {
                                continue;
                            }
                            used.push(no.clone());
                            let hours = if teachers == 2 {
                                course.hours / 2
                            } else {
                                course.hours
                            };
                            let practice = match course.kind {
                                "A" => 0,
                                "C" => hours,
                                _ => hours / 2,
                            };
                            if kind == "2" {
                                *hours_by_ext.entry(no.clone()).or_default() += hours;
                            }
                            let rec = r(&[
                                ("term", t(&format!("2022-2023-{}", 2 - course.semester % 2))),
                                ("course_code", t(&course.code)),
                                ("course_name", t(&course.name)),
                                ("teacher_kind", t(kind)),
                                ("teacher_no", t(&no)),
                                ("teacher_name", t(&name)),
                                ("class_name", t(&class.name)),
                                ("major_code", t(&m.code)),
                                ("students", Value::Int(size)),
                                ("hours", Value::Int(hours)),
                                ("practice_hours", Value::Int(practice)),
                                ("textbook_isbn", Value::Null),
                            ]);
                            self.emit(code, Some(&unit), rec, n);
                            n += 1;
                        }
                    }
                }
            }
        }
        self.finish("2.1.1");
        self.finish("2.1.2");
        // 1.4.2 本学年授课学时 is the sum of the teacher's rows in 2.1.1.
        if let Some(rows) = self.out.get_mut("1.4.2") {
            for (_, rec) in rows.iter_mut() {
                let no = match rec.get("ext_teacher_no") {
                    Some(Value::Text(s)) => s.clone(),
                    _ => continue,
                };
                rec.insert(
                    "hours_ay".into(),
                    Value::Int(hours_by_ext.get(&no).copied().unwrap_or(0)),
                );
            }
        }
        self.finish("1.4.2");
    }
}
