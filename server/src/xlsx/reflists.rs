//! The reference lists a template carries: the rows a reference column may point at (the unit's
//! own teachers, the college's majors, courses, enterprises) on a hidden sheet, one column per
//! referenced table, and a dropdown on each reference column over its list. An entry reads
//! "key name" ("T1001 王建华"), as code lists read "code name"; the import takes the key back
//! (`validate::lenient`'s reference reading).

use std::collections::HashMap;

use rust_xlsxwriter::{DataValidation, DataValidationErrorStyle, Formula, Workbook, XlsxError};

use super::sheet::column_letters;

/// The hidden sheet of reference lists.
pub const REF_SHEET: &str = "引用表";

/// One list: its title (the referenced table and key) and its entries, "key name" each.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RefList {
    pub title: String,
    pub entries: Vec<String>,
}

/// The lists of one template, by reference field; fields pointing at the same rows (three
/// teacher columns) share one list.
#[derive(Debug, Clone, Default)]
pub struct RefLists {
    lists: Vec<RefList>,
    by_field: HashMap<String, usize>,
}

impl RefLists {
    /// Adds `list` for the field `field`, or points `field` at an equal list already added.
    pub fn add(&mut self, field: &str, list: RefList) {
        let at = match self.lists.iter().position(|l| *l == list) {
            Some(i) => i,
            None => {
                self.lists.push(list);
                self.lists.len() - 1
            }
        };
        self.by_field.insert(field.to_owned(), at);
    }

    /// True when no column has a list.
    pub fn is_empty(&self) -> bool {
        self.lists.iter().all(|l| l.entries.is_empty())
    }

    /// The dropdown of a field's column over its list on the hidden sheet, if it has one. A
    /// value outside the list is warned about, not refused: a key typed without its name, or a
    /// co-author from another unit, is the server's to judge.
    pub fn validation(&self, field: &str) -> Option<DataValidation> {
        let at = *self.by_field.get(field)?;
        let list = self.lists.get(at).filter(|l| !l.entries.is_empty())?;
        let col = column_letters(at as u32);
        let range = format!("='{REF_SHEET}'!${col}$2:${col}${}", list.entries.len() + 1);
        Some(
            DataValidation::new()
                .allow_list_formula(Formula::new(range))
                .set_error_style(DataValidationErrorStyle::Warning),
        )
    }

    /// Writes the hidden sheet, one column per list with its title on top.
    pub fn write_sheet(&self, book: &mut Workbook) -> Result<(), XlsxError> {
        let sheet = book.add_worksheet();
        sheet.set_name(REF_SHEET)?;
        for (c, list) in self.lists.iter().enumerate() {
            let c = c as u16;
            sheet.write_string(0, c, &list.title)?;
            for (r, e) in list.entries.iter().enumerate() {
                sheet.write_string(r as u32 + 1, c, e)?;
            }
            sheet.set_column_width(c, 24)?;
        }
        sheet.set_hidden(true);
        Ok(())
    }
}

/// A list entry: "key name", or the key alone when the row has no name.
pub fn entry(key: &str, name: Option<&str>) -> String {
    match name.map(str::trim).filter(|n| !n.is_empty()) {
        Some(n) => format!("{key} {n}"),
        None => key.to_owned(),
    }
}
