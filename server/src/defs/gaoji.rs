//! 高基报表 reference figures (`table-defs/reference/gaoji.toml`): each figure of the 高基报表 that
//! overlaps the collection, mapped to a formula over the collection's tables, with the tolerance
//! within which the two agree and an optional known explanation for a larger difference (most
//! often 时点差异: 高基 counts at 学年初 9月1日, the collection at 8月31日).

use std::path::Path;
use std::sync::Arc;

use rust_decimal::Decimal;
use serde::Deserialize;

use super::rules::{compile_formula, Formula};
use super::{Catalog, Problem, Problems};

/// One reference figure, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct GaojiFigure {
    /// Stable id (`students`), the key of entered values and of the template's rows.
    pub id: String,
    /// The figure's Chinese name, as the 高基报表 calls it.
    pub name: String,
    /// Where in the 高基报表 it stands (表号 and 指标).
    pub source: String,
    /// 人, 万元, 平方米, 册.
    pub measure: String,
    /// The collection's table whose filling unit answers an unexplained difference.
    pub table: String,
    pub formula: Formula,
    /// The 高基 时点 as month and day in the cycle's year (学年初: 9, 1).
    pub as_of: (u32, u32),
    /// Largest absolute difference that still counts as a match.
    pub tolerance: Decimal,
    /// A known reason for a difference up to `explain_within` percent.
    pub explanation: Option<String>,
    pub explain_within: Decimal,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    figures: Vec<RawFigure>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFigure {
    id: String,
    name: String,
    source: String,
    measure: String,
    table: String,
    formula: String,
    /// `MM-DD`; 学年初 `09-01` when absent.
    as_of: Option<String>,
    #[serde(default)]
    tolerance: Decimal,
    explanation: Option<String>,
    explain_within: Option<Decimal>,
}

/// The file's name under the definitions folder.
pub const GAOJI_FILE: &str = "reference/gaoji.toml";

/// Loads the reference figures; no file means none.
pub(super) fn load_gaoji(
    dir: &Path,
    catalog: &Catalog,
    problems: &mut Problems,
) -> Vec<Arc<GaojiFigure>> {
    let file = dir.join(GAOJI_FILE);
    if !file.is_file() {
        return Vec::new();
    }
    let Some(text) = super::load::read(&file, problems) else {
        return Vec::new();
    };
    let raw = match super::raw::parse::<RawFile>(&file, &text) {
        Ok(r) => r,
        Err(p) => {
            problems.push(p);
            return Vec::new();
        }
    };
    let mut out: Vec<Arc<GaojiFigure>> = Vec::new();
    for (i, f) in raw.figures.into_iter().enumerate() {
        let line = text
            .find(&format!("id = \"{}\"", f.id))
            .map_or(1, |at| super::line_of(&text, at));
        let at = |key: &str, msg: String| {
            Problem::at(&file, format!("figures[{i}].{key}"), msg).on_line(line)
        };
        if f.id.is_empty() || !f.id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            problems.push(at("id", "编号只能由字母、数字和下划线组成".into()));
            continue;
        }
        if out.iter().any(|o| o.id == f.id) {
            problems.push(at("id", format!("编号 {} 重复", f.id)));
            continue;
        }
        let Some(table) = catalog.table_by_code(&f.table) else {
            problems.push(at("table", format!("没有编号为 {} 的数据表", f.table)));
            continue;
        };
        let formula = match compile_formula(catalog, table, &f.formula) {
            Ok(x) => x,
            Err(e) => {
                problems.push(at("formula", e));
                continue;
            }
        };
        let as_of = match f.as_of.as_deref().map(month_day) {
            None => (9, 1),
            Some(Some(md)) => md,
            Some(None) => {
                problems.push(at("as_of", "时点写作 MM-DD，如 09-01".into()));
                continue;
            }
        };
        if f.tolerance < Decimal::ZERO {
            problems.push(at("tolerance", "容差不能为负".into()));
            continue;
        }
        if f.explain_within.is_some() != f.explanation.is_some() {
            problems.push(at(
                "explanation",
                "explanation 与 explain_within（百分比）须同时写".into(),
            ));
            continue;
        }
        out.push(Arc::new(GaojiFigure {
            id: f.id,
            name: f.name,
            source: f.source,
            measure: f.measure,
            table: table.code.clone(),
            formula,
            as_of,
            tolerance: f.tolerance,
            explanation: f.explanation,
            explain_within: f.explain_within.unwrap_or(Decimal::ZERO),
        }));
    }
    out
}

fn month_day(s: &str) -> Option<(u32, u32)> {
    let (m, d) = s.split_once('-')?;
    let (m, d): (u32, u32) = (m.parse().ok()?, d.parse().ok()?);
    chrono::NaiveDate::from_ymd_opt(2000, m, d).map(|_| (m, d))
}
