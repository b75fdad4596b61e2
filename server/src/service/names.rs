//! Names copied beside a reference (第一主编工号 → 第一主编姓名, 专业代码 → 专业名称): a save
//! that sets the reference without a name takes the name from the referenced row, and a name
//! that differs from it is a warning (a typing slip, or a teacher who changed name: the unit
//! decides, so it never blocks).

use std::collections::HashMap;
use std::sync::Arc;

use crate::defs::{Catalog, Field, FieldType, Table};
use crate::store::{ops, AnyConnection, Filter, ListQuery, Record, RowScope, StoreError, Value};

/// Values looked up per query: well under every backend's limit on bound parameters.
const CHUNK: usize = 500;

/// A reference field and the name field of the same table that copies its target's name.
#[derive(Debug, Clone)]
pub struct CopiedName {
    /// The reference field (`chief_editor_no`).
    pub reference: String,
    /// The field holding the copied name (`chief_editor_name`).
    pub name: String,
    /// The referenced tables with their key and name fields.
    targets: Vec<(Arc<Table>, String, String)>,
}

/// The column shown beside a table's key: the first `name`/`*_name` column, or one labelled
/// 名称/姓名, so a teacher shows as 姓名 and a major as 专业名称.
pub fn display_field(table: &Table, key: &str) -> Option<String> {
    table
        .fields
        .iter()
        .filter(|f| f.name != key)
        .find(|f| {
            f.name == "name"
                || f.name.ends_with("_name")
                || f.label.ends_with("名称")
                || f.label.ends_with("姓名")
        })
        .map(|f| f.name.clone())
}

/// The copied names of `table`: a single reference `x_no`/`x_code`/`x_id` (or `x`) beside a text
/// field `x_name`, whose targets have a name column.
pub fn copied_names(catalog: &Catalog, table: &Table) -> Vec<CopiedName> {
    table
        .fields
        .iter()
        .filter(|f| matches!(f.ty, FieldType::Ref { .. }))
        .filter_map(|f| {
            let base = ["_no", "_code", "_id"]
                .iter()
                .find_map(|s| f.name.strip_suffix(s))
                .unwrap_or(&f.name);
            let name = table.field(&format!("{base}_name"))?;
            if !matches!(name.ty, FieldType::String | FieldType::Text) {
                return None;
            }
            let targets: Vec<_> =
                f.ty.ref_targets()
                    .iter()
                    .filter_map(|t| {
                        let target = catalog.table_by_slug(&t.table)?.clone();
                        let label = display_field(&target, &t.field)?;
                        Some((target, t.field.clone(), label))
                    })
                    .collect();
            (!targets.is_empty()).then(|| CopiedName {
                reference: f.name.clone(),
                name: name.name.clone(),
                targets,
            })
        })
        .collect()
}

fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::Text(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Int(i) => Some(i.to_string()),
        _ => None,
    }
}

/// The names of the referenced rows whose key is one of `keys`, in `cycle`: key → name.
pub fn target_names(
    conn: &mut AnyConnection,
    pair: &CopiedName,
    cycle: i32,
    keys: &[String],
) -> Result<HashMap<String, String>, StoreError> {
    let mut out = HashMap::new();
    for (target, key, label) in &pair.targets {
        for chunk in keys.chunks(CHUNK) {
            let query = ListQuery {
                filter: Some(Filter::In {
                    field: key.clone(),
                    values: chunk.iter().cloned().map(Value::Text).collect(),
                }),
                ..ListQuery::all(cycle)
            };
            for row in ops::list_rows(conn, target, &RowScope::All, &query)? {
                if let (Some(k), Some(n)) = (text(row.values.get(key)), text(row.values.get(label)))
                {
                    out.entry(k).or_insert(n);
                }
            }
        }
    }
    Ok(out)
}

/// Fills the copied names a write leaves to the server: when `patch` sets a reference and gives
/// no name, or gives the name the old reference had (the page kept it), the name becomes the new
/// target's. `before` is the stored row of an update.
pub fn fill_names(
    conn: &mut AnyConnection,
    catalog: &Catalog,
    table: &Table,
    cycle: i32,
    before: Option<&Record>,
    patch: &mut Record,
) -> Result<(), StoreError> {
    for pair in copied_names(catalog, table) {
        let Some(key) = text(patch.get(&pair.reference)) else {
            continue;
        };
        let old_key = before.and_then(|b| text(b.get(&pair.reference)));
        if old_key.as_deref() == Some(key.as_str()) {
            continue;
        }
        let given = text(patch.get(&pair.name));
        let old_name = before.and_then(|b| text(b.get(&pair.name)));
        let stale = given.is_none() || given == old_name;
        if !stale {
            continue;
        }
        if let Some(name) = target_names(conn, &pair, cycle, &[key])?
            .into_values()
            .next()
        {
            patch.insert(pair.name.clone(), Value::Text(name));
        }
    }
    Ok(())
}

/// A copied name that differs from its target's: (reference field, name field, key, given name,
/// the target's name).
#[derive(Debug, Clone)]
pub struct NameMismatch {
    pub reference: Field,
    pub name: Field,
    pub key: String,
    pub given: String,
    pub expected: String,
}

/// The copied names of `rows` (by position) that differ from their targets' names.
pub fn name_mismatches(
    conn: &mut AnyConnection,
    catalog: &Catalog,
    table: &Table,
    cycle: i32,
    rows: &[&Record],
) -> Result<Vec<(usize, NameMismatch)>, StoreError> {
    let mut out = Vec::new();
    for pair in copied_names(catalog, table) {
        let (Some(reference), Some(name)) = (table.field(&pair.reference), table.field(&pair.name))
        else {
            continue;
        };
        let mut keys: Vec<String> = rows
            .iter()
            .filter_map(|r| text(r.get(&pair.reference)))
            .collect();
        keys.sort();
        keys.dedup();
        if keys.is_empty() {
            continue;
        }
        let names = target_names(conn, &pair, cycle, &keys)?;
        for (i, row) in rows.iter().enumerate() {
            let (Some(key), Some(given)) =
                (text(row.get(&pair.reference)), text(row.get(&pair.name)))
            else {
                continue;
            };
            if let Some(expected) = names.get(&key).filter(|n| **n != given) {
                out.push((
                    i,
                    NameMismatch {
                        reference: reference.clone(),
                        name: name.clone(),
                        key,
                        given,
                        expected: expected.clone(),
                    },
                ));
            }
        }
    }
    Ok(out)
}
