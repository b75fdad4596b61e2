//! The rule language's semantics on the project's own definitions: a dated catalogue (a major
//! added in 2025 is not valid for 2023, at save and in the rules), a blank operand never lets a
//! rule pass, and a lookup that finds several rows is a `UNIQ:` finding rather than a silent pick.

use std::collections::BTreeSet;

use rust_decimal::Decimal;
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

/// (rule, unit + row) of the findings of the rules on `table`.
fn found(db: &TestDb, table: &str) -> BTreeSet<(String, String)> {
    let scope = RunScope {
        cycle: 2023,
        table: Some(table),
        ..RunScope::default()
    };
    let mut conn = db.store.conn().expect("conn");
    find_violations(&mut conn, db.store.catalog(), &scope, &mut |_| {})
        .expect("rules run")
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
    let row = "jwb 专业代码=410121，专业方向=无".to_owned();
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
