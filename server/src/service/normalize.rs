//! What a typed value becomes when saved: the page asks on leaving a field ("2023.5" → 2023-05,
//! or the Chinese reason), so it holds no copy of the reading rules of `validate::lenient`.

use super::{guard, ApiError, ApiResult, Code, Service};
use crate::authz::{Access, Action};
use crate::defs::naming;
use crate::model::Value;
use crate::validate::lenient::{self, Raw};

/// The reading of one typed value: the value as it will be saved, or why it cannot be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Normalized {
    /// The saved form ("2023-05"); `None` for an empty input or a refused one.
    pub value: Option<String>,
    /// The Chinese reason the text is refused, naming the field.
    pub message: Option<String>,
}

impl Service {
    /// Reads `text` for field `field` (definition or GraphQL name) of table `code` exactly as a
    /// save would; for whoever fills or reads the table.
    pub fn normalize_value(
        &self,
        who: &Access,
        code: &str,
        field: &str,
        text: &str,
    ) -> ApiResult<Normalized> {
        let table = self.table(code)?;
        if !who.can(&table.code, Action::Fill) {
            guard(who, &table, Action::Read)?;
        }
        let f = table
            .fields
            .iter()
            .find(|f| f.name == field || naming::graphql_field(&f.name) == field)
            .ok_or_else(|| ApiError::new(Code::NotFound, format!("表 {code} 没有字段 {field}")))?;
        // The catalog is left out as the GraphQL input leaves it out: the answer is what a save
        // of this text would store.
        Ok(match lenient::read(None, f, Raw::Text(text)) {
            Ok(Value::Null) => Normalized {
                value: None,
                message: None,
            },
            Ok(v) => Normalized {
                value: Some(shown(&v)),
                message: None,
            },
            Err(why) => Normalized {
                value: None,
                message: Some(why),
            },
        })
    }
}

/// A value as the form shows it back.
fn shown(v: &Value) -> String {
    match v.to_json() {
        serde_json::Value::String(s) => s,
        serde_json::Value::Array(items) => items
            .iter()
            .filter_map(|i| i.as_str())
            .collect::<Vec<_>>()
            .join("；"),
        other => other.to_string(),
    }
}
