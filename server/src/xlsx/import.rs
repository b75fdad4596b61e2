//! Reading a filled template: the file is checked before it is opened (size, format, encryption,
//! zip bombs), columns are matched by label or field name in any order, every cell is converted
//! to the field's type, and every row is validated as the API validates it. Problems carry the
//! Excel row number. Nothing here writes; the caller stores the rows in one transaction.

use std::io::Cursor;
use std::str::FromStr;

use calamine::{Data, Reader, Xlsx};
use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::data_sheet;
use crate::defs::{naming, Catalog, Field, FieldType, Table};
use crate::store::{parse_year_month, Record, Value};
use crate::validate::{check_record, CycleDates, Severity};

/// Limits on what an import accepts.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_bytes: usize,
    pub max_unpacked: u64,
    pub max_rows: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 20 << 20,
            max_unpacked: 300 << 20,
            max_rows: 100_000,
        }
    }
}

/// One problem of the file, by Excel row (1 is the header).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ImportProblem {
    pub row: usize,
    /// The GraphQL field name; empty for problems of the whole row or file.
    pub field: String,
    pub rule: String,
    pub message: String,
}

/// The rows read from a file, with their Excel row numbers, and every problem found.
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    pub rows: Vec<(usize, Record)>,
    pub problems: Vec<ImportProblem>,
    /// Header titles that match no field; their cells are not read.
    pub ignored_columns: Vec<String>,
}

/// A byte count for people: MB from 1 MB up, else KB.
pub fn size(bytes: usize) -> String {
    if bytes >= 1 << 20 {
        format!("{} MB", bytes >> 20)
    } else {
        format!("{} KB", bytes >> 10)
    }
}

/// Refuses files that are not xlsx, encrypted, too large, or that unpack to far more than they
/// weigh. `Err` is the Chinese reason.
pub fn check_file(bytes: &[u8], limits: &Limits) -> Result<(), String> {
    if bytes.len() > limits.max_bytes {
        return Err(format!(
            "文件过大（{}），上限为 {}",
            size(bytes.len()),
            size(limits.max_bytes)
        ));
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err("文件已加密，或是旧版 .xls 格式：请取消密码并另存为 .xlsx 后再导入".into());
    }
    if !bytes.starts_with(b"PK\x03\x04") {
        return Err("不是 .xlsx 文件：请使用下载的模板并保存为 Excel 工作簿（.xlsx）".into());
    }
    let mut archive =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| "文件已损坏，无法读取".to_owned())?;
    let mut unpacked = 0u64;
    for i in 0..archive.len() {
        let entry = archive
            .by_index(i)
            .map_err(|_| "文件已损坏，无法读取".to_owned())?;
        unpacked = unpacked.saturating_add(entry.size());
        let ratio = entry.size() / entry.compressed_size().max(1);
        if unpacked > limits.max_unpacked || (entry.size() > (10 << 20) && ratio > 200) {
            return Err("文件解压后异常巨大，已拒绝（疑似压缩炸弹）".into());
        }
    }
    Ok(())
}

/// Checks the file, then reads the rows of `table` from it.
pub fn read(
    catalog: &Catalog,
    table: &Table,
    bytes: &[u8],
    cycle: &CycleDates,
    limits: &Limits,
) -> Result<Parsed, String> {
    check_file(bytes, limits)?;
    parse(catalog, table, bytes, cycle, limits)
}

/// Reads the rows of `table` from a checked workbook.
pub fn parse(
    catalog: &Catalog,
    table: &Table,
    bytes: &[u8],
    cycle: &CycleDates,
    limits: &Limits,
) -> Result<Parsed, String> {
    let mut book = Xlsx::new(Cursor::new(bytes)).map_err(|e| format!("无法读取工作簿：{e}"))?;
    let (_, range) = data_sheet(&mut book, table)?;
    if range.height() > limits.max_rows + 1 {
        return Err(format!(
            "行数过多（{}），一次最多导入 {} 行",
            range.height() - 1,
            limits.max_rows
        ));
    }
    let mut rows = range.rows();
    let header = rows.next().ok_or("工作表是空的：第 1 行应为列标题")?;
    let mut columns: Vec<Option<&Field>> = Vec::with_capacity(header.len());
    let mut out = Parsed::default();
    for cell in header {
        let title = cell.to_string();
        let title = title.trim().trim_end_matches('*').trim();
        let field = table.fields.iter().find(|f| {
            f.label == title || f.name == title || naming::graphql_field(&f.name) == title
        });
        if field.is_none() && !title.is_empty() {
            out.ignored_columns.push(title.to_owned());
        }
        columns.push(field);
    }
    for (i, row) in rows.enumerate() {
        let excel_row = i + 2;
        if row
            .iter()
            .all(|c| matches!(c, Data::Empty) || c.to_string().trim().is_empty())
        {
            continue;
        }
        let mut rec = Record::new();
        for (c, cell) in row.iter().enumerate() {
            let Some(field) = columns.get(c).copied().flatten() else {
                continue;
            };
            match cell_value(catalog, field, cell) {
                Ok(v) => {
                    rec.insert(field.name.clone(), v);
                }
                Err(message) => out.problems.push(ImportProblem {
                    row: excel_row,
                    field: naming::graphql_field(&field.name),
                    rule: "type".into(),
                    message,
                }),
            }
        }
        for p in check_record(catalog, table, &rec, cycle) {
            let gql = naming::graphql_field(&p.field);
            let already = out
                .problems
                .iter()
                .any(|x| x.row == excel_row && x.field == gql);
            if p.severity == Severity::Error && !already {
                out.problems.push(ImportProblem {
                    row: excel_row,
                    field: gql,
                    rule: p.rule.into(),
                    message: p.message,
                });
            }
        }
        out.rows.push((excel_row, rec));
    }
    Ok(out)
}

/// A code from "code name", "code" or "name".
fn code_of(catalog: &Catalog, list: &str, text: &str) -> String {
    let text = text.trim();
    let Some(l) = catalog.code_list(list) else {
        return text.to_owned();
    };
    if l.get(text).is_some() {
        return text.to_owned();
    }
    if let Some((code, _)) = text.split_once(' ') {
        if l.get(code).is_some() {
            return code.to_owned();
        }
    }
    l.codes
        .iter()
        .find(|c| c.name == text)
        .map_or_else(|| text.to_owned(), |c| c.code.clone())
}

fn as_text(cell: &Data) -> String {
    match cell {
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Int(i) => i.to_string(),
        other => other.to_string().trim().to_owned(),
    }
}

fn cell_value(catalog: &Catalog, field: &Field, cell: &Data) -> Result<Value, String> {
    if matches!(cell, Data::Empty) || as_text(cell).is_empty() {
        return Ok(Value::Null);
    }
    let bad = |what: &str| format!("{}：“{}”应为{what}", field.label, as_text(cell));
    Ok(match &field.ty {
        FieldType::String | FieldType::Text | FieldType::Ref { .. } => Value::Text(as_text(cell)),
        FieldType::Enum { codes } => Value::Text(code_of(catalog, codes, &as_text(cell))),
        FieldType::MultiEnum { codes } => Value::List(
            as_text(cell)
                .split(['；', ';', ',', '，'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| code_of(catalog, codes, s))
                .collect(),
        ),
        FieldType::MultiRef { .. } => Value::List(
            as_text(cell)
                .split(['；', ';', ',', '，'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
        ),
        FieldType::Int => Value::Int(match cell {
            Data::Float(f) if f.fract() == 0.0 => *f as i64,
            Data::Int(i) => *i,
            _ => as_text(cell).parse().map_err(|_| bad("整数"))?,
        }),
        FieldType::Year => Value::Year(match cell {
            Data::Float(f) if f.fract() == 0.0 => *f as i32,
            Data::Int(i) => i32::try_from(*i).map_err(|_| bad("年份"))?,
            _ => as_text(cell).parse().map_err(|_| bad("年份"))?,
        }),
        FieldType::Decimal { scale } => Value::Decimal(match cell {
            // Excel keeps binary floating point; the field's scale recovers the exact value.
            Data::Float(f) => {
                Decimal::from_str(&format!("{:.*}", *scale as usize, f)).map_err(|_| bad("数字"))?
            }
            Data::Int(i) => Decimal::from(*i),
            _ => Decimal::from_str(&as_text(cell)).map_err(|_| bad("数字"))?,
        }),
        FieldType::Date => Value::Date(match cell {
            Data::DateTime(d) => d
                .as_datetime()
                .map(|t| t.date())
                .ok_or_else(|| bad("日期"))?,
            _ => NaiveDate::parse_from_str(&as_text(cell), "%Y-%m-%d")
                .or_else(|_| NaiveDate::parse_from_str(&as_text(cell), "%Y/%m/%d"))
                .map_err(|_| bad("日期（YYYY-MM-DD）"))?,
        }),
        FieldType::YearMonth => match cell {
            Data::DateTime(d) => d
                .as_datetime()
                .map(|t| Value::YearMonth {
                    year: chrono::Datelike::year(&t),
                    month: chrono::Datelike::month(&t),
                })
                .ok_or_else(|| bad("年月"))?,
            _ => parse_year_month(&as_text(cell).replace('/', "-"))
                .ok_or_else(|| bad("年月（YYYY-MM）"))?,
        },
        FieldType::Bool => Value::Bool(match as_text(cell).as_str() {
            "是" | "true" | "TRUE" | "1" | "Y" => true,
            "否" | "false" | "FALSE" | "0" | "N" => false,
            _ => return Err(bad("“是”或“否”")),
        }),
    })
}
