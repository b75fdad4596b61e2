//! Excel: import templates with dropdowns and notes, and exports of one table or a whole cycle.
//! Cells show codes as "code name" (as the dropdowns offer them) and decimals as numbers.

pub mod annual;
pub mod cycle;
pub mod export;
pub mod flat;
pub mod gaoji;
pub mod grid;
pub mod import;
pub mod indicators;
pub mod quality;
pub mod reflists;
pub mod report;
pub mod rows;
pub mod sheet;
pub mod template;

use crate::defs::{Catalog, Field, FieldType, Table};

/// A worksheet name for a table: "1.4.1 校内教师基本信息表", within Excel's 31 characters and
/// without the characters Excel forbids.
pub fn sheet_name(table: &Table) -> String {
    let name: String = format!("{} {}", table.code, table.name)
        .chars()
        .filter(|c| !matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\'))
        .take(31)
        .collect();
    name
}

/// The title of the column holding each row's 填报单位 (its code) in a labelled export, and
/// in an import of rows of several units.
pub const UNIT_TITLE: &str = "填报单位";
/// The title of the unit's name beside it (read for people, ignored on import).
pub const UNIT_NAME_TITLE: &str = "填报单位名称";
/// The same two columns headed by names (`?header=names`, JSON Lines keys).
pub const UNIT_KEY: &str = "unit";
pub const UNIT_NAME_KEY: &str = "unitName";

/// The title of the column beside a code field holding the codes' names: "学历（名称）".
pub fn name_title(field: &Field) -> String {
    format!("{}（名称）", field.label)
}

/// The key of that column when headed by names, and of the names in JSON Lines: "eduLabel".
pub fn name_key(field: &Field) -> String {
    format!("{}Label", crate::defs::naming::graphql_field(&field.name))
}

/// The header of a field's column: its label, with `*` for a required field.
pub fn header(field: &Field) -> String {
    if field.required {
        format!("{}*", field.label)
    } else {
        field.label.clone()
    }
}

/// The entries a dropdown offers for a code list: "code name".
pub fn choices(catalog: &Catalog, field: &Field) -> Vec<String> {
    field
        .ty
        .code_list()
        .and_then(|l| catalog.code_list(l))
        .map(|l| {
            l.codes
                .iter()
                .filter(|c| c.note.as_deref() != Some("类别"))
                .map(|c| format!("{} {}", c.code, c.name))
                .collect()
        })
        .unwrap_or_default()
}

/// The rules of a field in Chinese, for the header's note and the read-me sheet.
pub fn rules(catalog: &Catalog, field: &Field) -> String {
    let mut parts = vec![match &field.ty {
        FieldType::String | FieldType::Text => "文字".to_owned(),
        FieldType::Int => "整数".to_owned(),
        FieldType::Decimal { scale } => format!("数字，最多 {scale} 位小数"),
        FieldType::Date => "日期 YYYY-MM-DD".to_owned(),
        FieldType::YearMonth => "年月 YYYY-MM".to_owned(),
        FieldType::Year => "年份 YYYY".to_owned(),
        FieldType::Bool => "是 / 否".to_owned(),
        FieldType::Enum { codes } => format!(
            "从下拉列表选择（{}）",
            catalog
                .code_list(codes)
                .map_or(codes.as_str(), |l| l.label.as_str())
        ),
        FieldType::MultiEnum { codes } => format!(
            "多个代码用分号分隔（{}）",
            catalog
                .code_list(codes)
                .map_or(codes.as_str(), |l| l.label.as_str())
        ),
        FieldType::Ref { targets } | FieldType::MultiRef { targets } => {
            let t: Vec<String> = targets
                .iter()
                .map(|t| {
                    catalog
                        .table_by_slug(&t.table)
                        .map_or(t.table.clone(), |x| format!("{} {}", x.code, x.name))
                })
                .collect();
            format!("须与{}中的值一致", t.join("或"))
        }
    }];
    if field.required {
        parts.push("必填".into());
    }
    if let Some(u) = &field.unit {
        parts.push(format!("单位：{u}"));
    }
    if let Some(m) = field.min {
        parts.push(format!("不小于 {m}"));
    }
    if let Some(m) = field.max {
        parts.push(format!("不大于 {m}"));
    }
    if let Some(m) = field.max_len {
        parts.push(format!("不超过 {m} 字"));
    }
    if let Some(h) = &field.help {
        parts.push(h.clone());
    }
    parts.join("；")
}
