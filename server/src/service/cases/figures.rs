//! The figures a case quotes: a core indicator by its id (one of `table-defs/indicators.toml`),
//! or one row of a data table that the author may read, in the case's cycle.

use super::super::{ApiResult, InputProblem, Service};
use crate::authz::{Access, Action};
pub use crate::store::cases::Figure;
use crate::store::{ops, AnyConnection};

/// The most figures one case quotes.
pub const MAX_FIGURES: usize = 50;
/// The longest indicator id, label or value, in characters.
const MAX_SHORT: usize = 100;

/// A figure as a caller gives it: `indicator`, or `table` and `row_id`; with a label and
/// optionally the value as the case quotes it.
#[derive(Debug, Clone, Default)]
pub struct FigureInput {
    pub indicator: Option<String>,
    pub table: Option<String>,
    pub row_id: Option<String>,
    pub label: Option<String>,
    pub value: Option<String>,
}

fn trimmed(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

impl Service {
    /// Checks each figure (problems go to `out`, named `figures[i]`) and describes linked rows.
    pub(super) fn resolve_figures(
        &self,
        conn: &mut AnyConnection,
        who: &Access,
        cycle: i32,
        given: &[FigureInput],
        out: &mut Vec<InputProblem>,
    ) -> ApiResult<Vec<Figure>> {
        let mut figures = Vec::new();
        if given.len() > MAX_FIGURES {
            out.push(problem(0, "max", format!("相关数据最多 {MAX_FIGURES} 项")));
            return Ok(figures);
        }
        for (i, f) in given.iter().enumerate() {
            let mut bad = |rule: &str, message: String| out.push(problem(i, rule, message));
            let label = trimmed(&f.label).unwrap_or_default();
            let value = trimmed(&f.value).unwrap_or_default();
            if label.is_empty() {
                bad("required", "名称不能为空（如“双师型教师比例”）".into());
            }
            for (what, text) in [("名称", &label), ("数值", &value)] {
                if text.chars().count() > MAX_SHORT || text.chars().any(char::is_control) {
                    bad(
                        "format",
                        format!("{what}不能超过 {MAX_SHORT} 字，且不能含控制字符"),
                    );
                }
            }
            let figure = match (trimmed(&f.indicator), trimmed(&f.table)) {
                (Some(_), Some(_)) => {
                    bad(
                        "link",
                        "只能关联一项核心指标或数据表的一行，不能同时关联两者".into(),
                    );
                    continue;
                }
                (None, None) => {
                    bad(
                        "link",
                        "请填写关联的核心指标编号，或数据表的表号与行号".into(),
                    );
                    continue;
                }
                (Some(indicator), None) => {
                    if indicator.chars().count() > MAX_SHORT
                        || indicator.chars().any(char::is_control)
                    {
                        bad("format", format!("核心指标编号不能超过 {MAX_SHORT} 字"));
                        continue;
                    }
                    let catalog = self.store.catalog();
                    let Some(def) = catalog.indicators.iter().find(|d| d.id == indicator) else {
                        bad(
                            "ref",
                            format!("没有编号为 {indicator} 的核心指标（见 table-defs/indicators.toml）"),
                        );
                        continue;
                    };
                    // Named as people read it, in the card and the Word export.
                    let source = format!("核心指标：{}", def.name);
                    Figure {
                        indicator: Some(indicator),
                        table_code: None,
                        row_id: None,
                        source,
                        label,
                        value,
                    }
                }
                (None, Some(code)) => match self.row_source(conn, who, cycle, &code, &f.row_id)? {
                    Ok((table_code, row_id, source)) => Figure {
                        indicator: None,
                        table_code: Some(table_code),
                        row_id: Some(row_id),
                        source,
                        label,
                        value,
                    },
                    Err(message) => {
                        bad("row", message);
                        continue;
                    }
                },
            };
            figures.push(figure);
        }
        Ok(figures)
    }

    /// The row `row_id` of table `code` if the caller may read it and it is of `cycle`: its
    /// code, id and a description by the table's key; otherwise why not, in Chinese.
    fn row_source(
        &self,
        conn: &mut AnyConnection,
        who: &Access,
        cycle: i32,
        code: &str,
        row_id: &Option<String>,
    ) -> ApiResult<Result<(String, i64, String), String>> {
        let Some(table) = self.store.catalog().table_by_code(code).cloned() else {
            return Ok(Err(format!("没有编号为 {code} 的数据表")));
        };
        if !who.can(&table.code, Action::Read) {
            return Ok(Err(format!(
                "您没有查看“{} {}”的权限",
                table.code, table.name
            )));
        }
        let Some(id) = trimmed(row_id).and_then(|r| r.parse::<i64>().ok()) else {
            return Ok(Err(format!(
                "请填写“{} {}”中的行号",
                table.code, table.name
            )));
        };
        let row = ops::get_row(conn, &table, &who.read_scope(&table.code), id)?;
        let Some(row) = row.filter(|r| r.cycle == cycle) else {
            return Ok(Err(format!(
                "“{} {}”{cycle} 年没有编号为 {id} 的行，或不在您可查看的范围内",
                table.code, table.name
            )));
        };
        let keys: Vec<&String> = if table.key.is_empty() {
            table.fields.iter().take(2).map(|f| &f.name).collect()
        } else {
            table.key.iter().collect()
        };
        let described: Vec<String> = keys
            .into_iter()
            .filter_map(|k| {
                let field = table.fields.iter().find(|f| &f.name == k)?;
                let value = row.values.get(k)?;
                let text = match value.to_json() {
                    serde_json::Value::String(s) => s,
                    serde_json::Value::Null => return None,
                    other => other.to_string(),
                };
                Some(format!("{}={text}", field.label))
            })
            .collect();
        let source = format!("{} {}：{}", table.code, table.name, described.join("，"));
        Ok(Ok((table.code.clone(), id, source)))
    }
}

fn problem(i: usize, rule: &str, message: String) -> InputProblem {
    InputProblem {
        row: 0,
        field: format!("figures[{i}]"),
        rule: rule.to_owned(),
        message: format!("相关数据第 {} 项：{message}", i + 1),
    }
}
