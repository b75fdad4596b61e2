//! The choices for a reference field (e.g. 2.3.1's 第一主编工号 → 1.4.1 工号 + 姓名), so a
//! collector can pick a row of a table they may not read. Only the key and a display name leave
//! the service; rights are those of the referencing table.

use std::sync::Arc;

use super::names::display_field;
use super::{guard, ApiError, ApiResult, Code, Service};
use crate::authz::{Access, Action};
use crate::defs::{naming, Catalog, Field as DefField, Table};
use crate::model::Value;
use crate::store::{Filter, ListQuery, Op, Order, RowScope};

/// The most choices one call returns: a dropdown, not an export.
pub const MAX_CHOICES: i64 = 50;

/// One choice: the referenced key, its display name and the table it comes from.
#[derive(Debug, Clone)]
pub struct Choice {
    pub value: String,
    pub label: Option<String>,
    pub table: String,
}

/// What one lookup asks for.
#[derive(Debug, Clone)]
pub struct Ask {
    /// The referencing table's code.
    pub table: String,
    /// The reference field, by definition or GraphQL name.
    pub field: String,
    pub cycle: i32,
    /// Text the key or the name contains.
    pub search: Option<String>,
    /// Only these keys (to show the names of values already filled in).
    pub values: Vec<String>,
    /// How many choices at most (1 to [`MAX_CHOICES`]).
    pub first: i64,
}

impl Service {
    /// The choices of a reference field for a caller who fills or reads the referencing table.
    pub fn lookup(&self, who: &Access, ask: &Ask) -> ApiResult<Vec<Choice>> {
        let table = self.table(&ask.table)?;
        // Whoever fills or reads the referencing table needs its choices; nobody else.
        if !who.can(&table.code, Action::Fill) {
            guard(who, &table, Action::Read)?;
        }
        let field = table
            .fields
            .iter()
            .find(|f| f.name == ask.field || naming::graphql_field(&f.name) == ask.field)
            .ok_or_else(|| {
                ApiError::new(
                    Code::NotFound,
                    format!("表 {} 没有字段 {}", ask.table, ask.field),
                )
            })?;
        let first = ask.first.clamp(1, MAX_CHOICES);
        let mut out = Vec::new();
        for (target, key) in targets(self.store.catalog(), field)? {
            let left = first - out.len() as i64;
            if left <= 0 {
                break;
            }
            let scope = scope_for(who, &target);
            let rows = self
                .store
                .list(&target, &scope, &ask.query(&target, &key, left))?;
            let label = display_field(&target, &key);
            out.extend(rows.into_iter().filter_map(|row| {
                let value = text(row.values.get(&key))?;
                let label = label.as_ref().and_then(|l| text(row.values.get(l)));
                Some(Choice {
                    value,
                    label,
                    table: target.code.clone(),
                })
            }));
        }
        Ok(out)
    }
}

impl Ask {
    fn query(&self, target: &Table, key: &str, limit: i64) -> ListQuery {
        let label = display_field(target, key);
        let mut all = Vec::new();
        if !self.values.is_empty() {
            all.push(Filter::In {
                field: key.to_owned(),
                values: self.values.iter().cloned().map(Value::Text).collect(),
            });
        }
        if let Some(s) = &self.search {
            let mut any = vec![Filter::Compare {
                field: key.to_owned(),
                op: Op::Contains,
                value: Value::Text(s.clone()),
            }];
            if let Some(l) = &label {
                any.push(Filter::Compare {
                    field: l.clone(),
                    op: Op::Contains,
                    value: Value::Text(s.clone()),
                });
            }
            all.push(Filter::Or(any));
        }
        ListQuery {
            cycle: self.cycle,
            filter: if all.is_empty() {
                None
            } else {
                Some(Filter::And(all))
            },
            order: vec![Order {
                field: key.to_owned(),
                descending: false,
            }],
            limit: Some(limit),
            offset: 0,
        }
    }
}

/// The tables and key columns a reference field points at.
fn targets(catalog: &Catalog, field: &DefField) -> ApiResult<Vec<(Arc<Table>, String)>> {
    let refs = field.ty.ref_targets();
    if refs.is_empty() {
        return Err(ApiError::new(
            Code::BadRequest,
            format!("字段“{}”不是引用字段", field.label),
        ));
    }
    refs.iter()
        .map(|t| {
            catalog
                .table_by_slug(&t.table)
                .cloned()
                .map(|table| (table, t.field.clone()))
                .ok_or_else(|| {
                    ApiError::new(Code::Internal, format!("引用的表 {} 不存在", t.table))
                })
        })
        .collect()
}

/// The rows a caller may reference: a unit that keeps its own rows of the referenced table (it
/// may read it, scoped) chooses among what it reads; everyone else chooses from the whole
/// school's list, of which only key and name are returned.
fn scope_for(access: &Access, target: &Table) -> RowScope {
    if access.can(&target.code, Action::Read) {
        access.read_scope(&target.code)
    } else {
        RowScope::All
    }
}

fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::Text(s) => Some(s.clone()),
        Value::Int(i) => Some(i.to_string()),
        _ => None,
    }
}
