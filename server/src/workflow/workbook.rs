//! The progress of a cycle as an Excel workbook: one sheet of every (table, unit) entry and one
//! summary sheet per unit, for 质量部's meetings and the leaders.

use rust_xlsxwriter::{Format, FormatBorder, Workbook, XlsxError};

use super::progress::{tally, Entry};

/// Builds the workbook in memory.
pub fn progress_workbook(
    cycle: i32,
    entries: &[Entry],
    bulletin: &str,
) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let head = Format::new()
        .set_bold()
        .set_background_color("#DDEBF7")
        .set_border(FormatBorder::Thin);
    let late = Format::new().set_font_color("#C00000");
    let summary = book.add_worksheet();
    summary.set_name("各单位汇总")?;
    summary.write_string_with_format(
        0,
        0,
        format!("{cycle} 年人才培养状态数据采集进度"),
        &Format::new().set_bold().set_font_size(14),
    )?;
    summary.write_string(1, 0, bulletin)?;
    let columns = ["单位", "应报", "已提交", "审核通过", "已验收", "逾期"];
    for (c, title) in columns.iter().enumerate() {
        summary.write_string_with_format(3, c as u16, *title, &head)?;
    }
    let mut units: Vec<&str> = entries.iter().map(|e| e.unit_name.as_str()).collect();
    units.sort_unstable();
    units.dedup();
    for (i, unit) in units.iter().enumerate() {
        let t = tally(entries.iter().filter(|e| e.unit_name == *unit));
        let row = 4 + i as u32;
        summary.write_string(row, 0, *unit)?;
        for (c, n) in [t.expected, t.submitted, t.approved, t.accepted, t.overdue]
            .into_iter()
            .enumerate()
        {
            summary.write_number(row, c as u16 + 1, n as f64)?;
        }
    }
    summary.set_column_width(0, 28)?;
    let detail = book.add_worksheet();
    detail.set_name("明细")?;
    let columns = [
        "表编号",
        "表名",
        "分组",
        "填报单位",
        "状态",
        "截止日期",
        "是否逾期",
        "行数",
        "最后修改",
        "退回/说明",
    ];
    for (c, title) in columns.iter().enumerate() {
        detail.write_string_with_format(0, c as u16, *title, &head)?;
    }
    for (i, e) in entries.iter().enumerate() {
        let row = 1 + i as u32;
        detail.write_string(row, 0, &e.table)?;
        detail.write_string(row, 1, &e.table_name)?;
        detail.write_string(row, 2, &e.group)?;
        detail.write_string(row, 3, &e.unit_name)?;
        detail.write_string(row, 4, e.state.label())?;
        detail.write_string(row, 5, e.deadline.format("%Y-%m-%d").to_string())?;
        if e.overdue {
            detail.write_string_with_format(row, 6, "逾期", &late)?;
        } else {
            detail.write_string(row, 6, "")?;
        }
        match e.rows {
            Some(n) => detail.write_number(row, 7, n as f64)?,
            None => detail.write_string(row, 7, "—")?,
        };
        detail.write_string(row, 8, e.last_change.as_deref().unwrap_or(""))?;
        detail.write_string(row, 9, e.comment.as_deref().unwrap_or(""))?;
    }
    for (c, w) in [
        (0, 9.0),
        (1, 40.0),
        (2, 18.0),
        (3, 24.0),
        (4, 10.0),
        (5, 12.0),
        (8, 26.0),
        (9, 30.0),
    ] {
        detail.set_column_width(c, w)?;
    }
    detail.set_freeze_panes(1, 0)?;
    detail.autofilter(0, 0, entries.len() as u32, (columns.len() - 1) as u16)?;
    book.save_to_buffer()
}
