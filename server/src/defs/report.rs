//! The annual quality report's data tables as data (`table-defs/report/annual.toml`): the
//! appended tables of a college's 高等职业教育质量年度报告 in the template's order, each item either
//! computed from the status data — written exactly like a core indicator and checked by the same
//! code, so it runs through the one expression engine — or entered by 质量部 (`external = true`:
//! survey figures and outside statistics), with the range its value must fall in.

use std::path::{Path, PathBuf};

use rust_decimal::Decimal;
use serde::Deserialize;

use super::indicators::{convert, RawBreakdown, RawIndicator};
use super::{raw, Catalog, Indicator, Problem, Problems};

/// The file's name under the definitions folder.
pub const REPORT_FILE: &str = "report/annual.toml";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    template: String,
    tables: Vec<RawTable>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTable {
    id: String,
    name: String,
    items: Vec<RawItem>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawItem {
    id: String,
    name: String,
    unit: String,
    value: Option<String>,
    per: Option<String>,
    factor: Option<u32>,
    decimals: Option<u32>,
    #[serde(default)]
    breakdowns: Vec<RawBreakdown>,
    source: String,
    definition: String,
    #[serde(default)]
    external: bool,
    entered_by: Option<String>,
    min: Option<Decimal>,
    max: Option<Decimal>,
}

/// The report's tables and the template they follow.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Report {
    /// The published template followed (year and source), for people.
    pub template: String,
    pub tables: Vec<ReportTable>,
    pub file: PathBuf,
}

/// One appended table (计分卡, 资源表…).
#[derive(Debug, Clone, PartialEq)]
pub struct ReportTable {
    pub id: String,
    pub name: String,
    pub items: Vec<ReportItem>,
}

/// One line of a report table.
#[derive(Debug, Clone, PartialEq)]
pub enum ReportItem {
    /// Computed from the status data: an indicator in all but name.
    Computed(Box<Indicator>),
    /// Entered per cycle by `entered_by` (质量部).
    External(ExternalItem),
}

/// An item the status data cannot give (surveys, outside statistics).
#[derive(Debug, Clone, PartialEq)]
pub struct ExternalItem {
    pub id: String,
    pub name: String,
    pub unit: String,
    /// Where the figure comes from (which survey, which statistics).
    pub source: String,
    pub definition: String,
    /// Who enters it (质量部).
    pub entered_by: String,
    pub min: Decimal,
    pub max: Decimal,
    pub decimals: u32,
    pub line: usize,
}

impl ReportItem {
    pub fn id(&self) -> &str {
        match self {
            ReportItem::Computed(i) => &i.id,
            ReportItem::External(e) => &e.id,
        }
    }
}

impl Report {
    /// Every item with its table, in the report's order.
    pub fn items(&self) -> impl Iterator<Item = (&ReportTable, &ReportItem)> {
        self.tables
            .iter()
            .flat_map(|t| t.items.iter().map(move |i| (t, i)))
    }

    /// The tables the computed items read (with repeats).
    pub fn reads(&self) -> impl Iterator<Item = &String> {
        self.items().flat_map(|(_, i)| match i {
            ReportItem::Computed(ind) => ind.reads.iter(),
            ReportItem::External(_) => [].iter(),
        })
    }

    /// The external item with this id.
    pub fn external(&self, id: &str) -> Option<&ExternalItem> {
        self.items().find_map(|(_, i)| match i {
            ReportItem::External(e) if e.id == id => Some(e),
            _ => None,
        })
    }
}

/// Loads the report's tables (none when the file is absent); every problem names the key and
/// its line.
pub(super) fn load_report(dir: &Path, catalog: &Catalog, problems: &mut Problems) -> Report {
    let file = dir.join(REPORT_FILE);
    if !file.is_file() {
        return Report::default();
    }
    let Some(text) = super::load::read(&file, problems) else {
        return Report::default();
    };
    let parsed: RawFile = match raw::parse(&file, &text) {
        Ok(p) => p,
        Err(p) => {
            problems.push(p);
            return Report::default();
        }
    };
    let headers = |h: &str| -> Vec<usize> {
        text.lines()
            .enumerate()
            .filter(|(_, l)| l.trim() == h)
            .map(|(i, _)| i + 1)
            .collect()
    };
    let (table_lines, item_lines) = (headers("[[tables]]"), headers("[[tables.items]]"));
    let mut seen: Vec<String> = Vec::new();
    let mut n = 0;
    let mut tables = Vec::new();
    for (ti, t) in parsed.tables.into_iter().enumerate() {
        let tline = table_lines.get(ti).copied().unwrap_or(1);
        if t.name.trim().is_empty() || t.id.trim().is_empty() {
            let p = Problem::at(
                &file,
                format!("tables[{ti}]"),
                "报告表的 id 与 name 不能为空",
            );
            problems.push(p.on_line(tline));
        }
        let mut items = Vec::new();
        for (ii, r) in t.items.into_iter().enumerate() {
            let line = item_lines.get(n).copied().unwrap_or(tline);
            n += 1;
            let key = |k: &str| format!("tables[{ti}].items[{ii}].{k}");
            if seen.contains(&r.id) {
                let p = Problem::at(&file, key("id"), format!("报告项编号 {} 重复", r.id));
                problems.push(p.on_line(line));
                continue;
            }
            seen.push(r.id.clone());
            match item(catalog, &file, line, r) {
                Ok(i) => items.push(i),
                Err((k, msg)) => problems.push(Problem::at(&file, key(k), msg).on_line(line)),
            }
        }
        tables.push(ReportTable {
            id: t.id,
            name: t.name,
            items,
        });
    }
    Report {
        template: parsed.template,
        tables,
        file,
    }
}

type Fault = (&'static str, String);

fn item(catalog: &Catalog, file: &Path, line: usize, r: RawItem) -> Result<ReportItem, Fault> {
    if !r.external {
        let Some(value) = r.value else {
            return Err((
                "value",
                "计算项须写 value 公式；不能由状态数据计算的项写 external = true".into(),
            ));
        };
        if r.entered_by.is_some() || r.min.is_some() || r.max.is_some() {
            return Err((
                "external",
                "entered_by、min、max 只用于 external = true 的项".into(),
            ));
        }
        let raw = RawIndicator {
            id: r.id,
            name: r.name,
            unit: r.unit,
            value,
            per: r.per,
            factor: r.factor,
            decimals: r.decimals,
            breakdowns: r.breakdowns,
            source: r.source,
            definition: r.definition,
        };
        return convert(catalog, file, line, raw).map(|i| ReportItem::Computed(Box::new(i)));
    }
    if r.value.is_some() || r.per.is_some() || r.factor.is_some() || !r.breakdowns.is_empty() {
        return Err((
            "value",
            "external = true 的项由质量部录入，不能再写公式".into(),
        ));
    }
    if super::naming::check_identifier(&r.id).is_err() {
        return Err((
            "id",
            format!("报告项编号“{}”须为小写字母开头的字母、数字、下划线", r.id),
        ));
    }
    let entered_by = r.entered_by.unwrap_or_default();
    for (key, v) in [
        ("name", &r.name),
        ("unit", &r.unit),
        ("source", &r.source),
        ("definition", &r.definition),
        ("entered_by", &entered_by),
    ] {
        if v.trim().is_empty() {
            return Err((key, format!("{key} 不能为空")));
        }
    }
    let (Some(min), Some(max)) = (r.min, r.max) else {
        return Err(("min", "external 项须写取值范围 min 与 max".into()));
    };
    if min > max {
        return Err(("max", format!("max {max} 小于 min {min}")));
    }
    let decimals = r.decimals.unwrap_or(2);
    if decimals > 6 {
        return Err(("decimals", "小数位数最多 6 位".into()));
    }
    Ok(ReportItem::External(ExternalItem {
        id: r.id,
        name: r.name,
        unit: r.unit,
        source: r.source,
        definition: r.definition,
        entered_by,
        min,
        max,
        decimals,
        line,
    }))
}
