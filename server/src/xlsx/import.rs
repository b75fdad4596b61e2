//! Reading a filled template: the file is checked before it is opened (size, format, encryption,
//! zip bombs), columns are matched by label or field name in any order, every cell is converted
//! to the field's type, and every row is validated as the API validates it. Problems carry the
//! Excel row number. Nothing here writes; the caller stores the rows in one transaction.

/// Reads the rows of a table from a checked workbook.
pub use super::rows::parse;
use std::io::Cursor;

use crate::defs::{Catalog, Table};
use crate::store::Record;
use crate::validate::CycleDates;

/// Limits on what an import accepts.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_bytes: usize,
    pub max_unpacked: u64,
    pub max_rows: usize,
    /// Cells with content in the data sheet, and distinct shared strings in the workbook.
    pub max_cells: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 20 << 20,
            max_unpacked: 300 << 20,
            max_rows: 100_000,
            max_cells: 3_000_000,
        }
    }
}

/// One problem of the file, by Excel row (1 is the header).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ImportProblem {
    pub row: usize,
    /// The GraphQL field name; empty for problems of the whole row or file.
    pub field: String,
    pub rule: String,
    pub message: String,
}

/// The rows read from a file, with their Excel row numbers, and every problem found.
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    pub rows: Vec<(usize, Record)>,
    pub problems: Vec<ImportProblem>,
    /// Header titles that match no field; their cells are not read.
    pub ignored_columns: Vec<String>,
    /// The 填报单位 written on each row (code or name, by Excel row), when the file has that
    /// column: such rows belong to that unit rather than to the one the import is for.
    pub units: std::collections::BTreeMap<usize, String>,
}

/// A byte count for people: MB from 1 MB up, else KB.
pub fn size(bytes: usize) -> String {
    if bytes >= 1 << 20 {
        format!("{} MB", bytes >> 20)
    } else {
        format!("{} KB", bytes >> 10)
    }
}

/// Refuses files that are not xlsx, encrypted, too large, or that unpack to far more than they
/// weigh. `Err` is the Chinese reason.
pub fn check_file(bytes: &[u8], limits: &Limits) -> Result<(), String> {
    if bytes.len() > limits.max_bytes {
        return Err(format!(
            "文件过大（{}），上限为 {}",
            size(bytes.len()),
            size(limits.max_bytes)
        ));
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err("文件已加密，或是旧版 .xls 格式：请取消密码并另存为 .xlsx 后再导入".into());
    }
    if !bytes.starts_with(b"PK\x03\x04") {
        return Err("不是 .xlsx 文件：请使用下载的模板并保存为 Excel 工作簿（.xlsx）".into());
    }
    let mut archive =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| "文件已损坏，无法读取".to_owned())?;
    let mut unpacked = 0u64;
    for i in 0..archive.len() {
        let entry = archive
            .by_index(i)
            .map_err(|_| "文件已损坏，无法读取".to_owned())?;
        unpacked = unpacked.saturating_add(entry.size());
        let ratio = entry.size() / entry.compressed_size().max(1);
        if unpacked > limits.max_unpacked || (entry.size() > (10 << 20) && ratio > 200) {
            return Err("文件解压后异常巨大，已拒绝（疑似压缩炸弹）".into());
        }
    }
    shared_strings(&mut archive, limits)
}

/// Counts the shared strings as they stream out of the zip: calamine loads them all when it
/// opens the workbook (and reserves room for the count the file declares), before any sheet
/// limit could refuse a file of millions of distinct strings.
fn shared_strings(
    archive: &mut zip::ZipArchive<Cursor<&[u8]>>,
    limits: &Limits,
) -> Result<(), String> {
    use quick_xml::events::Event;
    let Some(name) = archive
        .file_names()
        .filter_map(Result::ok)
        .find(|n| n.eq_ignore_ascii_case("xl/sharedStrings.xml"))
        .map(|n| n.into_owned())
    else {
        return Ok(());
    };
    let entry = archive
        .by_name(&name)
        .map_err(|_| "文件已损坏，无法读取".to_owned())?;
    let mut xml = quick_xml::Reader::from_reader(std::io::BufReader::new(entry));
    let (mut buf, mut count) = (Vec::new(), 0usize);
    let too_many = || {
        format!(
            "文件中不同的文字过多（超过 {} 个），已拒绝",
            limits.max_cells
        )
    };
    loop {
        match xml.read_event_into(&mut buf) {
            Ok(Event::Start(e)) if e.local_name().as_ref() == "sst" => {
                let declared = e
                    .try_get_attribute("uniqueCount")
                    .ok()
                    .flatten()
                    .and_then(|a| a.value.parse::<u64>().ok());
                if declared.is_some_and(|n| n > limits.max_cells as u64) {
                    return Err(too_many());
                }
            }
            Ok(Event::Start(e)) if e.local_name().as_ref() == "si" => {
                count += 1;
                if count > limits.max_cells {
                    return Err(too_many());
                }
            }
            Ok(Event::Eof) => return Ok(()),
            Err(_) => return Err("文件已损坏，无法读取共享文字表".into()),
            _ => {}
        }
        buf.clear();
    }
}

/// Checks the file, then reads the rows of `table` from it: a CSV file (by its `name`, or the
/// byte-order mark) through the same row reader as a workbook.
pub fn read(
    catalog: &Catalog,
    table: &Table,
    name: &str,
    bytes: &[u8],
    cycle: &CycleDates,
    limits: &Limits,
) -> Result<Parsed, String> {
    if super::grid::is_csv(name, bytes) {
        let sheet = super::grid::csv_sheet(name, bytes, limits)?;
        return super::rows::parse_sheet(catalog, table, &sheet, cycle, limits);
    }
    check_file(bytes, limits)?;
    parse(catalog, table, bytes, cycle, limits)
}
