//! The quality rules on the demo college: they find exactly the rows the generator breaks on
//! purpose, each by the rule its break violates, and nothing else; findings are diffed across
//! runs (a fixed row resolves its finding, an explanation survives a rerun). One seeded database
//! serves every assertion, on the active backend.

use std::collections::BTreeSet;

use statusdata::authz::{Action, Policy};
use statusdata::defs;
use statusdata::demo::{self, DemoOptions};
use statusdata::store::findings::{explain_finding, list_findings, FindingFilter};
use statusdata::store::{Record, RowScope};
use statusdata::validate::rules::{blocks_submission, findings_for, run_checks, RunScope};

use crate::db::TestDb;
use crate::support::{project_paths, root};

/// (rule, table, unit, row) of every finding the demo data should give.
fn expected() -> BTreeSet<(String, String, String, String)> {
    [
        ("X21-id-1.5.1", "1.5.1", "xwb", "学号=20210100008"),
        // The same broken ID number no longer matches the roster (0.1.5) either.
        ("X04-student-id_no", "1.5.1", "xwb", "学号=20210100008"),
        ("X05-total", "1.5.3", "xwb", "层次=01，专业代码=460101，年级=2021"),
        (
            "REF:2.1.1.course_code",
            "2.1.1",
            "jdgc",
            "学年学期=2022-2023-1，课程代码=XX9999，授课班级=机械设计与制造2201班，教师工号/编号=T00417",
        ),
        ("X10-income-total", "2.11.1", "cwc", ""),
        ("X04-teacher-name", "1.4.1", "zwb_rs", "工号=T00012"),
        ("X09-order-2.2.1", "2.2.1", "cjrh", "学号=20210501182，实习开始时间=2022-11-02"),
    ]
    .into_iter()
    .map(|(a, b, c, d)| (a.into(), b.into(), c.into(), d.into()))
    .collect()
}

#[test]
fn the_rules_find_exactly_the_demo_breakages() -> anyhow::Result<()> {
    let db = TestDb::new(&root());
    let paths = project_paths();
    let catalog = db.store.catalog().clone();
    let policy = tokio::runtime::Runtime::new()?.block_on(Policy::load(&paths.policies))?;
    let fill = policy.unit_codes(&catalog, &db.units, Action::Fill);
    let report = demo::seed_demo(&db.store, &db.units, &fill, None, DemoOptions::default())?;
    assert_eq!(report.breakages.len(), 6);
    let units = defs::load_units(&paths.units).map_err(|p| anyhow::anyhow!("{p}"))?;
    assert_eq!(units.units.len(), db.units.units.len());

    let mut conn = db.store.conn()?;
    let scope = RunScope {
        cycle: 2023,
        table: None,
        unit: None,
        fill_units: Some(&fill),
        actor: "T0001",
    };
    let first = run_checks(&mut conn, &catalog, &scope, &mut |_| {})?;
    let all = FindingFilter {
        cycle: 2023,
        ..FindingFilter::default()
    };
    let found: BTreeSet<_> = list_findings(&mut conn, &all)?
        .into_iter()
        .map(|f| (f.rule, f.table_code, f.unit, f.row_ref))
        .collect();
    assert_eq!(found, expected(), "findings on the demo college");
    assert_eq!(first.changes.opened, expected().len());
    for b in &report.breakages {
        assert!(
            found
                .iter()
                .any(|(_, t, u, _)| t == &b.table && u == &b.unit),
            "breakage not found: {b:?}"
        );
    }

    // The unit explains one finding; 2.2.1's internship is corrected; a rerun keeps the one and
    // resolves the other.
    let listed = list_findings(&mut conn, &all)?;
    let count = listed.iter().find(|f| f.rule == "X05-total").expect("X05");
    explain_finding(
        &mut conn,
        count.id,
        "有1名学生休学，已核实",
        "T0001",
        "2023-10-01T00:00:00Z",
    )?;
    let internships = db.table("2.2.1");
    let order = listed
        .iter()
        .find(|f| f.rule == "X09-order-2.2.1")
        .expect("X09");
    let row_id = order.row_id.expect("row id");
    let row = db
        .store
        .get(&internships, &RowScope::All, row_id)?
        .expect("row");
    let start = row.values.get("start_date").cloned().expect("start");
    let patch: Record = [("end_date".to_owned(), start)].into_iter().collect();
    db.store.update(
        &internships,
        &RowScope::All,
        row_id,
        row.row_version,
        &patch,
        "T0001",
    )?;
    drop(conn);
    let mut conn = db.store.conn()?;
    let second = run_checks(&mut conn, &catalog, &scope, &mut |_| {})?;
    assert_eq!(
        (second.changes.opened, second.changes.resolved),
        (0, 1),
        "{second:?}"
    );
    let after = list_findings(&mut conn, &all)?;
    let state = |rule: &str| {
        after
            .iter()
            .find(|f| f.rule == rule)
            .map(|f| (f.state.clone(), f.explanation.clone()))
    };
    assert_eq!(
        state("X05-total"),
        Some(("explained".into(), Some("有1名学生休学，已核实".into())))
    );
    assert_eq!(
        state("X09-order-2.2.1").map(|s| s.0),
        Some("resolved".into())
    );

    // At submission: the unit's table's findings, errors blocking.
    let at_submit = findings_for(&mut conn, &catalog, 2023, "1.5.1", "xwb")?;
    let rules: BTreeSet<_> = at_submit.iter().map(|f| f.rule.as_str()).collect();
    assert_eq!(rules, BTreeSet::from(["X04-student-id_no", "X21-id-1.5.1"]));
    assert!(at_submit.iter().all(blocks_submission));
    assert!(
        findings_for(&mut conn, &catalog, 2023, "2.2.1", "cjrh")?.is_empty(),
        "the corrected internship leaves nothing standing"
    );
    let counts = findings_for(&mut conn, &catalog, 2023, "1.5.3", "xwb")?;
    assert_eq!(counts.len(), 1);
    assert!(!blocks_submission(&counts[0]) || counts[0].severity == "error");
    Ok(())
}
