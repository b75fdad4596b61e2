//! The oracle's random data: rows for any table, and filters and orderings with the SQL that
//! states their documented meaning.

use rand::{Rng, RngExt};
use rust_decimal::Decimal;
use serde_json::{json, Value as Json};
use statusdata::defs::{naming, FieldType, Table};
use statusdata::store::{Record, RowScope, Value};

use crate::api::Api;
use crate::db::ctx;

const UNITS: [&str; 3] = ["jwb", "zlb", "tsg"];
const TEXTS: [&str; 9] = ["a", "B", "b", "ab", "Ab", "甲", "乙", "10", "9"];

/// How the test writes and compares a column's values.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Text,
    Int,
    Year,
    Dec(u32),
    Date,
    YearMonth,
    Bool,
}

pub struct Col {
    /// GraphQL name (filter key) and the `…Field` enum item, when sortable.
    gql: String,
    item: Option<String>,
    sql: String,
    kind: Kind,
}

fn kind_of(ty: &FieldType) -> Option<Kind> {
    Some(match ty {
        FieldType::String | FieldType::Enum { .. } | FieldType::Ref { .. } => Kind::Text,
        FieldType::Int => Kind::Int,
        FieldType::Year => Kind::Year,
        FieldType::Decimal { scale } => Kind::Dec(*scale),
        FieldType::Date => Kind::Date,
        FieldType::YearMonth => Kind::YearMonth,
        FieldType::Bool => Kind::Bool,
        _ => return None,
    })
}

pub fn columns(t: &Table) -> Vec<Col> {
    let mut cols = vec![Col {
        gql: "unit".into(),
        item: Some("UNIT".into()),
        sql: "unit".into(),
        kind: Kind::Text,
    }];
    for f in &t.fields {
        if let Some(kind) = kind_of(&f.ty) {
            cols.push(Col {
                gql: naming::graphql_field(&f.name),
                item: Some(f.name.to_ascii_uppercase()),
                sql: f.name.clone(),
                kind,
            });
        }
    }
    cols
}

/// A random value of the kind: (as stored, as GraphQL takes it, as an SQL literal).
fn value(rng: &mut impl Rng, kind: Kind) -> (Value, Json, String) {
    match kind {
        Kind::Text => {
            let s = TEXTS[rng.random_range(0..TEXTS.len())];
            (Value::Text(s.into()), json!(s), format!("'{s}'"))
        }
        Kind::Int => {
            let n = rng.random_range(0..8i64);
            (Value::Int(n), json!(n), n.to_string())
        }
        Kind::Year => {
            let y = rng.random_range(2019..2025i32);
            (Value::Year(y), json!(y), y.to_string())
        }
        Kind::Dec(scale) => {
            let units = rng.random_range(0..6i64) * 10i64.pow(scale) / 2;
            let d = Decimal::new(units, scale);
            (Value::Decimal(d), json!(d.to_string()), units.to_string())
        }
        Kind::Date => {
            let d = format!("2020-01-0{}", rng.random_range(1..7));
            let date = chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d").expect("date");
            (Value::Date(date), json!(d), format!("'{d}'"))
        }
        Kind::YearMonth => {
            let m = rng.random_range(1..7u32);
            (
                Value::YearMonth {
                    year: 2020,
                    month: m,
                },
                json!(format!("2020-0{m}")),
                format!("'2020-0{m}'"),
            )
        }
        Kind::Bool => {
            let b = rng.random_bool(0.5);
            (
                Value::Bool(b),
                json!(b),
                if b { "TRUE" } else { "FALSE" }.into(),
            )
        }
    }
}

/// `n` rows spread over three units, a quarter of the values empty, the first key field unique.
pub fn seed(api: &Api, t: &Table, n: usize, rng: &mut impl Rng) -> Vec<i64> {
    let mut ids = Vec::new();
    for (u, unit) in UNITS.iter().enumerate() {
        let records: Vec<Record> = (0..n / UNITS.len())
            .map(|i| row(t, u * n + i, rng))
            .collect();
        ids.extend(
            api.db
                .store
                .unguarded()
                .bulk_insert(t, &RowScope::All, &ctx(unit), &records)
                .expect("seed"),
        );
    }
    ids
}

pub fn row(t: &Table, serial: usize, rng: &mut impl Rng) -> Record {
    let mut r = Record::new();
    for f in &t.fields {
        let Some(kind) = kind_of(&f.ty) else { continue };
        if t.key.first() == Some(&f.name) {
            r.insert(f.name.clone(), Value::Text(format!("K{serial:05}")));
        } else if t.key.contains(&f.name) || !rng.random_bool(0.25) {
            r.insert(f.name.clone(), value(rng, kind).0);
        }
    }
    r
}

/// A random condition on one column: (GraphQL operators, SQL).
fn condition(rng: &mut impl Rng, c: &Col) -> (Json, String) {
    let col = format!("\"{}\"", c.sql);
    let mut ops = vec!["eq", "ne", "in", "isNull"];
    if c.kind != Kind::Bool {
        ops.extend(["lt", "lte", "gt", "gte"]);
    } else {
        ops.retain(|o| *o == "eq" || *o == "isNull");
    }
    if c.kind == Kind::Text {
        ops.extend(["contains", "startsWith"]);
    }
    let op = ops[rng.random_range(0..ops.len())];
    if rng.random_bool(0.08) {
        // An explicit null: `eq`/`ne` ask for empty/filled, anything else sets no condition.
        let sql = match op {
            "eq" => format!("{col} IS NULL"),
            "ne" => format!("{col} IS NOT NULL"),
            _ => "1=1".into(),
        };
        return (json!({ op: null }), sql);
    }
    let (_, v, lit) = value(rng, c.kind);
    let sql = match op {
        "eq" => format!("{col} = {lit}"),
        "ne" => format!("({col} <> {lit} OR {col} IS NULL)"),
        "lt" => format!("{col} < {lit}"),
        "lte" => format!("{col} <= {lit}"),
        "gt" => format!("{col} > {lit}"),
        "gte" => format!("{col} >= {lit}"),
        "isNull" => {
            let b = rng.random_bool(0.5);
            let sql = format!("{col} IS {}NULL", if b { "" } else { "NOT " });
            return (json!({ "isNull": b }), sql);
        }
        "in" => {
            let k = rng.random_range(0..4);
            let vals: Vec<(Value, Json, String)> = (0..k).map(|_| value(rng, c.kind)).collect();
            let sql = if vals.is_empty() {
                "1=0".into()
            } else {
                let lits: Vec<&str> = vals.iter().map(|v| v.2.as_str()).collect();
                format!("{col} IN ({})", lits.join(", "))
            };
            let list: Vec<Json> = vals.into_iter().map(|v| v.1).collect();
            return (json!({ "in": list }), sql);
        }
        _ => {
            let s = TEXTS[rng.random_range(0..TEXTS.len())];
            let s: String = s.chars().take(rng.random_range(1..3)).collect();
            let pattern = if op == "contains" {
                format!("%{}%", s.to_lowercase())
            } else {
                format!("{}%", s.to_lowercase())
            };
            // Case-insensitive for ASCII, as documented: lower() on both sides on both backends.
            return (json!({ op: s }), format!("lower({col}) LIKE '{pattern}'"));
        }
    };
    (json!({ op: v }), sql)
}

/// A random filter object: (GraphQL input, SQL).
pub fn filter(rng: &mut impl Rng, cols: &[Col], depth: u32) -> (Json, String) {
    let mut obj = serde_json::Map::new();
    let mut sql = Vec::new();
    // Few conditions, so that most lists are long enough to page through.
    for _ in 0..rng.random_range(0..3) {
        let pick = rng.random_range(0..10);
        if depth < 2 && pick < 2 {
            let key = if pick == 0 { "and" } else { "or" };
            if obj.contains_key(key) {
                continue;
            }
            let parts: Vec<(Json, String)> = (0..rng.random_range(0..4))
                .map(|_| filter(rng, cols, depth + 1))
                .collect();
            let joined = match (key, parts.is_empty()) {
                ("and", true) => "1=1".to_owned(),
                (_, true) => "1=0".to_owned(),
                _ => {
                    let s: Vec<&str> = parts.iter().map(|p| p.1.as_str()).collect();
                    format!("({})", s.join(if key == "and" { " AND " } else { " OR " }))
                }
            };
            obj.insert(
                key.into(),
                Json::Array(parts.into_iter().map(|p| p.0).collect()),
            );
            sql.push(joined);
            continue;
        }
        let c = &cols[rng.random_range(0..cols.len())];
        if obj.contains_key(&c.gql) {
            continue;
        }
        if rng.random_bool(0.05) {
            obj.insert(c.gql.clone(), Json::Null);
            continue;
        }
        let (ops, s) = condition(rng, c);
        obj.insert(c.gql.clone(), ops);
        sql.push(s);
    }
    let sql = if sql.is_empty() {
        "1=1".into()
    } else {
        format!("({})", sql.join(" AND "))
    };
    (Json::Object(obj), sql)
}

/// A random ordering: (GraphQL `orderBy`, SQL `ORDER BY` with empty values last and the id).
pub fn ordering(rng: &mut impl Rng, cols: &[Col]) -> (Json, String) {
    let mut items = Vec::new();
    let mut sql = Vec::new();
    let extra = [("ID", "id"), ("UPDATED_AT", "updated_at")];
    for _ in 0..rng.random_range(0..3) {
        let (item, col) = if rng.random_bool(0.15) {
            let (i, c) = extra[rng.random_range(0..extra.len())];
            (i.to_owned(), c.to_owned())
        } else {
            let c = &cols[rng.random_range(0..cols.len())];
            (c.item.clone().unwrap_or_default(), c.sql.clone())
        };
        let desc = rng.random_bool(0.5);
        items.push(json!({ "field": item, "direction": if desc { "DESC" } else { "ASC" } }));
        sql.push(format!(
            "CASE WHEN \"{col}\" IS NULL THEN 1 ELSE 0 END, \"{col}\" {}",
            if desc { "DESC" } else { "ASC" }
        ));
    }
    sql.push("id ASC".into());
    (Json::Array(items), sql.join(", "))
}
