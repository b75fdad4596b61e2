//! Activity tables whose help texts tie their rows to the college: 2.17.2 events fall in the
//! 2023 活动周 (May), 2.18.2 lists real classes, 2.12.3 students with a 学号 are in 1.5.1 (the
//! demo's 1.5.1 holds no foreign students, so its international students are all 非学历),
//! and 2.7.1 has no more apprentices than the major's grade has students (HELP rules); 1.2.3
//! records no 撤销 or 停招 of a major that still enrols (every demo major does, rule X02).

use std::collections::HashMap;

use super::consistent::{int, set_ints, text};
use super::{date, t, Gen};
use crate::store::Value;

impl Gen<'_> {
    /// Aligns the activity tables with the college (see the module doc).
    pub(super) fn activities(&mut self) {
        let c = self.college;
        for (i, (_, r)) in self.out.get_mut("2.17.2").into_iter().flatten().enumerate() {
            let day = 15 + u32::try_from(i % 7).unwrap_or(0);
            r.insert("event_date".into(), Value::Date(date(2023, 5, day)));
        }
        let mut size: HashMap<usize, i64> = HashMap::new();
        for s in &c.students {
            *size.entry(s.class).or_default() += 1;
        }
        let step = (c.classes.len() / 13).max(1);
        for (i, (_, r)) in self.out.get_mut("2.18.2").into_iter().flatten().enumerate() {
            let k = (i * step) % c.classes.len().max(1);
            let Some(class) = c.classes.get(k) else {
                break;
            };
            let m = &c.majors[class.major];
            r.insert("class_name".into(), t(&class.name));
            r.insert("major_code".into(), t(&m.code));
            r.insert("dept_code".into(), t(&c.orgs[m.org].code));
            r.insert("grade".into(), Value::Year(class.grade));
            set_ints(r, &[("students", size.get(&k).copied().unwrap_or(0))]);
        }
        for (_, r) in self.out.get_mut("1.2.3").into_iter().flatten() {
            if matches!(text(r, "change_type"), "02" | "03") {
                r.insert("change_type".into(), t("04"));
            }
        }
        for (_, r) in self.out.get_mut("2.12.3").into_iter().flatten() {
            r.insert("student_no".into(), Value::Null);
        }
        let mut cohort: HashMap<(String, i32), i64> = HashMap::new();
        for s in &c.students {
            let class = &c.classes[s.class];
            let key = (c.majors[class.major].code.clone(), class.grade);
            *cohort.entry(key).or_default() += 1;
        }
        for (_, r) in self.out.get_mut("2.7.1").into_iter().flatten() {
            let grade = match r.get("grade") {
                Some(Value::Year(y)) => *y,
                _ => continue,
            };
            let key = (text(r, "major_code").to_owned(), grade);
            let most = cohort.get(&key).copied().unwrap_or(0);
            if int(r, "apprentices") > most {
                set_ints(r, &[("apprentices", most)]);
            }
        }
    }
}
