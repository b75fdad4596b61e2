//! A table's rows as CSV (UTF-8 with a byte-order mark, so that Excel opens it) and as JSON Lines,
//! for BI tools. Both begin with each row's 填报单位 (code and name); a code field is two
//! columns, the codes and their names, so the CSV imports again (`grid`, `rows::parse_sheet`
//! read the codes and skip the names). Decimals are exact text at their scale, dates ISO.

use std::io::Write;

use serde_json::{Map, Value as Json};

use super::{header, name_key, name_title, UNIT_KEY, UNIT_NAME_KEY, UNIT_NAME_TITLE, UNIT_TITLE};
use crate::defs::{naming, Catalog, Field, Table, Units};
use crate::store::{StoredRow, Value};

/// The byte-order mark that makes Excel read a CSV file as UTF-8.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// How a CSV file heads its columns: by the labels (as the xlsx export, `学号*`, `学历（名称）`,
/// booleans 是/否) or by the GraphQL names (`studentNo`, `eduLabel`, booleans true/false).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Heading {
    #[default]
    Labels,
    Names,
}

/// The name of a unit, or its code when the units file no longer knows it.
pub fn unit_name(units: &Units, code: &str) -> String {
    units
        .by_code(code)
        .map_or_else(|| code.to_owned(), |u| u.name.clone())
}

/// The name of each of a code field's codes ("" for an empty value, the code for an unknown one).
fn code_names(catalog: &Catalog, field: &Field, value: &Value) -> Vec<String> {
    let name = |code: &String| {
        field
            .ty
            .code_list()
            .and_then(|l| catalog.code_list(l))
            .and_then(|l| l.get(code))
            .map_or_else(|| code.clone(), |c| c.name.clone())
    };
    match value {
        Value::Text(s) => vec![name(s)],
        Value::List(items) => items.iter().map(name).collect(),
        _ => Vec::new(),
    }
}

/// A value as CSV text: what an import reads back to the same value.
fn cell(value: &Value, heading: Heading) -> String {
    match value {
        Value::Null => String::new(),
        Value::Bool(b) => match (heading, b) {
            (Heading::Labels, true) => "是".into(),
            (Heading::Labels, false) => "否".into(),
            (Heading::Names, b) => b.to_string(),
        },
        Value::List(items) => items.join("；"),
        other => match other.to_json() {
            Json::String(s) => s,
            v => v.to_string(),
        },
    }
}

/// The header of a table's CSV file.
fn csv_header(table: &Table, heading: Heading) -> Vec<String> {
    let mut out = match heading {
        Heading::Labels => vec![UNIT_TITLE.to_owned(), UNIT_NAME_TITLE.to_owned()],
        Heading::Names => vec![UNIT_KEY.to_owned(), UNIT_NAME_KEY.to_owned()],
    };
    for f in &table.fields {
        let coded = f.ty.code_list().is_some();
        match heading {
            Heading::Labels => {
                out.push(header(f));
                if coded {
                    out.push(name_title(f));
                }
            }
            Heading::Names => {
                out.push(naming::graphql_field(&f.name));
                if coded {
                    out.push(name_key(f));
                }
            }
        }
    }
    out
}

/// Writes `rows` of `table` as CSV records (header first) into `out`, without the byte-order mark.
pub fn write_csv<W: Write>(
    out: W,
    catalog: &Catalog,
    units: &Units,
    table: &Table,
    rows: &[StoredRow],
    heading: Heading,
) -> Result<W, String> {
    let x = |e: csv::Error| e.to_string();
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(csv_header(table, heading)).map_err(x)?;
    for row in rows {
        let mut record = vec![row.unit.clone(), unit_name(units, &row.unit)];
        for f in &table.fields {
            let value = row.values.get(&f.name).unwrap_or(&Value::Null);
            record.push(cell(value, heading));
            if f.ty.code_list().is_some() {
                record.push(code_names(catalog, f, value).join("；"));
            }
        }
        writer.write_record(&record).map_err(x)?;
    }
    writer.into_inner().map_err(|e| e.to_string())
}

/// One table's rows as a CSV file: the byte-order mark, the header, the rows.
pub fn table_csv(
    catalog: &Catalog,
    units: &Units,
    table: &Table,
    rows: &[StoredRow],
    heading: Heading,
) -> Result<Vec<u8>, String> {
    write_csv(BOM.to_vec(), catalog, units, table, rows, heading)
}

/// Writes `rows` of `table` as JSON Lines into `out`: one object per row, keyed by the GraphQL
/// names with the values GraphQL gives, `<field>Label` beside a code field, and `unit`,
/// `unitName`, `cycle` (and `table`, when `with_table`: lines of several tables in one file).
pub fn write_jsonl<W: Write>(
    out: &mut W,
    catalog: &Catalog,
    units: &Units,
    table: &Table,
    rows: &[StoredRow],
    with_table: bool,
) -> Result<(), String> {
    for row in rows {
        let mut line = Map::new();
        if with_table {
            line.insert("table".into(), Json::String(table.code.clone()));
        }
        line.insert("cycle".into(), Json::from(row.cycle));
        line.insert(UNIT_KEY.into(), Json::String(row.unit.clone()));
        let name = unit_name(units, &row.unit);
        line.insert(UNIT_NAME_KEY.into(), Json::String(name));
        for f in &table.fields {
            let value = row.values.get(&f.name).unwrap_or(&Value::Null);
            line.insert(naming::graphql_field(&f.name), value.to_json());
            if f.ty.code_list().is_some() {
                let names = code_names(catalog, f, value);
                let label = match value {
                    Value::List(_) => Json::from(names),
                    Value::Null => Json::Null,
                    _ => names.into_iter().next().map_or(Json::Null, Json::String),
                };
                line.insert(name_key(f), label);
            }
        }
        serde_json::to_writer(&mut *out, &line).map_err(|e| e.to_string())?;
        out.write_all(b"\n").map_err(|e| e.to_string())?;
    }
    Ok(())
}
