//! What a reviewer reads before deciding: the last 退回原因 (who, when), the head's 提交说明 and
//! the rows changed since that return, row by row and field by field, worked out from the audit
//! log (each row write leaves its before and after there in the same transaction).

use std::collections::BTreeMap;

use super::{ApiError, ApiResult, Code, Service};
use crate::authz::Access;
use crate::defs::{Catalog, Field, FieldType, Table};
use crate::store::{read_operations, AuditRecord, RowScope};

/// The last return of a unit's table.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReturnInfo {
    pub at: String,
    pub by: String,
    pub by_name: String,
    pub reason: String,
}

/// One field of a changed row: its label, the value before and after (as shown to people).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldChange {
    pub field: String,
    pub label: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// One row added, changed or deleted since the return (its net change: a row added and then
/// deleted is not listed).
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RowChange {
    pub row_id: i64,
    /// `added`, `changed` or `deleted`.
    pub kind: &'static str,
    /// The row's key values, e.g. "T00001 全国机械行指委".
    pub label: String,
    pub fields: Vec<FieldChange>,
}

/// The reviewer's help for one unit's table.
#[derive(Debug, Clone, Default, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReviewHelp {
    pub returned: Option<ReturnInfo>,
    /// The head's 提交说明 of the latest submission, when one was written.
    pub note: Option<String>,
    pub changes: Vec<RowChange>,
}

impl Service {
    /// The last return, the submission's note and the row changes since the return of `table`
    /// for `unit`; for whoever may read that unit's rows.
    pub fn review_help(
        &self,
        who: &Access,
        cycle: i32,
        table: &str,
        unit: &str,
    ) -> ApiResult<ReviewHelp> {
        let table = self.table(table)?;
        let unit = self.unit_code(unit)?;
        self.may_read_sheet(who, &table, &unit)?;
        let catalog = self.catalog().clone();
        self.store.with_workflow(|conn| {
            let steps = read_operations(conn, (Some(cycle), Some(&table.code)), &["workflow"], 0)?;
            let steps: Vec<&AuditRecord> = steps.iter().filter(|e| of_unit(e, &unit)).collect();
            let last = steps
                .iter()
                .rposition(|e| state_after(e) == Some("returned"));
            let note = steps[last.map_or(0, |i| i + 1)..]
                .iter()
                .filter_map(|e| comment(e)?.strip_prefix("提交说明：").map(str::to_owned))
                .next_back();
            let Some(i) = last else {
                return Ok(ReviewHelp {
                    note,
                    ..ReviewHelp::default()
                });
            };
            let ret = steps[i];
            let ops = ["insert", "update", "delete"];
            let writes = read_operations(conn, (Some(cycle), Some(&table.code)), &ops, ret.id)?;
            let names =
                crate::store::comments::staff_names(conn, std::slice::from_ref(&ret.actor))?;
            Ok::<_, ApiError>(ReviewHelp {
                returned: Some(ReturnInfo {
                    at: ret.at.clone(),
                    by: ret.actor.clone(),
                    by_name: names.first().map_or(ret.actor.clone(), |n| n.1.clone()),
                    reason: comment(ret).unwrap_or_default().to_owned(),
                }),
                note,
                changes: net_changes(&catalog, &table, &unit, &writes),
            })
        })
    }

    /// Refuses (`FORBIDDEN`) a caller who may not read `unit`'s rows of `table`.
    pub(super) fn may_read_sheet(&self, who: &Access, table: &Table, unit: &str) -> ApiResult<()> {
        let readable = match who.read_scope(&table.code) {
            RowScope::All => true,
            RowScope::Units(units) => units.iter().any(|u| u == unit),
        };
        if readable && who.can(&table.code, crate::authz::Action::Read) {
            return Ok(());
        }
        Err(ApiError::new(
            Code::Forbidden,
            format!(
                "您没有查看“{} {}”中其他单位数据的权限",
                table.code, table.name
            ),
        ))
    }
}

fn of_unit(e: &AuditRecord, unit: &str) -> bool {
    let side = e.after.as_ref().or(e.before.as_ref());
    side.and_then(|v| v.get("unit")).and_then(|u| u.as_str()) == Some(unit)
}

fn state_after(e: &AuditRecord) -> Option<&str> {
    e.after.as_ref()?.get("state")?.as_str()
}

fn comment(e: &AuditRecord) -> Option<&str> {
    e.after.as_ref()?.get("comment")?.as_str()
}

/// Each row's first `before` against its last `after`, over the unit's writes in order.
fn net_changes(
    catalog: &Catalog,
    table: &Table,
    unit: &str,
    writes: &[AuditRecord],
) -> Vec<RowChange> {
    type Ends<'a> = (Option<&'a serde_json::Value>, Option<&'a serde_json::Value>);
    let mut rows: BTreeMap<i64, Ends<'_>> = BTreeMap::new();
    for w in writes.iter().filter(|w| of_unit(w, unit)) {
        let Some(id) = w.row_id else { continue };
        let ends = rows.entry(id).or_insert((w.before.as_ref(), None));
        ends.1 = w.after.as_ref();
    }
    let mut out = Vec::new();
    for (row_id, (before, after)) in rows {
        let fields: Vec<FieldChange> = table
            .fields
            .iter()
            .filter_map(|f| {
                let old = before.and_then(|v| shown(catalog, f, v.get(&f.name)));
                let new = after.and_then(|v| shown(catalog, f, v.get(&f.name)));
                (old != new).then(|| FieldChange {
                    field: f.name.clone(),
                    label: f.label.clone(),
                    before: old,
                    after: new,
                })
            })
            .collect();
        let kind = match (before, after) {
            (None, None) => continue,
            (None, Some(_)) => "added",
            (Some(_), None) => "deleted",
            (Some(_), Some(_)) if fields.is_empty() => continue,
            _ => "changed",
        };
        let label = row_label(catalog, table, after.or(before));
        out.push(RowChange {
            row_id,
            kind,
            label,
            fields,
        });
    }
    out
}

/// A row named by its key fields (the first two fields when the table has no key).
pub(super) fn row_label(
    catalog: &Catalog,
    table: &Table,
    values: Option<&serde_json::Value>,
) -> String {
    let Some(values) = values else {
        return String::new();
    };
    let keyed: Vec<&Field> = table.key.iter().filter_map(|k| table.field(k)).collect();
    let fields = if keyed.is_empty() {
        table.fields.iter().take(2).collect()
    } else {
        keyed
    };
    fields
        .into_iter()
        .filter_map(|f| shown(catalog, f, values.get(&f.name)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A stored value as people read it: code names for codes, 是/否, lists joined by 、.
fn shown(catalog: &Catalog, field: &Field, v: Option<&serde_json::Value>) -> Option<String> {
    let name = |code: &str| -> String {
        let list = match &field.ty {
            FieldType::Enum { codes } | FieldType::MultiEnum { codes } => catalog.code_list(codes),
            _ => None,
        };
        list.and_then(|l| l.get(code))
            .map_or_else(|| code.to_owned(), |c| c.name.clone())
    };
    match v? {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) if s.is_empty() => None,
        serde_json::Value::String(s) => Some(name(s)),
        serde_json::Value::Bool(b) => Some(if *b { "是" } else { "否" }.to_owned()),
        serde_json::Value::Array(items) => Some(
            items
                .iter()
                .map(|i| i.as_str().map_or_else(|| i.to_string(), name))
                .collect::<Vec<_>>()
                .join("、"),
        ),
        other => Some(other.to_string()),
    }
}
