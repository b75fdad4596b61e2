//! Turns the `[[rules]]` of table files and of `rules/*.toml` into checked [`Rule`]s, each problem
//! named with file, line and key.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::check::Checker;
use super::parse::parse_expr;
use super::{builtin, Expr, Rule, RuleKind, Scope, Ty};
use crate::defs::raw::{self, RawRule, RawRuleFile};
use crate::defs::{Catalog, Problem, Problems};

/// The `[[rules]]` of one table file, kept until the whole catalog is known.
pub(crate) struct TableRules {
    pub file: PathBuf,
    /// The line of each `[[rules]]` header, in order.
    pub lines: Vec<usize>,
    pub table: String,
    pub rules: Vec<RawRule>,
}

/// The 1-based line of each `[[rules]]` header in a TOML text.
pub(crate) fn rule_lines(text: &str) -> Vec<usize> {
    header_lines(text, "[[rules]]")
}

/// The 1-based line of each `header` (e.g. `[[yoy]]`) in a TOML text.
fn header_lines(text: &str, header: &str) -> Vec<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.trim() == header)
        .map(|(i, _)| i + 1)
        .collect()
}

/// Every rule: derived reference and completeness rules, the tables' own, then `rules/*.toml`.
pub(crate) fn load_rules(
    dir: &Path,
    catalog: &Catalog,
    table_rules: Vec<TableRules>,
    problems: &mut Problems,
) -> Vec<Rule> {
    let mut out = builtin::derived_rules(catalog);
    for t in table_rules {
        for (i, raw) in t.rules.into_iter().enumerate() {
            let line = t.lines.get(i).copied().unwrap_or(1);
            let key = format!("rules[{i}]");
            if raw.table.as_ref().is_some_and(|c| c != &t.table) {
                problems.push(
                    Problem::at(
                        &t.file,
                        format!("{key}.table"),
                        "表内规则不写 table（就是本表）",
                    )
                    .on_line(line),
                );
                continue;
            }
            match compile(catalog, RuleKind::Record, &t.table, &t.file, line, &raw) {
                Ok(rule) => out.push(rule),
                Err((field, msg)) => {
                    problems.push(Problem::at(&t.file, format!("{key}.{field}"), msg).on_line(line))
                }
            }
        }
    }
    let rules_dir = dir.join("rules");
    if rules_dir.is_dir() {
        for file in crate::defs::load::toml_files(&rules_dir, problems) {
            let Some(text) = crate::defs::load::read(&file, problems) else {
                continue;
            };
            let parsed = match raw::parse::<RawRuleFile>(&file, &text) {
                Ok(p) => p,
                Err(p) => {
                    problems.push(p);
                    continue;
                }
            };
            let lines = rule_lines(&text);
            let yoy_lines = header_lines(&text, "[[yoy]]");
            for (i, raw) in parsed.yoy.iter().enumerate() {
                let line = yoy_lines.get(i).copied().unwrap_or(1);
                match super::yoy::compile_yoy(catalog, &file, line, raw) {
                    Ok(rule) => out.push(rule),
                    Err((field, msg)) => problems
                        .push(Problem::at(&file, format!("yoy[{i}].{field}"), msg).on_line(line)),
                }
            }
            for (i, raw) in parsed.rules.into_iter().enumerate() {
                let line = lines.get(i).copied().unwrap_or(1);
                let key = format!("rules[{i}]");
                let Some(table) = raw.table.clone() else {
                    problems.push(
                        Problem::at(
                            &file,
                            format!("{key}.table"),
                            "跨表规则须写 table（被检查的表）",
                        )
                        .on_line(line),
                    );
                    continue;
                };
                match compile(catalog, RuleKind::Cross, &table, &file, line, &raw) {
                    Ok(rule) => out.push(rule),
                    Err((field, msg)) => problems
                        .push(Problem::at(&file, format!("{key}.{field}"), msg).on_line(line)),
                }
            }
        }
    }
    out.extend(super::unique::lookup_targets(catalog, &out, problems));
    let mut seen = HashSet::new();
    for r in &out {
        if !seen.insert(r.id.clone()) {
            problems.push(
                Problem::at(&r.file, "id", format!("规则编号 {} 重复", r.id)).on_line(r.line),
            );
        }
    }
    out
}

/// Checks one rule; an error names the key at fault.
pub(super) fn compile(
    catalog: &Catalog,
    kind: RuleKind,
    table: &str,
    file: &Path,
    line: usize,
    raw: &RawRule,
) -> Result<Rule, (&'static str, String)> {
    let row = catalog
        .table_by_code(table)
        .ok_or(("table", format!("没有编号为 {table} 的数据表")))?;
    if raw.id.trim().is_empty() || raw.id.chars().any(char::is_whitespace) {
        return Err(("id", "规则编号不能为空或含空格".into()));
    }
    if raw.message.trim().is_empty() || raw.source.trim().is_empty() {
        return Err(("message", "message 与 source 都不能为空".into()));
    }
    let whole_table = match raw.host.as_deref() {
        None | Some("row") => false,
        Some("table") => true,
        Some(h) => return Err(("host", format!("host 只能是 row 或 table，这里是 {h}"))),
    };
    let mut checker = Checker {
        catalog,
        row,
        reads: Vec::new(),
        last_cmp: Ty::Null,
        whole_table,
    };
    let when = match &raw.when {
        Some(w) => {
            let p = parse_expr(w).map_err(|e| ("when", e))?;
            Some(checker.condition(&p).map_err(|e| ("when", e))?)
        }
        None => None,
    };
    let p = parse_expr(&raw.check).map_err(|e| ("check", e))?;
    let check = checker.condition(&p).map_err(|e| ("check", e))?;
    let placeholders = checker
        .placeholders(&raw.message, &check)
        .map_err(|e| ("message", e))?;
    let mut reads = vec![row.code.clone()];
    reads.extend(checker.reads);
    for r in &reads[1..] {
        if !raw.reads.is_empty() && !raw.reads.contains(r) {
            return Err(("reads", format!("规则读取了 {r}，reads 中须列出")));
        }
    }
    for r in &raw.reads {
        if catalog.table_by_code(r).is_none() {
            return Err(("reads", format!("没有编号为 {r} 的数据表")));
        }
    }
    let field = match &raw.field {
        Some(f) if row.field(f).is_none() => {
            return Err(("field", format!("{} 没有字段 {f}", row.code)))
        }
        Some(f) => Some(f.clone()),
        None => first_column(&check),
    };
    Ok(Rule {
        id: raw.id.clone(),
        kind,
        table: row.code.clone(),
        severity: raw.severity,
        message: raw.message.clone(),
        source: raw.source.clone(),
        reads,
        field,
        when,
        check,
        placeholders,
        yoy: None,
        whole_table,
        file: file.to_path_buf(),
        line,
    })
}

/// The first column of the checked row an expression mentions (the finding's field).
fn first_column(e: &Expr) -> Option<String> {
    match e {
        Expr::Col {
            scope: Scope::Row,
            name,
        } => Some(name.clone()),
        Expr::Col { .. } | Expr::Lit(_) | Expr::Cycle(_) => None,
        Expr::Code { arg, .. } => first_column(arg),
        Expr::AllExist { column, .. } => Some(column.clone()),
        Expr::Neg(a)
        | Expr::Rescale(a, _)
        | Expr::Not(a)
        | Expr::In(a, _, _)
        | Expr::IsNull(a, _) => first_column(a),
        Expr::Arith(_, a, b) | Expr::Cmp(_, a, b) | Expr::And(a, b) | Expr::Or(a, b) => {
            first_column(a).or_else(|| first_column(b))
        }
        Expr::Func(_, args) => args.iter().find_map(first_column),
        Expr::Agg(a) => a.keys.iter().find_map(|(_, outer)| first_column(outer)),
    }
}
