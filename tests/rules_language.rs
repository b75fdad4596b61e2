//! The rule language's semantics on the project's own definitions: a dated catalogue (a major
//! added in 2025 is not valid for 2023, at save and in the rules), a blank operand never lets a
//! rule pass, a sum over no rows is 0 (as in formulas and indicators), and a lookup that finds
//! several rows is a `UNIQ:` finding rather than a silent pick.

use std::collections::BTreeSet;

use rust_decimal::Decimal;
use statusdata::store::rules::Violation;
use statusdata::store::{Record, RowScope, Value};
use statusdata::validate::rules::{find_violations, RunScope};
use statusdata::validate::{check_record, CycleDates};

use crate::db::{ctx, record, text, TestDb};
use crate::support::root;

fn insert(db: &TestDb, code: &str, unit: &str, rows: Vec<Record>) {
    db.store
        .unguarded()
        .bulk_insert(&db.table(code), &RowScope::All, &ctx(unit), &rows)
        .expect("insert");
}

/// The findings of the rules on `table` in `cycle`.
fn violations(db: &TestDb, cycle: i32, table: &str) -> Vec<Violation> {
    let scope = RunScope {
        cycle,
        table: Some(table),
        ..RunScope::default()
    };
    let mut conn = db.store.conn().expect("conn");
    find_violations(&mut conn, db.store.catalog(), &scope, &mut |_| {}).expect("rules run")
}

/// (rule, unit + row) of the findings of the rules on `table`.
fn found(db: &TestDb, table: &str) -> BTreeSet<(String, String)> {
    violations(db, 2023, table)
        .into_iter()
        .map(|v| (v.rule, format!("{} {}", v.unit, v.row_ref)))
        .collect()
}

fn major(code: &str, name: &str) -> Record {
    record(&[
        ("major_code", text(code)),
        ("major_name", text(name)),
        ("direction", text("无")),
        ("level", text("01")),
    ])
}

fn money(n: i64) -> Value {
    Value::Decimal(Decimal::new(n * 100, 2))
}

#[test]
fn a_major_added_in_2025_is_not_valid_for_2023() {
    let db = TestDb::new(&root());
    insert(
        &db,
        "1.2.1",
        "jwb",
        vec![
            major("410101", "种子生产与经营"),
            major("410121", "高标准农田建设与应用技术"),
        ],
    );
    let found = found(&db, "1.2.1");
    let x01: BTreeSet<_> = found
        .iter()
        .filter(|(r, _)| r.starts_with("X01-"))
        .cloned()
        .collect();
    let row = "jwb 专业代码=410121".to_owned();
    assert_eq!(
        x01,
        BTreeSet::from([
            ("X01-catalogue-gz".to_owned(), row.clone()),
            // Not in the 2023 catalogue, so it has no 2023 name either.
            ("X01-name-1.2.1".to_owned(), row),
        ])
    );

    // The same at save: the code list is read for the cycle's year.
    let table = db.table("1.2.1");
    let codes = |year: i32, code: &str| {
        check_record(
            db.store.catalog(),
            &table,
            &major(code, "x"),
            &CycleDates::standard(year),
        )
        .into_iter()
        .filter(|p| p.field == "major_code" && p.rule == "codes")
        .count()
    };
    assert_eq!(codes(2023, "410121"), 1);
    assert_eq!(codes(2025, "410121"), 0);
    assert_eq!(codes(2023, "410101"), 0);
}

#[test]
fn a_blank_operand_is_a_finding_not_a_pass() {
    let db = TestDb::new(&root());
    let land = record(&[
        ("land_total", money(10)),
        ("land_owned", money(10)),
        ("land_not_owned", money(0)),
        ("bldg_total", money(100)),
        ("bldg_owned", money(100)),
        ("bldg_not_owned", Value::Null),
    ]);
    insert(&db, "1.1.4", "zlb", vec![land]);
    let found = found(&db, "1.1.4");
    assert!(
        found.contains(&("X11-building".to_owned(), "zlb ".to_owned())),
        "{found:?}"
    );
    assert!(!found.iter().any(|(r, _)| r == "X11-land"), "{found:?}");
}

#[test]
fn a_lookup_with_two_targets_is_a_uniq_finding() {
    let db = TestDb::new(&root());
    let roster = |name: &str| record(&[("teacher_no", text("T1")), ("name", text(name))]);
    insert(&db, "0.1.3", "zwb_rs", vec![roster("张三")]);
    insert(&db, "0.1.3", "jwb", vec![roster("李四")]);
    let teacher = record(&[("teacher_no", text("T1")), ("name", text("李四"))]);
    insert(&db, "1.4.1", "zwb_rs", vec![teacher]);

    let roster_found = found(&db, "0.1.3");
    let uniq: BTreeSet<_> = roster_found
        .iter()
        .filter(|(r, _)| r == "UNIQ:0.1.3.teacher_no")
        .map(|(_, row)| row.clone())
        .collect();
    assert_eq!(
        uniq,
        BTreeSet::from(["jwb 工号=T1".to_owned(), "zwb_rs 工号=T1".to_owned()])
    );
    // Which of the two is meant is unknown: the name is not judged against either.
    let teachers = found(&db, "1.4.1");
    assert!(
        !teachers.iter().any(|(r, _)| r == "X04-teacher-name"),
        "{teachers:?}"
    );
}

/// The help rules read the cycle's dates: the same rows are judged by 2023's dates in the 2023
/// cycle and by 2024's in the 2024 cycle (no cycle installed: the standard dates of the year).
#[test]
fn help_rules_judge_each_cycle_by_its_own_dates() {
    use chrono::NaiveDate;
    let db = TestDb::new(&root());
    let day = |y, m, d| Value::Date(NaiveDate::from_ymd_opt(y, m, d).expect("date"));
    let ym = |year, month| Value::YearMonth { year, month };
    for cycle in [2023, 2024] {
        let at = |unit: &str| statusdata::store::WriteCtx { cycle, ..ctx(unit) };
        let rows = |code: &str, unit: &str, rows: Vec<Record>| {
            db.store
                .bulk_insert(&db.table(code), &RowScope::All, &at(unit), &rows)
                .expect("insert");
        };
        // One row dated for each cycle, in each cycle.
        rows(
            "2.17.2",
            "jwb",
            [2023, 2024]
                .map(|y| {
                    record(&[
                        ("name", text(&format!("活动{y}"))),
                        ("event_date", day(y, 5, 10)),
                    ])
                })
                .into(),
        );
        rows(
            "1.5.1",
            "xwb",
            [2023, 2024]
                .map(|y| {
                    record(&[
                        ("student_no", text(&format!("S{y}"))),
                        ("enrol_ym", ym(y, 9)),
                    ])
                })
                .into(),
        );
        rows(
            "1.4.2",
            "zwb_rs",
            [2023, 2024]
                .map(|y| {
                    record(&[
                        ("ext_teacher_no", text(&format!("E{y}"))),
                        ("hire_start", day(y, 3, 1)),
                        ("hire_end", day(y, 6, 30)),
                    ])
                })
                .into(),
        );
    }
    let judged = |cycle: i32, table: &str, rule: &str| -> BTreeSet<String> {
        violations(&db, cycle, table)
            .into_iter()
            .filter(|v| v.rule == rule)
            .map(|v| v.row_ref)
            .collect()
    };
    // Exactly one row is out of each cycle's dates: the one dated for the other cycle.
    let out_of = |cycle: i32, table: &str, rule: &str, other: &str| {
        let found = judged(cycle, table, rule);
        assert!(
            found.len() == 1 && found.iter().all(|r| r.contains(other)),
            "{rule} in {cycle}: {found:?}"
        );
    };
    // 活动周 is in May of the school year's end: 2023-05 for 2023, 2024-05 for 2024.
    out_of(2023, "2.17.2", "HELP-event-2.17.2", "活动2024");
    out_of(2024, "2.17.2", "HELP-event-2.17.2", "活动2023");
    // A student enrolled 2024-09 is a 2024 freshman, too late for 2023.
    out_of(2023, "1.5.1", "HELP-enrol-1.5.1", "S2024");
    assert!(judged(2024, "1.5.1", "HELP-enrol-1.5.1").is_empty());
    // A hire in spring 2024 lies outside 2022-09..2023-08 and inside 2023-09..2024-08.
    out_of(2023, "1.4.2", "HELP-hire-period-1.4.2", "E2024");
    out_of(2024, "1.4.2", "HELP-hire-period-1.4.2", "E2023");
}

/// `prev_row(field)` reads the row a row continues last cycle (through `row_links`): a teacher
/// whose title level went down is found; one promoted, one unchanged and one new this year
/// (no linked row) are not.
#[test]
fn prev_row_compares_a_teacher_with_last_years_linked_row() {
    let db = TestDb::new(&root());
    let teacher =
        |no: &str, level: &str| record(&[("teacher_no", text(no)), ("title_level", text(level))]);
    let table = db.table("1.4.1");
    let last = statusdata::store::WriteCtx {
        cycle: 2022,
        ..ctx("zwb_rs")
    };
    let before = vec![teacher("T1", "2"), teacher("T2", "3"), teacher("T3", "3")];
    db.store
        .bulk_insert(&table, &RowScope::All, &last, &before)
        .expect("last year");
    let now = vec![
        teacher("T1", "3"),
        teacher("T2", "2"),
        teacher("T3", "3"),
        teacher("T4", "6"),
    ];
    insert(&db, "1.4.1", "zwb_rs", now);
    let mut conn = db.store.conn().expect("conn");
    statusdata::store::links::link_by_key(&mut conn, &table, 2023, 2022, "2023-09-01T00:00:00Z")
        .expect("link");
    drop(conn);
    let linked: BTreeSet<_> = found(&db, "1.4.1")
        .into_iter()
        .filter(|(r, _)| r == "LINK-title-1.4.1")
        .map(|(_, row)| row)
        .collect();
    assert_eq!(linked, BTreeSet::from(["zwb_rs 工号=T1".to_owned()]));
}

#[test]
fn a_sum_over_no_rows_is_zero_in_a_rule_as_in_a_formula() {
    let db = TestDb::new(&root());
    // X10-income-other: other = sum('2.11.2', amount), and 2.11.2 has no rows.
    insert(&db, "2.11.1", "cwc", vec![record(&[("other", money(0))])]);
    insert(&db, "2.11.1", "zlb", vec![record(&[("other", money(5))])]);
    let x10: BTreeSet<String> = found(&db, "2.11.1")
        .into_iter()
        .filter(|(r, _)| r == "X10-income-other")
        .map(|(_, at)| at.trim().to_owned())
        .collect();
    assert_eq!(x10, BTreeSet::from(["zlb".to_owned()]));
}
