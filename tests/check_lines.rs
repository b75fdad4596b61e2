//! The line of a *semantic* definition problem: `check_table_text` (the designer's live check)
//! and `statusdata check` name file, line and key for each of the twelve kinds the designer
//! marks at the field at fault.

use std::path::{Path, PathBuf};
use std::process::Command;

use statusdata::defs::{check_table_text, Problem, Problems};

use crate::support::{copy_dir, root, show, Scratch};

/// A new table of group 1.6, sound as written; each test breaks one thing in it. The line
/// numbers the tests assert are those of this text.
const DRAFT: &str = r#"code = "1.6.9"
slug = "draft_check"
name = "设计器草稿检查"
group = "1.6 企业"
kind = "basic"
period = "snapshot"
scope = "rows"
key = ["major"]
order = 991

[[fields]]
name = "major"
label = "专业"
type = "ref"
required = true
ref = "majors.major_code"

[[fields]]
name = "level"
label = "层次"
type = "enum"
codes = "level"

[[fields]]
name = "amount"
label = "金额"
type = "decimal"
scale = 2
min = "0"
max = "100"

[[fields]]
name = "note"
label = "说明"
type = "string"
pattern = "^[A-Z]+$"
required_if = { field = "level", set = true }
"#;

const DRAFT_FILE: &str = "1.6.9-draft_check.toml";

/// A copy of the repository's own table-defs/.
fn defs_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_dir(&root().join("table-defs"), dir.path());
    dir
}

/// `DRAFT` with `from` (there exactly once) replaced by `to`.
fn broken(from: &str, to: &str) -> String {
    assert_eq!(DRAFT.matches(from).count(), 1, "{from:?} once in the draft");
    DRAFT.replacen(from, to, 1)
}

/// Checks `text` as `file_name` and returns the problem at `key` in that file, asserting that
/// it is on `line` and its message mentions `needle`.
fn problem_at(file_name: &str, text: &str, key: &str, line: usize, needle: &str) -> Problem {
    let dir = defs_copy();
    let Problems(problems) = check_table_text(dir.path(), file_name, text);
    let found = problems
        .iter()
        .find(|p| p.file == dir.path().join(file_name) && p.key == key)
        .unwrap_or_else(|| panic!("no problem at {file_name} {key}:\n{}", show(&problems)));
    assert_eq!(
        found.line,
        Some(line),
        "line of {key}:\n{}",
        show(&problems)
    );
    assert!(found.message.contains(needle), "{}", show(&problems));
    found.clone()
}

#[test]
fn the_sound_draft_has_no_problem_and_nothing_is_written() {
    let dir = defs_copy();
    let before = listing(dir.path());
    let Problems(problems) = check_table_text(dir.path(), DRAFT_FILE, DRAFT);
    assert!(problems.is_empty(), "{}", show(&problems));
    let Problems(problems) = check_table_text(dir.path(), DRAFT_FILE, &broken("\"0\"", "\"999\""));
    assert_eq!(problems.len(), 1, "{}", show(&problems));
    assert_eq!(listing(dir.path()), before, "the check wrote to the folder");
}

#[test]
fn duplicate_field_name() {
    let text = broken("name = \"note\"", "name = \"amount\"");
    problem_at(
        DRAFT_FILE,
        &text,
        "fields[3].name",
        33,
        "字段名“amount”重复",
    );
}

#[test]
fn duplicate_field_label() {
    let text = broken("label = \"说明\"", "label = \"金额\"");
    problem_at(DRAFT_FILE, &text, "fields[3].label", 34, "标签“金额”重复");
}

#[test]
fn reference_to_a_missing_table() {
    let text = broken("majors.major_code", "no_such_table.major_code");
    problem_at(DRAFT_FILE, &text, "fields[0].ref", 16, "no_such_table");
}

#[test]
fn reference_to_a_missing_field() {
    let text = broken("majors.major_code", "majors.no_such_field");
    problem_at(DRAFT_FILE, &text, "fields[0].ref", 16, "no_such_field");
}

#[test]
fn missing_code_list() {
    let text = broken("codes = \"level\"", "codes = \"no_such_list\"");
    problem_at(DRAFT_FILE, &text, "fields[1].codes", 22, "no_such_list");
}

#[test]
fn key_naming_a_missing_field() {
    let text = broken("key = [\"major\"]", "key = [\n  \"major\",\n  \"nope\",\n]");
    // The key now spans lines 8 to 11; the missing name is on line 10.
    problem_at(DRAFT_FILE, &text, "key[1]", 10, "本表没有字段“nope”");
}

#[test]
fn required_if_naming_a_missing_field() {
    let text = broken("field = \"level\"", "field = \"nope\"");
    problem_at(
        DRAFT_FILE,
        &text,
        "fields[3].required_if",
        37,
        "本表没有字段“nope”",
    );
}

#[test]
fn invalid_pattern() {
    let text = broken("\"^[A-Z]+$\"", "\"^[A-Z+$\"");
    problem_at(DRAFT_FILE, &text, "fields[3].pattern", 36, "正则表达式");
}

#[test]
fn duplicate_table_code_is_reported_on_the_draft() {
    // 1.6.1 is enterprises: the draft takes its code under its own slug, and an order that
    // sorts it before enterprises (which is where a clash would land without the draft rule).
    let text = broken("code = \"1.6.9\"", "code = \"1.6.1\"").replace("order = 991", "order = 1");
    let p = problem_at(
        "1.6.1-draft_check.toml",
        &text,
        "code",
        1,
        "1.6.1-enterprises.toml",
    );
    assert!(p.message.contains("表编号“1.6.1”"), "{p}");
}

#[test]
fn duplicate_table_slug_is_reported_on_the_draft() {
    let text =
        broken("slug = \"draft_check\"", "slug = \"majors\"").replace("order = 991", "order = 1");
    let p = problem_at("1.6.9-majors.toml", &text, "slug", 2, "1.2.1-majors.toml");
    assert!(p.message.contains("slug“majors”"), "{p}");
}

#[test]
fn decimal_without_scale_is_marked_at_its_field() {
    // The key is not written: the problem takes the line of its `[[fields]]` header.
    let text = broken("scale = 2", "# no scale");
    problem_at(DRAFT_FILE, &text, "fields[2].scale", 24, "scale");
}

#[test]
fn min_greater_than_max() {
    let text = broken("min = \"0\"", "min = \"200\"");
    problem_at(
        DRAFT_FILE,
        &text,
        "fields[2].max",
        30,
        "max 100 小于 min 200",
    );
}

/// The draft takes the place of a file already in the folder; the file on disk stays as it was.
#[test]
fn a_draft_of_an_existing_table_replaces_its_file() {
    const LIBRARY: &str = "1.1.6-library_holdings.toml";
    let dir = defs_copy();
    let on_disk = std::fs::read_to_string(dir.path().join(LIBRARY)).expect("read");
    let (line, text) = with_line_replaced(
        &on_disk,
        "label = \"其中：当年新增纸质图书\"",
        "label = \"纸质图书总数\"",
    );
    let Problems(problems) = check_table_text(dir.path(), LIBRARY, &text);
    let shown = show(&problems);
    assert_eq!(problems.len(), 1, "{shown}");
    assert_eq!(problems[0].file, dir.path().join(LIBRARY), "{shown}");
    assert_eq!(problems[0].key, "fields[1].label", "{shown}");
    assert_eq!(problems[0].line, Some(line), "{shown}");
    let after = std::fs::read_to_string(dir.path().join(LIBRARY)).expect("read");
    assert_eq!(after, on_disk, "the file on disk changed");
}

/// A code list's draft (`codes/<name>.toml`) takes the place of its file: the folder is checked
/// with it, its problems name the key and line in the draft, and the file on disk stays.
#[test]
fn a_draft_of_a_code_list_replaces_its_file() {
    const LEVEL: &str = "codes/level.toml";
    let dir = defs_copy();
    let on_disk = std::fs::read_to_string(dir.path().join(LEVEL)).expect("read");
    let last = "  { code = \"09\", name = \"其他\" },\n";
    let added = on_disk.replacen(
        last,
        &format!("{last}  {{ code = \"06\", name = \"区县级\", since = 2024 }},\n"),
        1,
    );
    assert_ne!(added, on_disk);
    let Problems(problems) = check_table_text(dir.path(), LEVEL, &added);
    assert!(problems.is_empty(), "{}", show(&problems));

    let twice = on_disk.replacen(last, &format!("{last}{last}"), 1);
    let line = on_disk
        .lines()
        .take_while(|l| !l.contains("\"09\""))
        .count()
        + 2;
    let Problems(problems) = check_table_text(dir.path(), LEVEL, &twice);
    let shown = show(&problems);
    assert_eq!(problems.len(), 1, "{shown}");
    assert_eq!(problems[0].file, dir.path().join(LEVEL), "{shown}");
    assert_eq!(problems[0].key, "codes[6].code", "{shown}");
    assert_eq!(problems[0].line, Some(line), "{shown}");
    let renamed = on_disk.replacen("name = \"level\"", "name = \"levels\"", 1);
    let Problems(problems) = check_table_text(dir.path(), LEVEL, &renamed);
    assert!(
        problems
            .iter()
            .any(|p| p.key == "name" && p.line == Some(1)),
        "{}",
        show(&problems)
    );
    let after = std::fs::read_to_string(dir.path().join(LEVEL)).expect("read");
    assert_eq!(after, on_disk, "the file on disk changed");
}

#[test]
fn a_name_that_is_no_plain_table_file_is_refused() {
    let dir = defs_copy();
    for name in [
        "../1.6.9-draft_check.toml",
        "1.6.9-draft_check.txt",
        "indicators.toml",
        "codes/../1.6.9-draft_check.toml",
        "codes/sub/level.toml",
    ] {
        let Problems(problems) = check_table_text(dir.path(), name, DRAFT);
        assert_eq!(problems.len(), 1, "{name}: {}", show(&problems));
        assert!(problems[0].message.contains("不是表定义文件名"), "{name}");
    }
}

/// `statusdata check --defs` prints a semantic problem as `file:line: key: message`.
#[test]
fn the_cli_prints_file_line_and_key() -> anyhow::Result<()> {
    const LIBRARY: &str = "table-defs/1.1.6-library_holdings.toml";
    let s = Scratch::new();
    let (line, text) = with_line_replaced(
        &s.read(LIBRARY),
        "min = 0\nunit = \"册\"\nhelp",
        "min = 10\nmax = 5\nunit = \"册\"\nhelp",
    );
    s.write(LIBRARY, &text);
    let out = Command::new(env!("CARGO_BIN_EXE_statusdata"))
        .arg("check")
        .arg("--defs")
        .arg(s.path("table-defs"))
        .current_dir(s.dir.path())
        .output()?;
    let stdout = String::from_utf8(out.stdout)?;
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let file: PathBuf = s.path(LIBRARY);
    let expected = format!(
        "{}:{}: fields[0].max: max 5 小于 min 10",
        file.display(),
        line + 1
    );
    assert!(
        stdout.lines().any(|l| l == expected),
        "want {expected}\n{stdout}"
    );
    assert_eq!(stdout.lines().last(), Some("共发现 1 处问题"), "{stdout}");
    Ok(())
}

/// `text` with `from` (there once) replaced by `to`, and the 1-based line `from` began on.
fn with_line_replaced(text: &str, from: &str, to: &str) -> (usize, String) {
    assert_eq!(text.matches(from).count(), 1, "{from:?} once");
    let start = text.find(from).expect("found");
    let line = text[..start].matches('\n').count() + 1;
    (line, text.replacen(from, to, 1))
}

/// Every file under `dir` with its length, to see that nothing was written.
fn listing(dir: &Path) -> Vec<(PathBuf, u64)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            out.extend(listing(&path));
        } else {
            let len = std::fs::metadata(&path).expect("metadata").len();
            out.push((path, len));
        }
    }
    out.sort();
    out
}
