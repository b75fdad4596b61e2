//! A CSV upload as the grid of strings a workbook's sheet gives (`sheet::Sheet`), so that one
//! row reader (`rows::parse_sheet`) reads both. The byte-order mark is dropped; a file that is
//! not UTF-8 is read as GB18030, as Excel's "CSV (逗号分隔)" saves it on a Chinese Windows.

use std::borrow::Cow;

use calamine::Data;

use super::import::{size, Limits};
use super::sheet::{Sheet, SheetRow, HEADER_SEARCH};

/// Whether an upload is a CSV file: by its name, or by the byte-order mark our exports start with.
pub fn is_csv(name: &str, bytes: &[u8]) -> bool {
    name.to_lowercase().ends_with(".csv") || bytes.starts_with(b"\xEF\xBB\xBF")
}

/// The text of a CSV file: UTF-8 without its byte-order mark, else GB18030.
fn text(bytes: &[u8]) -> Cow<'_, str> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => encoding_rs::GB18030.decode(bytes).0,
    }
}

/// The rows of a CSV file with content, numbered as Excel would number them, within `limits`.
pub fn csv_sheet(name: &str, bytes: &[u8], limits: &Limits) -> Result<Sheet, String> {
    if bytes.len() > limits.max_bytes {
        return Err(format!(
            "文件过大（{}），上限为 {}",
            size(bytes.len()),
            size(limits.max_bytes)
        ));
    }
    let text = text(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut sheet = Sheet {
        name: name.to_owned(),
        rows: Vec::new(),
    };
    let (mut cells, max_rows) = (0usize, limits.max_rows.saturating_add(HEADER_SEARCH));
    for (index, record) in reader.records().enumerate() {
        let record =
            record.map_err(|e| format!("无法读取 CSV 文件（第 {} 行）：{e}", index + 1))?;
        let row: Vec<(u32, Data)> = record
            .iter()
            .enumerate()
            .filter(|(_, cell)| !cell.trim().is_empty())
            .map(|(col, cell)| (col as u32, Data::String(cell.to_owned())))
            .collect();
        if row.is_empty() {
            continue;
        }
        if sheet.rows.len() >= max_rows {
            return Err(format!(
                "行数过多（超过 {} 行），一次最多导入 {} 行",
                limits.max_rows, limits.max_rows
            ));
        }
        cells += row.len();
        if cells > limits.max_cells {
            return Err(format!(
                "单元格过多（超过 {} 个），一次最多导入 {} 个有内容的单元格",
                limits.max_cells, limits.max_cells
            ));
        }
        sheet.rows.push(SheetRow {
            index: index as u32,
            cells: row,
        });
    }
    Ok(sheet)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_cells_bom_and_gb18030_read_as_text() {
        let file = "\u{feff}学号,姓名\n\"S1,2\",\"张\"\"三\"\"\"\n\n".as_bytes();
        let sheet = csv_sheet("t.csv", file, &Limits::default()).expect("csv");
        assert_eq!(sheet.rows.len(), 2);
        assert_eq!(sheet.rows[0].cells[0].1, Data::String("学号".into()));
        assert_eq!(sheet.rows[1].cells[0].1, Data::String("S1,2".into()));
        assert_eq!(sheet.rows[1].cells[1].1, Data::String("张\"三\"".into()));
        let (gbk, _, _) = encoding_rs::GB18030.encode("学号\nS1\n");
        let sheet = csv_sheet("t.csv", &gbk, &Limits::default()).expect("gbk csv");
        assert_eq!(sheet.rows[0].cells[0].1, Data::String("学号".into()));
        assert!(is_csv("a.CSV", b"x") && is_csv("a", b"\xEF\xBB\xBFx") && !is_csv("a.xlsx", b"PK"));
    }
}
