//! The core indicators as a workbook (`/export/{cycle}/indicators.xlsx`): one sheet with each
//! indicator's value beside last cycle's and the change, the sign-off state above it and the
//! leaders' comments beside it; a second sheet with every breakdown.

use rust_xlsxwriter::{Format, FormatBorder, Workbook, Worksheet, XlsxError};

use crate::indicators::CoreData;

fn head() -> Format {
    Format::new()
        .set_bold()
        .set_background_color("#DDEBF7")
        .set_border(FormatBorder::Thin)
        .set_text_wrap()
}

/// A decimal text as a number cell, an empty cell when absent.
fn number(sheet: &mut Worksheet, r: u32, c: u16, v: Option<&str>) -> Result<(), XlsxError> {
    if let Some(n) = v.and_then(|v| v.parse::<f64>().ok()) {
        sheet.write_number(r, c, n)?;
    }
    Ok(())
}

fn state_line(data: &CoreData) -> String {
    let Some(s) = &data.snapshot else {
        return "状态：尚未发布（以下为当前数据的计算值）".into();
    };
    let words = match s.state.as_str() {
        "published" => "待院领导审核",
        "returned" => "已退回质量部",
        "signed_off" => "院领导已签字",
        "unsigned" => "签字后有表被重新打开，签字已撤销",
        other => other,
    };
    let decided = match (&s.decided_by, &s.decided_at) {
        (Some(b), Some(a)) => format!("；审核：{b} {a}"),
        _ => String::new(),
    };
    let comment = s
        .decision_comment
        .as_deref()
        .map(|c| format!("；意见：{c}"))
        .unwrap_or_default();
    format!(
        "状态：第 {} 版，{words}（发布：{} {}{decided}{comment}）",
        s.version, s.published_by, s.published_at
    )
}

/// Builds the workbook in memory.
pub fn indicators_workbook(data: &CoreData) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    core_sheet(book.add_worksheet(), data)?;
    parts_sheet(book.add_worksheet(), data)?;
    book.save_to_buffer()
}

/// 核心数据: the state, then one line per indicator with both cycles, the change and comments.
fn core_sheet(sheet: &mut Worksheet, data: &CoreData) -> Result<(), XlsxError> {
    let cycle = data.cycle;
    sheet.set_name("核心数据")?;
    sheet.write_string_with_format(
        0,
        0,
        format!("{cycle} 年人才培养工作状态核心数据"),
        &Format::new().set_bold().set_font_size(14),
    )?;
    sheet.write_string(1, 0, state_line(data))?;
    let warnings = data
        .snapshot
        .as_ref()
        .map(|s| s.warnings.join("；"))
        .unwrap_or_default();
    if !warnings.is_empty() {
        sheet.write_string(2, 0, format!("发布时尚未验收：{warnings}"))?;
    }
    let columns = [
        "编号".to_owned(),
        "指标".into(),
        "单位".into(),
        format!("{cycle} 年"),
        format!("{} 年", cycle - 1),
        "变化".into(),
        "变化幅度（%）".into(),
        "数据来源".into(),
        "统计口径".into(),
        "院领导批注".into(),
    ];
    for (c, t) in columns.iter().enumerate() {
        sheet.write_string_with_format(4, c as u16, t, &head())?;
    }
    for (i, ind) in data.indicators.iter().enumerate() {
        let r = 5 + i as u32;
        let c = &ind.computed;
        sheet.write_string(r, 0, &c.id)?;
        sheet.write_string(r, 1, &c.name)?;
        sheet.write_string(r, 2, &c.unit)?;
        number(sheet, r, 3, c.value.as_deref())?;
        number(sheet, r, 4, c.previous.as_deref())?;
        number(sheet, r, 5, c.change.as_deref())?;
        number(sheet, r, 6, c.change_percent.as_deref())?;
        sheet.write_string(r, 7, &c.source)?;
        sheet.write_string(r, 8, &c.definition)?;
        let notes: Vec<String> = ind
            .comments
            .iter()
            .map(|m| format!("{}：{}", m.author_name, m.body))
            .collect();
        sheet.write_string(r, 9, notes.join("\n"))?;
    }
    for (c, w) in [18, 24, 8, 12, 12, 10, 12, 40, 40, 40]
        .into_iter()
        .enumerate()
    {
        sheet.set_column_width(c as u16, w)?;
    }
    Ok(())
}

/// 分项: every group of every breakdown, this cycle and last.
fn parts_sheet(parts: &mut Worksheet, data: &CoreData) -> Result<(), XlsxError> {
    parts.set_name("分项")?;
    let columns = ["指标", "分项", "代码", "名称", "本年", "上年"];
    for (c, t) in columns.iter().enumerate() {
        parts.write_string_with_format(0, c as u16, *t, &head())?;
    }
    let mut r = 1;
    for ind in &data.indicators {
        for b in &ind.computed.breakdowns {
            for item in &b.items {
                parts.write_string(r, 0, &ind.computed.name)?;
                parts.write_string(r, 1, &b.name)?;
                parts.write_string(r, 2, &item.key)?;
                parts.write_string(r, 3, &item.label)?;
                number(parts, r, 4, item.value.as_deref())?;
                number(parts, r, 5, item.previous.as_deref())?;
                r += 1;
            }
        }
    }
    for (c, w) in [24, 10, 14, 30, 12, 12].into_iter().enumerate() {
        parts.set_column_width(c as u16, w)?;
    }
    Ok(())
}
