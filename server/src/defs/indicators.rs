//! Core indicators as data (`table-defs/indicators.toml`): the figures 质量部 freezes for the
//! leaders' sign-off, each a formula over the cycle's tables in the rule expression language,
//! optionally divided by another (`per`) and scaled (`factor`), with its breakdowns.

use std::path::{Path, PathBuf};

use rust_decimal::Decimal;
use serde::Deserialize;

use super::rules::{check_indicator_formula, Formula};
use super::{raw, Catalog, FieldType, Problem, Problems};

/// The file name, directly in the definitions folder.
pub const INDICATORS_FILE: &str = "indicators.toml";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    indicators: Vec<RawIndicator>,
}

/// One indicator as written; the annual report's computed items are written the same way.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawIndicator {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) unit: String,
    pub(super) value: String,
    pub(super) per: Option<String>,
    pub(super) factor: Option<u32>,
    pub(super) decimals: Option<u32>,
    #[serde(default)]
    pub(super) breakdowns: Vec<RawBreakdown>,
    pub(super) source: String,
    pub(super) definition: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawBreakdown {
    name: String,
    field: String,
}

/// How the keys of a breakdown are shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyLabels {
    /// Names from a code list.
    Codes(String),
    /// Names from another table of the same cycle: (slug, key field, name field).
    Table(String, String, String),
    /// The key itself.
    Plain,
}

/// One breakdown: the indicator grouped by a field every table it reads has.
#[derive(Debug, Clone, PartialEq)]
pub struct Breakdown {
    /// 院系, 专业, 层次…
    pub name: String,
    pub field: String,
    pub labels: KeyLabels,
}

/// A checked core indicator.
#[derive(Debug, Clone, PartialEq)]
pub struct Indicator {
    pub id: String,
    pub name: String,
    pub unit: String,
    /// The formula as written (`value` ÷ `per` × `factor`), for people.
    pub formula: String,
    pub value: Formula,
    pub per: Option<Formula>,
    pub factor: Decimal,
    /// Digits after the point the value is rounded to (half away from zero, `model::decimal`).
    pub decimals: u32,
    pub breakdowns: Vec<Breakdown>,
    pub source: String,
    pub definition: String,
    /// Codes of the tables the formula reads.
    pub reads: Vec<String>,
    pub file: PathBuf,
    pub line: usize,
}

/// Loads `dir/indicators.toml` (none when absent); every problem names the key and line.
pub(crate) fn load_indicators(
    dir: &Path,
    catalog: &Catalog,
    problems: &mut Problems,
) -> Vec<Indicator> {
    let file = dir.join(INDICATORS_FILE);
    if !file.is_file() {
        return Vec::new();
    }
    let Some(text) = super::load::read(&file, problems) else {
        return Vec::new();
    };
    let parsed: RawFile = match raw::parse(&file, &text) {
        Ok(p) => p,
        Err(p) => {
            problems.push(p);
            return Vec::new();
        }
    };
    let lines: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.trim() == "[[indicators]]")
        .map(|(i, _)| i + 1)
        .collect();
    let mut out: Vec<Indicator> = Vec::new();
    for (i, r) in parsed.indicators.into_iter().enumerate() {
        let line = lines.get(i).copied().unwrap_or(1);
        match convert(catalog, &file, line, r) {
            Ok(ind) if out.iter().any(|o| o.id == ind.id) => problems.push(
                Problem::at(
                    &file,
                    format!("indicators[{i}].id"),
                    format!("指标编号 {} 重复", ind.id),
                )
                .on_line(line),
            ),
            Ok(ind) => out.push(ind),
            Err((key, msg)) => problems
                .push(Problem::at(&file, format!("indicators[{i}].{key}"), msg).on_line(line)),
        }
    }
    out
}

/// A checked indicator from its text, or the key at fault and why.
pub(super) fn convert(
    catalog: &Catalog,
    file: &Path,
    line: usize,
    r: RawIndicator,
) -> Result<Indicator, (&'static str, String)> {
    if super::naming::check_identifier(&r.id).is_err() {
        return Err((
            "id",
            format!("指标编号“{}”须为小写字母开头的字母、数字、下划线", r.id),
        ));
    }
    for (key, v) in [
        ("name", &r.name),
        ("unit", &r.unit),
        ("source", &r.source),
        ("definition", &r.definition),
    ] {
        if v.trim().is_empty() {
            return Err((key, format!("{key} 不能为空")));
        }
    }
    let value = check_indicator_formula(catalog, &r.value).map_err(|e| ("value", e))?;
    let per = match &r.per {
        Some(p) => Some(check_indicator_formula(catalog, p).map_err(|e| ("per", e))?),
        None => None,
    };
    let mut reads = value.reads.clone();
    for code in per.iter().flat_map(|p| &p.reads) {
        if !reads.contains(code) {
            reads.push(code.clone());
        }
    }
    if reads.is_empty() {
        return Err(("value", "公式须读取至少一张表（count 或 sum）".into()));
    }
    let mut breakdowns = Vec::new();
    for b in &r.breakdowns {
        breakdowns.push(breakdown(catalog, &reads, b).map_err(|e| ("breakdowns", e))?);
    }
    let factor = Decimal::from(r.factor.unwrap_or(1));
    let decimals = r.decimals.unwrap_or(if per.is_some() { 2 } else { 0 });
    if decimals > 6 {
        return Err(("decimals", "小数位数最多 6 位".into()));
    }
    let mut formula = r.value.trim().to_owned();
    if let Some(p) = &r.per {
        formula = format!("({formula}) ÷ ({})", p.trim());
    }
    if factor != Decimal::ONE {
        formula = format!("{formula} × {factor}");
    }
    Ok(Indicator {
        id: r.id,
        name: r.name,
        unit: r.unit,
        formula,
        value,
        per,
        factor,
        decimals,
        breakdowns,
        source: r.source,
        definition: r.definition,
        reads,
        file: file.to_path_buf(),
        line,
    })
}

fn breakdown(catalog: &Catalog, reads: &[String], b: &RawBreakdown) -> Result<Breakdown, String> {
    let mut labels = None;
    for code in reads {
        let Some(table) = catalog.table_by_code(code) else {
            continue;
        };
        let field = table.field(&b.field).ok_or_else(|| {
            format!(
                "分项“{}”：{} {} 没有字段 {}",
                b.name, table.code, table.name, b.field
            )
        })?;
        let found = match &field.ty {
            FieldType::Enum { codes } => KeyLabels::Codes(codes.clone()),
            FieldType::Ref { targets } => targets
                .first()
                .and_then(|t| {
                    let target = catalog.table_by_slug(&t.table)?;
                    let name = target
                        .fields
                        .iter()
                        .find(|f| f.name.ends_with("_name") || f.name == "name")?;
                    Some(KeyLabels::Table(
                        t.table.clone(),
                        t.field.clone(),
                        name.name.clone(),
                    ))
                })
                .unwrap_or(KeyLabels::Plain),
            FieldType::String | FieldType::Year | FieldType::Int => KeyLabels::Plain,
            other => {
                return Err(format!(
                    "分项“{}”：{} 的字段 {} 是 {}，不能分组",
                    b.name,
                    table.code,
                    b.field,
                    other.name()
                ))
            }
        };
        labels.get_or_insert(found);
    }
    Ok(Breakdown {
        name: b.name.clone(),
        field: b.field.clone(),
        labels: labels.unwrap_or(KeyLabels::Plain),
    })
}
