//! The rows of a data sheet as records: columns matched to fields once (a repeated title and a
//! missing required column are problems of the file, said once), every cell read leniently,
//! every row validated as the API validates it, and a key repeated inside the file named with
//! both rows.

use std::collections::HashMap;
use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};

use super::import::{ImportProblem, Limits, Parsed};
use super::sheet::{
    column_letters, excel_row, find_header, find_sheet, read_sheet, Header, Sheet, SheetRow,
};
use crate::defs::{naming, Catalog, Field, Table};
use crate::store::{Record, Value};
use crate::validate::lenient::{self, Raw};
use crate::validate::{check_record, CycleDates, Severity};

/// Reads the rows of `table` from a checked workbook.
pub fn parse(
    catalog: &Catalog,
    table: &Table,
    bytes: &[u8],
    cycle: &CycleDates,
    limits: &Limits,
) -> Result<Parsed, String> {
    let mut book: Xlsx<_> =
        Xlsx::new(Cursor::new(bytes)).map_err(|e| format!("无法读取工作簿：{e}"))?;
    let name = find_sheet(&mut book, table, limits)?;
    let sheet = read_sheet(&mut book, &name, limits, None)?;
    parse_sheet(catalog, table, &sheet, cycle, limits)
}

/// Reads the rows of `table` from a sheet's grid (of a workbook, or of a CSV file).
pub fn parse_sheet(
    catalog: &Catalog,
    table: &Table,
    sheet: &Sheet,
    cycle: &CycleDates,
    limits: &Limits,
) -> Result<Parsed, String> {
    let name = &sheet.name;
    let header = find_header(table, sheet).ok_or_else(|| {
        format!(
            "工作表“{name}”的前 {} 行中找不到列标题：应有{}等列",
            super::sheet::HEADER_SEARCH,
            table
                .fields
                .iter()
                .take(3)
                .map(|f| format!("“{}”", super::header(f)))
                .collect::<String>()
        )
    })?;
    let data = &sheet.rows[header.position + 1..];
    if data.len() > limits.max_rows {
        return Err(format!(
            "行数过多（{}），一次最多导入 {} 行",
            data.len(),
            limits.max_rows
        ));
    }
    let mut out = Parsed {
        ignored_columns: header.ignored.clone(),
        ..Parsed::default()
    };
    let (columns, missing) = columns(table, &header, &mut out.problems);
    let mut keys: HashMap<String, usize> = HashMap::new();
    for row in data {
        let at = excel_row(row.index);
        let mut rec = Record::new();
        let unit = header.unit.and_then(|u| unit_text(row, u));
        for (col, cell) in &row.cells {
            let Some(field) = columns.get(col) else {
                continue;
            };
            match cell_value(catalog, field, cell) {
                Ok(v) => {
                    rec.insert(field.name.clone(), v);
                }
                Err(message) => out.problems.push(problem(at, field, "type", message)),
            }
        }
        for p in check_record(catalog, table, &rec, cycle) {
            let gql = naming::graphql_field(&p.field);
            let already = out.problems.iter().any(|x| x.row == at && x.field == gql);
            let absent = p.rule == "required" && missing.contains(&p.field);
            if p.severity == Severity::Error && !already && !absent {
                out.problems.push(ImportProblem {
                    row: at,
                    field: gql,
                    rule: p.rule.into(),
                    message: p.message,
                });
            }
        }
        if let Some(p) = repeated_key(table, &rec, unit.as_deref(), at, &mut keys) {
            out.problems.push(p);
        }
        if let Some(unit) = unit {
            out.units.insert(at, unit);
        }
        out.rows.push((at, rec));
    }
    Ok(out)
}

fn problem(row: usize, field: &Field, rule: &str, message: String) -> ImportProblem {
    ImportProblem {
        row,
        field: naming::graphql_field(&field.name),
        rule: rule.into(),
        message,
    }
}

/// The field of each column, the first of repeated titles; problems for a title that repeats
/// and for each required field without a column, whose names are returned.
fn columns<'t>(
    table: &'t Table,
    header: &Header<'t>,
    problems: &mut Vec<ImportProblem>,
) -> (HashMap<u32, &'t Field>, Vec<String>) {
    let at = excel_row(header.row);
    let mut by_col = HashMap::new();
    let mut seen: HashMap<&str, Vec<u32>> = HashMap::new();
    for (col, field) in &header.columns {
        seen.entry(field.name.as_str()).or_default().push(*col);
    }
    for (col, field) in &header.columns {
        let cols = &seen[field.name.as_str()];
        if cols[0] == *col {
            by_col.insert(*col, *field);
        }
        if cols.len() > 1 && cols[0] == *col {
            let letters: Vec<String> = cols.iter().map(|c| column_letters(*c)).collect();
            problems.push(problem(
                at,
                field,
                "duplicate_column",
                format!(
                    "列“{}”出现了 {} 次（第 {} 列），无法确定用哪一列：请删除多余的列",
                    field.label,
                    cols.len(),
                    letters.join("、")
                ),
            ));
        }
    }
    let mut missing = Vec::new();
    for f in table.fields.iter().filter(|f| f.required) {
        if !seen.contains_key(f.name.as_str()) {
            problems.push(problem(
                at,
                f,
                "missing_column",
                format!("缺少列“{}”（必填）：请按模板补上这一列", super::header(f)),
            ));
            missing.push(f.name.clone());
        }
    }
    (by_col, missing)
}

/// The row's 填报单位 as written (a code or a name), when its cell is filled.
fn unit_text(row: &SheetRow, col: u32) -> Option<String> {
    let (_, cell) = row.cells.iter().find(|(c, _)| *c == col)?;
    let text = cell.to_string().trim().to_owned();
    (!text.is_empty()).then_some(text)
}

/// A problem when the row's key was already used by an earlier row of the file for the same
/// unit: importing both would silently keep only the later one. (Units number their rows
/// apart: the same key in two units is two rows.)
fn repeated_key(
    table: &Table,
    rec: &Record,
    unit: Option<&str>,
    at: usize,
    keys: &mut HashMap<String, usize>,
) -> Option<ImportProblem> {
    let first = table.key.first()?;
    let values: Vec<String> = table
        .key
        .iter()
        .map(|k| match rec.get(k) {
            Some(v) if !v.is_null() => Some(v.to_json().to_string()),
            _ => None,
        })
        .collect::<Option<_>>()?;
    let joined = format!(
        "{}\u{1e}{}",
        unit.unwrap_or_default(),
        values.join("\u{1f}")
    );
    let Some(&earlier) = keys.get(&joined) else {
        keys.insert(joined, at);
        return None;
    };
    let labels: Vec<&str> = table
        .key
        .iter()
        .filter_map(|k| table.field(k).map(|f| f.label.as_str()))
        .collect();
    let field = table.field(first)?;
    let shown: Vec<String> = values
        .iter()
        .map(|v| v.trim_matches('"').to_owned())
        .collect();
    Some(problem(
        at,
        field,
        "duplicate_key",
        format!(
            "第 {at} 行与第 {earlier} 行的{}相同（{}）：同一文件中不能重复，请删除或改正其中一行",
            labels.join("、"),
            shown.join("、")
        ),
    ))
}

/// A cell's value for a field, read as leniently as GraphQL input.
fn cell_value(catalog: &Catalog, field: &Field, cell: &Data) -> Result<Value, String> {
    let raw = match cell {
        Data::Empty => return Ok(Value::Null),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => Raw::Text(s),
        Data::Int(i) => Raw::Int(*i),
        Data::Float(f) => Raw::Number(*f),
        Data::Bool(b) => Raw::Bool(*b),
        Data::DateTime(d) => match d.as_datetime() {
            Some(t) => Raw::DateTime(t),
            None => Raw::Number(d.as_f64()),
        },
        Data::Error(e) => {
            return Err(format!(
                "{}：单元格是错误值 {e}，请改为实际的值",
                field.label
            ))
        }
    };
    lenient::read(Some(catalog), field, raw)
}
