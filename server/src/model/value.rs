//! A field's value and a row's values: plain data shared by every layer (no SQL, no GraphQL).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;

/// A field's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Null,
    /// string, text, enum and ref values.
    Text(String),
    Int(i64),
    Decimal(Decimal),
    Date(NaiveDate),
    YearMonth {
        year: i32,
        month: u32,
    },
    Year(i32),
    Bool(bool),
    /// multi_enum and multi_ref values.
    List(Vec<String>),
}

/// A row's field values by field name.
pub type Record = BTreeMap<String, Value>;

impl Value {
    /// True for `Null` and for an empty list.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null) || matches!(self, Value::List(l) if l.is_empty())
    }

    /// The value as JSON (decimals as strings, so they stay exact).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Value::Null => J::Null,
            Value::Text(s) => J::String(s.clone()),
            Value::Int(i) => J::from(*i),
            Value::Decimal(d) => J::String(d.to_string()),
            Value::Date(d) => J::String(d.format("%Y-%m-%d").to_string()),
            Value::YearMonth { year, month } => J::String(format!("{year:04}-{month:02}")),
            Value::Year(y) => J::from(*y),
            Value::Bool(b) => J::Bool(*b),
            Value::List(l) => J::Array(l.iter().cloned().map(J::String).collect()),
        }
    }
}
