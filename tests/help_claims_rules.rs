//! The help-text rules (`table-defs/rules/help-*.toml`) and field checks added for the claims
//! table find what they claim: for a sample of each kind (a record comparison, a date window, a
//! conditioned rule, a cross-table exists / not exists, lookup, count and sum, and the field checks
//! pattern and in_period) a row that breaks it is found and a row that keeps it is not, on the
//! project's own definitions and the active backend.

use std::collections::BTreeSet;

use rust_decimal::Decimal;
use statusdata::store::{Record, Value};
use statusdata::validate::{self, CycleDates};

use crate::db::{record, text, TestDb};
use crate::rules_families::{found_with, insert};
use crate::support::root;

/// The rows (by their key in words) that `rule` finds among the rules on `table`, filled by 机电
/// (jdgc, the unit [`insert`] writes for).
fn found(db: &TestDb, table: &str, rule: &str) -> BTreeSet<String> {
    assert!(
        db.store.catalog().rule(rule).is_some(),
        "rule {rule} is defined"
    );
    found_with(db, table, &["jdgc"])
        .into_iter()
        .filter(|(r, _)| r == rule)
        .map(|(_, row)| row.trim_start_matches("jdgc").to_owned())
        .collect()
}

fn keys(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

fn int(n: i64) -> Value {
    Value::Int(n)
}

fn date(s: &str) -> Value {
    Value::Date(s.parse().expect("date"))
}

fn ym(year: i32, month: u32) -> Value {
    Value::YearMonth { year, month }
}

/// A student of grade 2022 (for 1.5.1 and 1.5.2).
fn student(no: &str, class: &str, major: &str) -> Record {
    record(&[
        ("student_no", text(no)),
        ("class_name", text(class)),
        ("major_code", text(major)),
        ("grade", Value::Year(2022)),
    ])
}

#[test]
fn record_rules_compare_fields_of_the_row() {
    let db = TestDb::new(&root());
    let admission = |major: &str, admitted: i64, first_choice: i64| {
        record(&[
            ("major_code", text(major)),
            ("province", text("410000")),
            ("subject_type", text("01")),
            ("admitted", int(admitted)),
            ("first_choice", int(first_choice)),
        ])
    };
    insert(
        &db,
        "2.4.1",
        vec![admission("460101", 50, 50), admission("460103", 50, 51)],
    );
    let broken = "专业代码=460103，生源省份=410000，科类=01";
    assert_eq!(
        found(&db, "2.4.1", "HELP-first-choice-2.4.1"),
        keys(&[broken])
    );

    // A date window written in the help text: 2023年5月.
    let event = |name: &str, day: &str| {
        record(&[
            ("name", text(name)),
            ("kind", text("01")),
            ("event_date", date(day)),
        ])
    };
    insert(
        &db,
        "2.17.2",
        vec![
            event("活动周开幕", "2023-05-08"),
            event("秋季宣讲", "2022-10-08"),
        ],
    );
    assert_eq!(
        found(&db, "2.17.2", "HELP-event-2.17.2"),
        keys(&["活动名称=秋季宣讲，活动日期=2022-10-08"])
    );
}

#[test]
fn a_conditioned_rule_judges_only_the_rows_its_when_selects() {
    let db = TestDb::new(&root());
    // `when`: only enterprises (03–05) need a credit code.
    let post = |teacher: &str, kind: &str, uscc: Option<&str>| {
        record(&[
            ("teacher_no", text(teacher)),
            ("host", text("某单位")),
            ("host_kind", text(kind)),
            ("host_uscc", uscc.map_or(Value::Null, text)),
            ("start_date", date("2023-03-01")),
            ("end_date", date("2023-04-01")),
        ])
    };
    insert(
        &db,
        "2.15.4",
        vec![
            post("T1", "03", None),
            post("T2", "03", Some("91110000802100433B")),
            post("T3", "02", None),
        ],
    );
    assert_eq!(
        found(&db, "2.15.4", "HELP-host-uscc-2.15.4"),
        keys(&["工号=T1，挂职单位=某单位，开始日期=2023-03-01"])
    );
}

#[test]
fn cross_table_rules_read_the_students_tables() {
    let db = TestDb::new(&root());
    // exists / not exists / lookup / count against 1.5.1 and 1.5.2.
    insert(
        &db,
        "1.5.1",
        vec![
            student("2022000001", "机电2201班", "460103"),
            student("2022000002", "机电2201班", "460103"),
        ],
    );
    insert(
        &db,
        "1.5.2",
        vec![
            student("2022000002", "中职2201班", "660301"),
            student("2022900001", "中职2201班", "660301"),
        ],
    );
    assert_eq!(
        found(&db, "1.5.2", "HELP-student-no-1.5.2"),
        keys(&["学号=2022000002"])
    );
    let assignment = |teacher: &str, class: &str, students: i64| {
        record(&[
            ("term", text("2022-2023-1")),
            ("course_code", text("C001")),
            ("teacher_kind", text("1")),
            ("teacher_no", text(teacher)),
            ("class_name", text(class)),
            ("students", int(students)),
            ("hours", int(32)),
            ("practice_hours", int(0)),
        ])
    };
    // 机电2201班 has 2 students in 1.5.1; 机电2202班 none.
    insert(
        &db,
        "2.1.1",
        vec![
            assignment("T1", "机电2201班", 2),
            assignment("T2", "机电2201班", 3),
            assignment("T1", "机电2202班", 1),
        ],
    );
    let row = |class: &str, teacher: &str| {
        format!("学年学期=2022-2023-1，课程代码=C001，授课班级={class}，教师工号/编号={teacher}")
    };
    assert_eq!(
        found(&db, "2.1.1", "HELP-class-2.1.1"),
        BTreeSet::from([row("机电2202班", "T1")])
    );
    assert_eq!(
        found(&db, "2.1.1", "HELP-students-2.1.1"),
        BTreeSet::from([row("机电2201班", "T2"), row("机电2202班", "T1")]),
        "a class unknown to 1.5.1 has 0 students"
    );
    let internship = |no: &str, major: &str| {
        record(&[
            ("student_no", text(no)),
            ("major_code", text(major)),
            ("start_date", date("2023-03-01")),
            ("end_date", date("2023-06-30")),
        ])
    };
    insert(
        &db,
        "2.2.2",
        vec![
            internship("2022900001", "660301"),
            internship("2022000002", "710201"),
        ],
    );
    assert_eq!(
        found(&db, "2.2.2", "HELP-major-2.2.2"),
        keys(&["学号=2022000002，实习开始时间=2023-03-01"])
    );
}

#[test]
fn sums_and_counts_read_the_whole_cycle() {
    let db = TestDb::new(&root());
    let count = |major: &str, total: i64| {
        record(&[
            ("level", text("01")),
            ("major_code", text(major)),
            ("grade", Value::Year(2022)),
            ("total", int(total)),
        ])
    };
    insert(
        &db,
        "1.5.3",
        vec![count("460101", 300), count("460103", 200)],
    );
    let theme = |title: &str, day: &str, covered: i64| {
        record(&[
            ("theme", text("01")),
            ("title", text(title)),
            ("start_date", date(day)),
            ("students_covered", int(covered)),
            ("hours", Value::Decimal(Decimal::new(20, 1))),
        ])
    };
    insert(
        &db,
        "2.18.6",
        vec![
            theme("全体", "2022-10-01", 500),
            theme("超出", "2022-11-01", 501),
        ],
    );
    let rows = found(&db, "2.18.6", "HELP-covered-2.18.6");
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(rows.iter().all(|r| r.contains("2022-11-01")), "{rows:?}");

    // 1.5.1 has 2 students of 460103, grade 2022 (none of grade 2023).
    let student = |no: &str| {
        record(&[
            ("student_no", text(no)),
            ("major_code", text("460103")),
            ("grade", Value::Year(2022)),
        ])
    };
    insert(
        &db,
        "1.5.1",
        vec![student("2022000001"), student("2022000002")],
    );
    let apprentices = |grade: i32, n: i64| {
        record(&[
            ("major_code", text("460103")),
            ("uscc", text("91110000802100433B")),
            ("grade", Value::Year(grade)),
            ("apprentices", int(n)),
        ])
    };
    insert(
        &db,
        "2.7.1",
        vec![apprentices(2022, 2), apprentices(2023, 1)],
    );
    let rows = found(&db, "2.7.1", "HELP-apprentices-2.7.1");
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(rows.iter().all(|r| r.contains("2023")), "{rows:?}");
}

#[test]
fn the_new_field_checks_refuse_at_save_what_the_help_text_forbids() {
    let db = TestDb::new(&root());
    let catalog = db.store.catalog();
    let cycle = CycleDates::standard(2023);
    let problems = |code: &str, field: &str, value: Value| -> Vec<&'static str> {
        let table = catalog.table_by_code(code).expect("table");
        let row: Record = [(field.to_owned(), value)].into_iter().collect();
        validate::check_record(catalog, table, &row, &cycle)
            .into_iter()
            .filter(|p| p.field == field)
            .map(|p| p.rule)
            .collect()
    };
    // 1.6.1 行业：填写至大类（两位代码），not the 门类 letter.
    assert_eq!(problems("1.6.1", "industry", text("C")), vec!["pattern"]);
    assert!(problems("1.6.1", "industry", text("38")).is_empty());
    // 1.4.1 参加本校工作年月：不晚于2023-08 (the snapshot date).
    assert_eq!(
        problems("1.4.1", "join_school_ym", ym(2023, 9)),
        vec!["period"]
    );
    assert!(problems("1.4.1", "join_school_ym", ym(2023, 8)).is_empty());
    // 2.9.5 购置日期：不得晚于2023-08-31.
    assert_eq!(
        problems("2.9.5", "purchase_date", date("2023-09-01")),
        vec!["period"]
    );
    assert!(problems("2.9.5", "purchase_date", date("2023-08-31")).is_empty());
}
