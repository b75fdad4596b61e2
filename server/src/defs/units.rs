//! Loads `seeds/units.toml`: the college's units (部门, 院系) and unit groups (各院系).

use std::collections::HashSet;
use std::path::Path;

use super::raw::{self, RawUnits};
use super::{naming, Problem, Problems, Unit, UnitGroup, Units};

/// Reads and checks the units file; every problem is reported at once.
pub fn load_units(path: &Path) -> Result<Units, Problems> {
    let mut problems = Problems::default();
    let Some(text) = super::load::read(path, &mut problems) else {
        return Err(problems);
    };
    let raw: RawUnits = raw::parse(path, &text).map_err(|p| Problems(vec![p]))?;

    let mut codes = HashSet::new();
    let mut names = HashSet::new();
    for (i, u) in raw.units.iter().enumerate() {
        if let Err(msg) = naming::check_identifier(&u.code) {
            problems.push(Problem::at(path, format!("units[{i}].code"), msg));
        }
        if !codes.insert(u.code.as_str()) {
            problems.push(Problem::at(
                path,
                format!("units[{i}].code"),
                format!("部门代码“{}”重复", u.code),
            ));
        }
        for (key, name) in std::iter::once(("name".to_owned(), &u.name)).chain(
            u.aliases
                .iter()
                .enumerate()
                .map(|(j, a)| (format!("aliases[{j}]"), a)),
        ) {
            if !names.insert(name.as_str()) {
                problems.push(Problem::at(
                    path,
                    format!("units[{i}].{key}"),
                    format!("“{name}”同时指两个部门"),
                ));
            }
        }
    }
    for (i, u) in raw.units.iter().enumerate() {
        if let Some(parent) = &u.parent {
            if parent == &u.code || !codes.contains(parent.as_str()) {
                problems.push(Problem::at(
                    path,
                    format!("units[{i}].parent"),
                    format!("没有上级部门“{parent}”"),
                ));
            }
        }
    }
    for (i, g) in raw.groups.iter().enumerate() {
        if let Err(msg) = naming::check_identifier(&g.code) {
            problems.push(Problem::at(path, format!("groups[{i}].code"), msg));
        }
        if codes.contains(g.code.as_str()) || !names.insert(g.name.as_str()) {
            problems.push(Problem::at(
                path,
                format!("groups[{i}]"),
                format!("部门组“{}”与某个部门重名", g.name),
            ));
        }
        if g.members.is_empty() {
            problems.push(Problem::at(
                path,
                format!("groups[{i}].members"),
                "部门组至少需要一个成员",
            ));
        }
        for (j, m) in g.members.iter().enumerate() {
            if !codes.contains(m.as_str()) {
                problems.push(Problem::at(
                    path,
                    format!("groups[{i}].members[{j}]"),
                    format!("没有部门“{m}”"),
                ));
            }
        }
    }
    if !problems.is_empty() {
        super::locate::locate_lines(&mut problems, |_| Some(text.clone()));
        return Err(problems);
    }
    Ok(Units {
        units: raw
            .units
            .into_iter()
            .map(|u| Unit {
                code: u.code,
                name: u.name,
                kind: u.kind,
                parent: u.parent,
                aliases: u.aliases,
            })
            .collect(),
        groups: raw
            .groups
            .into_iter()
            .map(|g| UnitGroup {
                code: g.code,
                name: g.name,
                members: g.members,
            })
            .collect(),
    })
}
