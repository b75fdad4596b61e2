//! The demo college: realistic values, every reference resolvable, counts that agree, and exactly
//! the breakages it reports. Most checks run on the generated rows; one writes them to the
//! active backend.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, OnceLock};

use rust_decimal::Decimal;
use statusdata::authz::{Action, Policy};
use statusdata::defs::{self, Catalog, FieldType, Units};
use statusdata::demo::{self, DemoError, DemoOptions, FillUnits, Generated};
use statusdata::store::{AggFn, AggregateQuery, Measure, Record, RowScope, Value};
use statusdata::validate::{self, formats, Severity};

use crate::db::TestDb;
use crate::support::{project_paths, root};

struct Demo {
    catalog: Arc<Catalog>,
    units: Units,
    fill: FillUnits,
    data: Generated,
}

fn setup() -> (Arc<Catalog>, Units, FillUnits) {
    let paths = project_paths();
    let catalog = Arc::new(defs::load_catalog(&paths.defs).expect("definitions"));
    let units = defs::load_units(&paths.units).expect("units");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let policy = runtime
        .block_on(Policy::load(&paths.policies))
        .expect("policy");
    let fill = policy.unit_codes(&catalog, &units, Action::Fill);
    (catalog, units, fill)
}

/// Generated once for all the checks below (scale 1, the default seed).
fn demo_data() -> &'static Demo {
    static DEMO: OnceLock<Demo> = OnceLock::new();
    DEMO.get_or_init(|| {
        let (catalog, units, fill) = setup();
        let data = demo::generate(&catalog, &units, &fill, DemoOptions::default());
        Demo {
            catalog,
            units,
            fill,
            data,
        }
    })
}

fn rows<'a>(d: &'a Demo, code: &str) -> &'a [(String, Record)] {
    d.data.tables.get(code).map_or(&[], Vec::as_slice)
}

fn text<'a>(r: &'a Record, field: &str) -> &'a str {
    match r.get(field) {
        Some(Value::Text(s)) => s,
        _ => "",
    }
}

fn broken(d: &Demo, table: &str, field: &str) -> usize {
    d.data
        .breakages
        .iter()
        .filter(|b| b.table == table && b.field == field)
        .count()
}

#[test]
fn the_college_has_a_real_college_s_size() {
    let d = demo_data();
    let n = |code| rows(d, code).len();
    assert!(
        (11_000..=13_500).contains(&n("1.5.1")),
        "students {}",
        n("1.5.1")
    );
    assert_eq!(n("0.1.5"), n("1.5.1"), "0.1.5 row for row");
    assert_eq!((n("1.4.1"), n("1.4.2"), n("1.6.1")), (600, 150, 300));
    assert!((36..=48).contains(&n("1.2.1")), "majors {}", n("1.2.1"));
    assert!(
        n("0.1.2") >= 1_200 && n("2.1.1") >= 6_000,
        "courses {} teaching {}",
        n("0.1.2"),
        n("2.1.1")
    );
    let colleges = d
        .units
        .group_by_name("各院系")
        .map_or(0, |g| g.members.len());
    assert!(colleges >= 6);
    for t in &d.catalog.tables {
        assert!(n(&t.code) >= 1, "{} has no rows", t.code);
        if t.scope == defs::Scope::Single {
            assert_eq!(
                n(&t.code),
                d.fill[&t.code].len(),
                "{} is one row per filling unit",
                t.code
            );
        }
    }
}

#[test]
fn majors_come_from_the_2021_catalogue() {
    let d = demo_data();
    let list = d.catalog.code_list("majors").expect("majors list");
    let mut differ = Vec::new();
    for (_, r) in rows(d, "1.2.1") {
        let code = text(r, "major_code");
        assert!(list.get(code).is_some(), "{code}");
        if list.get(code).map(|c| c.name.as_str()) != Some(text(r, "major_name")) {
            differ.push(code.to_owned());
        }
    }
    // Only X01's planted break renames a major.
    assert_eq!(differ.len(), broken(d, "1.2.1", "major_name"), "{differ:?}");
}

#[test]
fn generation_is_deterministic_for_a_seed() {
    let d = demo_data();
    let again = demo::generate(&d.catalog, &d.units, &d.fill, DemoOptions::default());
    assert!(again == d.data, "the same seed gives the same data");
    let other = demo::generate(
        &d.catalog,
        &d.units,
        &d.fill,
        DemoOptions {
            seed: 7,
            ..DemoOptions::default()
        },
    );
    assert_ne!(other.tables.get("1.5.1"), d.data.tables.get("1.5.1"));
}

#[test]
fn every_value_passes_its_field_rules_except_the_reported_breakages() {
    let d = demo_data();
    let mut found: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut unexpected = BTreeMap::new();
    for t in &d.catalog.tables {
        for (_, r) in rows(d, &t.code) {
            for p in validate::check_record(&d.catalog, t, r, &validate::CycleDates::standard(2023))
            {
                if p.severity == Severity::Error {
                    *found.entry((t.code.clone(), p.field.clone())).or_default() += 1;
                    if broken(d, &t.code, &p.field) == 0 {
                        unexpected
                            .entry(format!("{}.{}", t.code, p.field))
                            .or_insert(p.message);
                    }
                }
            }
        }
    }
    assert!(unexpected.is_empty(), "{unexpected:#?}");
    assert_eq!(
        found.get(&("1.5.1".into(), "id_no".into())),
        Some(&1),
        "the broken ID is found, once"
    );
}

#[test]
fn every_reference_resolves_except_the_reported_one() {
    let d = demo_data();
    let mut values: HashMap<(String, String), BTreeSet<String>> = HashMap::new();
    for t in &d.catalog.tables {
        for f in &t.fields {
            let set: BTreeSet<String> = rows(d, &t.code)
                .iter()
                .map(|(_, r)| text(r, &f.name).to_owned())
                .collect();
            values.insert((t.slug.clone(), f.name.clone()), set);
        }
    }
    let mut dangling = Vec::new();
    for t in &d.catalog.tables {
        for f in &t.fields {
            let targets = f.ty.ref_targets();
            if targets.is_empty() {
                continue;
            }
            for (_, r) in rows(d, &t.code) {
                let items: Vec<&str> = match r.get(&f.name) {
                    Some(Value::Text(s)) => vec![s.as_str()],
                    Some(Value::List(l)) => l.iter().map(String::as_str).collect(),
                    _ => vec![],
                };
                for item in items {
                    let ok = targets.iter().any(|x| {
                        values
                            .get(&(x.table.clone(), x.field.clone()))
                            .is_some_and(|s| s.contains(item))
                    });
                    if !ok {
                        dangling.push(format!("{}.{} = {item}", t.code, f.name));
                    }
                }
            }
        }
    }
    assert_eq!(
        dangling,
        vec!["2.1.1.course_code = XX9999".to_owned()],
        "only the reported breakage dangles"
    );
}

#[test]
fn rosters_and_their_tables_agree() {
    let d = demo_data();
    let identity = |code: &str, key: &str, fields: &[&str]| -> BTreeMap<String, Vec<String>> {
        rows(d, code)
            .iter()
            .map(|(_, r)| {
                (
                    text(r, key).to_owned(),
                    fields.iter().map(|f| format!("{:?}", r.get(*f))).collect(),
                )
            })
            .collect()
    };
    let students = [
        "name",
        "gender",
        "id_type",
        "id_no",
        "major_code",
        "class_name",
        "grade",
    ];
    let (roster, table) = (
        identity("0.1.5", "student_no", &students),
        identity("1.5.1", "student_no", &students),
    );
    assert_eq!(roster.len(), table.len());
    let differ = roster
        .iter()
        .filter(|(k, v)| table.get(*k) != Some(v))
        .count();
    assert_eq!(
        differ,
        broken(d, "1.5.1", "id_no"),
        "only the reported wrong ID differs"
    );
    let teachers = [
        "name",
        "gender",
        "birth_ym",
        "id_type",
        "id_no",
        "dept_code",
    ];
    let roster = identity("0.1.3", "teacher_no", &teachers);
    let table = identity("1.4.1", "teacher_no", &teachers);
    let differ: Vec<_> = roster
        .iter()
        .filter(|(k, v)| table.get(*k) != Some(v))
        .map(|(k, _)| k.clone())
        .collect();
    // Only X04's planted break changes a teacher's identity (the gender).
    assert_eq!(differ.len(), broken(d, "1.4.1", "gender"), "{differ:?}");
    for (_, r) in rows(d, "1.5.1") {
        let id = text(r, "id_no");
        if formats::is_gb11643(id) {
            assert_eq!(
                formats::gb11643_birth_date(id).map(Value::Date),
                r.get("birth_date").cloned(),
                "{id}"
            );
            let odd = (id.as_bytes()[16] - b'0') % 2 == 1;
            assert_eq!(odd, text(r, "gender") == "1", "{id}");
        }
    }
    assert!(rows(d, "1.6.1")
        .iter()
        .all(|(_, r)| formats::is_gb32100(text(r, "uscc"))));
}

#[test]
fn counts_and_sums_agree_except_the_reported_ones() {
    let d = demo_data();
    let mut counted: BTreeMap<(String, String), i64> = BTreeMap::new();
    for code in ["1.5.1", "1.5.2"] {
        for (_, r) in rows(d, code) {
            let grade = format!("{:?}", r.get("grade"));
            *counted
                .entry((text(r, "major_code").to_owned(), grade))
                .or_default() += 1;
        }
    }
    let mismatched = rows(d, "1.5.3")
        .iter()
        .filter(|(_, r)| {
            let key = (
                text(r, "major_code").to_owned(),
                format!("{:?}", r.get("grade")),
            );
            r.get("total") != Some(&Value::Int(counted.get(&key).copied().unwrap_or(0)))
        })
        .count();
    assert_eq!(mismatched, broken(d, "1.5.3", "total"));

    let dec = |r: &Record, f: &str| match r.get(f) {
        Some(Value::Decimal(x)) => *x,
        _ => Decimal::ZERO,
    };
    let other_income: Decimal = rows(d, "2.11.2")
        .iter()
        .map(|(_, r)| dec(r, "amount"))
        .sum();
    let income = &rows(d, "2.11.1")[0].1;
    assert_eq!(dec(income, "other"), other_income);
    let table = d.catalog.table_by_code("2.11.1").expect("2.11.1");
    let parts: Decimal = table
        .fields
        .iter()
        .filter(|f| {
            matches!(f.ty, FieldType::Decimal { .. })
                && f.name != "total"
                && !f.label.starts_with("其中")
        })
        .map(|f| dec(income, &f.name))
        .sum();
    assert_eq!(
        dec(income, "total") - parts,
        Decimal::new(1000, 2),
        "the reported 10.00 breakage, nothing else"
    );
    let other_expense: Decimal = rows(d, "2.11.4")
        .iter()
        .map(|(_, r)| dec(r, "amount"))
        .sum();
    assert_eq!(dec(&rows(d, "2.11.3")[0].1, "other"), other_expense);
}

#[test]
fn teaching_rows_point_at_real_courses_and_classes() {
    let d = demo_data();
    let offered: BTreeSet<(String, String)> = rows(d, "1.3.1")
        .iter()
        .map(|(_, r)| {
            (
                text(r, "major_code").to_owned(),
                text(r, "course_code").to_owned(),
            )
        })
        .collect();
    let classes: BTreeSet<&str> = rows(d, "1.5.1")
        .iter()
        .map(|(_, r)| text(r, "class_name"))
        .collect();
    let mut bad = 0;
    for (unit, r) in rows(d, "2.1.1") {
        assert!(
            classes.contains(text(r, "class_name")),
            "{}",
            text(r, "class_name")
        );
        if !offered.contains(&(
            text(r, "major_code").to_owned(),
            text(r, "course_code").to_owned(),
        )) {
            bad += 1;
        }
        assert!(
            d.fill["2.1.1"].contains(unit),
            "2.1.1 rows belong to a 院系, not {unit}"
        );
    }
    assert_eq!(bad, broken(d, "2.1.1", "course_code"));
}

#[test]
fn seeding_writes_every_table_and_refuses_a_second_time() -> anyhow::Result<()> {
    let db = TestDb::new(&root());
    let (_, units, fill) = setup();
    let csv = std::fs::read_to_string(root().join("seeds/demo-accounts.csv"))?;
    let report = demo::seed_demo(&db.store, &units, &fill, Some(&csv), DemoOptions::default())?;
    assert_eq!(report.accounts, csv.lines().count() - 1);
    // One per rule family X01–X21, one reference break and one in last year's row (LINK).
    assert_eq!(report.breakages.len(), 23);
    for (code, _, n) in &report.rows {
        let table = db.table(code);
        assert_eq!(
            db.store.count(&table, &RowScope::All, 2023, None)? as usize,
            *n,
            "{code}"
        );
    }
    // 1.5.3 against 1.5.1 through the store's own aggregate.
    let students = db.table("1.5.1");
    let by_major = AggregateQuery {
        cycle: 2023,
        filter: None,
        group_by: vec!["major_code".into(), "grade".into()],
        measures: vec![Measure {
            func: AggFn::Count,
            field: None,
        }],
    };
    let key = |m: &Value, g: &Value| (format!("{m:?}"), format!("{g:?}"));
    let counted: BTreeMap<(String, String), Value> = db
        .store
        .aggregate(&students, &RowScope::All, &by_major)?
        .into_iter()
        .map(|g| {
            (
                key(&g.group["major_code"], &g.group["grade"]),
                g.values[0].clone(),
            )
        })
        .collect();
    let counts = db.store.list(
        &db.table("1.5.3"),
        &RowScope::All,
        &statusdata::store::ListQuery {
            cycle: 2023,
            filter: None,
            order: vec![],
            limit: None,
            offset: 0,
        },
    )?;
    let mismatched = counts
        .iter()
        .filter(|r| r.values["level"] == Value::Text("01".into()))
        .filter(|r| {
            counted.get(&key(&r.values["major_code"], &r.values["grade"]))
                != Some(&r.values["total"])
        })
        .count();
    assert_eq!(mismatched, 1, "only the reported 1.5.3 breakage");
    match demo::seed_demo(&db.store, &units, &fill, None, DemoOptions::default()) {
        Err(DemoError::NotEmpty(_)) => {}
        other => panic!("a second seed must be refused, got {other:?}"),
    }
    assert_eq!(db.store.count_users()?, report.accounts as i64);
    Ok(())
}
