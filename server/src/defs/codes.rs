//! Loads `codes/*.toml` and resolves `include`s into flat code lists.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use super::raw::{self, RawCodeList};
use super::{naming, Code, CodeList, Problem, Problems};

/// Reads every code list under `dir`, recording problems; broken lists are left out.
pub fn load_code_lists(dir: &Path, problems: &mut Problems) -> BTreeMap<String, CodeList> {
    let mut raws: BTreeMap<String, (PathBuf, RawCodeList)> = BTreeMap::new();
    for file in super::load::toml_files(dir, problems) {
        let Some(text) = super::load::read(&file, problems) else {
            continue;
        };
        let list: RawCodeList = match raw::parse(&file, &text) {
            Ok(list) => list,
            Err(p) => {
                problems.push(p);
                continue;
            }
        };
        if check_list(&file, &list, problems) {
            raws.insert(list.name.clone(), (file, list));
        }
    }
    let mut lists = BTreeMap::new();
    for (name, (file, list)) in &raws {
        let mut seen = HashSet::new();
        if let Some(codes) = flatten(name, &raws, &mut seen, file, problems) {
            let resolved = CodeList::new(
                name.clone(),
                list.label.clone(),
                list.source.clone(),
                list.complete,
                codes,
            );
            lists.insert(name.clone(), resolved);
        }
    }
    lists
}

fn check_list(file: &Path, list: &RawCodeList, problems: &mut Problems) -> bool {
    let before = problems.0.len();
    let stem = file
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    if let Err(msg) = naming::check_identifier(&list.name) {
        problems.push(Problem::at(file, "name", msg));
    } else if list.name != stem {
        problems.push(Problem::at(
            file,
            "name",
            format!(
                "\"{}\" differs from the file name; call the file {}.toml",
                list.name, list.name
            ),
        ));
    }
    if list.codes.is_empty() && list.include.is_empty() {
        problems.push(Problem::at(
            file,
            "codes",
            "the list has no codes and includes no list",
        ));
    }
    let mut seen = HashSet::new();
    for (i, code) in list.codes.iter().enumerate() {
        if code.code.trim().is_empty() || code.code.trim() != code.code {
            problems.push(Problem::at(
                file,
                format!("codes[{i}].code"),
                format!("\"{}\" is empty or has surrounding spaces", code.code),
            ));
        }
        if code.name.trim().is_empty() {
            problems.push(Problem::at(
                file,
                format!("codes[{i}].name"),
                "name must not be empty",
            ));
        }
        if !seen.insert(code.code.as_str()) {
            problems.push(Problem::at(
                file,
                format!("codes[{i}].code"),
                format!("duplicate code \"{}\"", code.code),
            ));
        }
    }
    problems.0.len() == before
}

/// The list's own codes followed by those of its includes, depth first.
fn flatten(
    name: &str,
    raws: &BTreeMap<String, (PathBuf, RawCodeList)>,
    visiting: &mut HashSet<String>,
    file: &Path,
    problems: &mut Problems,
) -> Option<Vec<Code>> {
    let (_, list) = raws.get(name)?;
    if !visiting.insert(name.to_owned()) {
        problems.push(Problem::at(
            file,
            "include",
            format!("\"{name}\" includes itself"),
        ));
        return None;
    }
    let mut codes: Vec<Code> = list
        .codes
        .iter()
        .map(|c| Code {
            code: c.code.clone(),
            name: c.name.clone(),
            group: c.group.clone(),
            note: c.note.clone(),
            since: c.since,
            until: c.until,
        })
        .collect();
    for (i, inc) in list.include.iter().enumerate() {
        if !raws.contains_key(inc) {
            problems.push(Problem::at(
                file,
                format!("include[{i}]"),
                format!("unknown code list \"{inc}\""),
            ));
            return None;
        }
        codes.extend(flatten(inc, raws, visiting, file, problems)?);
    }
    visiting.remove(name);
    Some(codes)
}
