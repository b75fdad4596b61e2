//! Turns one raw `[[fields]]` entry into a validated [`Field`], reporting every option
//! that does not fit the field's type. Checks that need other tables live in `consistency`.

use std::path::Path;
use std::str::FromStr;

use regex::Regex;
use rust_decimal::Decimal;

use super::raw::{RawCondition, RawField, RawType};
use super::{naming, Condition, Field, FieldType, Literal, Problem, Problems, RefTarget, Test};

/// Validates a field, recording every problem. A field with problems is still returned (bad options
/// dropped) so that the table's other checks do not cascade into follow-on errors.
pub fn convert_field(file: &Path, at: &str, raw: RawField, problems: &mut Problems) -> Field {
    let mut bad = |key: &str, message: String| {
        problems.push(Problem::at(file, format!("{at}.{key}"), message))
    };

    if let Err(msg) = naming::check_identifier(&raw.name) {
        bad("name", msg);
    } else if naming::is_system_column(&raw.name) {
        bad("name", format!("“{}”是系统列名，请换一个名称", raw.name));
    }
    if raw.label.trim().is_empty() {
        bad("label", "标签（label）不能为空".into());
    }

    let ty = match raw.ty {
        RawType::String => FieldType::String,
        RawType::Text => FieldType::Text,
        RawType::Int => FieldType::Int,
        RawType::Decimal => match raw.scale {
            Some(scale @ 0..=6) => FieldType::Decimal { scale },
            Some(scale) => {
                bad("scale", format!("scale {scale} 超出范围（应为 0 到 6）"));
                FieldType::Decimal { scale: 2 }
            }
            None => {
                bad("scale", "decimal 字段须写 `scale`（小数位数）".into());
                FieldType::Decimal { scale: 2 }
            }
        },
        RawType::Date => FieldType::Date,
        RawType::YearMonth => FieldType::YearMonth,
        RawType::Year => FieldType::Year,
        RawType::Bool => FieldType::Bool,
        RawType::Enum | RawType::MultiEnum => {
            let codes = raw.codes.clone().unwrap_or_default();
            if codes.is_empty() {
                bad(
                    "codes",
                    format!("{} 字段须写 `codes`（代码表名称）", type_name(raw.ty)),
                );
            }
            if raw.ty == RawType::Enum {
                FieldType::Enum { codes }
            } else {
                FieldType::MultiEnum { codes }
            }
        }
        RawType::Ref | RawType::MultiRef => {
            let targets = match raw.reference.as_deref() {
                Some(spec) => parse_ref(spec).unwrap_or_else(|msg| {
                    bad("ref", msg);
                    Vec::new()
                }),
                None => {
                    bad(
                        "ref",
                        format!(
                            "{} 字段须写 `ref = \"<表 slug>.<字段>\"`",
                            type_name(raw.ty)
                        ),
                    );
                    Vec::new()
                }
            };
            if raw.ty == RawType::Ref {
                FieldType::Ref { targets }
            } else {
                FieldType::MultiRef { targets }
            }
        }
    };

    // Options that only make sense for some types: say so rather than silently ignoring them.
    let t = raw.ty;
    let allowed: [(&str, bool, bool); 8] = [
        ("scale", raw.scale.is_some(), t == RawType::Decimal),
        (
            "codes",
            raw.codes.is_some(),
            matches!(t, RawType::Enum | RawType::MultiEnum),
        ),
        (
            "ref",
            raw.reference.is_some(),
            matches!(t, RawType::Ref | RawType::MultiRef),
        ),
        (
            "min",
            raw.min.is_some(),
            matches!(t, RawType::Int | RawType::Decimal | RawType::Year),
        ),
        (
            "max",
            raw.max.is_some(),
            matches!(t, RawType::Int | RawType::Decimal | RawType::Year),
        ),
        ("max_len", raw.max_len.is_some(), textual(t)),
        ("pattern", raw.pattern.is_some(), textual(t)),
        ("format", raw.format.is_some(), textual(t)),
    ];
    for (key, given, fits) in allowed {
        if given && !fits {
            bad(key, format!("`{key}` 不适用于 {} 字段", type_name(t)));
        }
    }
    if raw.unit.is_some() && !matches!(t, RawType::Int | RawType::Decimal) {
        bad(
            "unit",
            format!(
                "`unit` 只适用于 int 和 decimal 字段，不适用于 {}",
                type_name(t)
            ),
        );
    }
    if raw.in_period && !matches!(t, RawType::Date | RawType::YearMonth) {
        bad(
            "in_period",
            format!(
                "`in_period` 只适用于 date 和 year_month 字段，不适用于 {}",
                type_name(t)
            ),
        );
    }
    if raw.max_len == Some(0) {
        bad("max_len", "max_len 至少为 1".into());
    }
    if let Some(n) = raw.max_len.filter(|n| *n > EXCEL_CELL_MAX) {
        bad(
            "max_len",
            format!("max_len {n} 超过 {EXCEL_CELL_MAX}（一个 Excel 单元格最多容纳的字符数）"),
        );
    }

    let min = raw
        .min
        .as_ref()
        .and_then(|v| bound(v).map_err(|m| bad("min", m)).ok());
    let max = raw
        .max
        .as_ref()
        .and_then(|v| bound(v).map_err(|m| bad("max", m)).ok());
    if let (Some(lo), Some(hi)) = (min, max) {
        if lo > hi {
            bad("max", format!("max {hi} 小于 min {lo}"));
        }
    }
    let pattern = raw.pattern.as_deref().and_then(|p| {
        Regex::new(p)
            .map_err(|e| {
                bad(
                    "pattern",
                    format!("不是有效的正则表达式：{}", first_line(&e.to_string())),
                )
            })
            .ok()
    });
    let required_if = raw
        .required_if
        .map(|c| condition(c).map_err(|m| bad("required_if", m)));
    let format_if = raw
        .format_if
        .map(|c| condition(c).map_err(|m| bad("format_if", m)));
    if format_if.is_some() && raw.format.is_none() {
        bad("format_if", "`format_if` 须与 `format` 一起使用".into());
    }
    if raw.required && required_if.is_some() {
        bad(
            "required_if",
            "`required = true` 与 `required_if` 只能写一个".into(),
        );
    }

    Field {
        name: raw.name,
        label: raw.label,
        ty,
        required: raw.required,
        required_if: required_if.and_then(Result::ok),
        help: raw.help,
        unit: raw.unit,
        min,
        max,
        max_len: raw.max_len.or_else(|| default_max_len(t)),
        pattern,
        format: raw.format,
        format_if: format_if.and_then(Result::ok),
        in_period: raw.in_period,
        index: raw.index,
    }
}

/// The most characters an Excel cell holds: a longer value could not be exported.
pub const EXCEL_CELL_MAX: u32 = 32_767;
/// The length limit of a string, enum or reference value whose definition names none.
pub const DEFAULT_MAX_LEN: u32 = 255;
/// The length limit of a `text` value whose definition names none.
pub const DEFAULT_TEXT_MAX_LEN: u32 = 2000;

/// Every textual field has a length limit, so that no value breaks the export or the page;
/// a definition may set its own up to [`EXCEL_CELL_MAX`].
fn default_max_len(t: RawType) -> Option<u32> {
    match t {
        RawType::Text => Some(DEFAULT_TEXT_MAX_LEN),
        t if textual(t) || t == RawType::MultiEnum => Some(DEFAULT_MAX_LEN),
        _ => None,
    }
}

fn textual(t: RawType) -> bool {
    matches!(
        t,
        RawType::String | RawType::Text | RawType::Enum | RawType::Ref | RawType::MultiRef
    )
}

fn type_name(t: RawType) -> &'static str {
    match t {
        RawType::String => "string",
        RawType::Text => "text",
        RawType::Int => "int",
        RawType::Decimal => "decimal",
        RawType::Date => "date",
        RawType::YearMonth => "year_month",
        RawType::Year => "year",
        RawType::Bool => "bool",
        RawType::Enum => "enum",
        RawType::MultiEnum => "multi_enum",
        RawType::Ref => "ref",
        RawType::MultiRef => "multi_ref",
    }
}

/// Parses `slug.field` or `a.x|b.y`.
fn parse_ref(spec: &str) -> Result<Vec<RefTarget>, String> {
    spec.split('|')
        .map(|one| {
            let one = one.trim();
            let (table, field) = one
                .split_once('.')
                .ok_or_else(|| format!("“{one}”不是 `<表 slug>.<字段>` 的形式"))?;
            naming::check_identifier(table).map_err(|m| format!("“{one}”中的表名：{m}"))?;
            naming::check_identifier(field).map_err(|m| format!("“{one}”中的字段名：{m}"))?;
            Ok(RefTarget {
                table: table.to_owned(),
                field: field.to_owned(),
            })
        })
        .collect()
}

fn bound(value: &toml::Value) -> Result<Decimal, String> {
    match value {
        toml::Value::Integer(i) => Ok(Decimal::from(*i)),
        toml::Value::String(s) => Decimal::from_str(s).map_err(|_| format!("“{s}”不是十进制数")),
        toml::Value::Float(f) => Err(format!("带小数的界限请写成字符串（\"{f}\"），以保持精确")),
        other => Err(format!("应为数值，这里是{}", toml_type_name(other))),
    }
}

fn condition(raw: RawCondition) -> Result<Condition, String> {
    let literal = |v: &toml::Value| match v {
        toml::Value::String(s) => Ok(Literal::Text(s.clone())),
        toml::Value::Integer(i) => Ok(Literal::Int(*i)),
        toml::Value::Boolean(b) => Ok(Literal::Bool(*b)),
        other => Err(format!(
            "条件只能与字符串、整数或布尔值比较，这里是{}",
            toml_type_name(other)
        )),
    };
    let mut tests = Vec::new();
    if let Some(v) = &raw.eq {
        tests.push(Test::Eq(literal(v)?));
    }
    if let Some(v) = &raw.ne {
        tests.push(Test::Ne(literal(v)?));
    }
    if let Some(vs) = &raw.any_of {
        if vs.is_empty() {
            return Err("`in` 至少需要一个值".into());
        }
        tests.push(Test::In(vs.iter().map(literal).collect::<Result<_, _>>()?));
    }
    if let Some(b) = raw.set {
        tests.push(Test::Set(b));
    }
    match tests.len() {
        1 => Ok(Condition {
            field: raw.field,
            test: tests.remove(0),
        }),
        0 => Err("条件须写 `eq`、`ne`、`in`、`set` 之一".into()),
        _ => Err("条件只能写 `eq`、`ne`、`in`、`set` 中的一个".into()),
    }
}

fn first_line(s: &str) -> String {
    s.lines()
        .rfind(|l| !l.trim().is_empty())
        .unwrap_or(s)
        .trim()
        .to_owned()
}

/// A TOML value's type in Chinese, for messages about a wrongly typed option.
fn toml_type_name(v: &toml::Value) -> &'static str {
    match v {
        toml::Value::String(_) => "字符串",
        toml::Value::Integer(_) => "整数",
        toml::Value::Float(_) => "小数",
        toml::Value::Boolean(_) => "布尔值",
        toml::Value::Datetime(_) => "日期时间",
        toml::Value::Array(_) => "数组",
        toml::Value::Table(_) => "表",
    }
}
