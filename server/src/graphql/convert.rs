//! GraphQL values to store values and back, and filter inputs to store filters.

use std::str::FromStr;

use async_graphql::dynamic::{ObjectAccessor, ValueAccessor};
use async_graphql::Value as Gql;
use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::errors::{ApiError, ApiResult, Code, InputProblem};
use crate::defs::{naming, Field, FieldType, Table};
use crate::store::{parse_year_month, Filter, Op, Record, Value};

/// A stored value as GraphQL shows it: decimals and dates as strings, lists as lists.
pub fn to_gql(value: &Value) -> Gql {
    match value {
        Value::Null => Gql::Null,
        Value::Text(s) => Gql::from(s.clone()),
        Value::Int(i) => Gql::from(*i),
        Value::Decimal(d) => Gql::from(d.to_string()),
        Value::Year(y) => Gql::from(*y),
        Value::Bool(b) => Gql::from(*b),
        Value::List(l) => Gql::List(l.iter().cloned().map(Gql::from).collect()),
        other => match other.to_json() {
            serde_json::Value::String(s) => Gql::from(s),
            _ => Gql::Null,
        },
    }
}

/// Reads an input value for a field; `Err` is the Chinese reason, naming the label.
pub fn from_gql(field: &Field, v: &ValueAccessor<'_>) -> Result<Value, String> {
    if v.is_null() {
        return Ok(Value::Null);
    }
    let bad = |what: &str| format!("{}：应为{what}", field.label);
    Ok(match &field.ty {
        FieldType::String | FieldType::Text | FieldType::Enum { .. } | FieldType::Ref { .. } => {
            Value::Text(v.string().map_err(|_| bad("文字"))?.trim().to_owned())
        }
        FieldType::Int => Value::Int(v.i64().map_err(|_| bad("整数"))?),
        FieldType::Year => Value::Year(
            v.i64()
                .ok()
                .and_then(|y| i32::try_from(y).ok())
                .ok_or_else(|| bad("年份（如 2023）"))?,
        ),
        FieldType::Bool => Value::Bool(v.boolean().map_err(|_| bad("是或否"))?),
        FieldType::Decimal { .. } => {
            let text = match v.as_value() {
                Gql::String(s) => s.trim().to_owned(),
                Gql::Number(n) => n.to_string(),
                _ => return Err(bad("数字")),
            };
            Value::Decimal(Decimal::from_str(&text).map_err(|_| bad("数字（如 12.50）"))?)
        }
        FieldType::Date => {
            let s = v.string().map_err(|_| bad("日期"))?;
            Value::Date(
                NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
                    .map_err(|_| bad("日期，格式 YYYY-MM-DD"))?,
            )
        }
        FieldType::YearMonth => {
            let s = v.string().map_err(|_| bad("年月"))?;
            parse_year_month(s.trim()).ok_or_else(|| bad("年月，格式 YYYY-MM"))?
        }
        FieldType::MultiEnum { .. } | FieldType::MultiRef { .. } => {
            let list = v.list().map_err(|_| bad("代码列表"))?;
            let mut out = Vec::with_capacity(list.len());
            for item in list.iter() {
                out.push(
                    item.string()
                        .map_err(|_| bad("代码列表"))?
                        .trim()
                        .to_owned(),
                );
            }
            Value::List(out)
        }
    })
}

/// The definition field behind a GraphQL field name.
pub fn field_of<'t>(table: &'t Table, gql_name: &str) -> Option<&'t Field> {
    table
        .fields
        .iter()
        .find(|f| naming::graphql_field(&f.name) == gql_name)
}

/// Reads a create input or update patch into a record, collecting every conversion problem.
pub fn read_record(
    table: &Table,
    input: &ObjectAccessor<'_>,
    row: usize,
    problems: &mut Vec<InputProblem>,
) -> Record {
    let mut rec = Record::new();
    for (name, v) in input.iter() {
        let Some(field) = field_of(table, name.as_str()) else {
            continue;
        };
        match from_gql(field, &v) {
            Ok(value) => {
                rec.insert(field.name.clone(), value);
            }
            Err(message) => problems.push(InputProblem {
                row,
                field: name.to_string(),
                rule: "type".into(),
                message,
            }),
        }
    }
    rec
}

/// Reads a `…Filter` input into a store filter (all conditions of one object hold together).
pub fn read_filter(table: &Table, input: &ObjectAccessor<'_>) -> ApiResult<Filter> {
    let mut all = Vec::new();
    for (name, v) in input.iter() {
        match name.as_str() {
            "and" | "or" => {
                let list = v
                    .list()
                    .map_err(|_| bad_request(format!("{name} 应为列表")))?;
                let mut parts = Vec::new();
                for item in list.iter() {
                    parts.push(read_filter(
                        table,
                        &item.object().map_err(|_| bad_request("过滤条件应为对象"))?,
                    )?);
                }
                all.push(if name.as_str() == "and" {
                    Filter::And(parts)
                } else {
                    Filter::Or(parts)
                });
            }
            other => {
                let ops = v
                    .object()
                    .map_err(|_| bad_request(format!("{other} 的条件应为对象")))?;
                all.extend(read_ops(table, other, &ops)?);
            }
        }
    }
    Ok(Filter::And(all))
}

fn bad_request(message: impl Into<String>) -> ApiError {
    ApiError::new(Code::BadRequest, message)
}

fn read_ops(table: &Table, gql_name: &str, ops: &ObjectAccessor<'_>) -> ApiResult<Vec<Filter>> {
    let (column, field) = match gql_name {
        "id" | "unit" | "cycle" | "rowVersion" => (system_column(gql_name).to_owned(), None),
        _ => {
            let f = field_of(table, gql_name)
                .ok_or_else(|| bad_request(format!("{} 没有字段 {gql_name}", table.name)))?;
            (f.name.clone(), Some(f))
        }
    };
    let value = |v: &ValueAccessor<'_>| -> ApiResult<Value> {
        match field {
            Some(f) => {
                // A list field is filtered by one of its codes.
                let single;
                let f = match &f.ty {
                    FieldType::MultiEnum { .. } | FieldType::MultiRef { .. } => {
                        single = Field {
                            ty: FieldType::String,
                            ..f.clone()
                        };
                        &single
                    }
                    _ => f,
                };
                from_gql(f, v).map_err(bad_request)
            }
            None if column == "unit" => Ok(Value::Text(
                v.string()
                    .map_err(|_| bad_request("unit 应为文字"))?
                    .to_owned(),
            )),
            None => {
                let n = match v.as_value() {
                    Gql::String(s) => s
                        .parse()
                        .map_err(|_| bad_request(format!("{gql_name} 应为整数")))?,
                    _ => v
                        .i64()
                        .map_err(|_| bad_request(format!("{gql_name} 应为整数")))?,
                };
                Ok(Value::Int(n))
            }
        }
    };
    let mut out = Vec::new();
    for (op, v) in ops.iter() {
        let cmp = |op| -> ApiResult<Filter> {
            Ok(Filter::Compare {
                field: column.clone(),
                op,
                value: value(&v)?,
            })
        };
        out.push(match op.as_str() {
            "eq" => cmp(Op::Eq)?,
            "ne" => cmp(Op::Ne)?,
            "lt" => cmp(Op::Lt)?,
            "lte" => cmp(Op::Lte)?,
            "gt" => cmp(Op::Gt)?,
            "gte" => cmp(Op::Gte)?,
            "contains" => Filter::Compare {
                field: column.clone(),
                op: Op::Contains,
                value: Value::Text(
                    v.string()
                        .map_err(|_| bad_request("contains 应为文字"))?
                        .to_owned(),
                ),
            },
            "startsWith" => Filter::Compare {
                field: column.clone(),
                op: Op::StartsWith,
                value: Value::Text(
                    v.string()
                        .map_err(|_| bad_request("startsWith 应为文字"))?
                        .to_owned(),
                ),
            },
            "isNull" => Filter::IsNull {
                field: column.clone(),
                is_null: v
                    .boolean()
                    .map_err(|_| bad_request("isNull 应为 true 或 false"))?,
            },
            "in" => {
                let list = v.list().map_err(|_| bad_request("in 应为列表"))?;
                let values = list
                    .iter()
                    .map(|item| value(&item))
                    .collect::<ApiResult<Vec<_>>>()?;
                Filter::In {
                    field: column.clone(),
                    values,
                }
            }
            other => return Err(bad_request(format!("未知的过滤运算 {other}"))),
        });
    }
    Ok(out)
}

/// The column behind a system field's GraphQL name.
pub fn system_column(gql_name: &str) -> &str {
    match gql_name {
        "rowVersion" => "row_version",
        "createdAt" => "created_at",
        "updatedAt" => "updated_at",
        other => other,
    }
}
