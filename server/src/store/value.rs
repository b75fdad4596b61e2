//! The typed value model: what a field holds, how it is bound in SQL and read back.
//! Decimals are `rust_decimal` values stored as integers scaled by the field's `scale`, so sums
//! and comparisons are exact on both backends.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::sql::SqlValue;
use crate::defs::{Field, FieldType};

pub use crate::model::{Record, Value};

/// Encodes a value for its field's column, checking that it has the field's type.
pub fn encode(field: &Field, value: &Value) -> Result<SqlValue, String> {
    let v = match (&field.ty, value) {
        (_, Value::Null) => SqlValue::Null,
        (FieldType::MultiEnum { .. } | FieldType::MultiRef { .. }, Value::List(l))
            if l.is_empty() =>
        {
            SqlValue::Null
        }
        (
            FieldType::String | FieldType::Text | FieldType::Enum { .. } | FieldType::Ref { .. },
            Value::Text(s),
        ) => SqlValue::Text(s.clone()),
        (FieldType::Int, Value::Int(i)) => SqlValue::Int(*i),
        (FieldType::Year, Value::Year(y)) => SqlValue::Int(i64::from(*y)),
        (FieldType::Decimal { scale }, Value::Decimal(d)) => SqlValue::Int(scaled(*d, *scale)?),
        (FieldType::Date, Value::Date(d)) => SqlValue::Text(d.format("%Y-%m-%d").to_string()),
        (FieldType::YearMonth, Value::YearMonth { year, month }) if (1..=12).contains(month) => {
            SqlValue::Text(format!("{year:04}-{month:02}"))
        }
        (FieldType::Bool, Value::Bool(b)) => SqlValue::Bool(*b),
        (FieldType::MultiEnum { .. } | FieldType::MultiRef { .. }, Value::List(l)) => {
            SqlValue::Text(serde_json::to_string(l).map_err(|e| e.to_string())?)
        }
        (ty, v) => return Err(format!("a {} field cannot hold {v:?}", ty.name())),
    };
    Ok(v)
}

/// Decodes a column's text (as selected with `CAST(… AS TEXT)`) into the field's value.
pub fn decode(field: &Field, text: Option<&str>) -> Result<Value, String> {
    let multi = matches!(
        field.ty,
        FieldType::MultiEnum { .. } | FieldType::MultiRef { .. }
    );
    // A multi-valued field with nothing in it (NULL, or an empty string another tool left) is
    // an empty list, never an error that fails the whole page.
    let Some(t) = text.filter(|t| !(multi && t.trim().is_empty())) else {
        return Ok(if multi {
            Value::List(Vec::new())
        } else {
            Value::Null
        });
    };
    let bad = || format!("stored value {t:?} is not a valid {}", field.ty.name());
    Ok(match &field.ty {
        FieldType::String | FieldType::Text | FieldType::Enum { .. } | FieldType::Ref { .. } => {
            Value::Text(t.to_owned())
        }
        FieldType::Int => Value::Int(t.parse().map_err(|_| bad())?),
        FieldType::Year => Value::Year(t.parse().map_err(|_| bad())?),
        FieldType::Decimal { scale } => {
            let units: i64 = t.parse().map_err(|_| bad())?;
            Value::Decimal(Decimal::new(units, *scale))
        }
        FieldType::Date => {
            Value::Date(NaiveDate::parse_from_str(t, "%Y-%m-%d").map_err(|_| bad())?)
        }
        FieldType::YearMonth => parse_year_month(t).ok_or_else(bad)?,
        FieldType::Bool => Value::Bool(match t {
            "1" | "true" | "t" => true,
            "0" | "false" | "f" => false,
            _ => return Err(bad()),
        }),
        FieldType::MultiEnum { .. } | FieldType::MultiRef { .. } => {
            Value::List(serde_json::from_str(t).map_err(|_| bad())?)
        }
    })
}

/// Parses `YYYY-MM`.
pub fn parse_year_month(text: &str) -> Option<Value> {
    let (y, m) = text.split_once('-')?;
    if y.len() != 4 || m.len() != 2 {
        return None;
    }
    let (year, month) = (y.parse().ok()?, m.parse().ok()?);
    (1..=12)
        .contains(&month)
        .then_some(Value::YearMonth { year, month })
}

/// The decimal as an integer count of `10^-scale` units; refuses extra digits rather than round.
pub fn scaled(d: Decimal, scale: u32) -> Result<i64, String> {
    let mut n = d.normalize();
    if n.scale() > scale {
        return Err(format!("{d} has more than {scale} digits after the point"));
    }
    n.rescale(scale);
    i64::try_from(n.mantissa()).map_err(|_| format!("{d} is too large"))
}
