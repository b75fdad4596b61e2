//! 2.1.1 and 2.1.2 授课表: every course of 1.3.1/1.3.2 taught to every class of its major and
//! grade, by teachers of the major's college (some shared with an external teacher).

use std::collections::HashMap;

use rand::seq::IndexedRandom;
use rand::RngExt;

use super::college::Teacher;
use super::{r, t, Gen};
use crate::store::Value;

impl Gen<'_> {
    /// 2.1.1 and 2.1.2: every course of 1.3.1/1.3.2 taught to every class of its major and grade.
    pub(super) fn teaching(&mut self) {
        let c = self.college;
        let mut hours_by_ext: HashMap<String, i64> = HashMap::new();
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
                            let public = course.major.is_none();
                            let Some((kind, no, name)) =
                                self.pick_teacher(k, &own, &any_college, public)
                            else {
                                continue;
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
                            let practice = practice(course.kind, hours);
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
        self.external_hours(&hours_by_ext);
    }

    /// The `k`th teacher of a course: the second may be external (two times in five); the others
    /// teach in the major's college, or in any college for a public course.
    fn pick_teacher(
        &mut self,
        k: usize,
        own: &[&Teacher],
        any_college: &[&Teacher],
        public: bool,
    ) -> Option<(&'static str, String, String)> {
        let c = self.college;
        let external = k == 1 && self.rng.random_bool(0.4) && !c.ext_teachers.is_empty();
        if external {
            let (no, p, _) = &c.ext_teachers[self.rng.random_range(0..c.ext_teachers.len())];
            return Some(("2", no.clone(), p.name.clone()));
        }
        let pool = if own.is_empty() || public {
            any_college
        } else {
            own
        };
        let x = pool.choose(&mut self.rng)?;
        Some(("1", x.no.clone(), x.person.name.clone()))
    }

    /// 1.4.2 本学年授课学时: the sum of the external teacher's rows in 2.1.1.
    fn external_hours(&mut self, hours_by_ext: &HashMap<String, i64>) {
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

/// Practice hours of a course of type A (none), B (four fifths) or C (all), rule X17: with the
/// public courses, each major's practice is at least half its hours.
pub(super) fn practice(kind: &str, hours: i64) -> i64 {
    match kind {
        "A" => 0,
        "C" => hours,
        _ => hours * 4 / 5,
    }
}
