//! The core-indicator engine: evaluates each indicator of the catalog over a cycle's rows — the
//! whole figure and each breakdown — and beside it the previous cycle's figure and the change.
//! Aggregates run as grouped SQL in `store::indicators`; the arithmetic (`+ - *`, the division by
//! `per`, the factor and the rounding) is exact decimal arithmetic in [`figure`].

mod figure;
pub mod report;

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub use figure::{figure, finish, Key};

use crate::defs::{Catalog, Indicator, KeyLabels};
use crate::model::decimal::change_percent;
use crate::store::indicators::{key_names, CommentRow, SnapshotRow};
use crate::store::{AnyConnection, StoreError};

/// One group of a breakdown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    pub key: String,
    /// The key's name (院系 name, major name, code name); the key when unknown.
    pub label: String,
    pub value: Option<String>,
    pub previous: Option<String>,
}

/// An indicator grouped by one field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BreakdownValues {
    pub name: String,
    pub items: Vec<Item>,
}

/// An indicator's figures for a cycle, as frozen in a snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Computed {
    pub id: String,
    pub name: String,
    pub unit: String,
    pub formula: String,
    pub source: String,
    pub definition: String,
    /// The value as a decimal string; `None` when a denominator is zero.
    pub value: Option<String>,
    /// The previous cycle's value, when that cycle exists.
    pub previous: Option<String>,
    /// `value − previous`.
    pub change: Option<String>,
    /// The change in per cent of the previous value (one decimal).
    pub change_percent: Option<String>,
    pub breakdowns: Vec<BreakdownValues>,
}

/// The state of a cycle's core data, as leaders and 质量部 see it.
#[derive(Debug, Clone)]
pub struct CoreData {
    pub cycle: i32,
    /// `draft` (never published: live values), `published`, `returned`, `signed_off`, `unsigned`.
    pub state: String,
    pub snapshot: Option<SnapshotRow>,
    /// The 院领导审核 phase of the cycle file: (start, end).
    pub window: Option<(Option<NaiveDate>, NaiveDate)>,
    /// What stands in the way of a leader's sign-off now (outside 院领导审核期, open comments);
    /// empty unless the snapshot awaits the leaders.
    pub blockers: Vec<String>,
    pub indicators: Vec<IndicatorView>,
}

/// One indicator with its state and the leaders' comments.
#[derive(Debug, Clone)]
pub struct IndicatorView {
    pub computed: Computed,
    pub state: String,
    pub comments: Vec<CommentRow>,
}

/// Every indicator of the catalog over `cycle`, with `previous` (the previous cycle, when it
/// exists) beside it.
pub fn compute_all(
    conn: &mut AnyConnection,
    catalog: &Catalog,
    cycle: i32,
    previous: Option<i32>,
) -> Result<Vec<Computed>, StoreError> {
    catalog
        .indicators
        .iter()
        .map(|i| compute(conn, catalog, i, cycle, previous))
        .collect()
}

/// One indicator over `cycle` (and `previous`).
pub fn compute(
    conn: &mut AnyConnection,
    catalog: &Catalog,
    ind: &Indicator,
    cycle: i32,
    previous: Option<i32>,
) -> Result<Computed, StoreError> {
    let now = figure(conn, ind, cycle, None)?;
    let before = match previous {
        Some(p) => figure(conn, ind, p, None)?,
        None => BTreeMap::new(),
    };
    let value = now.get(&None).copied().flatten();
    let prev = before.get(&None).copied().flatten();
    let change = value.zip(prev).map(|(v, p)| v - p);
    let change_percent = value.zip(prev).and_then(|(v, p)| change_percent(v, p));
    let mut breakdowns = Vec::new();
    for b in &ind.breakdowns {
        let now = figure(conn, ind, cycle, Some(&b.field))?;
        let before = match previous {
            Some(p) => figure(conn, ind, p, Some(&b.field))?,
            None => BTreeMap::new(),
        };
        let names = labels(conn, catalog, &b.labels, cycle)?;
        let keys: BTreeSet<&Key> = now.keys().chain(before.keys()).collect();
        let items = keys
            .into_iter()
            .map(|k| {
                let key = k.clone().unwrap_or_default();
                Item {
                    label: names.get(&key).cloned().unwrap_or_else(|| {
                        if key.is_empty() {
                            "（未填）".into()
                        } else {
                            key.clone()
                        }
                    }),
                    value: now.get(k).copied().flatten().map(|d| d.to_string()),
                    previous: before.get(k).copied().flatten().map(|d| d.to_string()),
                    key,
                }
            })
            .collect();
        breakdowns.push(BreakdownValues {
            name: b.name.clone(),
            items,
        });
    }
    Ok(Computed {
        id: ind.id.clone(),
        name: ind.name.clone(),
        unit: ind.unit.clone(),
        formula: ind.formula.clone(),
        source: ind.source.clone(),
        definition: ind.definition.clone(),
        value: value.map(|d| d.to_string()),
        previous: prev.map(|d| d.to_string()),
        change: change.map(|d| d.to_string()),
        change_percent: change_percent.map(|d| d.to_string()),
        breakdowns,
    })
}

fn labels(
    conn: &mut AnyConnection,
    catalog: &Catalog,
    how: &KeyLabels,
    cycle: i32,
) -> Result<BTreeMap<String, String>, StoreError> {
    Ok(match how {
        KeyLabels::Codes(list) => catalog
            .code_list(list)
            .map(|l| {
                l.codes
                    .iter()
                    .map(|c| (c.code.clone(), c.name.clone()))
                    .collect()
            })
            .unwrap_or_default(),
        KeyLabels::Table(slug, key, name) => key_names(conn, slug, key, name, cycle)?,
        KeyLabels::Plain => BTreeMap::new(),
    })
}
