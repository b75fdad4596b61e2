//! The workbooks of `bench import --valid-rows`: valid 1.5.1 rows from the demo's export, and a
//! header-only file that empties the unit's rows before the measured import.

use std::collections::HashSet;
use std::io::Cursor;

use anyhow::Context;
use calamine::Reader;
use statusdata::defs::Table;

/// `rows` data rows from the exported workbook (without its `broken` Excel rows), its students
/// repeated with new 学号 past the
/// export's end (those then miss their 0.1.5 twin: a check, not a refusal).
pub fn workbook(
    exported: Vec<u8>,
    table: &Table,
    rows: usize,
    broken: &HashSet<usize>,
) -> anyhow::Result<Vec<u8>> {
    let mut book = calamine::open_workbook_auto_from_rs(Cursor::new(exported))?;
    let first = book
        .sheet_names()
        .first()
        .cloned()
        .context("导出的工作簿没有工作表")?;
    let range = book.worksheet_range(&first)?;
    let mut all = range.rows();
    let header: Vec<String> = all.next().context("没有表头")?.iter().map(text).collect();
    // Excel rows are numbered from 1, the header first.
    let data: Vec<&[calamine::Data]> = all
        .enumerate()
        .filter(|(i, _)| !broken.contains(&(i + 2)))
        .map(|(_, r)| r)
        .filter(|r| r.iter().any(|c| !text(c).is_empty()))
        .collect();
    anyhow::ensure!(!data.is_empty(), "导出的工作簿没有数据行");
    // The export writes the fields in the definition's order (headers marked for the reader).
    let key = table
        .fields
        .iter()
        .position(|f| f.name == "student_no")
        .context("没有学号列")?;
    let mut out = rust_xlsxwriter::Workbook::new();
    let sheet = out.add_worksheet();
    for (c, h) in header.iter().enumerate() {
        sheet.write_string(0, c as u16, h)?;
    }
    for i in 0..rows {
        let row = data[i % data.len()];
        let r = (i + 1) as u32;
        for (c, cell) in row.iter().enumerate() {
            let c = c as u16;
            if usize::from(c) == key && i >= data.len() {
                sheet.write_string(r, c, format!("B{i:09}"))?;
                continue;
            }
            match cell {
                calamine::Data::Float(f) => sheet.write_number(r, c, *f)?,
                calamine::Data::Int(n) => sheet.write_number(r, c, *n as f64)?,
                calamine::Data::DateTime(d) => match d.as_datetime() {
                    Some(d) => sheet.write_string(r, c, d.date().format("%Y-%m-%d").to_string())?,
                    None => sheet.write_string(r, c, text(cell))?,
                },
                other => sheet.write_string(r, c, text(other))?,
            };
        }
    }
    Ok(out.save_to_buffer()?)
}

/// A workbook holding only the header row of `table`.
pub fn workbook_header(table: &Table) -> anyhow::Result<Vec<u8>> {
    let mut out = rust_xlsxwriter::Workbook::new();
    let sheet = out.add_worksheet();
    for (c, f) in table.fields.iter().enumerate() {
        sheet.write_string(0, c as u16, &f.label)?;
    }
    Ok(out.save_to_buffer()?)
}

fn text(cell: &calamine::Data) -> String {
    match cell {
        calamine::Data::Empty => String::new(),
        calamine::Data::String(s) => s.clone(),
        other => other.to_string(),
    }
}
