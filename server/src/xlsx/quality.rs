//! The quality report as a workbook for 质量部's meetings: a summary sheet (the paragraph for the
//! work group and the totals by severity), counts by unit, table and rule, and every finding
//! still standing with its explanation.

use rust_xlsxwriter::{Format, FormatBorder, Workbook, Worksheet, XlsxError};

use crate::validate::report::{QualityReport, Tally};

const TALLY_COLUMNS: [&str; 7] = ["代码", "名称", "错误", "提醒", "待说明", "已说明", "已认可"];

fn head() -> Format {
    Format::new()
        .set_bold()
        .set_background_color("#DDEBF7")
        .set_border(FormatBorder::Thin)
}

fn tally_sheet(sheet: &mut Worksheet, title: &str, rows: &[Tally]) -> Result<(), XlsxError> {
    sheet.set_name(title)?;
    for (c, t) in TALLY_COLUMNS.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *t, &head())?;
    }
    for (i, t) in rows.iter().enumerate() {
        let r = 1 + i as u32;
        sheet.write_string(r, 0, &t.key)?;
        sheet.write_string(r, 1, &t.name)?;
        for (c, n) in [t.errors, t.warnings, t.open, t.explained, t.accepted]
            .into_iter()
            .enumerate()
        {
            sheet.write_number(r, 2 + c as u16, n as f64)?;
        }
    }
    sheet.set_column_width(0, 22)?;
    sheet.set_column_width(1, 40)?;
    Ok(())
}

/// Builds the quality workbook in memory.
pub fn quality_workbook(report: &QualityReport) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let summary = book.add_worksheet();
    summary.set_name("小结")?;
    summary.write_string_with_format(
        0,
        0,
        format!("{} 年人才培养状态数据质量报告", report.cycle),
        &Format::new().set_bold().set_font_size(14),
    )?;
    summary.write_string_with_format(1, 0, &report.summary, &Format::new().set_text_wrap())?;
    summary.set_column_width(0, 100)?;
    summary.set_row_height(1, 90)?;
    tally_sheet(book.add_worksheet(), "按严重程度", &report.by_severity)?;
    tally_sheet(book.add_worksheet(), "按单位", &report.by_unit)?;
    tally_sheet(book.add_worksheet(), "按表", &report.by_table)?;
    tally_sheet(book.add_worksheet(), "按规则", &report.by_rule)?;
    let list = book.add_worksheet();
    list.set_name("发现明细")?;
    let columns = [
        "编号",
        "表",
        "单位",
        "行",
        "字段",
        "规则",
        "严重程度",
        "说明",
        "状态",
        "单位说明",
    ];
    for (c, t) in columns.iter().enumerate() {
        list.write_string_with_format(0, c as u16, *t, &head())?;
    }
    for (i, f) in report.standing.iter().enumerate() {
        let r = 1 + i as u32;
        let severity = if f.found.severity == "error" {
            "错误"
        } else {
            "提醒"
        };
        let state = match f.state.as_str() {
            "open" => "待说明",
            "explained" => "已说明",
            "accepted" => "已认可",
            _ => "已解决",
        };
        let cells = [
            f.id.to_string(),
            f.found.table_code.clone(),
            f.found.unit.clone(),
            f.found.row_ref.clone(),
            f.found.field.clone().unwrap_or_default(),
            f.found.rule.clone(),
            severity.to_owned(),
            f.found.message.clone(),
            state.to_owned(),
            f.explanation.clone().unwrap_or_default(),
        ];
        for (c, v) in cells.iter().enumerate() {
            list.write_string(r, c as u16, v)?;
        }
    }
    list.set_column_width(3, 40)?;
    list.set_column_width(7, 60)?;
    book.save_to_buffer()
}
