//! Import templates: one sheet for the table with a header of labels (required ones marked),
//! dropdowns for code lists (long lists through a hidden sheet) and for references (the lists
//! the service gathered, on another hidden sheet), number validations, dates and year-months as
//! text (so that 2023.5 stays what was typed), a note on each header, a frozen header, and a
//! read-me sheet.

use rust_xlsxwriter::{
    DataValidation, DataValidationRule, Format, FormatBorder, Formula, Note, Workbook, Worksheet,
    XlsxError,
};

use super::reflists::RefLists;
use super::sheet::column_letters;
use super::{choices, header, rules, sheet_name};
use crate::defs::{Catalog, Field, FieldType, Table};

/// The last row of a worksheet (0-based): validations and dropdowns cover every row a collector
/// can fill, far past the import's row limit.
pub const LAST_ROW: u32 = 1_048_575;
/// Excel's limit for an inline list, in characters.
const INLINE_LIST: usize = 250;

/// The template workbook for `table`, without reference lists.
pub fn template(catalog: &Catalog, table: &Table) -> Result<Vec<u8>, XlsxError> {
    template_with(catalog, table, &RefLists::default())
}

/// The template workbook for `table` with dropdowns over `refs` on its reference columns.
pub fn template_with(
    catalog: &Catalog,
    table: &Table,
    refs: &RefLists,
) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let looks = Looks::new();
    let mut codes: Vec<(String, Vec<String>)> = Vec::new();
    {
        let sheet = book.add_worksheet();
        sheet.set_name(sheet_name(table))?;
        let mut lists = Lists {
            codes: &mut codes,
            refs,
        };
        for (c, f) in table.fields.iter().enumerate() {
            column(sheet, catalog, f, c as u16, &looks, &mut lists)?;
        }
        sheet.set_freeze_panes(1, 0)?;
        sheet.set_row_height(0, 32)?;
    }
    readme(&mut book, catalog, table)?;
    if !codes.is_empty() {
        code_sheet(&mut book, &codes)?;
    }
    if !refs.is_empty() {
        refs.write_sheet(&mut book)?;
    }
    book.save_to_buffer()
}

/// The formats of the data sheet: header titles (required ones in red) and text columns.
struct Looks {
    head: Format,
    required: Format,
    text: Format,
}

impl Looks {
    fn new() -> Self {
        let head = Format::new()
            .set_bold()
            .set_background_color("#DDEBF7")
            .set_border(FormatBorder::Thin)
            .set_text_wrap();
        Looks {
            required: head.clone().set_font_color("#C00000"),
            head,
            text: Format::new().set_num_format("@"),
        }
    }
}

/// The lists a column's dropdown may point at: the code lists too long to write inline (a
/// column joins them as it needs) and the reference lists.
struct Lists<'a> {
    codes: &'a mut Vec<(String, Vec<String>)>,
    refs: &'a RefLists,
}

/// One field's column: its title with the rule as a note, its width, its validation and, for
/// codes, the text format. A code list too long to write inline joins `lists`.
fn column(
    sheet: &mut Worksheet,
    catalog: &Catalog,
    f: &Field,
    col: u16,
    looks: &Looks,
    lists: &mut Lists<'_>,
) -> Result<(), XlsxError> {
    let title = if f.required {
        &looks.required
    } else {
        &looks.head
    };
    sheet.write_string_with_format(0, col, header(f), title)?;
    sheet.insert_note(
        0,
        col,
        &Note::new(format!("{}：{}", f.label, rules(catalog, f)))
            // The note is the rule, not a remark by someone called "Author".
            .set_author("statusdata")
            .add_author_prefix(false)
            .set_width(300)
            .set_height(160),
    )?;
    let width = (f.label.chars().count() as f64 * 2.2).clamp(10.0, 40.0);
    sheet.set_column_width(col, width)?;
    if let Some(v) = validation(catalog, f, lists)? {
        let v = v
            .set_error_title(&f.label)?
            .set_error_message(rules(catalog, f).chars().take(220).collect::<String>())?;
        sheet.add_data_validation(1, col, LAST_ROW, col, &v)?;
    }
    if matches!(
        f.ty,
        FieldType::String | FieldType::Ref { .. } | FieldType::YearMonth | FieldType::Date
    ) {
        // Codes such as 0101, and 2023.5 or 2023/9/1, must stay text as typed, not turn into
        // numbers or dates: the import reads the forms people type (validate::lenient).
        sheet.set_column_format(col, &looks.text)?;
    }
    Ok(())
}

/// The validation of a field's cells, by its kind.
fn validation(
    catalog: &Catalog,
    f: &Field,
    lists: &mut Lists<'_>,
) -> Result<Option<DataValidation>, XlsxError> {
    let lists_codes = &mut *lists.codes;
    Ok(match &f.ty {
        FieldType::Ref { .. } => lists.refs.validation(&f.name),
        FieldType::Enum { .. } => {
            let options = choices(catalog, f);
            let inline: usize = options.iter().map(|o| o.chars().count() + 1).sum();
            if inline <= INLINE_LIST {
                Some(
                    DataValidation::new().allow_list_strings(
                        &options.iter().map(String::as_str).collect::<Vec<_>>(),
                    )?,
                )
            } else {
                let col_letter = column_letters(lists_codes.len() as u32);
                let range = format!(
                    "='代码表'!${col_letter}$2:${col_letter}${}",
                    options.len() + 1
                );
                lists_codes.push((f.label.clone(), options));
                Some(DataValidation::new().allow_list_formula(Formula::new(range)))
            }
        }
        FieldType::Int | FieldType::Year => {
            let bound = |m: Option<rust_decimal::Decimal>| {
                m.and_then(|m| i32::try_from(m.trunc().mantissa()).ok())
            };
            let (lo, hi) = (
                bound(f.min).unwrap_or(i32::MIN),
                bound(f.max).unwrap_or(i32::MAX),
            );
            Some(DataValidation::new().allow_whole_number(DataValidationRule::Between(lo, hi)))
        }
        FieldType::Decimal { .. } => {
            let to_f = |d: rust_decimal::Decimal| d.to_string().parse::<f64>().unwrap_or(0.0);
            let lo = f.min.map_or(-1e15, to_f);
            let hi = f.max.map_or(1e15, to_f);
            Some(DataValidation::new().allow_decimal_number(DataValidationRule::Between(lo, hi)))
        }
        FieldType::Bool => Some(DataValidation::new().allow_list_strings(&["是", "否"])?),
        _ => None,
    })
}

/// The hidden sheet of code lists too long for an inline dropdown, one column each.
fn code_sheet(book: &mut Workbook, lists: &[(String, Vec<String>)]) -> Result<(), XlsxError> {
    let sheet = book.add_worksheet();
    sheet.set_name("代码表")?;
    for (c, (label, options)) in lists.iter().enumerate() {
        sheet.write_string(0, c as u16, label)?;
        for (r, o) in options.iter().enumerate() {
            sheet.write_string(r as u32 + 1, c as u16, o)?;
        }
    }
    sheet.set_hidden(true);
    Ok(())
}

fn readme(book: &mut Workbook, catalog: &Catalog, table: &Table) -> Result<(), XlsxError> {
    let sheet = book.add_worksheet();
    sheet.set_name("填表说明")?;
    let bold = Format::new().set_bold();
    sheet.write_string_with_format(
        0,
        0,
        format!("{} {}", table.code, table.name),
        &Format::new().set_bold().set_font_size(14),
    )?;
    sheet.write_string(1, 0, table.help.as_deref().unwrap_or(""))?;
    sheet.write_string(2, 0, "带 * 的列必填；下拉列可直接选择；日期写作 2023-08-31（也可写 2023.8.31、2023/8/31、20230831），年月写作 2023-08（也可写 2023.8、202308、2023年8月）；引用列（如工号、专业）可从下拉列表选择“代码 名称”；导入时按列标题（或字段名）识别列，顺序不限。")?;
    for (c, title) in ["字段", "字段名", "规则"].iter().enumerate() {
        sheet.write_string_with_format(4, c as u16, *title, &bold)?;
    }
    for (i, f) in table.fields.iter().enumerate() {
        let row = 5 + i as u32;
        sheet.write_string(row, 0, header(f))?;
        sheet.write_string(row, 1, &f.name)?;
        sheet.write_string(row, 2, rules(catalog, f))?;
    }
    sheet.set_column_width(0, 24)?;
    sheet.set_column_width(1, 20)?;
    sheet.set_column_width(2, 90)?;
    Ok(())
}
