//! Exports: the rows of one table, or the whole cycle as one workbook with a cover sheet and a
//! sheet per table in the notice's order. Large sheets are written in constant-memory mode.

use rust_xlsxwriter::{Format, FormatBorder, Workbook, Worksheet, XlsxError};

use super::flat::unit_name;
use super::{header, sheet_name, UNIT_NAME_TITLE, UNIT_TITLE};
use crate::defs::{Catalog, FieldType, Table, Units};
use crate::store::{StoredRow, Value};

/// The columns before the fields: the row's 填报单位 and its name.
const UNIT_COLUMNS: u16 = 2;

/// What goes on a cover sheet.
pub struct Cover<'a> {
    pub school: &'a str,
    pub cycle: i32,
    pub generated_by: &'a str,
    pub generated_at: &'a str,
    /// A warning shown in red under the title (e.g. core data not yet signed off).
    pub note: Option<&'a str>,
}

/// The text of a code as the export shows it: "code name".
fn code_text(catalog: &Catalog, list: &str, code: &str) -> String {
    catalog
        .code_list(list)
        .and_then(|l| l.get(code))
        .map_or_else(|| code.to_owned(), |c| format!("{} {}", c.code, c.name))
}

/// Writes `rows` of `table` into `sheet`: a header of labels, then typed cells, each row
/// beginning with its 填报单位 (code, which an import by 质量部 honours, and name).
pub fn write_rows(
    sheet: &mut Worksheet,
    catalog: &Catalog,
    units: &Units,
    table: &Table,
    rows: &[StoredRow],
) -> Result<(), XlsxError> {
    let head = Format::new()
        .set_bold()
        .set_background_color("#DDEBF7")
        .set_border(FormatBorder::Thin);
    let date = Format::new().set_num_format("yyyy-mm-dd");
    sheet.write_string_with_format(0, 0, UNIT_TITLE, &head)?;
    sheet.write_string_with_format(0, 1, UNIT_NAME_TITLE, &head)?;
    sheet.set_column_width(1, 20)?;
    for (c, f) in table.fields.iter().enumerate() {
        let c = c as u16 + UNIT_COLUMNS;
        sheet.write_string_with_format(0, c, header(f), &head)?;
        sheet.set_column_width(c, (f.label.chars().count() as f64 * 2.2).clamp(10.0, 40.0))?;
    }
    for (i, row) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        sheet.write_string(r, 0, &row.unit)?;
        sheet.write_string(r, 1, unit_name(units, &row.unit))?;
        for (c, f) in table.fields.iter().enumerate() {
            let c = c as u16 + UNIT_COLUMNS;
            match (row.values.get(&f.name).unwrap_or(&Value::Null), &f.ty) {
                (Value::Null, _) => {}
                (Value::Int(n), _) => {
                    sheet.write_number(r, c, *n as f64)?;
                }
                (Value::Year(y), _) => {
                    sheet.write_number(r, c, f64::from(*y))?;
                }
                (Value::Decimal(d), FieldType::Decimal { scale }) => {
                    let fmt = Format::new().set_num_format(if *scale == 0 {
                        "0".to_owned()
                    } else {
                        format!("0.{}", "0".repeat(*scale as usize))
                    });
                    sheet.write_number_with_format(
                        r,
                        c,
                        d.to_string().parse::<f64>().unwrap_or(0.0),
                        &fmt,
                    )?;
                }
                (Value::Date(d), _) => {
                    sheet.write_date_with_format(r, c, d, &date)?;
                }
                (Value::Bool(b), _) => {
                    sheet.write_string(r, c, if *b { "是" } else { "否" })?;
                }
                (Value::Text(s), FieldType::Enum { codes }) => {
                    sheet.write_string(r, c, code_text(catalog, codes, s))?;
                }
                (Value::List(items), ty) => {
                    let shown: Vec<String> = match ty.code_list() {
                        Some(list) => items.iter().map(|i| code_text(catalog, list, i)).collect(),
                        None => items.clone(),
                    };
                    sheet.write_string(r, c, shown.join("；"))?;
                }
                (other, _) => {
                    let text = match other.to_json() {
                        serde_json::Value::String(s) => s,
                        v => v.to_string(),
                    };
                    sheet.write_string(r, c, text)?;
                }
            }
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
}

/// One table's rows as a workbook.
pub fn table_workbook(
    catalog: &Catalog,
    units: &Units,
    table: &Table,
    rows: &[StoredRow],
) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(sheet_name(table))?;
    write_rows(sheet, catalog, units, table, rows)?;
    book.save_to_buffer()
}

/// The whole cycle: a cover sheet, then every table in the notice's order. `rows_of` is asked for
/// one table at a time, so only one table's rows are in memory while the workbook is written.
pub fn cycle_workbook(
    catalog: &Catalog,
    units: &Units,
    cover: &Cover<'_>,
    states: &dyn Fn(&Table) -> String,
    rows_of: &mut dyn FnMut(&Table) -> Result<Vec<StoredRow>, String>,
) -> Result<Vec<u8>, String> {
    let x = |e: XlsxError| e.to_string();
    let mut book = Workbook::new();
    let mut counts = Vec::with_capacity(catalog.tables.len());
    {
        let sheet = book.add_worksheet();
        sheet.set_name("封面").map_err(x)?;
    }
    for table in &catalog.tables {
        let rows = rows_of(table)?;
        counts.push((
            table.code.clone(),
            table.name.clone(),
            rows.len(),
            states(table),
        ));
        let sheet = if rows.len() > 2000 {
            book.add_worksheet_with_constant_memory().map_err(x)?
        } else {
            book.add_worksheet()
        };
        sheet.set_name(sheet_name(table)).map_err(x)?;
        write_rows(sheet, catalog, units, table, &rows).map_err(x)?;
    }
    let sheet = book.worksheet_from_index(0).map_err(x)?;
    let bold = Format::new().set_bold();
    sheet
        .write_string_with_format(
            0,
            0,
            format!("{} {} 年人才培养工作状态数据", cover.school, cover.cycle),
            &Format::new().set_bold().set_font_size(16),
        )
        .map_err(x)?;
    sheet
        .write_string(
            1,
            0,
            format!(
                "导出时间：{}　导出人：{}",
                cover.generated_at, cover.generated_by
            ),
        )
        .map_err(x)?;
    if let Some(note) = cover.note {
        let red = Format::new().set_bold().set_font_color("#C00000");
        sheet
            .write_string_with_format(2, 0, format!("注意：{note}"), &red)
            .map_err(x)?;
    }
    for (c, t) in ["表编号", "表名", "行数", "报送状态"].iter().enumerate() {
        sheet
            .write_string_with_format(3, c as u16, *t, &bold)
            .map_err(x)?;
    }
    for (i, (code, name, n, state)) in counts.iter().enumerate() {
        let r = 4 + i as u32;
        sheet.write_string(r, 0, code).map_err(x)?;
        sheet.write_string(r, 1, name).map_err(x)?;
        sheet.write_number(r, 2, *n as f64).map_err(x)?;
        sheet.write_string(r, 3, state).map_err(x)?;
    }
    sheet.set_column_width(1, 60).map_err(x)?;
    sheet.set_column_width(3, 40).map_err(x)?;
    book.save_to_buffer().map_err(x)
}
