//! `statusdata check`: loads definitions, code lists, units and policies together and reports
//! every way they disagree. Each loader checks its own files; this module checks them against
//! each other (policy subjects are units, every table has a filler, a reviewer and an acceptor).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::authz::{Action, Policy};
use crate::defs::{self, Catalog, Problem, Problems, TableKind, Units};

/// Where the administrator's files are.
#[derive(Debug, Clone)]
pub struct Paths {
    pub defs: PathBuf,
    pub units: PathBuf,
    pub policies: PathBuf,
}

/// What a clean check found, for the summary line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub tables: usize,
    pub source: usize,
    pub basic: usize,
    pub special: usize,
    pub fields: usize,
    pub code_lists: usize,
    pub units: usize,
    pub rules: usize,
    /// Core indicators in `indicators.toml`.
    pub indicators: usize,
}

/// Runs every check; `Err` carries all problems found.
pub async fn check_all(paths: &Paths) -> Result<Summary, Problems> {
    let mut problems = Problems::default();
    let catalog = defs::load_catalog(&paths.defs)
        .map_err(|p| problems.0.extend(p.0))
        .ok();
    let units = defs::load_units(&paths.units)
        .map_err(|p| problems.0.extend(p.0))
        .ok();
    let policy = Policy::load(&paths.policies)
        .await
        .map_err(|p| problems.0.extend(p.0))
        .ok();
    // Policy lines are still checked against the units when the definitions are broken, so an
    // administrator sees every problem in one run.
    if let (Some(units), Some(policy)) = (&units, &policy) {
        check_policy(catalog.as_ref(), units, policy, &mut problems);
    }
    let (Some(catalog), Some(units), Some(policy)) = (catalog, units, policy) else {
        return Err(problems);
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    let count = |k| catalog.tables.iter().filter(|t| t.kind == k).count();
    Ok(Summary {
        tables: catalog.tables.len(),
        source: count(TableKind::Source),
        basic: count(TableKind::Basic),
        special: count(TableKind::Special),
        fields: catalog.tables.iter().map(|t| t.fields.len()).sum(),
        code_lists: catalog.code_lists.len(),
        units: units.units.len(),
        rules: policy.rules().len() + policy.groupings().len(),
        indicators: catalog.indicators.len(),
    })
}

/// Checks the policy against the units and, when it loaded, the catalog.
pub fn check_policy(
    catalog: Option<&Catalog>,
    units: &Units,
    policy: &Policy,
    problems: &mut Problems,
) {
    let file = policy.file();
    let at = |line: Option<usize>, message: String| {
        let p = Problem::at(file, "", message);
        match line {
            Some(l) => p.on_line(l),
            None => p,
        }
    };
    for rule in policy.rules() {
        if let Err(msg) = subject_known(units, &rule.subject) {
            problems.push(at(rule.line, msg));
        }
        let unknown_table = catalog.is_some_and(|c| c.table_by_code(&rule.table).is_none());
        if rule.table != "*" && unknown_table {
            problems.push(at(rule.line, format!("没有编号为“{}”的数据表", rule.table)));
        }
        if let Err(msg) = rule.action.parse::<Action>() {
            problems.push(at(rule.line, msg));
        }
    }
    check_groupings(units, policy, problems);
    let Some(catalog) = catalog else { return };
    for table in &catalog.tables {
        for action in [Action::Fill, Action::Review] {
            if policy.granted(&table.code, action).is_empty() {
                problems.push(Problem::at(
                    file,
                    "",
                    format!(
                        "表 {} {}没有任何单位有 `{action}` 权限（请加一行 `p, <单位>, {}, {action}`）",
                        table.code, table.name, table.code
                    ),
                ));
            }
        }
        let accepted = units
            .units
            .iter()
            .any(|u| policy.allows(&u.name, &table.code, Action::Accept));
        if !accepted {
            problems.push(Problem::at(
                file,
                "",
                format!("没有任何单位可以验收（`accept`）表 {}", table.code),
            ));
        }
    }
}

fn subject_known(units: &Units, subject: &str) -> Result<(), String> {
    if units.group_by_name(subject).is_some() {
        return Ok(());
    }
    match units.by_name(subject) {
        Some(u) if u.name == subject => Ok(()),
        Some(u) => Err(format!("“{subject}”是别名，请写部门名称“{}”", u.name)),
        None => Err(format!("部门“{subject}”不在 seeds/units.toml 中")),
    }
}

/// The `g` lines must say exactly what units.toml says about group membership.
fn check_groupings(units: &Units, policy: &Policy, problems: &mut Problems) {
    let file = policy.file();
    let mut declared = BTreeSet::new();
    for g in &units.groups {
        for m in &g.members {
            if let Some(u) = units.by_code(m) {
                declared.insert((u.name.clone(), g.name.clone()));
            }
        }
    }
    let mut written = BTreeSet::new();
    for (member, group, line) in policy.groupings() {
        let problem = if units.group_by_name(group).is_none() {
            Some(format!("没有名为“{group}”的部门组"))
        } else if units.by_name(member).is_none_or(|u| &u.name != member) {
            Some(format!(
                "部门组“{group}”中的部门“{member}”不在 seeds/units.toml 中"
            ))
        } else if !declared.contains(&(member.clone(), group.clone())) {
            Some(format!("seeds/units.toml 中“{member}”不属于“{group}”"))
        } else {
            None
        };
        if let Some(message) = problem {
            let p = Problem::at(file, "", message);
            problems.push(match line {
                Some(l) => p.on_line(*l),
                None => p,
            });
        }
        written.insert((member.clone(), group.clone()));
    }
    for (member, group) in declared.difference(&written) {
        problems.push(Problem::at(
            file,
            "",
            format!("缺少一行 `g, {member}, {group}`（seeds/units.toml 把它列在该组中）"),
        ));
    }
}

/// The default paths relative to a project folder.
pub fn default_paths(root: &Path) -> Paths {
    Paths {
        defs: root.join("table-defs"),
        units: root.join("seeds/units.toml"),
        policies: root.join("policies"),
    }
}
