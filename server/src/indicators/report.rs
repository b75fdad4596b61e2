//! The annual quality report's figures: each computed item through the core-indicator engine
//! ([`compute`], the same code and expression engine), each external item from what 质量部
//! entered for the cycle and the previous one, with the change beside both.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::{compute, BreakdownValues, Computed};
use crate::defs::report::ReportItem;
use crate::defs::Catalog;
use crate::model::decimal::change_percent;
use crate::store::annual::{external_values, ExternalValue};
use crate::store::{AnyConnection, StoreError};

/// One line of a report table for a cycle.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportFigure {
    pub id: String,
    pub name: String,
    pub unit: String,
    pub value: Option<String>,
    pub previous: Option<String>,
    pub change: Option<String>,
    pub change_percent: Option<String>,
    /// The formula as written; `None` for an external item.
    pub formula: Option<String>,
    pub definition: String,
    /// Where the figure comes from: the tables read, or for an entered item what 质量部 gave
    /// (the definition's source until then).
    pub source: String,
    pub external: bool,
    /// Who enters an external item (质量部).
    pub entered_by_role: Option<String>,
    /// The entered value's author, time and the figure's date.
    pub entered: Option<ExternalValue>,
    pub breakdowns: Vec<BreakdownValues>,
}

/// One report table with its lines.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportTableFigures {
    pub id: String,
    pub name: String,
    pub items: Vec<ReportFigure>,
}

/// The report's computed items over `cycle` (beside `previous`): what a published core-data
/// snapshot freezes.
pub fn compute_items(
    conn: &mut AnyConnection,
    catalog: &Catalog,
    cycle: i32,
    previous: Option<i32>,
) -> Result<Vec<Computed>, StoreError> {
    let report = catalog.report.clone();
    report
        .items()
        .filter_map(|(_, i)| match i {
            ReportItem::Computed(ind) => Some(ind),
            ReportItem::External(_) => None,
        })
        .map(|ind| compute(conn, catalog, ind, cycle, previous))
        .collect()
}

/// Every table of the report over `cycle`, beside `previous`: the computed items from `frozen`
/// (a published snapshot's) when given, live otherwise; the external items as entered.
pub fn compute_report(
    conn: &mut AnyConnection,
    catalog: &Catalog,
    cycle: i32,
    previous: Option<i32>,
    frozen: Option<&[Computed]>,
) -> Result<Vec<ReportTableFigures>, StoreError> {
    let now = by_item(external_values(conn, cycle)?);
    let before = match previous {
        Some(p) => by_item(external_values(conn, p)?),
        None => BTreeMap::new(),
    };
    let mut out = Vec::new();
    for table in &catalog.report.tables {
        let mut items = Vec::new();
        for item in &table.items {
            items.push(match item {
                ReportItem::Computed(ind) => {
                    // An item added to the definitions after the snapshot is computed live.
                    let c = match frozen.and_then(|f| f.iter().find(|c| c.id == ind.id)) {
                        Some(c) => c.clone(),
                        None => compute(conn, catalog, ind, cycle, previous)?,
                    };
                    ReportFigure {
                        id: c.id,
                        name: c.name,
                        unit: c.unit,
                        value: c.value,
                        previous: c.previous,
                        change: c.change,
                        change_percent: c.change_percent,
                        formula: Some(c.formula),
                        definition: c.definition,
                        source: c.source,
                        external: false,
                        entered_by_role: None,
                        entered: None,
                        breakdowns: c.breakdowns,
                    }
                }
                ReportItem::External(e) => {
                    let entered = now.get(&e.id).cloned();
                    let value = entered.as_ref().and_then(|v| number(&v.value));
                    let prev = before.get(&e.id).and_then(|v| number(&v.value));
                    let change = value.zip(prev).map(|(v, p)| v - p);
                    ReportFigure {
                        id: e.id.clone(),
                        name: e.name.clone(),
                        unit: e.unit.clone(),
                        value: value.map(|d| d.to_string()),
                        previous: prev.map(|d| d.to_string()),
                        change: change.map(|d| d.to_string()),
                        change_percent: value
                            .zip(prev)
                            .and_then(|(v, p)| change_percent(v, p))
                            .map(|d| d.to_string()),
                        formula: None,
                        definition: e.definition.clone(),
                        source: entered
                            .as_ref()
                            .map_or_else(|| e.source.clone(), |v| v.source.clone()),
                        external: true,
                        entered_by_role: Some(e.entered_by.clone()),
                        entered,
                        breakdowns: Vec::new(),
                    }
                }
            });
        }
        out.push(ReportTableFigures {
            id: table.id.clone(),
            name: table.name.clone(),
            items,
        });
    }
    Ok(out)
}

fn by_item(values: Vec<ExternalValue>) -> BTreeMap<String, ExternalValue> {
    values.into_iter().map(|v| (v.item.clone(), v)).collect()
}

fn number(text: &str) -> Option<Decimal> {
    text.parse().ok()
}
