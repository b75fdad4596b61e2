//! Every accepted form, and the refusals that name the accepted ones.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::*;
use crate::defs::{Code, CodeList};

fn field(ty: FieldType, unit: Option<&str>) -> Field {
    Field {
        name: "f".into(),
        label: "字段".into(),
        ty,
        required: false,
        required_if: None,
        help: None,
        unit: unit.map(str::to_owned),
        min: None,
        max: None,
        max_len: None,
        pattern: None,
        format: None,
        format_if: None,
        in_period: false,
        index: false,
    }
}

fn ok(ty: FieldType, raw: Raw<'_>) -> Value {
    read(None, &field(ty, None), raw).unwrap_or_else(|e| panic!("{raw:?}: {e}"))
}

fn err(ty: FieldType, raw: Raw<'_>) -> String {
    read(None, &field(ty, None), raw).expect_err("refused")
}

fn date(y: i32, m: u32, d: u32) -> Value {
    Value::Date(NaiveDate::from_ymd_opt(y, m, d).unwrap())
}

#[test]
fn dates_in_every_office_form() {
    let want = date(2003, 6, 11);
    for text in [
        "2003-06-11",
        "2003/6/11",
        "2003.6.11",
        "2003年6月11日",
        "20030611",
        "２００３－０６－１１",
        "2003-06-11 00:00:00",
    ] {
        assert_eq!(ok(FieldType::Date, Raw::Text(text)), want, "{text}");
    }
    // 37783 is what Excel shows for 2003-06-11 in a General cell.
    assert_eq!(ok(FieldType::Date, Raw::Number(37783.0)), want);
    assert_eq!(ok(FieldType::Date, Raw::Number(20030611.0)), want);
    let dt = NaiveDate::from_ymd_opt(2003, 6, 11)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap();
    assert_eq!(ok(FieldType::Date, Raw::DateTime(dt)), want);
}

#[test]
fn ambiguous_or_impossible_dates_are_refused_with_the_forms() {
    for text in ["6/11/2003", "11/6/03", "2003-02-30", "37783", "昨天"] {
        let e = err(FieldType::Date, Raw::Text(text));
        assert!(
            e.contains("2003年6月11日") && e.starts_with("字段："),
            "{e}"
        );
    }
    assert!(err(FieldType::Date, Raw::Number(37783.5)).contains("可写作"));
}

#[test]
fn year_months_in_every_office_form() {
    let want = Value::YearMonth {
        year: 2021,
        month: 9,
    };
    for text in [
        "2021-09",
        "2021-9",
        "2021.9",
        "2021/9",
        "2021年9月",
        "202109",
        "２０２１.９",
    ] {
        assert_eq!(ok(FieldType::YearMonth, Raw::Text(text)), want, "{text}");
    }
    assert_eq!(ok(FieldType::YearMonth, Raw::Number(2021.9)), want);
    assert_eq!(ok(FieldType::YearMonth, Raw::Number(202109.0)), want);
    let nov = Value::YearMonth {
        year: 2021,
        month: 11,
    };
    assert_eq!(ok(FieldType::YearMonth, Raw::Number(2021.11)), nov);
    // The text 2021.1 is what was typed; the number may be a typed 2021.10.
    let jan = Value::YearMonth {
        year: 2021,
        month: 1,
    };
    assert_eq!(ok(FieldType::YearMonth, Raw::Text("2021.1")), jan);
    assert!(err(FieldType::YearMonth, Raw::Number(2021.1)).contains("10 月"));
    assert!(err(FieldType::YearMonth, Raw::Text("2021-13")).contains("2021年9月"));
}

#[test]
fn years_with_their_suffixes_and_full_width_digits() {
    for text in ["2021", "2021级", "2021年", "2021年度", "２０２１"] {
        assert_eq!(
            ok(FieldType::Year, Raw::Text(text)),
            Value::Year(2021),
            "{text}"
        );
    }
    assert_eq!(ok(FieldType::Year, Raw::Number(2021.0)), Value::Year(2021));
    assert!(err(FieldType::Year, Raw::Text("21级")).contains("2021级"));
}

#[test]
fn numbers_with_separators_currency_and_unit() {
    let dec = FieldType::Decimal { scale: 2 };
    let want = Value::Decimal(Decimal::new(123450, 2));
    for text in [
        "1,234.50",
        "1234.5",
        "￥1234.50",
        "¥1,234.5",
        "1234.50元",
        "１２３４.５",
    ] {
        assert_eq!(ok(dec.clone(), Raw::Text(text)), want, "{text}");
    }
    assert_eq!(ok(FieldType::Int, Raw::Text("12,474")), Value::Int(12474));
    assert!(err(dec.clone(), Raw::Text("1,23")).contains("逗号"));
    let wan = field(dec.clone(), Some("万元"));
    assert_eq!(
        read(None, &wan, Raw::Text("12.5万元")).unwrap(),
        Value::Decimal(Decimal::new(125, 1))
    );
    assert!(read(None, &wan, Raw::Text("1234元"))
        .unwrap_err()
        .contains("万元"));
}

#[test]
fn excel_numbers_keep_their_digits_and_do_not_round() {
    let dec = FieldType::Decimal { scale: 2 };
    // 12.345 in a 2-decimal field stays 12.345, for validation to refuse; never rounded.
    assert_eq!(
        ok(dec.clone(), Raw::Number(12.345)),
        Value::Decimal(Decimal::new(12345, 3))
    );
    assert_eq!(
        ok(dec, Raw::Number(0.1 + 0.2)),
        Value::Decimal(Decimal::new(3, 1))
    );
    assert!(err(FieldType::Int, Raw::Number(1e20)).contains("超出整数的范围"));
    assert!(err(FieldType::Int, Raw::Number(2.5)).contains("整数"));
    assert!(err(FieldType::Int, Raw::Text("1e20")).contains("科学计数法"));
}

#[test]
fn an_id_number_excel_turned_into_a_number_is_refused_with_the_cause() {
    let e = err(FieldType::String, Raw::Number(1.10101199001011e17));
    assert!(e.contains("身份证号") && e.contains("文本"), "{e}");
    assert_eq!(
        ok(FieldType::String, Raw::Number(2023001.0)),
        Value::Text("2023001".into())
    );
}

#[test]
fn booleans_in_every_office_form() {
    for text in ["是", "√", "y", "Y", "yes", "true", "TRUE", "1"] {
        assert_eq!(
            ok(FieldType::Bool, Raw::Text(text)),
            Value::Bool(true),
            "{text}"
        );
    }
    for text in ["否", "×", "n", "no", "false", "0"] {
        assert_eq!(
            ok(FieldType::Bool, Raw::Text(text)),
            Value::Bool(false),
            "{text}"
        );
    }
    assert_eq!(ok(FieldType::Bool, Raw::Number(1.0)), Value::Bool(true));
    assert!(err(FieldType::Bool, Raw::Text("可能")).contains("√/×"));
}

#[test]
fn codes_get_back_the_leading_zero_excel_dropped() {
    let list = CodeList::new(
        "ethnicity".into(),
        "民族".into(),
        "GB 3304".into(),
        true,
        ["01 汉族", "02 蒙古族", "10 朝鲜族"]
            .iter()
            .map(|s| {
                let (code, name) = s.split_once(' ').unwrap();
                Code {
                    code: code.into(),
                    name: name.into(),
                    group: None,
                    note: None,
                    since: None,
                    until: None,
                }
            })
            .collect(),
    );
    let mut catalog = Catalog::default();
    catalog
        .code_lists
        .insert("ethnicity".into(), Arc::new(list));
    let f = field(
        FieldType::Enum {
            codes: "ethnicity".into(),
        },
        None,
    );
    let read_code = |raw| read(Some(&catalog), &f, raw).unwrap();
    assert_eq!(read_code(Raw::Number(1.0)), Value::Text("01".into()));
    assert_eq!(read_code(Raw::Text("1")), Value::Text("01".into()));
    assert_eq!(read_code(Raw::Text("蒙古族")), Value::Text("02".into()));
    assert_eq!(read_code(Raw::Text("10 朝鲜族")), Value::Text("10".into()));
    // Not a code of the list: kept as typed, for validation to name the list.
    assert_eq!(read_code(Raw::Text("99")), Value::Text("99".into()));
}

#[test]
fn text_keeps_line_breaks_and_blank_is_empty() {
    assert_eq!(
        ok(FieldType::Text, Raw::Text(" 第一行\r\n第二行 ")),
        Value::Text("第一行\n第二行".into())
    );
    assert_eq!(ok(FieldType::Int, Raw::Text("  ")), Value::Null);
}
