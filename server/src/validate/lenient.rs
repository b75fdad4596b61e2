//! Lenient reading: what a collector typed (in an Excel cell or a GraphQL argument) becomes a
//! field's value when its meaning is unambiguous — dates as `2003.6.11`, `2003年6月11日`,
//! `20030611` or an Excel serial number; year-months as `2021.9` or `202109`; years as `2021级`;
//! full-width digits; numbers as `1,234.50`, `￥1234`, `1234元`; codes whose leading zero Excel
//! dropped; booleans as `√`, `y`, `yes`. Anything that could mean two things is refused with the
//! accepted forms in the message. The one conversion module for GraphQL input and Excel import;
//! it checks forms only, never rules (those are `validate::check_record`'s).

mod dates;
mod refs;
#[cfg(test)]
mod tests;

use std::str::FromStr;

use chrono::NaiveDateTime;
use rust_decimal::Decimal;

use crate::defs::{Catalog, Field, FieldType};
use crate::store::Value;

pub use dates::{read_date, read_year, read_year_month};

/// A value as it arrives, before it is read for a field.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Raw<'a> {
    Text(&'a str),
    /// An Excel number cell (General or number format), or a JSON float.
    Number(f64),
    /// A GraphQL Int or an integer cell.
    Int(i64),
    Bool(bool),
    /// An Excel cell formatted as a date.
    DateTime(NaiveDateTime),
}

/// Excel keeps 15 significant digits; a longer integer has already lost its last digits.
pub const EXCEL_EXACT: f64 = 999_999_999_999_999.0;

/// Reads `raw` for `field`. `catalog` lets codes be matched by name or repaired (a leading zero
/// Excel dropped); without it codes are taken as given. `Err` is the Chinese reason, naming
/// the field by its label.
pub fn read(catalog: Option<&Catalog>, field: &Field, raw: Raw<'_>) -> Result<Value, String> {
    if let Raw::Text(t) = raw {
        // A value of spaces and invisible characters alone (a zero-width space pasted from a web
        // page) is empty, so that a required field is reported missing.
        if trim(t).is_empty() {
            return Ok(Value::Null);
        }
    }
    let label = &field.label;
    let shown = shown(raw);
    let fail = |why: String| format!("{label}：“{shown}”{why}");
    Ok(match &field.ty {
        FieldType::String => Value::Text(text(raw).map_err(fail)?),
        FieldType::Ref { .. } => {
            Value::Text(refs::ref_key(catalog, field, text(raw).map_err(fail)?))
        }
        // Excel writes a line break inside a cell as \n, a browser's textarea may send \r\n.
        FieldType::Text => Value::Text(text(raw).map_err(fail)?.replace("\r\n", "\n")),
        FieldType::Enum { codes } => Value::Text(code(catalog, codes, &text(raw).map_err(fail)?)),
        FieldType::MultiEnum { codes } => Value::List(
            split_list(&text(raw).map_err(fail)?)
                .map(|s| code(catalog, codes, s))
                .collect(),
        ),
        FieldType::MultiRef { .. } => Value::List(
            split_list(&text(raw).map_err(fail)?)
                .map(|s| refs::ref_key(catalog, field, s.to_owned()))
                .collect(),
        ),
        FieldType::Int => Value::Int(int(field, raw).map_err(fail)?),
        FieldType::Decimal { scale } => Value::Decimal(
            decimal(field, raw)
                .and_then(|d| fits(d, *scale))
                .map_err(fail)?,
        ),
        FieldType::Date => Value::Date(read_date(raw).map_err(fail)?),
        FieldType::YearMonth => {
            let (year, month) = read_year_month(raw).map_err(fail)?;
            Value::YearMonth { year, month }
        }
        FieldType::Year => Value::Year(read_year(raw).map_err(fail)?),
        FieldType::Bool => Value::Bool(boolean(raw).map_err(fail)?),
    })
}

/// The value as the collector sees it, for messages.
fn shown(raw: Raw<'_>) -> String {
    match raw {
        Raw::Text(t) => t.trim().chars().take(40).collect(),
        Raw::Number(f) if f.abs() >= 1e15 => format!("{f:E}"),
        Raw::Number(f) => format!("{f}"),
        Raw::Int(i) => i.to_string(),
        Raw::Bool(b) => if b { "是" } else { "否" }.into(),
        Raw::DateTime(d) => d.format("%Y-%m-%d").to_string(),
    }
}

/// Full-width ASCII (`２０２１`, `．`, `－`) and the ideographic space as their ASCII forms.
pub fn halfwidth(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            c => c,
        })
        .collect::<String>()
        .trim()
        .to_owned()
}

/// True for the characters that print as nothing and mean nothing at a value's edges: zero-width
/// spaces and joiners, the word joiner and invisible operators, the byte order mark, the soft
/// hyphen and the Mongolian vowel separator. (Spaces, the no-break space among them, are
/// whitespace already.)
pub fn invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200D}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{00AD}' | '\u{180E}'
    )
}

/// `text` without whitespace and invisible characters at its edges.
pub fn trim(text: &str) -> &str {
    text.trim_matches(|c: char| c.is_whitespace() || invisible(c))
}

fn text(raw: Raw<'_>) -> Result<String, String> {
    Ok(match raw {
        Raw::Text(t) => trim(t).to_owned(),
        Raw::Int(i) => i.to_string(),
        // An 18-digit ID number typed into a General cell: Excel keeps 15 digits and the
        // rest is gone, so no reading can restore it.
        Raw::Number(f) if f.abs() > EXCEL_EXACT => {
            return Err("是 Excel 把长数字存成数值后的结果，末几位已丢失（常见于身份证号）；请把该列设为“文本”格式后重新输入".into())
        }
        Raw::Number(f) if f.fract() == 0.0 => format!("{}", f as i64),
        Raw::Number(f) => format!("{f}"),
        Raw::Bool(b) => if b { "是" } else { "否" }.into(),
        Raw::DateTime(d) => d.format("%Y-%m-%d").to_string(),
    })
}

fn split_list(text: &str) -> impl Iterator<Item = &str> {
    text.split(['；', ';', ',', '，', '、'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// A code from "code name", "code" or "name"; a code whose leading zeros Excel dropped gets them
/// back when every code of the list is digits of one width. Unknown text is kept as given, for
/// validation to report against the list.
pub fn code(catalog: Option<&Catalog>, list: &str, text: &str) -> String {
    let text = halfwidth(text);
    let Some(l) = catalog.and_then(|c| c.code_list(list)) else {
        return text;
    };
    if l.get(&text).is_some() {
        return text;
    }
    if let Some((code, _)) = text.split_once([' ', '\u{3000}']) {
        if l.get(code).is_some() {
            return code.to_owned();
        }
    }
    if let Some(c) = l.codes.iter().find(|c| c.name == text) {
        return c.code.clone();
    }
    let width = l.codes.first().map_or(0, |c| c.code.len());
    let fixed = width > 0
        && l.codes
            .iter()
            .all(|c| c.code.len() == width && c.code.bytes().all(|b| b.is_ascii_digit()));
    if fixed && text.len() < width && text.bytes().all(|b| b.is_ascii_digit()) {
        let padded = format!("{text:0>width$}");
        if l.get(&padded).is_some() {
            return padded;
        }
    }
    text
}

const NUMBER_FORMS: &str = "可写作 1234.5、1,234.50、￥1234 或 1234元";

/// A number from text: thousands separators in groups of three, a currency sign in front, the
/// field's unit (or 元) behind.
fn number_text(field: &Field, text: &str) -> Result<Decimal, String> {
    let mut t = halfwidth(text).replace(' ', "");
    for sign in ["￥", "¥", "RMB"] {
        if let Some(rest) = t.strip_prefix(sign) {
            t = rest.to_owned();
        }
    }
    let unit = field.unit.as_deref().unwrap_or("元");
    for suffix in [unit, "元"] {
        if let Some(rest) = t.strip_suffix(suffix) {
            // 1234元 in a field counted in 万元 would be read ten thousand times too large.
            if suffix == "元" && unit != "元" && field.unit.is_some() {
                return Err(format!("的单位与本列不符：本列单位为{unit}"));
            }
            t = rest.to_owned();
            break;
        }
    }
    if t.contains(',') {
        let (int, frac) = t.split_once('.').unwrap_or((&t, ""));
        let digits = int.trim_start_matches(['-', '+']);
        let groups: Vec<&str> = digits.split(',').collect();
        let grouped = groups.first().is_some_and(|g| (1..=3).contains(&g.len()))
            && groups[1..].iter().all(|g| g.len() == 3);
        if !grouped {
            return Err(format!(
                "中的逗号含义不明（千位分隔还是小数点？）；{NUMBER_FORMS}"
            ));
        }
        t = if frac.is_empty() && !t.contains('.') {
            int.replace(',', "")
        } else {
            format!("{}.{frac}", int.replace(',', ""))
        };
    }
    if !plain_number(&t) {
        let why = if t.contains(['e', 'E']) {
            "：不接受科学计数法（如 1e5），请写出全部数字"
        } else if t.contains('_') {
            "：不接受下划线分隔（如 1_000），请写 1000 或 1,000"
        } else {
            ""
        };
        return Err(format!("不是数字{why}；{NUMBER_FORMS}"));
    }
    Decimal::from_str(&t).map_err(|_| format!("超出可保存的范围；{NUMBER_FORMS}"))
}

/// The one grammar of a number typed as text, in a form or a cell, once separators, currency and
/// unit are gone: an optional sign, digits, and an optional point with digits (`-12`, `0.5`, `.5`).
/// Exponents and underscores are refused: people type decimals, and `1e5` is a slip far more
/// often than a hundred thousand.
fn plain_number(t: &str) -> bool {
    let digits = t.strip_prefix(['-', '+']).unwrap_or(t);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let all = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    (!int.is_empty() || !frac.is_empty()) && all(int) && all(frac) && !digits.ends_with('.')
}

/// An Excel number as the decimal the collector typed: Excel keeps 15 significant digits, so the
/// binary float is read back at that precision (0.1 + 0.2 is 0.3, 12.345 stays 12.345).
pub fn excel_decimal(f: f64) -> Option<Decimal> {
    if !f.is_finite() {
        return None;
    }
    let d = Decimal::from_str(&format!("{f}")).ok()?;
    Some(d.round_sf(15)?.normalize())
}

/// A decimal is stored as a 64-bit count of its smallest unit (`10^-scale`): with at most
/// `18 - scale` digits before the point it always fits.
fn fits(d: Decimal, scale: u32) -> Result<Decimal, String> {
    let digits = 18_u32.saturating_sub(scale);
    let limit = Decimal::from(10_i64.pow(digits));
    if d.abs() < limit {
        Ok(d)
    } else {
        Err(format!("超出可保存的范围（整数部分最多 {digits} 位）"))
    }
}

fn decimal(field: &Field, raw: Raw<'_>) -> Result<Decimal, String> {
    match raw {
        Raw::Number(f) => excel_decimal(f).ok_or_else(|| "超出可保存的范围".to_owned()),
        Raw::Int(i) => Ok(Decimal::from(i)),
        Raw::Text(t) => number_text(field, t),
        _ => Err(format!("不是数字；{NUMBER_FORMS}")),
    }
}

/// An integer field holds what GraphQL's `Int` holds (32 bits), whether typed in a form or in
/// Excel, so that every value read back fits the schema's type.
fn int(field: &Field, raw: Raw<'_>) -> Result<i64, String> {
    let too_large = || format!("超出整数的范围（{} 至 {}）", i32::MIN, i32::MAX);
    let d = match raw {
        Raw::Int(i) => Decimal::from(i),
        Raw::Number(f) if f.abs() > EXCEL_EXACT => return Err(too_large()),
        other => decimal(field, other)?,
    };
    if d.fract() != Decimal::ZERO {
        return Err("应为整数".into());
    }
    i64::try_from(d)
        .ok()
        .and_then(|i| i32::try_from(i).ok())
        .map(i64::from)
        .ok_or_else(too_large)
}

fn boolean(raw: Raw<'_>) -> Result<bool, String> {
    let forms = "应为“是”或“否”（也可写 √/×、Y/N、yes/no、true/false、1/0）";
    match raw {
        Raw::Bool(b) => Ok(b),
        Raw::Int(1) => Ok(true),
        Raw::Int(0) => Ok(false),
        Raw::Number(1.0) => Ok(true),
        Raw::Number(0.0) => Ok(false),
        Raw::Text(t) => match halfwidth(t).to_lowercase().as_str() {
            "是" | "√" | "✓" | "✔" | "y" | "yes" | "true" | "t" | "1" => Ok(true),
            "否" | "×" | "✗" | "✘" | "n" | "no" | "false" | "f" | "0" => Ok(false),
            _ => Err(forms.into()),
        },
        _ => Err(forms.into()),
    }
}
