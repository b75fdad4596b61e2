//! The structure everything else refers to, drawn from the college model so that tables agree:
//! organisation (1.1.3), majors (0.1.1, 1.2.1, 1.2.2) and courses (0.1.2, 1.3.1, 1.3.2).

use super::{r, t, Gen};
use crate::store::Value;

impl Gen<'_> {
    /// Organisation, majors and courses (1.1.3, 0.1.1, 1.2.1, 1.2.2, 0.1.2, 1.3.1, 1.3.2).
    pub(super) fn structure(&mut self) {
        self.orgs();
        self.majors();
        self.groups();
        self.courses();
    }

    /// 1.1.3: the organisations, each headed by its first teacher.
    fn orgs(&mut self) {
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
    }

    /// 1.2.1, and 0.1.1 for the majors first enrolled in 2023, each led by its first teacher.
    fn majors(&mut self) {
        let c = self.college;
        let leader = |m: usize| {
            c.teachers
                .iter()
                .find(|t| t.major == Some(m))
                .map(|t| t.no.clone())
        };
        for (i, m) in c.majors.iter().enumerate() {
            let new = m.first_enrol == 2023;
            let set_year = m.first_enrol;
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
    }

    /// 1.2.2: one group per college, of the majors it runs.
    fn groups(&mut self) {
        let c = self.college;
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
    }

    fn courses(&mut self) {
        let c = self.college;
        let jwb = c
            .orgs
            .iter()
            .find(|o| o.unit == "jwb")
            .map_or_else(String::new, |o| o.code.clone());
        // 1.3.1 and 1.3.2 copy the attribute and owner of 0.1.2 (rule X04), so both come from here.
        let basics: Vec<(&str, String)> = c
            .courses
            .iter()
            .enumerate()
            .map(|(i, course)| {
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
                (attr, owner)
            })
            .collect();
        for (i, (course, (attr, owner))) in c.courses.iter().zip(&basics).enumerate() {
            let rec = r(&[
                ("course_code", t(&course.code)),
                ("course_name", t(&course.name)),
                ("course_type", t(course.kind)),
                ("course_attr", t(attr)),
                ("owner_dept", t(owner)),
                ("hours_total", Value::Int(course.hours)),
            ]);
            self.emit("0.1.2", None, rec, i);
        }
        self.finish("0.1.2");
        let mut n = 0;
        for (mi, m) in c.majors.iter().enumerate() {
            let code = if m.level == "03" { "1.3.2" } else { "1.3.1" };
            for (grade, semesters) in [(2022, [1, 2]), (2021, [3, 4])] {
                if grade < m.first_enrol {
                    continue;
                }
                let taught = c
                    .courses
                    .iter()
                    .zip(&basics)
                    .filter(|(x, _)| match x.major {
                        None => grade == 2022,
                        Some(xm) => xm == mi && semesters.contains(&x.semester),
                    });
                for (course, (attr, owner)) in taught {
                    let practice = super::teaching::practice(course.kind, course.hours);
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
                        ("course_attr", t(attr)),
                        ("course_nature", t("01")),
                        ("semester", Value::Int(course.semester)),
                        ("owner_dept", t(owner)),
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
}
