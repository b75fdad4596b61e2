//! A table's import template with its reference lists: for whoever fills or reads the table, each
//! single reference column gets a dropdown over the rows it may point at, gathered here — the
//! unit's own teachers (the rows of the teacher tables it keeps, and those whose 所在部门 is the
//! unit), and the college's majors, courses, enterprises and the like whole. What a collector
//! could already pick one by one through `lookup` (key and name only), nothing more.

use std::collections::BTreeMap;

use super::names::display_field;
use super::{ApiError, ApiResult, Service};
use crate::authz::{Access, Action};
use crate::defs::{Catalog, FieldType, RefTarget, Table};
use crate::model::Value;
use crate::store::{Filter, ListQuery, Order, RowScope};
use crate::xlsx::reflists::{entry, RefList, RefLists};

/// The longest list a dropdown offers: past it a column keeps its note and no dropdown (a list of
/// every student is no choice, and the template would take seconds to build).
pub const MAX_REF_ROWS: usize = 5_000;

/// The field of a people table that names the person's department (1.1.3's 机构代码).
const DEPT_FIELD: &str = "dept_code";

impl Service {
    /// The blank import template of the table with this code; with reference lists for `unit`
    /// (the caller's own unless given) in `cycle` (the open one unless given) when the caller
    /// fills or reads the table.
    pub fn template_workbook(
        &self,
        who: &Access,
        code: &str,
        unit: Option<&str>,
        cycle: Option<i32>,
    ) -> ApiResult<Vec<u8>> {
        let table = self.table(code)?;
        let mut refs = RefLists::default();
        let entitled = who.can(&table.code, Action::Fill) || who.can(&table.code, Action::Read);
        if entitled {
            // Without a unit or an installed cycle there is nothing to list: the plain template.
            if let (Ok(unit), Ok(cycle)) =
                (self.unit_or_own(who, unit), self.cycle_or_default(cycle))
            {
                refs = self.ref_lists(&table, &unit, cycle)?;
            }
        }
        crate::xlsx::template::template_with(self.catalog(), &table, &refs)
            .map_err(ApiError::internal)
    }

    /// The lists of `table`'s single reference columns for `unit`, each target read once.
    fn ref_lists(&self, table: &Table, unit: &str, cycle: i32) -> ApiResult<RefLists> {
        let catalog = self.store.catalog().clone();
        let mut read: BTreeMap<(String, String), Option<Vec<String>>> = BTreeMap::new();
        let mut refs = RefLists::default();
        for f in &table.fields {
            let FieldType::Ref { targets } = &f.ty else {
                continue;
            };
            let mut entries = Vec::new();
            let mut titles = Vec::new();
            for t in targets {
                let Some(target) = catalog.table_by_slug(&t.table).cloned() else {
                    continue;
                };
                let k = (t.table.clone(), t.field.clone());
                if !read.contains_key(&k) {
                    let got = self.target_entries(&catalog, &target, t, unit, cycle)?;
                    read.insert(k.clone(), got);
                }
                if let Some(Some(e)) = read.get(&k) {
                    entries.extend(e.iter().cloned());
                    titles.push(format!("{} {}", target.code, target.name));
                }
            }
            if !entries.is_empty() && entries.len() <= MAX_REF_ROWS {
                let title = format!("{}（{}）", f.label, titles.join("、"));
                refs.add(&f.name, RefList { title, entries });
            }
        }
        Ok(refs)
    }

    /// The entries of one target, or `None` past [`MAX_REF_ROWS`]. Teacher tables are narrowed
    /// to the unit; every other table is the college's whole list.
    fn target_entries(
        &self,
        catalog: &Catalog,
        target: &Table,
        t: &RefTarget,
        unit: &str,
        cycle: i32,
    ) -> ApiResult<Option<Vec<String>>> {
        let label = display_field(target, &t.field);
        let query = |filter: Option<Filter>| ListQuery {
            cycle,
            filter,
            order: vec![Order {
                field: t.field.clone(),
                descending: false,
            }],
            limit: Some(MAX_REF_ROWS as i64 + 1),
            offset: 0,
        };
        let mut rows = Vec::new();
        if per_unit(target) {
            let own = RowScope::Units(vec![unit.to_owned()]);
            rows.extend(self.store.list(target, &own, &query(None))?);
            let orgs = self.orgs_of(catalog, unit, cycle)?;
            if target.field(DEPT_FIELD).is_some() && !orgs.is_empty() {
                let dept = Filter::In {
                    field: DEPT_FIELD.into(),
                    values: orgs.into_iter().map(Value::Text).collect(),
                };
                rows.extend(
                    self.store
                        .list(target, &RowScope::All, &query(Some(dept)))?,
                );
            }
        } else {
            rows = self.store.list(target, &RowScope::All, &query(None))?;
        }
        let mut found: BTreeMap<String, Option<String>> = BTreeMap::new();
        for row in rows {
            if let Some(key) = text(row.values.get(&t.field)) {
                let name = label.as_ref().and_then(|l| text(row.values.get(l)));
                found.entry(key).or_insert(name);
            }
        }
        if found.len() > MAX_REF_ROWS {
            return Ok(None);
        }
        Ok(Some(
            found.iter().map(|(k, n)| entry(k, n.as_deref())).collect(),
        ))
    }

    /// The 机构代码 (1.1.3) of `unit`: the organisations named as the unit is named (its name or
    /// an alias), or coded with its code.
    fn orgs_of(&self, catalog: &Catalog, unit: &str, cycle: i32) -> ApiResult<Vec<String>> {
        let Some(u) = self.units.by_code(unit) else {
            return Ok(vec![]);
        };
        let Some(orgs) = catalog.table_by_slug("org_units").cloned() else {
            return Ok(vec![]);
        };
        let mut names: Vec<Value> = vec![Value::Text(u.name.clone())];
        names.extend(u.aliases.iter().cloned().map(Value::Text));
        let filter = Filter::Or(vec![
            Filter::In {
                field: "org_name".into(),
                values: names,
            },
            Filter::In {
                field: "org_code".into(),
                values: vec![Value::Text(u.code.clone())],
            },
        ]);
        let q = ListQuery {
            filter: Some(filter),
            ..ListQuery::all(cycle)
        };
        Ok(self
            .store
            .list(&orgs, &RowScope::All, &q)?
            .iter()
            .filter_map(|r| text(r.values.get("org_code")))
            .collect())
    }
}

/// Whether a referenced table lists people a unit picks among its own: the teacher tables.
fn per_unit(target: &Table) -> bool {
    target.name.contains("教师")
}

fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::Text(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Int(i) => Some(i.to_string()),
        _ => None,
    }
}
