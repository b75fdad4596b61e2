//! One test per rule family (count, sum, membership, reference, date order, ID-derived,
//! completeness), each with a row that passes and a row that fails, on the rules fixture
//! (`tests/fixtures/rules`), and `check` reporting a broken rule with file and line.

use std::collections::{BTreeSet, HashMap};

use rust_decimal::Decimal;
use statusdata::defs;
use statusdata::store::{Record, RowScope, Value};
use statusdata::validate::rules::{find_violations, RunScope};

use crate::db::{ctx, record, text, TestDb};
use crate::support::{root, Scratch};

fn fixture() -> TestDb {
    TestDb::new(&root().join("tests/fixtures/rules"))
}

pub(crate) fn insert(db: &TestDb, code: &str, rows: Vec<Record>) {
    let table = db.table(code);
    db.store
        .unguarded()
        .bulk_insert(&table, &RowScope::All, &ctx("jdgc"), &rows)
        .expect("insert");
}

/// (rule, row) of every finding of the rules on `table`, filled by 机电 (jdgc).
fn found(db: &TestDb, table: &str) -> BTreeSet<(String, String)> {
    found_with(db, table, &["jdgc"])
}

pub(crate) fn found_with(db: &TestDb, table: &str, fillers: &[&str]) -> BTreeSet<(String, String)> {
    let units = fillers.iter().map(|u| (*u).to_owned()).collect();
    let fill = HashMap::from([(table.to_owned(), units)]);
    let scope = RunScope {
        cycle: 2023,
        table: Some(table),
        fill_units: Some(&fill),
        ..RunScope::default()
    };
    let mut conn = db.store.conn().expect("conn");
    find_violations(&mut conn, db.store.catalog(), &scope, &mut |_| {})
        .expect("rules run")
        .into_iter()
        .map(|v| (v.rule, format!("{}{}", v.unit, v.row_ref)))
        .collect()
}

fn set(items: &[(&str, &str)]) -> BTreeSet<(String, String)> {
    items
        .iter()
        .map(|(a, b)| ((*a).into(), (*b).into()))
        .collect()
}

fn date(s: &str) -> Value {
    Value::Date(s.parse().expect("date"))
}

fn person(no: &str, dept: &str, id: &str, birth: &str, gender: &str) -> Record {
    record(&[
        ("person_no", text(no)),
        ("dept", text(dept)),
        ("id_no", text(id)),
        ("birth_date", date(birth)),
        ("gender", text(gender)),
    ])
}

fn dept(name: &str, total: i64, fees: i64) -> Record {
    record(&[
        ("dept", text(name)),
        ("total", Value::Int(total)),
        ("fees", Value::Decimal(Decimal::new(fees, 2))),
    ])
}

fn event(code: &str, person: &str, dept: &str, fee: i64, from: &str, to: &str) -> Record {
    record(&[
        ("code", text(code)),
        ("person", text(person)),
        ("dept", text(dept)),
        ("fee", Value::Decimal(Decimal::new(fee, 2))),
        ("start_date", date(from)),
        ("end_date", date(to)),
    ])
}

const VALID_ID: &str = "11010519491231002X";

#[test]
fn count_sum_and_membership_rules_compare_across_tables() {
    let db = fixture();
    insert(
        &db,
        "1.9.1",
        vec![
            person("P1", "机械", VALID_ID, "1949-12-31", "2"),
            person("P2", "机械", VALID_ID, "1949-12-31", "2"),
            person("P3", "电子", VALID_ID, "1949-12-31", "2"),
        ],
    );
    // 机械 counts 2 people and 12.50 of fees: right; 电子 claims 2 people and 1.00: both wrong.
    insert(
        &db,
        "1.9.3",
        vec![dept("机械", 2, 1250), dept("电子", 2, 100)],
    );
    insert(
        &db,
        "1.9.4",
        vec![
            event("E1", "P1", "机械", 1000, "2022-10-01", "2022-10-02"),
            event("E2", "P1", "机械", 250, "2022-10-01", "2022-10-02"),
            event("E3", "P3", "财务", 0, "2022-10-01", "2022-10-02"),
        ],
    );
    assert_eq!(
        found(&db, "1.9.3"),
        set(&[("F-count", "jdgc部门=电子"), ("F-sum", "jdgc部门=电子")])
    );
    let member = found(&db, "1.9.4");
    assert!(member.contains(&("F-member".into(), "jdgc活动编号=E3".into())));
    assert!(!member
        .iter()
        .any(|(r, row)| r == "F-member" && row.ends_with("E1")));
}

#[test]
fn reference_rules_find_values_missing_from_the_target() {
    let db = fixture();
    insert(
        &db,
        "1.9.1",
        vec![person("P1", "机械", VALID_ID, "1949-12-31", "2")],
    );
    let mut ok = event("E1", "P1", "机械", 0, "2022-10-01", "2022-10-02");
    ok.insert("members".into(), Value::List(vec!["P1".into()]));
    let mut bad = event("E2", "NOPE", "机械", 0, "2022-10-01", "2022-10-02");
    bad.insert(
        "members".into(),
        Value::List(vec!["P1".into(), "P9".into()]),
    );
    insert(&db, "1.9.4", vec![ok, bad]);
    let refs: BTreeSet<_> = found(&db, "1.9.4")
        .into_iter()
        .filter(|(r, _)| r.starts_with("REF:"))
        .collect();
    assert_eq!(
        refs,
        set(&[
            ("REF:1.9.4.person", "jdgc活动编号=E2"),
            ("REF:1.9.4.members", "jdgc活动编号=E2"),
        ])
    );
}

#[test]
fn date_order_rules_catch_an_end_before_its_start() {
    let db = fixture();
    insert(
        &db,
        "1.9.4",
        vec![
            event("E1", "", "", 0, "2022-10-01", "2022-10-01"),
            event("E2", "", "", 0, "2022-10-05", "2022-10-01"),
        ],
    );
    let order: BTreeSet<_> = found(&db, "1.9.4")
        .into_iter()
        .filter(|(r, _)| r == "F-order")
        .collect();
    assert_eq!(order, set(&[("F-order", "jdgc活动编号=E2")]));
}

#[test]
fn id_rules_check_the_digit_and_derive_birth_date_and_sex() {
    let db = fixture();
    insert(
        &db,
        "1.9.1",
        vec![
            person("P1", "机械", VALID_ID, "1949-12-31", "2"),
            person("P2", "机械", "110105194912310021", "1949-12-31", "2"),
            person("P3", "机械", VALID_ID, "1950-01-01", "1"),
            person("P4", "机械", "not an id", "1950-01-01", "1"),
        ],
    );
    assert_eq!(
        found(&db, "1.9.1"),
        set(&[
            ("F-id", "jdgc编号=P2"),
            ("F-id", "jdgc编号=P4"),
            ("F-birth", "jdgc编号=P3"),
            ("F-sex", "jdgc编号=P3"),
        ])
    );
}

#[test]
fn completeness_wants_a_row_from_every_filling_unit() {
    let db = fixture();
    insert(&db, "1.9.5", vec![record(&[("note", text("有"))])]);
    assert_eq!(
        found_with(&db, "1.9.5", &["jdgc", "xxgc"]),
        set(&[("FULL:1.9.5", "xxgc")])
    );
}

#[test]
fn check_names_file_line_and_key_of_a_broken_rule() {
    let scratch = Scratch::new();
    scratch.write(
        "table-defs/rules/broken.toml",
        "# a broken rule\n\n[[rules]]\nid = \"B1\"\ntable = \"1.5.3\"\nseverity = \"error\"\n\
         source = \"test\"\ncheck = \"total = count('1.5.1' where nope = @grade)\"\nmessage = \"{total}\"\n\n\
         [[rules]]\nid = \"B2\"\ntable = \"1.5.3\"\nseverity = \"error\"\nsource = \"test\"\n\
         check = \"total = 'x' + 1\"\nmessage = \"x\"\n",
    );
    let problems = match defs::load_catalog(&scratch.path("table-defs")) {
        Ok(_) => panic!("broken rules load"),
        Err(p) => p.0,
    };
    let shown: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert!(
        shown
            .iter()
            .any(|p| p.contains("broken.toml:3: rules[0].check") && p.contains("nope")),
        "{shown:?}"
    );
    assert!(
        shown
            .iter()
            .any(|p| p.contains("broken.toml:11: rules[1].check") && p.contains("算术")),
        "{shown:?}"
    );
}
