//! Filters and ordering for list, count and aggregate queries, turned into SQL with bound values.

use super::dialect::Dialect;
use super::sql::{ident, DynQuery, SqlValue};
use super::value::{encode, Value};
use super::StoreError;
use crate::defs::{Field, FieldType, Table};

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    /// Differs from the value; rows where the field is empty count as different.
    Ne,
    Lt,
    Lte,
    Gt,
    Gte,
    /// Text containing the value (case-insensitive for ASCII); a list containing the code.
    Contains,
    /// Text starting with the value (case-insensitive for ASCII).
    StartsWith,
}

/// A condition on rows.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    /// Every condition holds (an empty list matches all rows).
    And(Vec<Filter>),
    /// At least one condition holds (an empty list matches none).
    Or(Vec<Filter>),
    Compare {
        field: String,
        op: Op,
        value: Value,
    },
    In {
        field: String,
        values: Vec<Value>,
    },
    IsNull {
        field: String,
        is_null: bool,
    },
}

/// One ordering term; rows with an empty value sort last either way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    pub field: String,
    pub descending: bool,
}

/// A column a query may name: a system column or a defined field.
enum Column<'a> {
    Int,
    Text,
    Field(&'a Field),
}

fn column<'a>(table: &'a Table, name: &str) -> Result<Column<'a>, StoreError> {
    match name {
        "id" | "cycle" | "row_version" => Ok(Column::Int),
        "unit" | "created_at" | "created_by" | "updated_at" | "updated_by" => Ok(Column::Text),
        _ => table
            .field(name)
            .map(Column::Field)
            .ok_or_else(|| StoreError::Invalid {
                table: table.code.clone(),
                field: name.to_owned(),
                message: format!("{} 没有字段 \"{name}\"", table.name),
            }),
    }
}

fn bind_value(table: &Table, name: &str, value: &Value) -> Result<SqlValue, StoreError> {
    let invalid = |message: String| StoreError::Invalid {
        table: table.code.clone(),
        field: name.to_owned(),
        message,
    };
    match (column(table, name)?, value) {
        (Column::Int, Value::Int(i)) => Ok(SqlValue::Int(*i)),
        (Column::Text, Value::Text(s)) => Ok(SqlValue::Text(s.clone())),
        (Column::Field(f), v) => encode(f, v).map_err(invalid),
        (_, v) => Err(invalid(format!("cannot compare with {v:?}"))),
    }
}

/// Appends ` AND (<filter>)` to a WHERE clause.
pub fn push_filter(
    q: &mut DynQuery,
    dialect: Dialect,
    table: &Table,
    filter: &Filter,
) -> Result<(), StoreError> {
    q.sql(" AND ");
    write(q, dialect, table, filter)
}

fn write(
    q: &mut DynQuery,
    dialect: Dialect,
    table: &Table,
    filter: &Filter,
) -> Result<(), StoreError> {
    match filter {
        Filter::And(_) | Filter::Or(_) => {
            let and = matches!(filter, Filter::And(_));
            let mut leaves = Vec::new();
            flatten(filter, and, &mut leaves);
            match leaves.as_slice() {
                [] => {
                    q.sql(if and { "1=1" } else { "1=0" });
                }
                [one] => write(q, dialect, table, one)?,
                all => write_balanced(q, dialect, table, all, if and { " AND " } else { " OR " })?,
            }
        }
        Filter::IsNull { field, is_null } => {
            column(table, field)?;
            q.sql(&format!(
                "{} IS {}NULL",
                ident(field),
                if *is_null { "" } else { "NOT " }
            ));
        }
        Filter::In { field, values } => {
            if values.is_empty() {
                column(table, field)?;
                q.sql("1=0");
            } else {
                let bound = values
                    .iter()
                    .map(|v| bind_value(table, field, v))
                    .collect::<Result<Vec<_>, _>>()?;
                in_list(q, dialect, field, &bound);
            }
        }
        Filter::Compare { field, op, value } => compare(q, dialect, table, field, *op, value)?,
    }
    Ok(())
}

/// The conditions of a chain of one connective (`and` within `and`, `or` within `or`): nested
/// lists of the same kind add nothing but parentheses, which SQLite's parser stack bounds.
fn flatten<'f>(filter: &'f Filter, and: bool, out: &mut Vec<&'f Filter>) {
    match filter {
        Filter::And(list) if and => list.iter().for_each(|f| flatten(f, and, out)),
        Filter::Or(list) if !and => list.iter().for_each(|f| flatten(f, and, out)),
        other => out.push(other),
    }
}

/// Writes `a AND b AND …` as a balanced tree of parenthesised halves: a flat chain of n terms
/// is an expression tree n deep, and SQLite refuses trees deeper than 1000
/// (`SQLITE_MAX_EXPR_DEPTH`); halves keep it about log2(n) deep.
fn write_balanced(
    q: &mut DynQuery,
    dialect: Dialect,
    table: &Table,
    list: &[&Filter],
    joiner: &str,
) -> Result<(), StoreError> {
    if let [one] = list {
        return write(q, dialect, table, one);
    }
    let (left, right) = list.split_at(list.len() / 2);
    q.sql("(");
    write_balanced(q, dialect, table, left, joiner)?;
    q.sql(joiner);
    write_balanced(q, dialect, table, right, joiner)?;
    q.sql(")");
    Ok(())
}

fn compare(
    q: &mut DynQuery,
    dialect: Dialect,
    table: &Table,
    field: &str,
    op: Op,
    value: &Value,
) -> Result<(), StoreError> {
    let col = ident(field);
    let is_list = matches!(
        column(table, field)?,
        Column::Field(Field {
            ty: FieldType::MultiEnum { .. } | FieldType::MultiRef { .. },
            ..
        })
    );
    let like = match dialect {
        Dialect::Sqlite => "LIKE",
        // SQLite's LIKE ignores ASCII case; ILIKE gives PostgreSQL the same behaviour.
        Dialect::Postgres => "ILIKE",
    };
    match (op, value) {
        (Op::Eq, Value::Null) => {
            q.sql(&format!("{col} IS NULL"));
        }
        (Op::Ne, Value::Null) => {
            q.sql(&format!("{col} IS NOT NULL"));
        }
        (Op::Contains | Op::StartsWith, v) => {
            let Value::Text(text) = v else {
                return Err(StoreError::Invalid {
                    table: table.code.clone(),
                    field: field.to_owned(),
                    message: "contains/startsWith take text".into(),
                });
            };
            let pattern = if is_list {
                // Lists are stored as JSON arrays: match the quoted element exactly.
                let quoted = serde_json::Value::String(text.clone()).to_string();
                format!("%{}%", escape_like(&quoted))
            } else if op == Op::Contains {
                format!("%{}%", escape_like(text))
            } else {
                format!("{}%", escape_like(text))
            };
            q.sql(&format!("{col} {like} "));
            q.bind(SqlValue::Text(pattern));
            q.sql(" ESCAPE '\\'");
        }
        (_, v) if is_list => {
            return Err(StoreError::Invalid {
                table: table.code.clone(),
                field: field.to_owned(),
                message: format!("a list field supports contains and isNull, not {op:?} {v:?}"),
            });
        }
        (Op::Ne, v) => {
            q.sql(&format!("({col} <> "));
            q.bind(bind_value(table, field, v)?);
            q.sql(&format!(" OR {col} IS NULL)"));
        }
        (op, v) => {
            let sym = match op {
                Op::Eq => "=",
                Op::Lt => "<",
                Op::Lte => "<=",
                Op::Gt => ">",
                _ => ">=",
            };
            q.sql(&format!("{col} {sym} "));
            q.bind(bind_value(table, field, v)?);
        }
    }
    Ok(())
}

/// Appends `field IN (…)` with the whole list as one bound value where the values allow it
/// (`= ANY($n)` on PostgreSQL, `json_each(?)` on SQLite), so that the statement's text does not
/// change with the list's length and stays one prepared statement.
fn in_list(q: &mut DynQuery, dialect: Dialect, field: &str, values: &[SqlValue]) {
    let col = ident(field);
    let ints = values.iter().all(|v| matches!(v, SqlValue::Int(_)));
    let texts = values.iter().all(|v| matches!(v, SqlValue::Text(_)));
    match dialect {
        _ if !(ints || texts) => {
            q.sql(&format!("{col} IN ("));
            for (i, v) in values.iter().enumerate() {
                if i > 0 {
                    q.sql(", ");
                }
                q.bind(v.clone());
            }
            q.sql(")");
        }
        Dialect::Postgres => {
            let items: Vec<String> = values
                .iter()
                .map(|v| match v {
                    SqlValue::Int(i) => i.to_string(),
                    SqlValue::Text(t) => {
                        format!("\"{}\"", t.replace('\\', "\\\\").replace('"', "\\\""))
                    }
                    _ => String::new(),
                })
                .collect();
            q.sql(&format!("{col} = ANY(CAST("));
            q.bind(SqlValue::Text(format!("{{{}}}", items.join(","))));
            q.sql(if ints {
                " AS BIGINT[]))"
            } else {
                " AS TEXT[]))"
            });
        }
        Dialect::Sqlite => {
            let items: Vec<serde_json::Value> = values
                .iter()
                .map(|v| match v {
                    SqlValue::Int(i) => serde_json::Value::from(*i),
                    SqlValue::Text(t) => serde_json::Value::from(t.as_str()),
                    _ => serde_json::Value::Null,
                })
                .collect();
            q.sql(&format!("{col} IN (SELECT value FROM json_each("));
            q.bind(SqlValue::Text(serde_json::Value::Array(items).to_string()));
            q.sql("))");
        }
    }
}

/// Escapes `\`, `%` and `_` so that user text is matched literally by LIKE … ESCAPE '\'.
pub fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '%' | '_') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Appends ` ORDER BY …, id` (id last, so paging is stable).
///
/// Columns are qualified with the table: a bare name would sort by the select list's text cast
/// of the same name, ordering numbers as strings. Empty values come last in either direction,
/// spelled out because the backends' defaults differ (SQLite sorts NULL first, PostgreSQL last).
pub fn push_order(q: &mut DynQuery, table: &Table, order: &[Order]) -> Result<(), StoreError> {
    push_order_dir(q, table, order, false)
}

/// As [`push_order`], or its exact reverse (every term flipped, empty values first, id
/// descending) to read the end of a list.
pub(super) fn push_order_dir(
    q: &mut DynQuery,
    table: &Table,
    order: &[Order],
    reverse: bool,
) -> Result<(), StoreError> {
    let t = ident(&crate::defs::naming::sql_table(&table.slug));
    let (asc, desc, nulls) = if reverse {
        ("DESC", "ASC", "FIRST")
    } else {
        ("ASC", "DESC", "LAST")
    };
    q.sql(" ORDER BY ");
    for o in order {
        column(table, &o.field)?;
        let dir = if o.descending { desc } else { asc };
        q.sql(&format!("{t}.{} {dir} NULLS {nulls}, ", ident(&o.field)));
    }
    q.sql(&format!("{t}.id {asc}"));
    Ok(())
}
