//! The model's keys offered to references before their tables are generated.

use std::collections::HashMap;

use super::college::{College, Student};

impl College {
    /// The keys of the model's entities by the `slug.field` that references them, so that a table
    /// generated before the table it refers to can still point at real rows.
    pub fn key_pools(&self) -> HashMap<String, Vec<String>> {
        let higher = |s: &&Student| self.majors[self.classes[s.class].major].level == "01";
        let students: Vec<String> = self
            .students
            .iter()
            .filter(higher)
            .map(|s| s.no.clone())
            .collect();
        let secondary: Vec<String> = self
            .students
            .iter()
            .filter(|s| !higher(s))
            .map(|s| s.no.clone())
            .collect();
        let teachers: Vec<String> = self.teachers.iter().map(|t| t.no.clone()).collect();
        let external: Vec<String> = self.ext_teachers.iter().map(|t| t.0.clone()).collect();
        let courses: Vec<String> = self.courses.iter().map(|c| c.code.clone()).collect();
        let groups: Vec<String> = self
            .orgs
            .iter()
            .enumerate()
            .filter(|(_, o)| o.college)
            .map(|(i, _)| format!("ZYQ{i:02}"))
            .collect();
        [
            ("students.student_no", students.clone()),
            ("student_roster.student_no", students),
            ("sec_students.student_no", secondary),
            ("internal_teachers.teacher_no", teachers.clone()),
            ("internal_teacher_roster.teacher_no", teachers),
            ("external_teachers.ext_teacher_no", external.clone()),
            ("external_teacher_roster.ext_teacher_no", external),
            (
                "enterprises.uscc",
                self.enterprises.iter().map(|e| e.uscc.clone()).collect(),
            ),
            (
                "majors.major_code",
                self.majors.iter().map(|m| m.code.clone()).collect(),
            ),
            (
                "org_units.org_code",
                self.orgs.iter().map(|o| o.code.clone()).collect(),
            ),
            ("course_catalog.course_code", courses),
            ("major_groups.group_code", groups),
        ]
        .into_iter()
        .map(|(k, mut v)| {
            v.sort();
            (k.to_owned(), v)
        })
        .collect()
    }
}
