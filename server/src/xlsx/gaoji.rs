//! The 高基报表 workbook: a template listing every reference figure (编号, 项目, 高基表号与指标,
//! 单位, 时点, 数值, 备注) for 质量部 to fill, and reading it back. Columns are found by their
//! titles; problems carry the Excel row number.

use std::io::Cursor;
use std::str::FromStr;

use calamine::{Data, Reader, Xlsx};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use rust_xlsxwriter::{Format, Workbook};

use super::import::{check_file, ImportProblem, Limits};
use crate::defs::Catalog;
use crate::validate::lenient::{excel_decimal, halfwidth, read_date, Raw};

/// The data sheet's name.
pub const SHEET: &str = "高基报表";
const HEADERS: [&str; 7] = [
    "编号",
    "项目",
    "高基表号与指标",
    "单位",
    "时点",
    "数值",
    "备注",
];

/// One 高基 figure as entered, in the form (`setGaojiFigures`) or in the workbook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FigureInput {
    pub item: String,
    pub value: Decimal,
    /// The 高基 时点; the figure's default (学年初) when absent.
    pub as_of: Option<NaiveDate>,
    pub note: Option<String>,
}

/// One filled row of the workbook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GaojiRow {
    /// The Excel row number.
    pub row: usize,
    pub figure: FigureInput,
}

/// The template for `cycle`: one row per reference figure, 时点 filled with its default.
pub fn gaoji_template(catalog: &Catalog, cycle: i32) -> Result<Vec<u8>, String> {
    let x = |e: rust_xlsxwriter::XlsxError| e.to_string();
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name(SHEET).map_err(x)?;
    let bold = Format::new().set_bold();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for (c, h) in HEADERS.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &bold)
            .map_err(x)?;
    }
    for (i, f) in catalog.gaoji.iter().enumerate() {
        let r = i as u32 + 1;
        ws.write_string(r, 0, &f.id).map_err(x)?;
        ws.write_string(r, 1, &f.name).map_err(x)?;
        ws.write_string(r, 2, &f.source).map_err(x)?;
        ws.write_string(r, 3, &f.measure).map_err(x)?;
        if let Some(d) = NaiveDate::from_ymd_opt(cycle, f.as_of.0, f.as_of.1) {
            ws.write_date_with_format(r, 4, d, &date).map_err(x)?;
        }
    }
    for (c, w) in [
        (0, 16.0),
        (1, 26.0),
        (2, 34.0),
        (3, 8.0),
        (4, 12.0),
        (5, 16.0),
        (6, 30.0),
    ] {
        ws.set_column_width(c, w).map_err(x)?;
    }
    let help = book.add_worksheet();
    help.set_name("填表说明").map_err(x)?;
    let lines = [
        "按高基报表填写“数值”列；不填的项目不导入。",
        "“时点”为高基报表的统计时点（学年初 9月1日），状态数据的时点为 8月31日。",
        "编号不要改动；导入后与状态数据对照：一致、已知原因（如时点差异）的差异、未说明的差异（生成提醒，由填报单位说明）。",
    ];
    for (i, l) in lines.iter().enumerate() {
        help.write_string(i as u32, 0, *l).map_err(x)?;
    }
    book.save_to_buffer().map_err(x)
}

fn text_of(cell: &Data) -> String {
    match cell {
        Data::String(s) => s.trim().to_owned(),
        Data::Float(f) => excel_decimal(*f).map_or_else(String::new, |d| d.to_string()),
        Data::Int(i) => i.to_string(),
        Data::Empty => String::new(),
        other => other.to_string(),
    }
}

fn number(cell: &Data) -> Result<Decimal, String> {
    match cell {
        Data::Float(f) => excel_decimal(*f).ok_or_else(|| "数值超出可保存的范围".to_owned()),
        Data::Int(i) => Ok(Decimal::from(*i)),
        Data::String(s) => {
            let t: String = halfwidth(s)
                .chars()
                .filter(|c| !matches!(c, ',' | ' '))
                .collect();
            Decimal::from_str(&t).map_err(|_| format!("“{s}”不是数字"))
        }
        _ => Err("不是数字".into()),
    }
}

fn date(cell: &Data) -> Result<Option<NaiveDate>, String> {
    let raw = match cell {
        Data::Empty => return Ok(None),
        Data::String(s) if s.trim().is_empty() => return Ok(None),
        Data::String(s) => Raw::Text(s),
        Data::Float(f) => Raw::Number(*f),
        Data::Int(i) => Raw::Int(*i),
        Data::DateTime(d) => return Ok(d.as_datetime().map(|d| d.date())),
        Data::DateTimeIso(s) => Raw::Text(s),
        _ => return Err("不是日期".into()),
    };
    read_date(raw).map(Some)
}

/// Reads a filled workbook: the rows with a 数值, or every problem (with its Excel row).
pub fn read_gaoji(bytes: &[u8], limits: &Limits) -> Result<Vec<GaojiRow>, Vec<ImportProblem>> {
    let whole = |message: String| {
        vec![ImportProblem {
            row: 0,
            field: String::new(),
            rule: "file".into(),
            message,
        }]
    };
    check_file(bytes, limits).map_err(whole)?;
    let mut book =
        Xlsx::new(Cursor::new(bytes)).map_err(|e| whole(format!("无法打开工作簿：{e}")))?;
    let names = book.sheet_names();
    let name = names
        .iter()
        .find(|n| n.as_str() == SHEET)
        .or_else(|| names.first())
        .cloned()
        .ok_or_else(|| whole("工作簿中没有工作表".into()))?;
    let range = book
        .worksheet_range(&name)
        .map_err(|e| whole(format!("无法读取工作表“{name}”：{e}")))?;
    let rows: Vec<&[Data]> = range.rows().collect();
    if rows.len() > limits.max_rows {
        return Err(whole(format!("行数超过上限 {}", limits.max_rows)));
    }
    let start = range.start().map_or(0, |(r, _)| r as usize);
    let header = rows.first().ok_or_else(|| whole("工作表是空的".into()))?;
    let col = |title: &str| header.iter().position(|c| text_of(c) == title);
    let (Some(item_col), Some(value_col)) = (col("编号"), col("数值")) else {
        return Err(whole(format!(
            "工作表“{name}”缺少“编号”或“数值”列（请使用下载的模板）"
        )));
    };
    let (as_of_col, note_col) = (col("时点"), col("备注"));
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for (i, cells) in rows.iter().enumerate().skip(1) {
        let excel_row = start + i + 1;
        let cell = |c: Option<usize>| c.and_then(|c| cells.get(c)).unwrap_or(&Data::Empty);
        let item = text_of(cell(Some(item_col)));
        let value = cell(Some(value_col));
        if item.is_empty() || matches!(value, Data::Empty) || text_of(value).is_empty() {
            continue;
        }
        let mut bad = |field: &str, rule: &str, message: String| {
            problems.push(ImportProblem {
                row: excel_row,
                field: field.into(),
                rule: rule.into(),
                message,
            })
        };
        let value = number(value).map_err(|m| bad("value", "number", format!("{item}：{m}")));
        let as_of =
            date(cell(as_of_col)).map_err(|m| bad("asOf", "date", format!("{item}：时点{m}")));
        let note = Some(text_of(cell(note_col))).filter(|n| !n.is_empty());
        if let (Ok(value), Ok(as_of)) = (value, as_of) {
            out.push(GaojiRow {
                row: excel_row,
                figure: FigureInput {
                    item,
                    value,
                    as_of,
                    note,
                },
            });
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}
