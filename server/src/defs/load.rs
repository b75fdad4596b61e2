//! Reads the definition folder: table files, then code lists, then the checks across them.

use std::collections::HashSet;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::raw::{self, RawTable};
use super::{
    codes, consistency, fields, naming, rules, Catalog, Problem, Problems, Scope, Table, TableKind,
};

/// Loads and checks every table definition and code list under `dir`.
///
/// Fails with every problem found, each naming its file and key (and the line, where the key is
/// written in the file).
pub fn load_catalog(dir: &Path) -> Result<Catalog, Problems> {
    load(dir, None)
}

/// Checks the table definition `text` as if it were the file `file_name` of `dir` (a new file or
/// one already there), together with every other file of `dir`: references across tables,
/// codes and slugs unique across files, code lists, rules. Reads `dir` and writes nothing.
///
/// Returns every problem found (none when the text is sound), each with its file, key and line;
/// a clash with another file (a code, slug or order used twice) is reported on this one.
pub fn check_table_text(dir: &Path, file_name: &str, text: &str) -> Problems {
    load_catalog_with(dir, file_name, text)
        .err()
        .unwrap_or_default()
}

/// The catalog `dir` would make with `text` as its file `file_name` (what the designer applies),
/// or every problem as [`check_table_text`] reports them. Reads `dir` and writes nothing.
///
/// `file_name` may also name a code list, `codes/<name>.toml`: the folder is then checked with
/// `text` in place of that list (the tables using it, the rules reading it).
pub fn load_catalog_with(dir: &Path, file_name: &str, text: &str) -> Result<Catalog, Problems> {
    let file = dir.join(file_name);
    let (code_list, own) = match file_name.strip_prefix("codes/") {
        Some(rest) => (true, rest),
        None => (false, file_name),
    };
    let plain = Path::new(own).file_name() == Some(OsStr::new(own));
    if !plain || !own.ends_with(".toml") || file_name == super::indicators::INDICATORS_FILE {
        let message = format!(
            "“{file_name}”不是表定义文件名（应为 <编号>-<slug>.toml，或代码表 codes/<name>.toml）"
        );
        return Err(Problems(vec![Problem::at(&file, "", message)]));
    }
    let draft = Draft {
        file,
        text,
        code_list,
    };
    load(dir, Some(&draft))
}

/// One file's text read in place of what the folder holds: the designer's draft of a table
/// file, or (`code_list`) of a code list under `codes/`.
pub(super) struct Draft<'a> {
    pub(super) file: PathBuf,
    pub(super) text: &'a str,
    pub(super) code_list: bool,
}

/// Loads the folder (with `draft` in place of its file) and locates each problem's key.
fn load(dir: &Path, draft: Option<&Draft>) -> Result<Catalog, Problems> {
    load_checked(dir, draft).map_err(|mut problems| {
        super::locate::locate_lines(&mut problems, |file| match draft {
            Some(d) if d.file == file => Some(d.text.to_owned()),
            _ => std::fs::read_to_string(file).ok(),
        });
        problems
    })
}

fn load_checked(dir: &Path, draft: Option<&Draft>) -> Result<Catalog, Problems> {
    let mut problems = Problems::default();
    if !dir.is_dir() {
        problems.push(Problem::at(dir, "", "定义文件夹不存在"));
        return Err(problems);
    }
    let list_draft = draft.filter(|d| d.code_list);
    let code_lists = codes::load_code_lists(&dir.join("codes"), list_draft, &mut problems);
    let draft = draft.filter(|d| !d.code_list);
    let (mut tables, table_rules) = read_tables(dir, draft, &mut problems);
    tables.sort_by(|a, b| a.order.cmp(&b.order).then_with(|| a.code.cmp(&b.code)));
    let catalog = Catalog {
        tables: tables.into_iter().map(Arc::new).collect(),
        code_lists: code_lists
            .into_iter()
            .map(|(k, v)| (k, Arc::new(v)))
            .collect(),
        rules: Vec::new(),
        gaoji: Vec::new(),
        indicators: Vec::new(),
        report: Default::default(),
    };
    let newcomer = draft.map(|d| d.file.as_path());
    consistency::check_catalog(&catalog, newcomer, &mut problems);
    let mut catalog = catalog;
    if problems.is_empty() {
        catalog.rules = rules::load_rules(dir, &catalog, table_rules, &mut problems)
            .into_iter()
            .map(Arc::new)
            .collect();
        catalog.gaoji = super::gaoji::load_gaoji(dir, &catalog, &mut problems);
    }
    if problems.is_empty() {
        catalog.indicators = super::indicators::load_indicators(dir, &catalog, &mut problems)
            .into_iter()
            .map(Arc::new)
            .collect();
        let report = super::report::load_report(dir, &catalog, &mut problems);
        catalog.report = Arc::new(report);
    }
    if problems.is_empty() {
        Ok(catalog)
    } else {
        Err(problems)
    }
}

/// Every table file of `dir` (the draft's text in place of its file) and the rules each holds.
fn read_tables(
    dir: &Path,
    draft: Option<&Draft>,
    problems: &mut Problems,
) -> (Vec<Table>, Vec<rules::TableRules>) {
    let mut files = toml_files(dir, problems);
    if let Some(d) = draft.filter(|d| !files.contains(&d.file)) {
        files.push(d.file.clone());
        files.sort();
    }
    let mut tables = Vec::new();
    let mut table_rules = Vec::new();
    for file in files {
        // The core indicators sit beside the tables but are no table (see `indicators`).
        if file
            .file_name()
            .is_some_and(|n| n == super::indicators::INDICATORS_FILE)
        {
            continue;
        }
        let text = match draft.filter(|d| d.file == file) {
            Some(d) => d.text.to_owned(),
            None => match read(&file, problems) {
                Some(text) => text,
                None => continue,
            },
        };
        match raw::parse::<RawTable>(&file, &text) {
            Ok(mut raw) => {
                let own = std::mem::take(&mut raw.rules);
                let code = raw.code.clone();
                if let Some(table) = convert_table(&file, raw, problems) {
                    tables.push(table);
                    if !own.is_empty() {
                        table_rules.push(rules::TableRules {
                            file: file.clone(),
                            lines: rules::rule_lines(&text),
                            table: code,
                            rules: own,
                        });
                    }
                }
            }
            Err(p) => problems.push(p),
        }
    }
    (tables, table_rules)
}

/// The `*.toml` files directly in `dir`, sorted by name.
pub(super) fn toml_files(dir: &Path, problems: &mut Problems) -> Vec<PathBuf> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            problems.push(Problem::at(
                dir,
                "",
                format!("无法读取文件夹：{}", super::problem::io_reason(&e)),
            ));
            return Vec::new();
        }
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    files
}

/// The file's text, or a recorded problem.
pub(super) fn read(file: &Path, problems: &mut Problems) -> Option<String> {
    std::fs::read_to_string(file)
        .map_err(|e| {
            problems.push(Problem::at(
                file,
                "",
                format!("无法读取：{}", super::problem::io_reason(&e)),
            ))
        })
        .ok()
}

fn convert_table(file: &Path, raw: RawTable, problems: &mut Problems) -> Option<Table> {
    let before = problems.0.len();
    let mut bad = |key: &str, message: String| problems.push(Problem::at(file, key, message));

    let code_ok = raw.code.split('.').count() == 3
        && raw
            .code
            .split('.')
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
    if !code_ok {
        bad("code", format!("“{}”不是 1.4.1 这样的表编号", raw.code));
    }
    let expected_kind = match raw.code.split('.').next() {
        Some("0") => Some(TableKind::Source),
        Some("1") => Some(TableKind::Basic),
        Some("2") => Some(TableKind::Special),
        _ => None,
    };
    if code_ok && expected_kind != Some(raw.kind) {
        bad(
            "kind",
            format!(
                "按编号，表 {} 应为{}（kind = \"{}\"），不是 \"{}\"",
                raw.code,
                expected_kind.map_or("—", kind_name),
                expected_kind.map_or("—", kind_key),
                kind_key(raw.kind)
            ),
        );
    }
    if let Err(msg) = naming::check_identifier(&raw.slug) {
        bad("slug", msg);
    }
    let expected_file = format!("{}-{}.toml", raw.code, raw.slug);
    if file.file_name().and_then(|n| n.to_str()) != Some(expected_file.as_str()) {
        bad("slug", format!("文件应命名为 {expected_file}"));
    }
    if raw.name.trim().is_empty() {
        bad("name", "表名（name）不能为空".into());
    }
    let group_prefix = raw
        .code
        .rsplit_once('.')
        .map(|(g, _)| g)
        .unwrap_or_default();
    match raw.group.split_once(' ') {
        Some((g, title)) if g == group_prefix && !title.trim().is_empty() => {}
        _ => bad(
            "group",
            format!("应写作“{group_prefix} <分组名称>”，这里是“{}”", raw.group),
        ),
    }
    if raw.order == 0 {
        bad("order", "order 从 1 开始".into());
    }
    if raw.fields.is_empty() {
        bad("fields", "表至少需要一个字段".into());
    }

    let mut fields = Vec::with_capacity(raw.fields.len());
    for (i, f) in raw.fields.into_iter().enumerate() {
        fields.push(fields::convert_field(
            file,
            &format!("fields[{i}]"),
            f,
            problems,
        ));
    }
    let mut bad = |key: &str, message: String| problems.push(Problem::at(file, key, message));
    let mut names = HashSet::new();
    let mut labels = HashSet::new();
    for (i, f) in fields.iter().enumerate() {
        if !names.insert(f.name.as_str()) {
            bad(
                &format!("fields[{i}].name"),
                format!("字段名“{}”重复", f.name),
            );
        }
        let is_code = |n: &str| {
            fields
                .iter()
                .any(|g| g.name == n && g.ty.code_list().is_some())
        };
        if let Some(clash) = naming::derived_clash(&f.name, is_code) {
            bad(&format!("fields[{i}].name"), clash);
        }
        if !labels.insert(f.label.as_str()) {
            bad(
                &format!("fields[{i}].label"),
                format!("标签“{}”重复", f.label),
            );
        }
    }
    check_key(&raw.key, raw.scope, &fields, &mut bad);

    // Keep a table whose identity is sound even when its fields have problems, so that references
    // to it do not turn into a cascade of "no table" errors.
    if problems.0[before..]
        .iter()
        .any(|p| p.key == "slug" || p.key == "code")
    {
        return None;
    }
    Some(Table {
        code: raw.code,
        slug: raw.slug,
        name: raw.name,
        group: raw.group,
        kind: raw.kind,
        period: raw.period,
        scope: raw.scope,
        key: raw.key,
        carry_forward: raw.carry_forward,
        order: raw.order,
        help: raw.help,
        fields,
        file: file.to_path_buf(),
    })
}

fn check_key(
    key: &[String],
    scope: Scope,
    fields: &[super::Field],
    bad: &mut impl FnMut(&str, String),
) {
    match scope {
        Scope::Single if !key.is_empty() => {
            bad("key", "单行表没有键，请删去 `key`".into());
        }
        Scope::Rows if key.is_empty() => {
            bad("key", "多行表须写自然键 `key`".into());
        }
        _ => {}
    }
    let mut seen = HashSet::new();
    for (i, k) in key.iter().enumerate() {
        if !seen.insert(k.as_str()) {
            bad(&format!("key[{i}]"), format!("“{k}”列了两次"));
        }
        match fields.iter().find(|f| &f.name == k) {
            None => bad(&format!("key[{i}]"), format!("本表没有字段“{k}”")),
            Some(f) if !f.required => bad(
                &format!("key[{i}]"),
                format!("键字段“{k}”须为 `required = true`"),
            ),
            Some(f)
                if matches!(
                    f.ty,
                    super::FieldType::MultiEnum { .. } | super::FieldType::MultiRef { .. }
                ) =>
            {
                bad(&format!("key[{i}]"), format!("键字段“{k}”不能是多值字段"))
            }
            Some(_) => {}
        }
    }
}

/// The kind's Chinese name (源数据表, 基础数据表, 专项数据表).
fn kind_name(kind: TableKind) -> &'static str {
    match kind {
        TableKind::Source => "源数据表",
        TableKind::Basic => "基础数据表",
        TableKind::Special => "专项数据表",
    }
}

/// The kind as written in a definition file.
fn kind_key(kind: TableKind) -> &'static str {
    match kind {
        TableKind::Source => "source",
        TableKind::Basic => "basic",
        TableKind::Special => "special",
    }
}
