//! policy.csv against the notice's tables 2 and 3, and casbin's answers.

use std::collections::BTreeSet;

use statusdata::authz::{Action, Policy};
use statusdata::defs;

use crate::support::{notice, project_paths};

/// The canonical unit name for a name the notice uses (it writes 政务部（人事处） and 政务部（人事）).
fn canonical(units: &defs::Units, name: &str) -> String {
    if units.group_by_name(name).is_some() {
        return name.to_owned();
    }
    units
        .by_name(name)
        .map(|u| u.name.clone())
        .unwrap_or_else(|| panic!("unit {name} in units.toml"))
}

#[tokio::test]
async fn policy_reproduces_the_notice_assignments() -> anyhow::Result<()> {
    let paths = project_paths();
    let units = defs::load_units(&paths.units)?;
    let policy = Policy::load(&paths.policies).await?;
    for row in notice() {
        for (action, expected) in [
            (Action::Fill, &row.fill_units),
            (Action::Review, &row.review_units),
        ] {
            let want: BTreeSet<String> = expected.iter().map(|u| canonical(&units, u)).collect();
            let got: BTreeSet<String> = policy
                .granted(&row.code, action)
                .into_iter()
                .map(str::to_owned)
                .collect();
            assert_eq!(got, want, "{action} units of {} {}", row.code, row.name);
        }
    }
    Ok(())
}

#[tokio::test]
async fn casbin_answers_fill_and_review() -> anyhow::Result<()> {
    let policy = Policy::load(&project_paths().policies).await?;
    let yes = [
        ("教务部", "1.2.1", Action::Fill),
        ("图书馆", "1.1.6", Action::Review),
        ("政务部（人事）", "0.1.3", Action::Fill),
        ("信息工程学院", "2.1.1", Action::Fill),
        ("机电工程学院", "2.15.2", Action::Fill),
        ("教务部", "2.1.1", Action::Review),
        ("教务部", "2.15.2", Action::Review),
        ("质量部", "2.15.2", Action::Review),
        ("学务部", "2.18.1", Action::Fill),
        ("马克思主义学院", "2.18.1", Action::Fill),
        ("学务部（招办）", "2.4.1", Action::Fill),
        ("学务部", "2.4.1", Action::Review),
        ("质量部", "2.9.5", Action::Accept),
        ("质量部", "0.1.1", Action::Read),
    ];
    for (unit, table, action) in yes {
        assert!(
            policy.allows(unit, table, action),
            "{unit} should {action} {table}"
        );
    }
    let no = [
        ("信息工程学院", "2.1.1", Action::Review),
        ("信息工程学院", "1.2.1", Action::Fill),
        ("马克思主义学院", "2.1.1", Action::Fill),
        ("学务部", "2.4.1", Action::Fill),
        ("学务部（招办）", "2.4.1", Action::Review),
        ("政务部", "1.4.1", Action::Fill),
        ("财务处", "2.15.2", Action::Review),
        ("教务部", "2.9.5", Action::Accept),
        ("五专部", "2.18.1", Action::Fill),
    ];
    for (unit, table, action) in no {
        assert!(
            !policy.allows(unit, table, action),
            "{unit} must not {action} {table}"
        );
    }
    Ok(())
}

#[tokio::test]
async fn every_college_fills_through_the_group() -> anyhow::Result<()> {
    let paths = project_paths();
    let units = defs::load_units(&paths.units)?;
    let policy = Policy::load(&paths.policies).await?;
    let colleges = units.group_by_name("各院系").expect("各院系");
    assert!(colleges.members.len() >= 5);
    for code in &colleges.members {
        let unit = units.by_code(code).expect("member unit");
        for table in ["2.1.1", "2.3.1", "2.13.1", "2.15.10", "2.16.4"] {
            assert!(
                policy.allows(&unit.name, table, Action::Fill),
                "{} fills {table}",
                unit.name
            );
        }
    }
    Ok(())
}

#[test]
fn units_cover_every_unit_the_notice_names() -> anyhow::Result<()> {
    let units = defs::load_units(&project_paths().units)?;
    let named: BTreeSet<String> = notice()
        .into_iter()
        .flat_map(|r| r.fill_units.into_iter().chain(r.review_units))
        .chain(["人事处", "教务部（实训中心）"].map(str::to_owned))
        .collect();
    for name in named {
        let known = units.by_name(&name).is_some() || units.group_by_name(&name).is_some();
        assert!(known, "{name} is not in seeds/units.toml");
    }
    for (sub, parent) in [
        ("政务部（人事）", "zwb"),
        ("学务部（招办）", "xwb"),
        ("教务部（实训中心）", "jwb"),
    ] {
        let unit = units.by_name(sub).expect("sub-unit");
        assert_eq!(unit.parent.as_deref(), Some(parent), "parent of {sub}");
    }
    Ok(())
}
