//! The definition's field rules (required, code lists dated for the cycle's year, ranges,
//! formats, dates in the period) over every stored row of a table: the `FIELD:<table>` rule of a
//! whole-cycle run, one finding per row with all its problems.

use super::{check_record, Severity};
use crate::defs::{Catalog, Rule};
use crate::store::rules::Violation;
use crate::store::workflow::cycle_dates;
use crate::store::{ops, AnyConnection, ListQuery, RowScope, StoreError, Value};

/// The rows of the rule's table (in the scope) that break a field rule.
pub fn field_checks(
    conn: &mut AnyConnection,
    catalog: &Catalog,
    rule: &Rule,
    scope: &super::rules::RunScope<'_>,
) -> Result<Vec<Violation>, StoreError> {
    let Some(table) = catalog.table_by_code(&rule.table) else {
        return Ok(Vec::new());
    };
    let dates = cycle_dates(conn, scope.cycle)?;
    let rows_scope = match scope.unit {
        Some(u) => RowScope::Units(vec![u.to_owned()]),
        None => RowScope::All,
    };
    let rows = ops::list_rows(conn, table, &rows_scope, &ListQuery::all(scope.cycle))?;
    let mut out = Vec::new();
    for row in rows {
        let problems = check_record(catalog, table, &row.values, &dates);
        let Some(first) = problems.first() else {
            continue;
        };
        let error = problems.iter().any(|p| p.severity == Severity::Error);
        let label = |f: &str| table.field(f).map_or(f.to_owned(), |x| x.label.clone());
        let message = problems
            .iter()
            .map(|p| p.message.as_str())
            .collect::<Vec<_>>()
            .join("；");
        let row_ref = table
            .key
            .iter()
            .map(|k| {
                let v = row.values.get(k).unwrap_or(&Value::Null);
                format!("{}={}", label(k), shown(v))
            })
            .collect::<Vec<_>>()
            .join("，");
        out.push(Violation {
            rule: rule.id.clone(),
            severity: if error { "error" } else { "warning" }.to_owned(),
            table_code: table.code.clone(),
            unit: row.unit.clone(),
            row_id: Some(row.id),
            row_ref,
            field: Some(first.field.clone()),
            message,
        });
    }
    Ok(out)
}

/// A key value as the SQL rules show it (`CAST(… AS TEXT)`): text as is, numbers and dates plain.
fn shown(v: &Value) -> String {
    match v.to_json() {
        serde_json::Value::String(s) => s,
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    }
}
