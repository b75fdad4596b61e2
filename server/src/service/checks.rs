//! Early checks: what would stop a table's submission, found while the collector still fills
//! it. A check of saved rows (`checkRows`, after each save in the page), an Excel dry run and
//! 确认导入 run the touched table's record and reference rules — the same set-based statements
//! submission and the whole-cycle run use (`store::rules`) — over the unit's rows, keep what
//! concerns the touched rows, and add the copied names that differ from their targets
//! (`names`). Nothing here refuses a write or writes findings: a draft may be saved with
//! problems and fixed later; submission (`gate`) is where errors block.

use std::collections::{HashMap, HashSet};

use super::names::name_mismatches;
use super::{guard, ApiError, ApiResult, Code, Service};
use crate::authz::{Access, Action};
use crate::defs::{naming, Catalog, Rule, RuleKind, Table};
use crate::store::rules::run_rule;
use crate::store::{ops, AnyConnection, Filter, ListQuery, Record, RowScope, StoreError, Value};

/// Ids per `IN` list when reading touched rows back.
const CHUNK: usize = 500;

/// One thing about one row that stops submission (`error`) or needs an explanation (`warning`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RowCheck {
    /// The stored row (never shown to people: they read `row` or `row_ref`).
    #[serde(skip)]
    pub row_id: Option<i64>,
    /// The Excel row of an import; 0 for a row saved in the page.
    pub row: usize,
    /// The row's key in words (`ISBN=9787…`), as findings name rows.
    pub row_ref: String,
    pub rule: String,
    /// `error` or `warning`.
    pub severity: String,
    /// The GraphQL field name; empty when the rule names none.
    pub field: String,
    /// The field's Chinese label.
    pub label: String,
    pub message: String,
}

/// The rules run early: the table's own record rules and its derived reference rules. Cross-table
/// sums and completeness wait for submission: mid-filling, the other table is not done yet.
pub fn early_rules<'c>(catalog: &'c Catalog, table: &Table) -> Vec<&'c Rule> {
    catalog
        .rules
        .iter()
        .filter(|r| {
            r.table == table.code && matches!(r.kind, RuleKind::Record | RuleKind::Reference)
        })
        .map(|r| &**r)
        .collect()
}

/// The row's key in words, as `store::rules` names a finding's row: `工号=T0001，…`.
pub fn row_key(table: &Table, record: &Record) -> String {
    table
        .key
        .iter()
        .map(|k| {
            let label = table.field(k).map_or(k.as_str(), |f| f.label.as_str());
            let value = match record.get(k).map(Value::to_json) {
                Some(serde_json::Value::String(s)) => s,
                Some(serde_json::Value::Null) | None => String::new(),
                Some(v) => v.to_string(),
            };
            format!("{label}={value}")
        })
        .collect::<Vec<_>>()
        .join("，")
}

/// `message` prefixed with the row's key, when the table has one (single-row tables do not).
pub fn on_row(table: &Table, record: &Record, message: String) -> String {
    if table.key.is_empty() {
        message
    } else {
        format!("{}：{message}", row_key(table, record))
    }
}

fn label_of(table: &Table, field: Option<&str>) -> (String, String) {
    field.map_or_else(Default::default, |f| {
        let label = table.field(f).map_or_else(String::new, |d| d.label.clone());
        (naming::graphql_field(f), label)
    })
}

/// The stored rows of `unit` among `ids` (all of the unit's rows when `ids` is `None`).
fn touched_rows(
    conn: &mut AnyConnection,
    table: &Table,
    cycle: i32,
    unit: &str,
    ids: Option<&[i64]>,
) -> Result<Vec<crate::store::StoredRow>, StoreError> {
    let scope = RowScope::Units(vec![unit.to_owned()]);
    let Some(ids) = ids else {
        return ops::list_rows(conn, table, &scope, &ListQuery::all(cycle));
    };
    let mut out = Vec::new();
    for chunk in ids.chunks(CHUNK) {
        let query = ListQuery {
            filter: Some(Filter::In {
                field: "id".into(),
                values: chunk.iter().map(|i| Value::Int(*i)).collect(),
            }),
            ..ListQuery::all(cycle)
        };
        out.extend(ops::list_rows(conn, table, &scope, &query)?);
    }
    Ok(out)
}

/// The early checks of `unit`'s rows `ids` of `table` (all its rows when `None`), ordered by
/// row: broken record and reference rules, then copied names that differ.
pub fn touched_checks(
    conn: &mut AnyConnection,
    catalog: &Catalog,
    table: &Table,
    cycle: i32,
    unit: &str,
    ids: Option<&[i64]>,
) -> Result<Vec<RowCheck>, StoreError> {
    let wanted: Option<HashSet<i64>> = ids.map(|i| i.iter().copied().collect());
    let keep = |id: Option<i64>| {
        wanted
            .as_ref()
            .is_none_or(|w| id.is_some_and(|i| w.contains(&i)))
    };
    let mut out = Vec::new();
    for rule in early_rules(catalog, table) {
        for v in run_rule(conn, catalog, rule, cycle, Some(unit))? {
            if keep(v.row_id) {
                let (field, label) = label_of(table, v.field.as_deref());
                out.push(RowCheck {
                    row_id: v.row_id,
                    row: 0,
                    row_ref: v.row_ref,
                    rule: v.rule,
                    severity: v.severity,
                    field,
                    label,
                    message: v.message,
                });
            }
        }
    }
    let rows = touched_rows(conn, table, cycle, unit, ids)?;
    let records: Vec<&Record> = rows.iter().map(|r| &r.values).collect();
    for (i, m) in name_mismatches(conn, catalog, table, cycle, &records)? {
        let row = &rows[i];
        out.push(RowCheck {
            row_id: Some(row.id),
            row: 0,
            row_ref: row_key(table, &row.values),
            rule: format!("{}-name-{}", table.code, m.name.name),
            severity: "warning".into(),
            field: naming::graphql_field(&m.name.name),
            label: m.name.label.clone(),
            message: format!(
                "{}“{}”与{} {} 对应的“{}”不一致：请改为“{}”，或在提交时说明原因",
                m.name.label, m.given, m.reference.label, m.key, m.expected, m.expected
            ),
        });
    }
    out.sort_by_key(|c| c.row_id);
    Ok(out)
}

/// Gives each check the Excel row of its stored row (`ids[i]` came from `excel_rows[i]`).
pub fn by_excel_row(checks: &mut [RowCheck], ids: &[i64], excel_rows: &[usize]) {
    let at: HashMap<i64, usize> = ids
        .iter()
        .copied()
        .zip(excel_rows.iter().copied())
        .collect();
    for c in checks.iter_mut() {
        c.row = c.row_id.and_then(|id| at.get(&id).copied()).unwrap_or(0);
    }
    checks.sort_by_key(|c| c.row);
}

impl Service {
    /// The early checks of rows the caller may read (`ids`, or all of the unit's rows): what
    /// would stop the unit's submission of the table, found without writing anything.
    pub fn check_rows(
        &self,
        who: &Access,
        code: &str,
        cycle: Option<i32>,
        unit: Option<&str>,
        ids: Option<Vec<i64>>,
    ) -> ApiResult<Vec<RowCheck>> {
        let table = self.table(code)?;
        guard(who, &table, Action::Read)?;
        let unit = self.unit_or_own(who, unit)?;
        if let RowScope::Units(own) = who.read_scope(&table.code) {
            if !own.contains(&unit) {
                return Err(ApiError::new(
                    Code::Forbidden,
                    format!(
                        "不能查看其他单位（{unit}）的“{} {}”",
                        table.code, table.name
                    ),
                ));
            }
        }
        let cycle = self.cycle_or_default(cycle)?;
        let mut conn = self.store.conn()?;
        Ok(touched_checks(
            &mut conn,
            self.store.catalog(),
            &table,
            cycle,
            &unit,
            ids.as_deref(),
        )?)
    }
}
