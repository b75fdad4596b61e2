//! The annual quality report's data tables as a workbook (`/export/{cycle}/annual-report.xlsx`):
//! one sheet per report table in the template's layout — 序号, 指标, 单位, 本年, 上年, 变化, 来源 —
//! with the core data's sign-off state above, in red until the leaders signed off.

use rust_xlsxwriter::{Format, FormatBorder, Workbook, Worksheet, XlsxError};

use crate::indicators::report::{ReportFigure, ReportTableFigures};

/// The columns of every sheet.
pub const COLUMNS: [&str; 7] = ["序号", "指标", "单位", "本年", "上年", "变化", "来源"];

/// What the workbook shows above each table.
pub struct ReportHead<'a> {
    pub cycle: i32,
    pub template: &'a str,
    /// The sign-off state in words.
    pub state: &'a str,
    /// A warning in red (not yet signed off).
    pub warning: Option<&'a str>,
}

fn head() -> Format {
    Format::new()
        .set_bold()
        .set_background_color("#DDEBF7")
        .set_border(FormatBorder::Thin)
        .set_text_wrap()
}

/// Where a line's figure comes from, as the sheet and the document show it.
pub fn source_text(f: &ReportFigure) -> String {
    match &f.entered {
        Some(e) => format!("{}（{}，质量部录入）", e.source, e.source_date),
        None if f.external => format!("{}（待质量部录入）", f.source),
        None => f.source.clone(),
    }
}

/// Builds the workbook in memory.
pub fn annual_workbook(
    head_of: &ReportHead<'_>,
    tables: &[ReportTableFigures],
) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    for (n, table) in tables.iter().enumerate() {
        table_sheet(book.add_worksheet(), head_of, n + 1, table)?;
    }
    book.save_to_buffer()
}

fn number(sheet: &mut Worksheet, r: u32, c: u16, v: Option<&str>) -> Result<(), XlsxError> {
    if let Some(n) = v.and_then(|v| v.parse::<f64>().ok()) {
        sheet.write_number(r, c, n)?;
    }
    Ok(())
}

fn table_sheet(
    sheet: &mut Worksheet,
    h: &ReportHead<'_>,
    n: usize,
    table: &ReportTableFigures,
) -> Result<(), XlsxError> {
    sheet.set_name(&table.name)?;
    let title = format!("表{n} {}（{} 年）", table.name, h.cycle);
    sheet.write_string_with_format(0, 0, title, &Format::new().set_bold().set_font_size(14))?;
    sheet.write_string(1, 0, format!("{}；模板：{}", h.state, h.template))?;
    if let Some(w) = h.warning {
        let red = Format::new().set_bold().set_font_color("#C00000");
        sheet.write_string_with_format(2, 0, w, &red)?;
    }
    for (c, t) in COLUMNS.iter().enumerate() {
        sheet.write_string_with_format(4, c as u16, *t, &head())?;
    }
    for (i, f) in table.items.iter().enumerate() {
        let r = 5 + i as u32;
        sheet.write_number(r, 0, (i + 1) as f64)?;
        sheet.write_string(r, 1, &f.name)?;
        sheet.write_string(r, 2, &f.unit)?;
        number(sheet, r, 3, f.value.as_deref())?;
        number(sheet, r, 4, f.previous.as_deref())?;
        number(sheet, r, 5, f.change.as_deref())?;
        sheet.write_string(r, 6, source_text(f))?;
    }
    for (c, w) in [6, 36, 8, 12, 12, 10, 60].into_iter().enumerate() {
        sheet.set_column_width(c as u16, w)?;
    }
    Ok(())
}
