//! Aggregates with group-by: count, sum, avg, min, max. Sums of decimals add scaled integers in
//! the database, so they are exact; averages are divided in Rust with `rust_decimal`.

use diesel::RunQueryDsl;
use rust_decimal::Decimal;

use super::conn::AnyConnection;
use super::dialect::Dialect;
use super::filter::{push_filter, Filter};
use super::sql::{ident, DynQuery, SqlValue, TextRow};
use super::value::{decode, Record, Value};
use super::{RowScope, StoreError};
use crate::defs::{naming, Field, FieldType, Table};

/// An aggregate function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AggFn {
    Count,
    Sum,
    Avg,
    Min,
    Max,
}

/// One measure: `count` of rows (no field) or a function of a field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Measure {
    pub func: AggFn,
    pub field: Option<String>,
}

/// What to aggregate.
#[derive(Debug, Clone)]
pub struct AggregateQuery {
    pub cycle: i32,
    pub filter: Option<Filter>,
    pub group_by: Vec<String>,
    pub measures: Vec<Measure>,
}

/// One group: its key values and one value per measure, in the query's order.
#[derive(Debug, Clone, PartialEq)]
pub struct AggregateRow {
    pub group: Record,
    pub values: Vec<Value>,
}

fn invalid(table: &Table, field: &str, message: impl Into<String>) -> StoreError {
    StoreError::Invalid {
        table: table.code.clone(),
        field: field.to_owned(),
        message: message.into(),
    }
}

/// A stored value of a group or measure that does not read as its field's type.
fn unreadable(table: &Table, field: &str, message: String) -> StoreError {
    StoreError::Unreadable {
        table: table.code.clone(),
        row: 0,
        field: field.to_owned(),
        message,
    }
}

fn field<'a>(table: &'a Table, name: &str) -> Result<&'a Field, StoreError> {
    table
        .field(name)
        .ok_or_else(|| invalid(table, name, format!("{} 没有字段 \"{name}\"", table.name)))
}

fn numeric(f: &Field) -> bool {
    matches!(f.ty, FieldType::Int | FieldType::Decimal { .. })
}

fn orderable(f: &Field) -> bool {
    matches!(
        f.ty,
        FieldType::Int
            | FieldType::Decimal { .. }
            | FieldType::Year
            | FieldType::Date
            | FieldType::YearMonth
            | FieldType::String
            | FieldType::Enum { .. }
            | FieldType::Ref { .. }
    )
}

/// Runs the aggregate within the scope; groups come back ordered by their keys.
pub fn aggregate_rows(
    conn: &mut AnyConnection,
    table: &Table,
    scope: &RowScope,
    query: &AggregateQuery,
) -> Result<Vec<AggregateRow>, StoreError> {
    let dialect = Dialect::of(conn);
    let mut select = Vec::new();
    for (i, g) in query.group_by.iter().enumerate() {
        if g == "unit" {
            select.push(format!("unit AS g_{i}"));
            continue;
        }
        let f = field(table, g)?;
        if matches!(
            f.ty,
            FieldType::MultiEnum { .. } | FieldType::MultiRef { .. }
        ) {
            return Err(invalid(table, g, "cannot group by a list field"));
        }
        select.push(format!("CAST({} AS TEXT) AS g_{i}", ident(g)));
    }
    for (i, m) in query.measures.iter().enumerate() {
        match (m.func, &m.field) {
            (AggFn::Count, None) => select.push(format!("CAST(COUNT(*) AS TEXT) AS m_{i}")),
            (func, Some(name)) => {
                let f = field(table, name)?;
                let col = ident(name);
                let ok = match func {
                    AggFn::Count => true,
                    AggFn::Sum | AggFn::Avg => numeric(f),
                    AggFn::Min | AggFn::Max => orderable(f),
                };
                if !ok {
                    return Err(invalid(
                        table,
                        name,
                        format!("{func:?} does not apply to a {} field", f.ty.name()),
                    ));
                }
                let expr = match func {
                    AggFn::Count => format!("COUNT({col})"),
                    AggFn::Sum | AggFn::Avg => format!("SUM({col})"),
                    AggFn::Min => format!("MIN({col})"),
                    AggFn::Max => format!("MAX({col})"),
                };
                select.push(format!("CAST({expr} AS TEXT) AS m_{i}"));
                select.push(format!("CAST(COUNT({col}) AS TEXT) AS n_{i}"));
            }
            (func, None) => return Err(invalid(table, "", format!("{func:?} needs a field"))),
        }
    }
    if select.is_empty() {
        return Err(invalid(table, "", "nothing to aggregate"));
    }
    let mut q = DynQuery::new(format!(
        "SELECT {} FROM {} WHERE cycle = ",
        select.join(", "),
        ident(&naming::sql_table(&table.slug))
    ))
    .uncached();
    q.bind(SqlValue::Int(i64::from(query.cycle)));
    super::rows::push_scope(&mut q, scope);
    if let Some(f) = &query.filter {
        push_filter(&mut q, dialect, table, f)?;
    }
    if !query.group_by.is_empty() {
        let cols: Vec<String> = query.group_by.iter().map(|g| ident(g)).collect();
        q.sql(&format!(
            " GROUP BY {} ORDER BY {}",
            cols.join(", "),
            cols.join(", ")
        ));
    }
    let rows: Vec<TextRow> = q.load(conn)?;
    rows.iter().map(|r| decode_group(table, query, r)).collect()
}

fn decode_group(
    table: &Table,
    query: &AggregateQuery,
    row: &TextRow,
) -> Result<AggregateRow, StoreError> {
    let mut group = Record::new();
    for (i, g) in query.group_by.iter().enumerate() {
        let raw = row.get(&format!("g_{i}"));
        if g == "unit" {
            group.insert(
                g.clone(),
                raw.map_or(Value::Null, |u| Value::Text(u.to_owned())),
            );
            continue;
        }
        let f = field(table, g)?;
        let v = decode(f, raw).map_err(|m| unreadable(table, g, m))?;
        group.insert(g.clone(), v);
    }
    let mut values = Vec::with_capacity(query.measures.len());
    for (i, m) in query.measures.iter().enumerate() {
        let raw = row.get(&format!("m_{i}"));
        let count = row
            .get(&format!("n_{i}"))
            .and_then(|n| n.parse::<i64>().ok())
            .unwrap_or(0);
        let value = match (m.func, &m.field) {
            (AggFn::Count, _) => Value::Int(raw.and_then(|t| t.parse().ok()).unwrap_or(0)),
            (func, Some(name)) => {
                let f = field(table, name)?;
                measure(table, f, func, raw, count)?
            }
            (_, None) => Value::Null,
        };
        values.push(value);
    }
    Ok(AggregateRow { group, values })
}

fn measure(
    table: &Table,
    f: &Field,
    func: AggFn,
    raw: Option<&str>,
    count: i64,
) -> Result<Value, StoreError> {
    let Some(raw) = raw else {
        return Ok(Value::Null);
    };
    let scale = match f.ty {
        FieldType::Decimal { scale } => scale,
        _ => 0,
    };
    // PostgreSQL's SUM(bigint) is numeric and may print a fraction-free "123"; parse via i128.
    let sum = || -> Result<Decimal, StoreError> {
        let units: i128 = raw
            .parse()
            .map_err(|_| invalid(table, &f.name, format!("bad sum {raw:?}")))?;
        Decimal::try_from_i128_with_scale(units, scale)
            .map_err(|e| invalid(table, &f.name, e.to_string()))
    };
    Ok(match func {
        AggFn::Sum => match f.ty {
            FieldType::Int => Value::Int(
                i64::try_from(sum()?.mantissa())
                    .map_err(|_| invalid(table, &f.name, "sum too large"))?,
            ),
            _ => Value::Decimal(sum()?),
        },
        // Rounded half away from zero, once, from the exact quotient (`model::decimal`).
        AggFn::Avg if count > 0 => {
            match crate::model::decimal::divide(sum()?, Decimal::from(count), scale + 4) {
                Some(avg) => Value::Decimal(avg.normalize()),
                None => Value::Null,
            }
        }
        AggFn::Avg => Value::Null,
        _ => decode(f, Some(raw)).map_err(|m| unreadable(table, &f.name, m))?,
    })
}
