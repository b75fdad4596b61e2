//! The uploaded workbook handed back with its problems marked: each bad cell filled red with a
//! note saying what is wrong, so a collector fixes the file where they filled it.

use std::collections::HashMap;
use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use rust_xlsxwriter::{Color, Format, Note, Workbook};

use super::import::{ImportProblem, Limits};
use super::sheet::{find_header, find_sheet, read_sheet};
use crate::defs::{naming, Table};

/// Rewrites the data sheet of `bytes` with the cells of `problems` marked. A problem of a whole
/// row (no field, or a field without a column) marks the row's first cell.
pub fn annotated(
    table: &Table,
    bytes: &[u8],
    problems: &[ImportProblem],
) -> Result<Vec<u8>, String> {
    // `import::read` has read this file within the request's limits already.
    let limits = &Limits {
        max_rows: usize::MAX / 2,
        max_cells: usize::MAX,
        ..Limits::default()
    };
    let x = |e: rust_xlsxwriter::XlsxError| e.to_string();
    let mut book = Xlsx::new(Cursor::new(bytes)).map_err(|e| e.to_string())?;
    let sheet = find_sheet(&mut book, table, limits)?;
    let content = read_sheet(&mut book, &sheet, limits, None)?;
    let header = find_header(table, &content);
    let mut columns: HashMap<String, u16> = header
        .iter()
        .flat_map(|h| &h.columns)
        .map(|(c, f)| (naming::graphql_field(&f.name), *c as u16))
        .collect();
    // A row whose 填报单位 was refused is marked on that cell.
    if let Some(unit) = header.as_ref().and_then(|h| h.unit) {
        columns.insert(super::UNIT_KEY.to_owned(), unit as u16);
    }
    let mut marks: HashMap<(u32, u16), Vec<&str>> = HashMap::new();
    for p in problems {
        let row = p.row.saturating_sub(1) as u32;
        let col = columns.get(&p.field).copied().unwrap_or(0);
        marks.entry((row, col)).or_default().push(&p.message);
    }

    let mut out = Workbook::new();
    let ws = out.add_worksheet();
    ws.set_name(&sheet).map_err(x)?;
    let bad = Format::new().set_background_color(Color::RGB(0xFFC7CE));
    let bad_date = bad.clone().set_num_format("yyyy-mm-dd");
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let mut filled = std::collections::HashSet::new();
    for row in &content.rows {
        for (c, cell) in &row.cells {
            let (r, c) = (row.index, *c as u16);
            filled.insert((r, c));
            let marked = marks.contains_key(&(r, c));
            let f = if marked { &bad } else { &Format::new() };
            match cell {
                Data::Empty => ws.write_blank(r, c, f),
                Data::Float(v) => ws.write_number_with_format(r, c, *v, f),
                Data::Int(v) => ws.write_number_with_format(r, c, *v as f64, f),
                Data::Bool(v) => ws.write_boolean_with_format(r, c, *v, f),
                Data::DateTime(d) => match d.as_datetime() {
                    Some(t) => {
                        let f = if marked { &bad_date } else { &date };
                        ws.write_datetime_with_format(r, c, t, f)
                    }
                    None => ws.write_string_with_format(r, c, cell.to_string(), f),
                },
                other => ws.write_string_with_format(r, c, other.to_string(), f),
            }
            .map_err(x)?;
        }
    }
    for ((r, c), messages) in &marks {
        if !filled.contains(&(*r, *c)) {
            ws.write_blank(*r, *c, &bad).map_err(x)?;
        }
        let note = Note::new(messages.join("\n")).add_author_prefix(false);
        ws.insert_note(*r, *c, &note).map_err(x)?;
    }
    let below_header = header.map_or(1, |h| h.row + 1);
    ws.set_freeze_panes(below_header, 0).map_err(x)?;
    out.save_to_buffer().map_err(x)
}
