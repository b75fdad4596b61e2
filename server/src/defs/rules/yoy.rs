//! The year-over-year rule form (`[[yoy]]` under `table-defs/rules/`): a formula over whole
//! tables is computed for this cycle and the previous one, per filling unit of the rule's table;
//! a change beyond `max_change` percent is a finding the unit explains.

use std::path::Path;

use rust_decimal::Decimal;

use super::{compile_formula, Expr, Lit, Rule, RuleKind, YoyCheck};
use crate::defs::raw::RawYoy;
use crate::defs::Catalog;

/// The values a year-over-year message may name.
pub const YOY_PLACEHOLDERS: [&str; 3] = ["value", "previous", "change"];

/// Checks one `[[yoy]]` entry; an error names the key at fault.
pub(super) fn compile_yoy(
    catalog: &Catalog,
    file: &Path,
    line: usize,
    raw: &RawYoy,
) -> Result<Rule, (&'static str, String)> {
    let table = catalog
        .table_by_code(&raw.table)
        .ok_or(("table", format!("没有编号为 {} 的数据表", raw.table)))?;
    if raw.id.trim().is_empty() || raw.id.chars().any(char::is_whitespace) {
        return Err(("id", "规则编号不能为空或含空格".into()));
    }
    if raw.message.trim().is_empty() || raw.source.trim().is_empty() {
        return Err(("message", "message 与 source 都不能为空".into()));
    }
    if raw.max_change <= Decimal::ZERO {
        return Err(("max_change", "max_change 是百分比，应大于 0".into()));
    }
    if let Some(f) = raw.field.as_ref().filter(|f| table.field(f).is_none()) {
        return Err(("field", format!("{} 没有字段 {f}", table.code)));
    }
    let mut rest = raw.message.as_str();
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        let end = after
            .find('}')
            .ok_or(("message", "message 中的 { 没有配对的 }".into()))?;
        let name = &after[..end];
        if !YOY_PLACEHOLDERS.contains(&name) {
            return Err((
                "message",
                format!("同比规则的 message 只能用 {{value}}、{{previous}}、{{change}}，没有 {{{name}}}"),
            ));
        }
        rest = &after[end + 1..];
    }
    let value = compile_formula(catalog, table, &raw.value).map_err(|e| ("value", e))?;
    Ok(Rule {
        id: raw.id.clone(),
        kind: RuleKind::YearOverYear,
        table: table.code.clone(),
        severity: raw.severity,
        message: raw.message.clone(),
        source: raw.source.clone(),
        reads: value.reads.clone(),
        field: raw.field.clone(),
        when: None,
        // Compared per unit between two cycles, not checked per row; the store runs it apart.
        check: Expr::Lit(Lit::Bool(true)),
        placeholders: Vec::new(),
        yoy: Some(YoyCheck {
            value,
            max_change: raw.max_change,
            min_previous: raw.min_previous.unwrap_or(Decimal::ONE),
        }),
        whole_table: false,
        file: file.to_path_buf(),
        line,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(value: &str, message: &str) -> RawYoy {
        RawYoy {
            id: "YOY-test".into(),
            table: "1.5.1".into(),
            severity: crate::defs::RuleSeverity::Warning,
            message: message.into(),
            source: "测试".into(),
            field: None,
            value: value.into(),
            max_change: Decimal::from(20),
            min_previous: None,
        }
    }

    fn compile(r: &RawYoy) -> Result<Rule, (&'static str, String)> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("table-defs");
        let catalog = crate::defs::load_catalog(&dir).expect("definitions load");
        compile_yoy(&catalog, Path::new("rules/t.toml"), 1, r)
    }

    #[test]
    fn a_yoy_rule_names_the_key_at_fault() {
        let ok = compile(&raw(
            "count('1.5.1')",
            "{value} 比 {previous} 变化 {change}%",
        ))
        .expect("ok");
        assert_eq!(ok.kind, RuleKind::YearOverYear);
        assert_eq!(ok.reads, vec!["1.5.1".to_owned()]);
        let (key, _) = compile(&raw("count('1.5.1')", "{total}")).expect_err("placeholder");
        assert_eq!(key, "message");
        let (key, msg) = compile(&raw("grade + 1", "{value}")).expect_err("row field");
        assert_eq!(key, "value", "{msg}");
    }
}
