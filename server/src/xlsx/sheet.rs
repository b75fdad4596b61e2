//! Finding and reading the data sheet of an uploaded workbook, cell by cell: calamine's streaming
//! cell reader, never a whole `Range` (a sheet's range is its bounding box, so one far-away cell
//! or millions of rows would be allocated before any limit could speak). Rows keep the sheet's
//! own numbers, the header row is found under a title, and the sheet by its table code.

use std::io::{Read, Seek};

use calamine::{Data, Reader, SheetVisible, Xlsx};

use super::import::Limits;
use super::sheet_name;
use crate::defs::{naming, Field, Table};
use crate::validate::lenient::halfwidth;

/// Rows above the header a sheet may have (a title, a note, a blank line).
pub const HEADER_SEARCH: usize = 10;

/// One row with content: its 0-based index in the sheet and its non-empty cells by column.
#[derive(Debug, Clone, Default)]
pub struct SheetRow {
    pub index: u32,
    pub cells: Vec<(u32, Data)>,
}

/// The rows of a sheet that have content, in order.
#[derive(Debug, Clone, Default)]
pub struct Sheet {
    pub name: String,
    pub rows: Vec<SheetRow>,
}

/// The header of a sheet: the row it is on and the field of each column.
#[derive(Debug, Clone, Default)]
pub struct Header<'t> {
    /// Index into `Sheet::rows`.
    pub position: usize,
    /// 0-based sheet row.
    pub row: u32,
    /// Columns matched to fields, in column order.
    pub columns: Vec<(u32, &'t Field)>,
    /// Titles that match no field.
    pub ignored: Vec<String>,
    /// The column of each row's 填报单位, when the sheet has one.
    pub unit: Option<u32>,
}

/// The excel row number of a 0-based sheet row.
pub fn excel_row(index: u32) -> usize {
    index as usize + 1
}

/// The column letters of a 0-based column (0 → A, 27 → AB).
pub fn column_letters(col: u32) -> String {
    let mut n = col + 1;
    let mut out = String::new();
    while n > 0 {
        let r = (n - 1) % 26;
        out.insert(0, char::from(b'A' + r as u8));
        n = (n - 1) / 26;
    }
    out
}

/// A title in one spelling: half-width punctuation (`其中:` for `其中：`, `(` for `（`), no
/// spaces or line breaks, no required star (`*` or `＊`).
fn normal_title(text: &str) -> String {
    halfwidth(text)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .trim_matches('*')
        .to_owned()
}

/// A header cell's title as written, without the required star and spaces.
pub fn title_of(cell: &Data) -> String {
    normal_title(&cell.to_string())
}

/// The field a header title names: its label, definition name or GraphQL name.
pub fn field_titled<'t>(table: &'t Table, title: &str) -> Option<&'t Field> {
    table.fields.iter().find(|f| {
        normal_title(&f.label) == title
            || f.name == title
            || naming::graphql_field(&f.name) == title
    })
}

/// Whether a title is one of the names an export writes beside the codes (the unit's name, a
/// code field's names), which an import reads from the codes instead.
fn companion(table: &Table, title: &str) -> bool {
    title == super::UNIT_NAME_TITLE
        || title == super::UNIT_NAME_KEY
        || table.fields.iter().any(|f| {
            f.ty.code_list().is_some()
                && (normal_title(&super::name_title(f)) == title || super::name_key(f) == title)
        })
}

fn blank(cell: &Data) -> bool {
    match cell {
        Data::Empty => true,
        Data::String(s) => s.trim().is_empty(),
        _ => false,
    }
}

/// Reads the rows of sheet `name`, refusing it as soon as it has more rows or cells with content
/// than `limits` allow; with `probe`, stops after that many rows (to look for a header).
pub fn read_sheet<R: Read + Seek>(
    book: &mut Xlsx<R>,
    name: &str,
    limits: &Limits,
    probe: Option<usize>,
) -> Result<Sheet, String> {
    let unreadable = |e: calamine::XlsxError| format!("无法读取工作表“{name}”：{e}");
    let mut reader = book.worksheet_cells_reader(name).map_err(unreadable)?;
    let mut sheet = Sheet {
        name: name.to_owned(),
        rows: Vec::new(),
    };
    let (mut cells, max_rows) = (0usize, limits.max_rows.saturating_add(HEADER_SEARCH));
    while let Some(cell) = reader.next_cell().map_err(unreadable)? {
        let data = Data::from(cell.get_value().clone());
        if blank(&data) {
            continue;
        }
        let (row, col) = cell.get_position();
        if sheet.rows.last().is_none_or(|r| r.index != row) {
            if probe.is_some_and(|p| sheet.rows.len() >= p) {
                break;
            }
            if sheet.rows.len() >= max_rows {
                return Err(format!(
                    "行数过多（超过 {} 行），一次最多导入 {} 行",
                    limits.max_rows, limits.max_rows
                ));
            }
            sheet.rows.push(SheetRow {
                index: row,
                cells: Vec::new(),
            });
        }
        cells += 1;
        if cells > limits.max_cells {
            return Err(format!(
                "单元格过多（超过 {} 个），一次最多导入 {} 个有内容的单元格",
                limits.max_cells, limits.max_cells
            ));
        }
        if let Some(r) = sheet.rows.last_mut() {
            r.cells.push((col, data));
        }
    }
    // Excel writes rows in order; a hand-made file need not.
    sheet.rows.sort_by_key(|r| r.index);
    Ok(sheet)
}

/// The header among the first rows: the one naming the most fields (a merged title above it
/// names none). `None` when no row names any field.
pub fn find_header<'t>(table: &'t Table, sheet: &Sheet) -> Option<Header<'t>> {
    let mut best: Option<Header<'t>> = None;
    for (position, row) in sheet.rows.iter().take(HEADER_SEARCH).enumerate() {
        let mut header = Header {
            position,
            row: row.index,
            ..Header::default()
        };
        for (col, cell) in &row.cells {
            let title = title_of(cell);
            match field_titled(table, &title) {
                Some(f) => header.columns.push((*col, f)),
                None if title == super::UNIT_TITLE || title == super::UNIT_KEY => {
                    header.unit = header.unit.or(Some(*col));
                }
                // What an export writes for people beside the codes: read again from the codes.
                None if companion(table, &title) => {}
                None if !title.is_empty() => header.ignored.push(title),
                None => {}
            }
        }
        if header.columns.len() > best.as_ref().map_or(0, |b| b.columns.len()) {
            best = Some(header);
        }
    }
    best
}

/// Whether a sheet name holds the table code as a whole token ("1.5.1", "表1.5.1 在校生").
fn names_code(name: &str, code: &str) -> bool {
    let edge = |c: Option<char>| c.is_none_or(|c| !(c.is_ascii_digit() || c == '.'));
    name.match_indices(code).any(|(at, _)| {
        edge(name[..at].chars().next_back()) && edge(name[at + code.len()..].chars().next())
    })
}

/// The name of the sheet holding `table`'s rows: named as the template names it, else named
/// with the table code, else the visible sheet whose first rows name the most of its fields,
/// else the first.
pub fn find_sheet<R: Read + Seek>(
    book: &mut Xlsx<R>,
    table: &Table,
    limits: &Limits,
) -> Result<String, String> {
    let visible: Vec<String> = book
        .sheets_metadata()
        .iter()
        .filter(|s| s.visible == SheetVisible::Visible)
        .map(|s| s.name.clone())
        .collect();
    if let Some(n) = visible.iter().find(|n| **n == sheet_name(table)) {
        return Ok(n.clone());
    }
    if let Some(n) = visible.iter().find(|n| names_code(n, &table.code)) {
        return Ok(n.clone());
    }
    let mut best: Option<(usize, String)> = None;
    for name in visible
        .iter()
        .filter(|n| !matches!(n.as_str(), "填表说明" | "代码表"))
    {
        let Ok(sheet) = read_sheet(book, name, limits, Some(HEADER_SEARCH)) else {
            continue;
        };
        let matched = find_header(table, &sheet).map_or(0, |h| h.columns.len());
        if matched > best.as_ref().map_or(0, |b| b.0) {
            best = Some((matched, name.clone()));
        }
    }
    // Nothing names the table: the first sheet, whose header check then says what is missing.
    best.map(|(_, n)| n)
        .or_else(|| visible.first().cloned())
        .ok_or_else(|| "工作簿中没有可见的工作表".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_is_found_as_a_whole_token() {
        assert!(names_code("1.5.1", "1.5.1"));
        assert!(names_code("表1.5.1在校生", "1.5.1"));
        assert!(!names_code("1.5.11 其他", "1.5.1"));
        assert!(!names_code("21.5.1", "1.5.1"));
    }

    #[test]
    fn titles_drop_full_width_stars_and_spaces() {
        assert_eq!(title_of(&Data::String(" 学号＊ ".into())), "学号");
        assert_eq!(
            normal_title("其中：教室面积（m²）"),
            normal_title("其中:教室面积(m²)")
        );
        assert_eq!(title_of(&Data::String("出生\n年月*".into())), "出生年月");
        assert_eq!(column_letters(27), "AB");
    }
}
