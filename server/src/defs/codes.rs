//! Loads `codes/*.toml` and resolves `include`s into flat code lists.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use super::load::Draft;
use super::raw::{self, RawCodeList};
use super::{naming, Code, CodeList, Problem, Problems};

/// Reads every code list under `dir` (the designer's `draft` of one in place of its file, or as
/// a new one), recording problems; broken lists are left out.
pub(super) fn load_code_lists(
    dir: &Path,
    draft: Option<&Draft>,
    problems: &mut Problems,
) -> BTreeMap<String, CodeList> {
    let mut raws: BTreeMap<String, (PathBuf, RawCodeList)> = BTreeMap::new();
    let mut files = super::load::toml_files(dir, problems);
    if let Some(d) = draft.filter(|d| !files.contains(&d.file)) {
        files.push(d.file.clone());
        files.sort();
    }
    for file in files {
        let text = match draft.filter(|d| d.file == file) {
            Some(d) => d.text.to_owned(),
            None => match super::load::read(&file, problems) {
                Some(text) => text,
                None => continue,
            },
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
        } else if draft.is_some_and(|d| d.file == file) {
            // The draft's problems are its own: keep it under its file's name, so that the
            // tables and rules using the list do not each report it missing.
            let stem = file.file_stem().map(|s| s.to_string_lossy().into_owned());
            raws.insert(stem.unwrap_or_default(), (file, list));
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
                "“{}”与文件名不同；请把文件命名为 {}.toml",
                list.name, list.name
            ),
        ));
    }
    if list.codes.is_empty() && list.include.is_empty() {
        problems.push(Problem::at(
            file,
            "codes",
            "代码表既没有代码（codes），也没有引用其他代码表（include）",
        ));
    }
    let mut seen = HashSet::new();
    for (i, code) in list.codes.iter().enumerate() {
        if code.code.trim().is_empty() || code.code.trim() != code.code {
            problems.push(Problem::at(
                file,
                format!("codes[{i}].code"),
                format!("代码“{}”为空或前后有空格", code.code),
            ));
        }
        if code.name.trim().is_empty() {
            problems.push(Problem::at(
                file,
                format!("codes[{i}].name"),
                "名称（name）不能为空",
            ));
        }
        if let (Some(since), Some(until)) = (code.since, code.until) {
            if until < since {
                problems.push(Problem::at(
                    file,
                    format!("codes[{i}].until"),
                    format!("代码“{}”的停用年份 {until} 早于起用年份 {since}", code.code),
                ));
            }
        }
        if !seen.insert(code.code.as_str()) {
            problems.push(Problem::at(
                file,
                format!("codes[{i}].code"),
                format!("代码“{}”重复", code.code),
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
            format!("代码表“{name}”（直接或间接）引用了自己"),
        ));
        return None;
    }
    let mut codes: Vec<Code> = list.codes.clone();
    for (i, inc) in list.include.iter().enumerate() {
        if !raws.contains_key(inc) {
            problems.push(Problem::at(
                file,
                format!("include[{i}]"),
                format!("没有名为“{inc}”的代码表"),
            ));
            return None;
        }
        codes.extend(flatten(inc, raws, visiting, file, problems)?);
    }
    visiting.remove(name);
    Some(codes)
}
