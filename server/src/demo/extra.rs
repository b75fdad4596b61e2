//! The rest of the generator: finance tables whose totals add up, links from generic rows to real
//! people and majors, the rows broken on purpose, row counts, and the demo accounts.

use rand::seq::IndexedRandom;
use rand::RngExt;
use rust_decimal::Decimal;

use super::{r, t, Gen};
use crate::defs::Table;
use crate::store::{Record, Value};

/// Rows per filling unit (before scale) for tables no specific generator makes.
pub fn row_count(code: &str, units: usize) -> usize {
    let per_college = units > 1;
    match code {
        "2.2.1" => 900,
        "2.2.2" => 60,
        "2.3.2" if per_college => 60,
        "2.13.1" | "2.15.2" | "2.15.3" | "2.15.10" => 20,
        "2.4.1" | "2.4.2" | "2.4.3" | "2.5.1" | "2.5.2" | "2.6.1" | "2.9.1" | "2.9.3" | "2.9.5" => {
            40
        }
        "2.12.1" | "2.12.2" | "2.12.5" | "2.12.7" | "1.2.3" => 3,
        _ if per_college => 8,
        _ => 12,
    }
}

const INCOME_TOTALLED: &[&str] = &[
    "tuition",
    "accommodation_fee",
    "training_fee",
    "adult_edu_fee",
    "edu_income_other",
    "research_horizontal",
    "research_vertical",
    "research_other",
    "fiscal_regular",
    "central_special",
    "local_special",
    "gov_fund",
    "soe_capital",
    "superior_subsidy",
    "non_peer_fiscal",
    "enterprise_funding",
    "social_training",
    "tech_transfer",
    "service_other",
    "invest_school_ent",
    "invest_other",
    "donation",
    "other",
];
const DAILY: &[&str] = &[
    "consumables",
    "equip_repair",
    "practice",
    "ext_teacher_pay",
    "sports",
    "ideo_special",
    "ideo_online",
    "coop_program",
    "intern_insurance",
    "daily_other",
];
const REFORM: &[&str] = &[
    "course_dev",
    "textbook_dev",
    "teaching_reform",
    "research",
    "reform_other",
];
const FACULTY: &[&str] = &[
    "master_studio",
    "innovation_team",
    "talent_intro",
    "staff_training",
    "faculty_other",
];
const EXPENSE_TOTALLED: &[&str] = &[
    "land",
    "infrastructure",
    "equipment",
    "books",
    "daily_teaching",
    "reform_research",
    "faculty_dev",
    "salary_total",
    "student_activity",
    "innovation_entrepreneurship",
    "mental_health",
    "scholarships",
    "party_ideo_team",
    "debt_repayment",
    "other",
];

fn sum(rec: &Record, fields: &[&str]) -> Decimal {
    fields
        .iter()
        .filter_map(|f| match rec.get(*f) {
            Some(Value::Decimal(d)) => Some(*d),
            _ => None,
        })
        .sum()
}

/// 2.11.1's total: the sum of its items (rule X10).
pub(super) fn add_up_income(income: &mut Record) {
    let total = sum(income, INCOME_TOTALLED);
    income.insert("total".into(), Value::Decimal(total));
}

/// 2.11.3's subtotals and total: each the sum of its items.
pub(super) fn add_up_expense(expense: &mut Record) {
    for (total, parts) in [
        ("daily_teaching", DAILY),
        ("reform_research", REFORM),
        ("faculty_dev", FACULTY),
    ] {
        let s = sum(expense, parts);
        expense.insert(total.into(), Value::Decimal(s));
    }
    let total = sum(expense, EXPENSE_TOTALLED);
    expense.insert("total".into(), Value::Decimal(total));
}

impl Gen<'_> {
    /// 2.11.x: the detail tables first, then summaries whose "other" and totals add up exactly.
    pub(super) fn finance(&mut self) {
        self.finance_details();
        let Some(mut income) = self.summary("2.11.1", "2.11.2") else {
            return;
        };
        add_up_income(&mut income);
        let unit = self
            .units_of("2.11.1")
            .into_iter()
            .next()
            .unwrap_or_default();
        self.put("2.11.1", unit.clone(), income);
        let Some(mut expense) = self.summary("2.11.3", "2.11.4") else {
            return;
        };
        add_up_expense(&mut expense);
        self.put("2.11.3", unit, expense);
    }

    /// 2.11.2 and 2.11.4: the "other" income and expense items.
    fn finance_details(&mut self) {
        for (code, cat) in [("2.11.2", "income"), ("2.11.4", "expense")] {
            let items: &[&str] = if cat == "income" {
                &[
                    "教学楼场地出租",
                    "银行存款利息",
                    "食堂经营收入上缴",
                    "报废资产处置",
                    "校车服务收入",
                ]
            } else {
                &[
                    "离退休人员补贴",
                    "物业管理费",
                    "银行贷款利息",
                    "附属幼儿园补助",
                    "校园绿化养护",
                ]
            };
            for (i, item) in items.iter().enumerate() {
                let rec = r(&[
                    ("item", t(item)),
                    (
                        "amount",
                        Value::Decimal(Decimal::new(self.rng.random_range(500..50_000), 2)),
                    ),
                ]);
                self.emit(code, None, rec, i);
            }
            self.finish(code);
        }
    }

    /// A summary row of `code` filled around its "other": the sum of the detail table's amounts.
    fn summary(&mut self, code: &str, detail: &str) -> Option<Record> {
        let other: Decimal = self
            .out
            .get(detail)
            .into_iter()
            .flatten()
            .map(|(_, r)| sum(r, &["amount"]))
            .sum();
        let table = self.table(code)?;
        let seed = r(&[("other", Value::Decimal(other))]);
        Some(self.filler.fill(&mut self.rng, table, seed, 0))
    }

    /// The one row of a summary table, filled by `unit`.
    fn put(&mut self, code: &str, unit: String, rec: Record) {
        self.out.entry(code.into()).or_default().push((unit, rec));
        self.finish(code);
    }

    /// Seeds a generic row with a real student, teacher, major or enterprise of the filling unit,
    /// and the fields of the row that describe it.
    pub(super) fn link(&mut self, table: &Table, unit: &str) -> Record {
        let c = self.college;
        let mut rec = Record::new();
        let org = c.orgs.iter().position(|o| o.unit == unit && o.college);
        if refers(table, "student_no", "students") {
            self.link_student(table, org, &mut rec);
        }
        if refers(table, "teacher_no", "internal_teachers") {
            self.link_teacher(table, org, &mut rec);
        }
        if refers(table, "major_code", "majors") && !rec.contains_key("major_code") {
            self.link_major(table, org, &mut rec);
        }
        self.link_enterprise(table, &mut rec);
        rec
    }

    /// A 高职 student of the college `org` (any when none).
    fn link_student(&mut self, table: &Table, org: Option<usize>, rec: &mut Record) {
        let c = self.college;
        let pool: Vec<_> = c
            .students
            .iter()
            .filter(|s| c.majors[c.classes[s.class].major].level == "01")
            .filter(|s| org.is_none_or(|o| c.majors[c.classes[s.class].major].org == o))
            .collect();
        if let Some(s) = pool.choose(&mut self.rng) {
            let class = &c.classes[s.class];
            let m = &c.majors[class.major];
            rec.insert("student_no".into(), t(&s.no));
            for (k, v) in [
                ("student_name", t(&s.person.name)),
                ("gender", t(&s.person.gender)),
                ("id_no", t(&s.person.id_no)),
                ("major_code", t(&m.code)),
                ("major_name", t(&m.name)),
                ("class_name", t(&class.name)),
                ("dept_code", t(&c.orgs[m.org].code)),
                ("grade", Value::Year(class.grade)),
                ("duration", t(m.duration)),
            ] {
                if has(table, k) {
                    rec.insert(k.into(), v);
                }
            }
        }
    }

    /// A teacher of the college `org` (any when none).
    fn link_teacher(&mut self, table: &Table, org: Option<usize>, rec: &mut Record) {
        let c = self.college;
        let pool: Vec<_> = c
            .teachers
            .iter()
            .filter(|x| org.is_none_or(|o| x.org == o))
            .collect();
        if let Some(x) = pool.choose(&mut self.rng) {
            rec.insert("teacher_no".into(), t(&x.no));
            for (k, v) in [
                ("teacher_name", t(&x.person.name)),
                ("gender", t(&x.person.gender)),
                ("dept_code", t(&c.orgs[x.org].code)),
            ] {
                if has(table, k) && !rec.contains_key(k) {
                    rec.insert(k.into(), v);
                }
            }
            if table
                .field("name")
                .is_some_and(|f| f.label.contains("姓名"))
            {
                rec.insert("name".into(), t(&x.person.name));
            }
        }
    }

    /// A major of the college `org` (any when none) that the field's pattern admits.
    fn link_major(&mut self, table: &Table, org: Option<usize>, rec: &mut Record) {
        let c = self.college;
        // A 中职 table's pattern admits only 中职 codes: draw from the majors it admits.
        let pattern = table.field("major_code").and_then(|f| f.pattern.as_ref());
        let pool: Vec<_> = c
            .majors
            .iter()
            .filter(|m| org.is_none_or(|o| m.org == o))
            .filter(|m| pattern.is_none_or(|p| p.is_match(&m.code)))
            .collect();
        if let Some(m) = pool.choose(&mut self.rng) {
            rec.insert("major_code".into(), t(&m.code));
            for (k, v) in [("major_name", t(&m.name)), ("duration", t(m.duration))] {
                if has(table, k) {
                    rec.insert(k.into(), v);
                }
            }
        }
    }

    /// An enterprise for each field that refers to one.
    fn link_enterprise(&mut self, table: &Table, rec: &mut Record) {
        let c = self.college;
        for (field, name) in [
            ("uscc", "ent_name"),
            ("company", "company_name"),
            ("uscc", "company_name"),
        ] {
            if refers(table, field, "enterprises") && !rec.contains_key(field) {
                if let Some(e) = c.enterprises.choose(&mut self.rng) {
                    rec.insert(field.into(), t(&e.uscc));
                    if has(table, name) {
                        rec.insert(name.into(), t(&e.name));
                    }
                }
            }
        }
    }
}

/// Whether the table has a field of that name.
fn has(table: &Table, name: &str) -> bool {
    table.field(name).is_some()
}

/// Whether the table's field `name` refers to the table `target`.
fn refers(table: &Table, name: &str, target: &str) -> bool {
    table.field(name).is_some_and(|f| {
        f.ty.ref_targets()
            .first()
            .is_some_and(|r| r.table == target)
    })
}
