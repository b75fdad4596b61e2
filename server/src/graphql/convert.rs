//! GraphQL values to field values and back, and filter inputs to the service's filters.

use async_graphql::dynamic::{ObjectAccessor, ResolverContext, ValueAccessor};
use async_graphql::Value as Gql;

use super::errors::{ApiError, ApiResult, Code, InputProblem};
use crate::defs::{naming, Field, FieldType, Table};
use crate::model::{Record, Value};
use crate::service::read::{Filter, Op};
use crate::validate::lenient::{self, Raw};

/// The `cycle` argument; a number past 32 bits is refused, never wrapped onto another year.
pub fn cycle_arg(ctx: &ResolverContext<'_>) -> ApiResult<i32> {
    ctx.args
        .get("cycle")
        .and_then(|v| v.i64().ok())
        .and_then(|c| i32::try_from(c).ok())
        .ok_or_else(|| ApiError::new(Code::BadRequest, "cycle 应为年份，如 2023"))
}

/// An optional `cycle` argument (absent or null is `None`), refused like [`cycle_arg`].
pub fn opt_cycle_arg(ctx: &ResolverContext<'_>) -> ApiResult<Option<i32>> {
    match ctx.args.get("cycle") {
        Some(v) if !v.is_null() => Some(
            v.i64()
                .ok()
                .and_then(|c| i32::try_from(c).ok())
                .ok_or_else(|| ApiError::new(Code::BadRequest, "cycle 应为年份，如 2023")),
        )
        .transpose(),
        _ => Ok(None),
    }
}

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

/// Reads an input value for a field through the lenient reading Excel uses as well (dates as
/// `2003.6.11`, numbers as `1,234.50`, …); `Err` is the Chinese reason, naming the label.
pub fn from_gql(field: &Field, v: &ValueAccessor<'_>) -> Result<Value, String> {
    let raw = match v.as_value() {
        Gql::Null => return Ok(Value::Null),
        Gql::List(items)
            if matches!(
                field.ty,
                FieldType::MultiEnum { .. } | FieldType::MultiRef { .. }
            ) =>
        {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                let Gql::String(s) = item else {
                    return Err(format!("{}：应为代码列表", field.label));
                };
                if let Value::List(l) = lenient::read(None, field, Raw::Text(s))? {
                    out.extend(l);
                }
            }
            return Ok(Value::List(out));
        }
        Gql::String(s) => Raw::Text(s),
        Gql::Boolean(b) => Raw::Bool(*b),
        Gql::Number(n) => match n.as_i64() {
            Some(i) => Raw::Int(i),
            // A JSON float keeps its shortest form, so 12.345 is read as typed.
            None => Raw::Number(
                n.as_f64()
                    .ok_or_else(|| format!("{}：不是数字", field.label))?,
            ),
        },
        _ => return Err(format!("{}：应为{}", field.label, expected(&field.ty))),
    };
    lenient::read(None, field, raw)
}

fn expected(ty: &FieldType) -> &'static str {
    match ty {
        FieldType::MultiEnum { .. } | FieldType::MultiRef { .. } => "代码列表",
        FieldType::Int | FieldType::Decimal { .. } => "数字",
        _ => "文字",
    }
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

/// The most values one `in` condition may list.
pub const MAX_IN: usize = 1000;
/// The longest text a `contains` or `startsWith` condition may search for, in characters.
pub const MAX_PATTERN: usize = 200;
/// The most conditions one filter may hold (each `in` value counts): every one becomes SQL.
pub const MAX_CONDITIONS: usize = 2000;

/// Reads a `…Filter` input into a store filter (all conditions of one object hold together).
/// Its nesting is bounded before parsing (`http::guard`); its size here.
pub fn read_filter(table: &Table, input: &ObjectAccessor<'_>) -> ApiResult<Filter> {
    let filter = read_filter_part(table, input)?;
    let mut count = 0usize;
    let mut stack = vec![&filter];
    while let Some(f) = stack.pop() {
        match f {
            Filter::And(parts) | Filter::Or(parts) => stack.extend(parts),
            Filter::In { values, .. } => count += values.len().max(1),
            _ => count += 1,
        }
    }
    if count > MAX_CONDITIONS {
        return Err(bad_request(format!(
            "过滤条件过多（{count} 个），一次最多 {MAX_CONDITIONS} 个；请分批查询"
        )));
    }
    Ok(filter)
}

fn read_filter_part(table: &Table, input: &ObjectAccessor<'_>) -> ApiResult<Filter> {
    let mut all = Vec::new();
    // An explicit null (`unit: null`, `and: null`, often an unset variable) sets no condition,
    // as if the key were absent.
    for (name, v) in input.iter().filter(|(_, v)| !v.is_null()) {
        match name.as_str() {
            "and" | "or" => {
                let list = v
                    .list()
                    .map_err(|_| bad_request(format!("{name} 应为列表")))?;
                let mut parts = Vec::new();
                for item in list.iter() {
                    parts.push(read_filter_part(
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
        if v.is_null() {
            // `eq: null` / `ne: null` ask for an empty / a filled value; a null anywhere else
            // (`lt`, `in`, `contains`, `isNull`, …) sets no condition.
            let op = match op.as_str() {
                "eq" => Op::Eq,
                "ne" => Op::Ne,
                _ => continue,
            };
            out.push(Filter::Compare {
                field: column.clone(),
                op,
                value: Value::Null,
            });
            continue;
        }
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
            "contains" | "startsWith" => Filter::Compare {
                field: column.clone(),
                op: if op.as_str() == "contains" {
                    Op::Contains
                } else {
                    Op::StartsWith
                },
                value: Value::Text(pattern(op.as_str(), &v)?),
            },
            "isNull" => Filter::IsNull {
                field: column.clone(),
                is_null: v
                    .boolean()
                    .map_err(|_| bad_request("isNull 应为 true 或 false"))?,
            },
            "in" => {
                let list = v.list().map_err(|_| bad_request("in 应为列表"))?;
                if list.len() > MAX_IN {
                    return Err(bad_request(format!(
                        "{gql_name} 的 in 列出了 {} 个值，最多 {MAX_IN} 个；请分批查询",
                        list.len()
                    )));
                }
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

/// The text of a `contains`/`startsWith` condition, within its length limit.
fn pattern(op: &str, v: &ValueAccessor<'_>) -> ApiResult<String> {
    let text = v
        .string()
        .map_err(|_| bad_request(format!("{op} 应为文字")))?;
    let len = text.chars().count();
    if len > MAX_PATTERN {
        return Err(bad_request(format!(
            "{op} 的文字过长（{len} 个字），最多 {MAX_PATTERN} 个字"
        )));
    }
    Ok(text.to_owned())
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
