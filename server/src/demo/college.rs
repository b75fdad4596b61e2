//! The demo college in memory: organisation, majors from the real 2021 catalogue, classes,
//! students, teachers, courses and enterprises. Every table is then drawn from this one model,
//! so that what one table says about a student or a course, another table says too.

use chrono::NaiveDate;
use rand::seq::IndexedRandom;
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use super::people::{self, Person};
use super::words::{
    COLLEGE_CLASSES, COURSE_STEMS, FIRMS, PUBLIC_COURSES, SECONDARY_MAJORS, TRADES,
};
use crate::defs::{Catalog, UnitKind, Units};
use crate::validate::formats::gb32100_check;

/// A unit of 1.1.3 内设机构表.
#[derive(Debug, Clone)]
pub struct Org {
    pub code: String,
    pub name: String,
    pub unit: String,
    pub college: bool,
}

#[derive(Debug, Clone)]
pub struct Major {
    pub code: String,
    pub name: String,
    pub org: usize,
    /// edu_level: "01" 高职专科, "03" 附设中职.
    pub level: &'static str,
    pub duration: &'static str,
    /// The year the major first enrolled students (2023 for the majors new this year).
    pub first_enrol: i32,
}

#[derive(Debug, Clone)]
pub struct Class {
    pub name: String,
    pub major: usize,
    pub grade: i32,
}

#[derive(Debug, Clone)]
pub struct Student {
    pub no: String,
    pub person: Person,
    pub class: usize,
    pub ethnicity: String,
    pub origin_area: String,
    pub social: bool,
}

#[derive(Debug, Clone)]
pub struct Teacher {
    pub no: String,
    pub person: Person,
    pub org: usize,
    /// The major a college teacher mainly teaches.
    pub major: Option<usize>,
    /// staff_category: "01" 专任教师, "02" 行政人员, "03" 教辅人员, "05" 专职辅导员.
    pub category: &'static str,
    /// A full-time 思政课 teacher (in 马克思主义学院).
    pub ideo: bool,
    /// A full-time 心理健康教育 teacher (in 学务部).
    pub psych: bool,
}

#[derive(Debug, Clone)]
pub struct Course {
    pub code: String,
    pub name: String,
    /// None for public courses every major takes.
    pub major: Option<usize>,
    pub semester: i64,
    pub kind: &'static str,
    pub hours: i64,
}

#[derive(Debug, Clone)]
pub struct Enterprise {
    pub uscc: String,
    pub name: String,
    pub area: String,
}

/// The whole college.
#[derive(Debug, Clone, Default)]
pub struct College {
    pub orgs: Vec<Org>,
    pub majors: Vec<Major>,
    pub classes: Vec<Class>,
    pub students: Vec<Student>,
    pub teachers: Vec<Teacher>,
    pub ext_teachers: Vec<(String, Person, usize)>,
    pub courses: Vec<Course>,
    pub enterprises: Vec<Enterprise>,
    pub counties: Vec<String>,
}

impl College {
    /// Builds the college for `scale` (1 = about 12,000 students).
    pub fn build(rng: &mut ChaCha8Rng, catalog: &Catalog, units: &Units, scale: u32) -> College {
        let mut c = College {
            counties: counties(catalog),
            ..College::default()
        };
        for (i, u) in units.units.iter().enumerate() {
            let college = u.kind == UnitKind::College;
            let code = if college {
                format!("{:02}", 20 + i)
            } else {
                format!("{:02}", 10 + i)
            };
            c.orgs.push(Org {
                code: format!("0{code}"),
                name: u.name.clone(),
                unit: u.code.clone(),
                college,
            });
        }
        c.pick_majors(catalog);
        c.make_enterprises(rng, 300 * scale as usize);
        c.make_classes_and_students(rng, scale);
        c.make_teachers(rng, scale);
        c.make_courses(rng);
        c.keep_enrolled_grades();
        c.assign_roles();
        c
    }

    fn pick_majors(&mut self, catalog: &Catalog) {
        let gz = catalog.code_list("majors_gz_2021");
        for (unit, classes) in COLLEGE_CLASSES {
            let Some(org) = self.orgs.iter().position(|o| o.unit == *unit) else {
                continue;
            };
            let Some(gz) = gz else { continue };
            let picked: Vec<_> = gz
                .codes
                .iter()
                .filter(|m| m.note.is_none() && classes.iter().any(|cl| m.code.starts_with(cl)))
                .take(7)
                .collect();
            for m in picked {
                let i = self.majors.len();
                self.majors.push(Major {
                    code: m.code.clone(),
                    name: m.name.clone(),
                    org,
                    level: "01",
                    duration: "3",
                    first_enrol: first_enrol(i),
                });
            }
        }
        let wzb = self.orgs.iter().position(|o| o.unit == "wzb").unwrap_or(0);
        if let Some(zz) = catalog.code_list("majors_zz_2021") {
            for code in SECONDARY_MAJORS {
                if let Some(m) = zz.get(code) {
                    let i = self.majors.len();
                    self.majors.push(Major {
                        code: m.code.clone(),
                        name: m.name.clone(),
                        org: wzb,
                        level: "03",
                        duration: "3",
                        first_enrol: first_enrol(i),
                    });
                }
            }
        }
    }

    fn make_enterprises(&mut self, rng: &mut ChaCha8Rng, n: usize) {
        for i in 0..n {
            let area = self.county(rng);
            let name = format!(
                "{}{}{}{}有限公司",
                city_of(&area),
                FIRMS[i % FIRMS.len()],
                TRADES[(i / FIRMS.len() + i) % TRADES.len()],
                if i >= FIRMS.len() * TRADES.len() {
                    format!("{}", i)
                } else {
                    String::new()
                }
            );
            let body: String = (0..9)
                .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
                .collect();
            let first17 = format!("91{}{}", &area, body);
            let uscc = format!("{first17}{}", gb32100_check(&first17).unwrap_or('0'));
            self.enterprises.push(Enterprise { uscc, name, area });
        }
    }

    fn make_classes_and_students(&mut self, rng: &mut ChaCha8Rng, scale: u32) {
        let mut seq = 0;
        for (mi, major) in self.majors.clone().iter().enumerate() {
            let per_grade = if major.level == "03" { 40 } else { 100 } * scale as usize;
            for grade in [2021, 2022, 2023] {
                let n = per_grade * rng.random_range(80..=120) / 100;
                let classes = n.div_ceil(45).max(1);
                for k in 0..classes {
                    let class = self.classes.len();
                    self.classes.push(Class {
                        name: format!("{}{}{:02}班", major.name, grade % 100, k + 1),
                        major: mi,
                        grade,
                    });
                    let size = n / classes + usize::from(k < n % classes);
                    for _ in 0..size {
                        seq += 1;
                        let born_from =
                            NaiveDate::from_ymd_opt(grade - 20, 1, 1).unwrap_or_default();
                        let born_to =
                            NaiveDate::from_ymd_opt(grade - 17, 8, 31).unwrap_or_default();
                        let area = self.county(rng);
                        let person = people::person(rng, &area, born_from, born_to);
                        let ethnicity = if rng.random_bool(0.93) {
                            "01".to_owned()
                        } else {
                            format!("{:02}", rng.random_range(2..=20))
                        };
                        let social = major.level == "01" && rng.random_bool(0.06);
                        self.students.push(Student {
                            no: format!("{grade}{:02}{:05}", mi + 1, seq),
                            person,
                            class,
                            ethnicity,
                            origin_area: area,
                            social,
                        });
                    }
                }
            }
        }
    }

    fn make_teachers(&mut self, rng: &mut ChaCha8Rng, scale: u32) {
        let colleges: Vec<usize> = (0..self.orgs.len())
            .filter(|i| self.orgs[*i].college)
            .collect();
        let others: Vec<usize> = (0..self.orgs.len())
            .filter(|i| !self.orgs[*i].college)
            .collect();
        let born_from = NaiveDate::from_ymd_opt(1963, 1, 1).unwrap_or_default();
        let born_to = NaiveDate::from_ymd_opt(1998, 12, 31).unwrap_or_default();
        for i in 0..600 * scale as usize {
            let org = if i % 6 == 5 {
                others[i % others.len().max(1)]
            } else {
                colleges[i % colleges.len().max(1)]
            };
            let majors: Vec<usize> = (0..self.majors.len())
                .filter(|m| self.majors[*m].org == org)
                .collect();
            let area = self.county(rng);
            self.teachers.push(Teacher {
                no: format!("T{:05}", i + 1),
                person: people::person(rng, &area, born_from, born_to),
                org,
                major: majors.choose(rng).copied(),
                category: "01",
                ideo: false,
                psych: false,
            });
        }
        for i in 0..150 * scale as usize {
            let area = self.county(rng);
            let person = people::person(rng, &area, born_from, born_to);
            let employer = rng.random_range(0..self.enterprises.len().max(1));
            self.ext_teachers
                .push((format!("W{:04}", i + 1), person, employer));
        }
    }

    fn make_courses(&mut self, rng: &mut ChaCha8Rng) {
        for (i, name) in PUBLIC_COURSES.iter().enumerate() {
            let semester = 1 + (i % 2) as i64;
            // Sport, computing and labour are taught by doing (rule X17: practice ≥ half).
            let kind = match *name {
                "体育与健康" | "劳动教育" => "C",
                "信息技术" | "大学生职业发展与就业指导" | "军事理论" => "B",
                _ => "A",
            };
            self.courses.push(Course {
                code: format!("GG{:03}", i + 1),
                name: (*name).to_owned(),
                major: None,
                semester,
                kind,
                hours: 32 + 16 * (i % 3) as i64,
            });
        }
        for (mi, major) in self.majors.iter().enumerate() {
            let short: String = major.name.chars().take(6).collect();
            for k in 0..36 {
                let semester = 1 + (k / 9) as i64;
                let stem = COURSE_STEMS[(k + mi) % COURSE_STEMS.len()];
                let kind = ["A", "B", "B", "B", "C"][rng.random_range(0..5)];
                self.courses.push(Course {
                    code: format!("{}{:02}", major.code, k + 1),
                    name: format!(
                        "{short}{stem}{}",
                        if k >= COURSE_STEMS.len() {
                            "（二）"
                        } else {
                            ""
                        }
                    ),
                    major: Some(mi),
                    semester,
                    kind,
                    hours: [32, 48, 64, 72, 96][rng.random_range(0..5)],
                });
            }
        }
    }

    /// A county code, mostly from 河南 (where the demo college is).
    pub fn county(&self, rng: &mut ChaCha8Rng) -> String {
        let local: Vec<&String> = self
            .counties
            .iter()
            .filter(|c| c.starts_with("41"))
            .collect();
        let pick = if rng.random_bool(0.85) && !local.is_empty() {
            local.choose(rng).copied()
        } else {
            self.counties.choose(rng)
        };
        pick.cloned().unwrap_or_else(|| "410102".to_owned())
    }

    /// The students of a major and grade.
    pub fn students_of(&self, major: usize, grade: i32) -> impl Iterator<Item = &Student> {
        self.students.iter().filter(move |s| {
            let c = &self.classes[s.class];
            c.major == major && c.grade == grade
        })
    }
}

/// The year the `i`th major first enrolled: every fourteenth is new this year.
fn first_enrol(i: usize) -> i32 {
    if i % 14 == 13 {
        2023
    } else {
        2005 + (i as i32 * 7) % 17
    }
}

/// County-level codes of the `areas` list (six digits, not ending in 00).
fn counties(catalog: &Catalog) -> Vec<String> {
    catalog
        .code_list("areas")
        .map(|l| {
            l.codes
                .iter()
                .filter(|c| c.code.len() == 6 && !c.code.ends_with("00"))
                .map(|c| c.code.clone())
                .collect()
        })
        .unwrap_or_default()
}

fn city_of(area: &str) -> &'static str {
    match &area[..area.len().min(4)] {
        "4101" => "郑州",
        "4102" => "开封",
        "4103" => "洛阳",
        "4104" => "平顶山",
        "4105" => "安阳",
        "4107" => "新乡",
        "4108" => "焦作",
        "4113" => "南阳",
        "4114" => "商丘",
        "4115" => "信阳",
        "4117" => "驻马店",
        _ => "河南",
    }
}
