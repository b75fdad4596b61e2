//! `check` on broken copies of the project: each names the file and the key (or line) at fault.

use statusdata::check;
use statusdata::defs::Problems;

use crate::support::{has_problem, show, Scratch};

const LIBRARY: &str = "table-defs/1.1.6-library_holdings.toml";

#[tokio::test]
async fn unknown_key_is_named() {
    let s = Scratch::new();
    s.replace(
        LIBRARY,
        "code = \"1.1.6\"",
        "code = \"1.1.6\"\ncolour = \"red\"",
    );
    let problems = s.problems().await;
    assert!(
        has_problem(&problems, "1.1.6-library_holdings.toml", "colour"),
        "{}",
        show(&problems)
    );
    assert!(
        problems.iter().any(|p| p.line == Some(2)),
        "{}",
        show(&problems)
    );
}

#[tokio::test]
async fn unknown_field_type_is_named_with_its_key() {
    let s = Scratch::new();
    let i = s.append_field(
        LIBRARY,
        "name = \"extra\"\nlabel = \"额外\"\ntype = \"strng\"",
    );
    let problems = s.problems().await;
    let key = format!("fields[{i}].type");
    assert!(
        has_problem(&problems, "1.1.6-library_holdings.toml", &key),
        "{}",
        show(&problems)
    );
    assert!(
        has_problem(&problems, "1.1.6-library_holdings.toml", "strng"),
        "{}",
        show(&problems)
    );
}

#[tokio::test]
async fn reference_to_a_missing_field_is_named() {
    let s = Scratch::new();
    let i = s.append_field(
        LIBRARY,
        "name = \"extra\"\nlabel = \"额外\"\ntype = \"ref\"\nref = \"majors.no_such_field\"",
    );
    let problems = s.problems().await;
    assert!(
        has_problem(
            &problems,
            "1.1.6-library_holdings.toml",
            &format!("fields[{i}].ref")
        ),
        "{}",
        show(&problems)
    );
    assert!(
        has_problem(&problems, "1.1.6-library_holdings.toml", "no_such_field"),
        "{}",
        show(&problems)
    );
}

/// 1.3.1 is keyed by 专业代码 + 授课年级 + 课程代码: a course code alone may name several rows, so
/// a reference to it would make every lookup pick one of them.
#[tokio::test]
async fn reference_to_a_field_that_is_not_unique_is_refused() {
    let s = Scratch::new();
    let i = s.append_field(
        LIBRARY,
        "name = \"extra\"\nlabel = \"额外课程\"\ntype = \"ref\"\nref = \"courses.course_code\"",
    );
    let problems = s.problems().await;
    let at = |text: &str| {
        problems.iter().any(|p| {
            p.file.ends_with("1.1.6-library_holdings.toml")
                && p.key == format!("fields[{i}].ref")
                && p.message.contains(text)
        })
    };
    for text in [
        "表 1.1.6",
        "额外课程",
        "1.3.1",
        "课程代码",
        "不能唯一确定一行",
    ] {
        assert!(at(text), "{text}: {}", show(&problems));
    }
}

/// The same target through its table's whole key (0.1.2 is keyed by 课程代码 alone) passes.
#[tokio::test]
async fn reference_to_a_unique_field_is_accepted() {
    let s = Scratch::new();
    s.append_field(
        LIBRARY,
        "name = \"extra\"\nlabel = \"额外课程\"\ntype = \"ref\"\nref = \"course_catalog.course_code\"",
    );
    if let Err(Problems(problems)) = check::check_all(&s.paths()).await {
        panic!("{}", show(&problems));
    }
}

#[tokio::test]
async fn reference_to_a_missing_table_is_named() {
    let s = Scratch::new();
    s.append_field(
        LIBRARY,
        "name = \"extra\"\nlabel = \"额外\"\ntype = \"ref\"\nref = \"no_such_table.code\"",
    );
    let problems = s.problems().await;
    assert!(
        has_problem(
            &problems,
            "1.1.6-library_holdings.toml",
            "没有 slug 为“no_such_table”的数据表"
        ),
        "{}",
        show(&problems)
    );
}

#[tokio::test]
async fn duplicate_table_code_is_named() {
    let s = Scratch::new();
    let text = s
        .read(LIBRARY)
        .replace("slug = \"library_holdings\"", "slug = \"library_copy\"");
    s.write("table-defs/1.1.6-library_copy.toml", &text);
    let problems = s.problems().await;
    let dup = problems
        .iter()
        .find(|p| p.message.starts_with("表编号“1.1.6”已被"))
        .unwrap_or_else(|| panic!("no duplicate-code problem:\n{}", show(&problems)));
    let both = dup.to_string();
    assert!(
        both.contains("1.1.6-library_copy.toml") && both.contains("1.1.6-library_holdings.toml"),
        "{both}"
    );
}

#[tokio::test]
async fn unknown_unit_in_a_policy_line_is_named_with_its_line() {
    let s = Scratch::new();
    let text = s.read("policies/policy.csv");
    let line = text.lines().count() + 1;
    s.write(
        "policies/policy.csv",
        &format!("{text}p, 后勤处, 1.1.6, fill\n"),
    );
    let problems = s.problems().await;
    assert!(
        has_problem(
            &problems,
            "policy.csv",
            "部门“后勤处”不在 seeds/units.toml 中"
        ),
        "{}",
        show(&problems)
    );
    assert!(
        problems.iter().any(|p| p.line == Some(line)),
        "{}",
        show(&problems)
    );
}

#[tokio::test]
async fn an_alias_in_a_policy_line_asks_for_the_unit_name() {
    let s = Scratch::new();
    s.replace(
        "policies/policy.csv",
        "p, 政务部（人事）, 0.1.3, fill",
        "p, 人事处, 0.1.3, fill",
    );
    let problems = s.problems().await;
    assert!(
        has_problem(&problems, "policy.csv", "请写部门名称“政务部（人事）”"),
        "{}",
        show(&problems)
    );
}

#[tokio::test]
async fn table_without_reviewer_is_named() {
    let s = Scratch::new();
    s.replace("policies/policy.csv", "p, 图书馆, 1.1.6, review\n", "");
    let problems = s.problems().await;
    assert!(
        has_problem(
            &problems,
            "policy.csv",
            "表 1.1.6 馆藏图书资料表没有任何单位有 `review` 权限"
        ),
        "{}",
        show(&problems)
    );
}

#[tokio::test]
async fn policy_line_for_an_unknown_table_is_named() {
    let s = Scratch::new();
    s.replace(
        "policies/policy.csv",
        "p, 图书馆, 1.1.6, fill",
        "p, 图书馆, 1.1.99, fill",
    );
    let problems = s.problems().await;
    assert!(
        has_problem(&problems, "policy.csv", "没有编号为“1.1.99”的数据表"),
        "{}",
        show(&problems)
    );
    assert!(
        has_problem(
            &problems,
            "policy.csv",
            "表 1.1.6 馆藏图书资料表没有任何单位有 `fill` 权限"
        ),
        "{}",
        show(&problems)
    );
}

#[tokio::test]
async fn bad_regex_is_named() {
    let s = Scratch::new();
    let i = s.append_field(
        LIBRARY,
        "name = \"extra\"\nlabel = \"额外\"\ntype = \"string\"\npattern = '^(\\d+$'",
    );
    let problems = s.problems().await;
    assert!(
        has_problem(
            &problems,
            "1.1.6-library_holdings.toml",
            &format!("fields[{i}].pattern: 不是有效的正则表达式")
        ),
        "{}",
        show(&problems)
    );
}

#[tokio::test]
async fn unknown_code_list_is_named() {
    let s = Scratch::new();
    let i = s.append_field(
        LIBRARY,
        "name = \"extra\"\nlabel = \"额外\"\ntype = \"enum\"\ncodes = \"no_such_list\"",
    );
    let problems = s.problems().await;
    assert!(
        has_problem(
            &problems,
            "1.1.6-library_holdings.toml",
            &format!("fields[{i}].codes: 没有名为“no_such_list”的代码表")
        ),
        "{}",
        show(&problems)
    );
}

#[tokio::test]
async fn required_if_on_a_missing_field_is_named() {
    let s = Scratch::new();
    let i = s.append_field(LIBRARY, "name = \"extra\"\nlabel = \"额外\"\ntype = \"string\"\nrequired_if = { field = \"nowhere\", eq = \"1\" }");
    let problems = s.problems().await;
    assert!(
        has_problem(
            &problems,
            "1.1.6-library_holdings.toml",
            &format!("fields[{i}].required_if: 本表没有字段“nowhere”")
        ),
        "{}",
        show(&problems)
    );
}

#[tokio::test]
async fn decimal_without_scale_is_named() {
    let s = Scratch::new();
    let i = s.append_field(
        LIBRARY,
        "name = \"extra\"\nlabel = \"额外\"\ntype = \"decimal\"",
    );
    let problems = s.problems().await;
    assert!(
        has_problem(
            &problems,
            "1.1.6-library_holdings.toml",
            &format!("fields[{i}].scale")
        ),
        "{}",
        show(&problems)
    );
}

#[tokio::test]
async fn toml_syntax_error_gives_the_line() {
    let s = Scratch::new();
    s.write(LIBRARY, &format!("{}\nthis is not toml\n", s.read(LIBRARY)));
    let problems = s.problems().await;
    let lines = s.read(LIBRARY).lines().count();
    let p = problems
        .iter()
        .find(|p| p.file.ends_with("1.1.6-library_holdings.toml"))
        .expect("a problem in the file");
    assert_eq!(p.line, Some(lines), "{}", show(&problems));
}

#[tokio::test]
async fn key_naming_a_missing_field_is_named() {
    let s = Scratch::new();
    let text = s.read("table-defs/1.6.1-enterprises.toml");
    let key_line = text
        .lines()
        .find(|l| l.starts_with("key = "))
        .expect("key line")
        .to_owned();
    s.replace(
        "table-defs/1.6.1-enterprises.toml",
        &key_line,
        "key = [\"uscc\", \"nowhere\"]",
    );
    let problems = s.problems().await;
    assert!(
        has_problem(
            &problems,
            "1.6.1-enterprises.toml",
            "key[1]: 本表没有字段“nowhere”"
        ),
        "{}",
        show(&problems)
    );
}

#[tokio::test]
async fn duplicate_code_in_a_code_list_is_named() {
    let s = Scratch::new();
    s.replace(
        "table-defs/codes/gender.toml",
        "name = \"女\"",
        "name = \"女\" },\n  { code = \"1\", name = \"重复\"",
    );
    let problems = s.problems().await;
    assert!(
        has_problem(&problems, "codes/gender.toml", "代码“1”重复"),
        "{}",
        show(&problems)
    );
}

#[tokio::test]
async fn group_line_must_match_units() {
    let s = Scratch::new();
    s.replace("policies/policy.csv", "g, 艺术设计学院, 各院系\n", "");
    s.write(
        "policies/policy.csv",
        &format!("{}g, 图书馆, 各院系\n", s.read("policies/policy.csv")),
    );
    let problems = s.problems().await;
    assert!(
        has_problem(
            &problems,
            "policy.csv",
            "缺少一行 `g, 艺术设计学院, 各院系`"
        ),
        "{}",
        show(&problems)
    );
    assert!(
        has_problem(
            &problems,
            "policy.csv",
            "seeds/units.toml 中“图书馆”不属于“各院系”"
        ),
        "{}",
        show(&problems)
    );
}

#[tokio::test]
async fn unknown_parent_unit_is_named() {
    let s = Scratch::new();
    s.replace(
        "seeds/units.toml",
        "parent = \"xwb\"",
        "parent = \"nowhere\"",
    );
    let problems = s.problems().await;
    assert!(
        has_problem(&problems, "units.toml", "parent: 没有上级部门“nowhere”"),
        "{}",
        show(&problems)
    );
}
