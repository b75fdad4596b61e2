//! The whole check set on the demo college: every notice rule family (X01–X21, and the reference
//! rules) finds the violation planted for it (`demo/breakages.rs`), findings are diffed across
//! runs (a fixed row resolves its finding, an explanation survives a rerun), and the demo gives
//! no finding beyond its planted rows. A copy of the seeded demo college per test, on the active
//! backend.

use std::collections::BTreeSet;

use statusdata::demo::Breakage;
use statusdata::store::findings::{explain_finding, list_findings, Finding, FindingFilter};
use statusdata::store::{Record, RowScope};
use statusdata::validate::rules::{findings_for, run_checks, FillUnits, RunScope};

use crate::db::TestDb;

/// Each family's planted break and the rules that may find its row: the first is the family's
/// own rule (it must find the row); the others follow from the same change.
const PLANTED: &[(&str, &[&str])] = &[
    ("X01", &["X01-name-1.2.1"]),
    ("X02", &["X02-new-in-1.2.1"]),
    ("X03", &["X03-ext-hours"]),
    ("X04", &["X04-teacher-gender", "X21-sex-1.4.1"]),
    ("X05", &["X05-total"]),
    ("X06", &["X06-in-students", "HELP-roster-1.5.4"]),
    ("X07", &["X07-source-vs-level"]),
    ("X08", &["X08-placed-sum"]),
    ("X09", &["X09-order-2.2.1"]),
    ("X10", &["X10-income-total"]),
    ("X11", &["X11-building"]),
    ("X12", &["X12-new-equipment"]),
    ("X13", &["X13-company-name"]),
    ("X14", &["X14-overseas"]),
    ("X15", &["X15-2.18.3-name", "HELP-name-2.18.3"]),
    ("X16", &["X16-psych-two", "X16-psych-ratio"]),
    ("X17", &["X17-hours"]),
    ("X18", &["X18-double-qualified"]),
    ("X19", &["X19-core-member"]),
    ("X20", &["X20-cert-2.16.2", "X20-major-2.16.2"]),
    ("X21", &["X21-id-1.5.1", "X04-student-id_no", "FIELD:1.5.1"]),
    ("REF", &["REF:2.1.1.course_code", "X03-course-major"]),
    // A warning, planted in last year's row: it goes through the explanation path.
    ("LINK", &["LINK-title-1.4.1"]),
];

struct Seeded {
    db: TestDb,
    fill: FillUnits,
    breakages: Vec<Breakage>,
}

fn seeded() -> anyhow::Result<Seeded> {
    let seed = crate::db::demo_seed();
    Ok(Seeded {
        db: TestDb::demo(),
        fill: seed.fill.clone(),
        breakages: seed.report.breakages.clone(),
    })
}

fn scope(fill: &FillUnits) -> RunScope<'_> {
    RunScope {
        cycle: 2023,
        table: None,
        unit: None,
        fill_units: Some(fill),
        actor: "T0001",
    }
}

fn all() -> FindingFilter {
    FindingFilter {
        cycle: 2023,
        ..FindingFilter::default()
    }
}

/// The family of a planted break (`[X05] …`).
fn family(b: &Breakage) -> &str {
    b.what
        .strip_prefix('[')
        .and_then(|w| w.split_once(']'))
        .map_or("", |(f, _)| f)
}

/// A breakage's row as findings name it: `学号=20210100008，…` (labels, plain values).
fn row_ref(s: &Seeded, b: &Breakage) -> String {
    let table = s.db.table(&b.table);
    b.row
        .split(", ")
        .filter(|p| !p.is_empty())
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| {
            let label = table.field(k).map_or(k, |f| f.label.as_str());
            let value = match serde_json::from_str::<serde_json::Value>(v) {
                Ok(serde_json::Value::String(t)) => t,
                _ => v.to_owned(),
            };
            format!("{label}={value}")
        })
        .collect::<Vec<_>>()
        .join("，")
}

/// True when `f` is a finding of `rules` on the planted row (a whole-table rule names no row).
fn at_planted(s: &Seeded, f: &Finding, b: &Breakage, rules: &[&str]) -> bool {
    let whole =
        s.db.store
            .catalog()
            .rules
            .iter()
            .any(|r| r.id == f.found.rule && r.whole_table);
    rules.contains(&f.found.rule.as_str())
        && f.found.table_code == b.table
        && f.found.unit == b.unit
        && (f.found.row_ref == row_ref(s, b) || (whole && f.found.row_ref.is_empty()))
}

#[test]
fn every_rule_family_finds_its_planted_row() -> anyhow::Result<()> {
    let s = seeded()?;
    let families: BTreeSet<&str> = s.breakages.iter().map(family).collect();
    let wanted: BTreeSet<&str> = PLANTED.iter().map(|(f, _)| *f).collect();
    assert_eq!(families, wanted, "one planted break per family");

    let catalog = s.db.store.catalog().clone();
    let mut conn = s.db.store.conn()?;
    run_checks(&mut conn, &catalog, &scope(&s.fill), &mut |_| {})?;
    let found = list_findings(&mut conn, &all())?;
    for b in &s.breakages {
        let (_, rules) = PLANTED
            .iter()
            .find(|(f, _)| *f == family(b))
            .expect("family in PLANTED");
        assert!(
            found.iter().any(|f| at_planted(&s, f, b, &rules[..1])),
            "{} not found by {} at {} {} {}",
            b.what,
            rules[0],
            b.table,
            b.unit,
            row_ref(&s, b)
        );
    }

    // The unit explains one finding; the X09 internship is corrected; a rerun keeps the one and
    // resolves the other.
    let x05 = found
        .iter()
        .find(|f| f.found.rule == "X05-total")
        .expect("X05");
    explain_finding(
        &mut conn,
        x05.id,
        "有1名学生休学，已核实",
        "T0001",
        "2023-10-01T00:00:00Z",
    )?;
    let x09 = found
        .iter()
        .find(|f| f.found.rule == "X09-order-2.2.1")
        .expect("X09");
    let internships = s.db.table("2.2.1");
    let row_id = x09.found.row_id.expect("row id");
    let row =
        s.db.store
            .get(&internships, &RowScope::All, row_id)?
            .expect("row");
    let start = row.values.get("start_date").cloned().expect("start");
    // Corrected whole: a one-day internship lasts one day (HELP-days-2.2.1).
    let patch: Record = [
        ("end_date".to_owned(), start),
        ("days".to_owned(), statusdata::store::Value::Int(1)),
    ]
    .into_iter()
    .collect();
    s.db.store.unguarded().update(
        &internships,
        &RowScope::All,
        row_id,
        row.row_version,
        &patch,
        "T0001",
    )?;
    drop(conn);
    let mut conn = s.db.store.conn()?;
    let second = run_checks(&mut conn, &catalog, &scope(&s.fill), &mut |_| {})?;
    assert_eq!(second.changes.opened, 0, "{second:?}");
    assert!(second.changes.resolved >= 1, "{second:?}");
    let after = list_findings(&mut conn, &all())?;
    let state = |id: i64| after.iter().find(|f| f.id == id).map(|f| f.state.clone());
    assert_eq!(state(x05.id), Some("explained".into()));
    assert_eq!(state(x09.id), Some("resolved".into()));

    // At submission: the unit's table brings up its own findings, errors blocking.
    let at_submit = findings_for(&mut conn, &catalog, 2023, "1.5.1", "xwb")?;
    let rules: BTreeSet<_> = at_submit.iter().map(|f| f.found.rule.as_str()).collect();
    assert!(rules.contains("X21-id-1.5.1") && rules.contains("X04-student-id_no"));
    Ok(())
}

/// Holds once the demo generator derives every summary from its details (the `demo` branch):
/// until then it lists, by rule, what the demo gives beyond its planted rows.
#[test]
fn the_demo_gives_nothing_beyond_its_planted_breaks() -> anyhow::Result<()> {
    let s = seeded()?;
    let catalog = s.db.store.catalog().clone();
    let mut conn = s.db.store.conn()?;
    run_checks(&mut conn, &catalog, &scope(&s.fill), &mut |_| {})?;
    let mut extra: std::collections::BTreeMap<String, usize> = Default::default();
    for f in list_findings(&mut conn, &all())? {
        let planted = s.breakages.iter().any(|b| {
            PLANTED
                .iter()
                .find(|(fam, _)| *fam == family(b))
                .is_some_and(|(_, rules)| at_planted(&s, &f, b, rules))
        });
        if !planted {
            *extra.entry(f.found.rule).or_default() += 1;
        }
    }
    assert!(
        extra.is_empty(),
        "findings beyond the planted breaks: {extra:#?}"
    );
    Ok(())
}
