//! Validation: the rules of a table definition applied to a row, each problem named by field and
//! rule with a Chinese message that uses the field's label. Cross-table and cross-year rules join
//! here later; this module never writes.

mod field_rows;
pub mod formats;
pub mod lenient;
pub mod report;
pub mod rules;
pub mod yoy;

use chrono::NaiveDate;

use crate::defs::{Catalog, CodeList, Condition, Field, FieldType, Literal, Table, Test};
use crate::model::{Record, Value};

/// How bad a problem is: errors block submission, warnings need an explanation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

/// One problem of one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The field's name (`teacher_no`).
    pub field: String,
    /// The rule that failed: required, required_if, type, pattern, min, max, max_len, codes, format.
    pub rule: &'static str,
    pub severity: Severity,
    /// For the collector, in Chinese, naming the field by its label: `出生年月：格式应为 YYYY-MM`.
    pub message: String,
}

pub use crate::model::CycleDates;

/// Checks every field rule of `table` on `record` (a missing field counts as empty), dates marked
/// `in_period` against the cycle.
pub fn check_record(
    catalog: &Catalog,
    table: &Table,
    record: &Record,
    cycle: &CycleDates,
) -> Vec<Problem> {
    let mut out = Vec::new();
    for field in &table.fields {
        let value = record.get(&field.name).unwrap_or(&Value::Null);
        check_field(catalog, table, field, value, record, cycle.year, &mut out);
        if field.in_period {
            check_period(table, field, value, cycle, &mut out);
        }
    }
    out
}

fn check_period(
    table: &Table,
    field: &Field,
    value: &Value,
    cycle: &CycleDates,
    out: &mut Vec<Problem>,
) {
    let (from, to) = cycle.range(table.period);
    // A year-month is inside when any of its days is.
    let (first, last) = match value {
        Value::Date(d) => (*d, *d),
        Value::YearMonth { year, month } => {
            let first = NaiveDate::from_ymd_opt(*year, *month, 1).unwrap_or_default();
            let next = if *month == 12 {
                NaiveDate::from_ymd_opt(year + 1, 1, 1)
            } else {
                NaiveDate::from_ymd_opt(*year, month + 1, 1)
            };
            (first, next.and_then(|n| n.pred_opt()).unwrap_or(first))
        }
        _ => return,
    };
    if last < from.unwrap_or(NaiveDate::MIN) || first > to {
        let span = match from {
            Some(f) => format!("{}至{}", f.format("%Y-%m-%d"), to.format("%Y-%m-%d")),
            None => format!("不晚于{}", to.format("%Y-%m-%d")),
        };
        out.push(Problem {
            field: field.name.clone(),
            rule: "period",
            severity: Severity::Error,
            message: format!("{}：应在本周期统计时段内（{span}）", field.label),
        });
    }
}

/// Reports one problem of the field being checked: rule, severity and the text after its label.
type Push<'a> = dyn FnMut(&'static str, Severity, String) + 'a;

fn check_field(
    catalog: &Catalog,
    table: &Table,
    field: &Field,
    value: &Value,
    record: &Record,
    year: i32,
    out: &mut Vec<Problem>,
) {
    let mut push = |rule, severity, text: String| {
        out.push(Problem {
            field: field.name.clone(),
            rule,
            severity,
            message: format!("{}：{text}", field.label),
        })
    };
    if value.is_null() {
        check_empty(table, field, record, &mut push);
        return;
    }
    if let Err(expected) = type_fits(&field.ty, value) {
        push("type", Severity::Error, format!("应为{expected}"));
        return;
    }
    let texts: Vec<&str> = match value {
        Value::Text(s) => vec![s.as_str()],
        Value::List(items) => items.iter().map(String::as_str).collect(),
        _ => vec![],
    };
    for text in &texts {
        check_characters(field, text, &mut push);
        check_text(field, text, record, &mut push);
        if let Some(list) = field
            .ty
            .code_list()
            .and_then(|name| catalog.code_list(name))
        {
            check_code(list, text, year, &mut push);
        }
    }
    check_number(field, value, &mut push);
}

/// An empty field: refused when required, or when its condition on another field holds.
fn check_empty(table: &Table, field: &Field, record: &Record, push: &mut Push<'_>) {
    if field.required {
        push("required", Severity::Error, "必填".into());
    } else if let Some(cond) = field.required_if.as_ref().filter(|c| holds(c, record)) {
        let other = table
            .field(&cond.field)
            .map_or(cond.field.as_str(), |f| f.label.as_str());
        push(
            "required_if",
            Severity::Error,
            format!("{other}为当前值时必填"),
        );
    }
}

/// Characters a text must not hold.
fn check_characters(field: &Field, text: &str, push: &mut Push<'_>) {
    // Control characters print as nothing (or break the export's XML); only a text field
    // may hold tabs and line breaks.
    let multiline = field.ty == FieldType::Text;
    if let Some(at) = text
        .chars()
        .position(|c| c.is_control() && !(multiline && matches!(c, '\t' | '\n')))
    {
        push(
            "control",
            Severity::Error,
            format!("第 {} 个字是不可见的控制字符，请删除", at + 1),
        );
    }
    if let Some((at, c)) = text.chars().enumerate().find(|(_, c)| hidden_format(*c)) {
        push(
            "bidi",
            Severity::Error,
            format!(
                "第 {} 个字是改变文字方向或不可见的格式字符（U+{:04X}），请删除",
                at + 1,
                u32::from(c)
            ),
        );
    }
}

/// A text's length, pattern and format (check digits).
fn check_text(field: &Field, text: &str, record: &Record, push: &mut Push<'_>) {
    if let Some(max) = field.max_len {
        let len = text.chars().count();
        if len > max as usize {
            push(
                "max_len",
                Severity::Error,
                format!("不能超过{max}个字（现为{len}个）"),
            );
        }
    }
    if let Some(re) = &field.pattern {
        if !re.is_match(text) {
            push("pattern", Severity::Error, format!("“{text}”格式不正确"));
        }
    }
    if let Some(format) = field.format {
        let applies = field.format_if.as_ref().is_none_or(|c| holds(c, record));
        if let (true, Err(why)) = (applies, formats::check_format(format, text)) {
            push("format", Severity::Error, format!("“{text}”{why}"));
        }
    }
}

/// A code: in its list, and valid in the cycle's year.
fn check_code(list: &CodeList, text: &str, year: i32, push: &mut Push<'_>) {
    if let Some(code) = list.get(text).filter(|c| !c.valid_in(year)) {
        // A dated catalogue: a later supplement's code is not valid in an earlier cycle.
        let when = match (code.since, code.until) {
            (Some(s), _) if year < s => format!("自 {s} 年起才设立"),
            (_, Some(u)) => format!("{u} 年后已停用"),
            _ => String::new(),
        };
        push(
            "codes",
            Severity::Error,
            format!("“{text}”{when}，不是 {year} 年“{}”中的代码", list.label),
        );
    } else if list.get(text).is_none() {
        let severity = if list.complete {
            Severity::Error
        } else {
            Severity::Warning
        };
        push(
            "codes",
            severity,
            format!("“{text}”不是“{}”中的代码", list.label),
        );
    }
}

/// A number's bounds and a decimal's scale.
fn check_number(field: &Field, value: &Value, push: &mut Push<'_>) {
    let number = match value {
        Value::Int(i) => Some(rust_decimal::Decimal::from(*i)),
        Value::Year(y) => Some(rust_decimal::Decimal::from(*y)),
        Value::Decimal(d) => Some(*d),
        _ => None,
    };
    if let Some(n) = number {
        if let Some(min) = field.min.filter(|m| n < *m) {
            push("min", Severity::Error, format!("不能小于{min}（现为{n}）"));
        }
        if let Some(max) = field.max.filter(|m| n > *m) {
            push("max", Severity::Error, format!("不能大于{max}（现为{n}）"));
        }
    }
    if let (FieldType::Decimal { scale }, Value::Decimal(d)) = (&field.ty, value) {
        if d.normalize().scale() > *scale {
            push("scale", Severity::Error, format!("最多保留{scale}位小数"));
        }
    }
}

/// Whether a condition on another field of the row holds. Comparisons hold only when that field
/// has a value, so an empty controlling field does not pile a second error onto its own.
pub fn holds(cond: &Condition, record: &Record) -> bool {
    let value = record.get(&cond.field).unwrap_or(&Value::Null);
    match &cond.test {
        Test::Set(want) => value.is_null() != *want,
        _ if value.is_null() => false,
        Test::Eq(lit) => matches_literal(value, lit),
        Test::Ne(lit) => !matches_literal(value, lit),
        Test::In(lits) => lits.iter().any(|l| matches_literal(value, l)),
    }
}

fn matches_literal(value: &Value, lit: &Literal) -> bool {
    match (value, lit) {
        (Value::Text(a), Literal::Text(b)) => a == b,
        (Value::List(items), Literal::Text(b)) => items.contains(b),
        (Value::Bool(a), Literal::Bool(b)) => a == b,
        (Value::Int(a), Literal::Int(b)) => a == b,
        (Value::Year(a), Literal::Int(b)) => i64::from(*a) == *b,
        _ => false,
    }
}

/// `Err` names the expected kind of value in Chinese.
fn type_fits(ty: &FieldType, value: &Value) -> Result<(), &'static str> {
    let ok = matches!(
        (ty, value),
        (
            FieldType::String | FieldType::Text | FieldType::Enum { .. } | FieldType::Ref { .. },
            Value::Text(_)
        ) | (FieldType::Int, Value::Int(_))
            | (FieldType::Decimal { .. }, Value::Decimal(_))
            | (FieldType::Date, Value::Date(_))
            | (FieldType::YearMonth, Value::YearMonth { .. })
            | (FieldType::Year, Value::Year(_))
            | (FieldType::Bool, Value::Bool(_))
            | (
                FieldType::MultiEnum { .. } | FieldType::MultiRef { .. },
                Value::List(_)
            )
    );
    if ok {
        return Ok(());
    }
    Err(match ty {
        FieldType::String | FieldType::Text | FieldType::Enum { .. } | FieldType::Ref { .. } => {
            "文字"
        }
        FieldType::Int => "整数",
        FieldType::Decimal { .. } => "数字",
        FieldType::Date => "日期（YYYY-MM-DD）",
        FieldType::YearMonth => "年月（YYYY-MM）",
        FieldType::Year => "年份（YYYY）",
        FieldType::Bool => "是或否",
        FieldType::MultiEnum { .. } | FieldType::MultiRef { .. } => "多个代码",
    })
}

/// Characters that reorder how text is shown (bidi embeddings, overrides, isolates and marks:
/// the "Trojan Source" characters) or that mean nothing inside a value (a byte order mark): a
/// value holding one prints differently from what is stored, so it is refused.
fn hidden_format(c: char) -> bool {
    matches!(
        c,
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{FEFF}'
    )
}
