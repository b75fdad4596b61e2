//! The rights matrix as 质量部 reads it: for every table, unit (or group such as 各院系) and
//! action (填报, 审核), whether the right is held, through which group, and the last change from
//! the audit log (who, when, granted or revoked).

use std::collections::HashMap;

use super::{require_role, ApiResult, Service};
use crate::authz::{Access, Action};
use crate::store::read_operations;

/// One cell of the matrix that holds a right or has a recorded change.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RightCell {
    pub table: String,
    /// A unit's or a group's name.
    pub unit: String,
    /// `FILL` or `REVIEW`.
    pub action: &'static str,
    pub granted: bool,
    /// The group the unit holds the right through (e.g. 各院系), when not granted directly.
    pub via: Option<String>,
    /// The last change of this very cell: `grant` or `revoke`, by whom (name) and when.
    pub change: Option<&'static str>,
    pub changed_by: Option<String>,
    pub changed_at: Option<String>,
}

type Key = (String, String, &'static str);

impl Service {
    /// Every cell that holds a right or was ever changed (质量部 only).
    pub fn right_cells(&self, who: &Access) -> ApiResult<Vec<RightCell>> {
        require_role(who, &["quality_admin"], "只有质量部可以查看分工的调整记录")?;
        let policy = self.policy.current();
        let mut cells: HashMap<Key, RightCell> = HashMap::new();
        for t in &self.catalog().tables {
            for action in [Action::Fill, Action::Review] {
                let name = if action == Action::Fill {
                    "FILL"
                } else {
                    "REVIEW"
                };
                for subject in policy.granted(&t.code, action) {
                    let key = (t.code.clone(), subject.to_owned(), name);
                    cells.insert(key.clone(), cell(key, true, None));
                    let Some(group) = self.units.group_by_name(subject) else {
                        continue;
                    };
                    for member in group.members.iter().filter_map(|c| self.units.by_code(c)) {
                        let key = (t.code.clone(), member.name.clone(), name);
                        cells
                            .entry(key.clone())
                            .or_insert_with(|| cell(key, true, Some(group.name.clone())));
                    }
                }
            }
        }
        let changes = self.store.with_workflow(|conn| {
            let log = read_operations(conn, (None, None), &["grant", "revoke"], 0)?;
            let mut staff: Vec<String> = log.iter().map(|e| e.actor.clone()).collect();
            staff.sort();
            staff.dedup();
            let names = crate::store::comments::staff_names(conn, &staff)?;
            Ok::<_, super::ApiError>((log, names.into_iter().collect::<HashMap<_, _>>()))
        })?;
        let (log, names) = changes;
        for e in log {
            let Some(d) = e.after.as_ref() else { continue };
            let s = |k: &str| d.get(k).and_then(|v| v.as_str()).unwrap_or("").to_owned();
            let action = if s("action") == "review" {
                "REVIEW"
            } else {
                "FILL"
            };
            let key = (s("table"), s("unit"), action);
            let c = cells
                .entry(key.clone())
                .or_insert_with(|| cell(key, false, None));
            c.change = Some(if e.operation == "grant" {
                "grant"
            } else {
                "revoke"
            });
            c.changed_by = Some(names.get(&e.actor).cloned().unwrap_or(e.actor.clone()));
            c.changed_at = Some(e.at);
        }
        let mut out: Vec<RightCell> = cells.into_values().collect();
        out.sort_by(|a, b| (&a.table, &a.unit, a.action).cmp(&(&b.table, &b.unit, b.action)));
        Ok(out)
    }
}

fn cell((table, unit, action): Key, granted: bool, via: Option<String>) -> RightCell {
    RightCell {
        table,
        unit,
        action,
        granted,
        via,
        change: None,
        changed_by: None,
        changed_at: None,
    }
}
