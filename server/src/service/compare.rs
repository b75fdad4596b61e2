//! Year over year: a table's numeric fields this cycle against the previous cycle (totals and,
//! for tables several units fill, per unit), how many rows continue last year's, and one row's
//! history through its carried-forward links. Read-only; the caller reads what its scope allows.

use rust_decimal::Decimal;

use super::{readable, ApiError, ApiResult, Code, Service};
use crate::authz::{Access, Action};
use crate::model::decimal::change_percent;
use crate::store::compare::{self, Matched, UnitSums};
use crate::store::links;
pub use crate::store::links::RowAt;

/// One numeric field's value this cycle and last.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    pub field: String,
    pub label: String,
    /// 人, 万元, m² (the definition's unit), empty when it has none.
    pub measure: String,
    pub value: Option<Decimal>,
    pub previous: Option<Decimal>,
}

impl FieldChange {
    /// This cycle minus last cycle (when both are known).
    pub fn change(&self) -> Option<Decimal> {
        Some(self.value? - self.previous?)
    }

    /// The change in percent of last cycle's value, one decimal.
    pub fn change_percent(&self) -> Option<Decimal> {
        change_percent(self.value?, self.previous?)
    }
}

/// The figures of a whole table or of one unit's part of it: who (code and name), the row
/// count and every numeric field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Figures {
    /// The table's code for the whole table, else the unit's.
    pub code: String,
    pub name: String,
    /// The row count as a figure (`行数`).
    pub rows: FieldChange,
    pub fields: Vec<FieldChange>,
}

/// A table compared with the previous cycle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comparison {
    pub cycle: i32,
    pub previous_cycle: i32,
    /// The whole table (every unit the caller may read).
    pub totals: Figures,
    pub matched: Matched,
    /// Per unit, when several units fill the table.
    pub units: Vec<Figures>,
}

fn sum_of(
    groups: &[&UnitSums],
    cycle: i32,
    pick: impl Fn(&UnitSums) -> Option<Decimal>,
) -> Option<Decimal> {
    groups
        .iter()
        .filter(|g| g.cycle == cycle)
        .filter_map(|g| pick(g))
        .reduce(|a, b| a + b)
}

fn figures(
    (code, name): (String, String),
    table: &crate::defs::Table,
    groups: &[&UnitSums],
    [cycle, prev]: [i32; 2],
) -> Figures {
    let rows = FieldChange {
        field: "rows".into(),
        label: "行数".into(),
        measure: "行".into(),
        value: Some(sum_of(groups, cycle, |g| Some(Decimal::from(g.rows))).unwrap_or_default()),
        previous: Some(sum_of(groups, prev, |g| Some(Decimal::from(g.rows))).unwrap_or_default()),
    };
    let fields = compare::numeric_fields(table)
        .into_iter()
        .enumerate()
        .map(|(i, f)| FieldChange {
            field: f.name.clone(),
            label: f.label.clone(),
            measure: f.unit.clone().unwrap_or_default(),
            value: sum_of(groups, cycle, |g| g.sums.get(i).copied().flatten()),
            previous: sum_of(groups, prev, |g| g.sums.get(i).copied().flatten()),
        })
        .collect();
    Figures {
        code,
        name,
        rows,
        fields,
    }
}

impl Service {
    /// Compares every numeric field of `table` in `cycle` with the previous cycle.
    pub fn compare_table(&self, who: &Access, cycle: i32, table: &str) -> ApiResult<Comparison> {
        let table = self.table(table)?;
        let scope = readable(who, &table)?;
        let prev = cycle - 1;
        let fields = compare::numeric_fields(&table);
        let mut conn = self.store.conn()?;
        let groups = compare::unit_sums(&mut conn, &table, &fields, [cycle, prev], &scope)?;
        let matched = compare::matched_rows(&mut conn, &table, cycle, prev, &scope)?;
        let all: Vec<&UnitSums> = groups.iter().collect();
        let whole = (table.code.clone(), table.name.clone());
        let totals = figures(whole, &table, &all, [cycle, prev]);
        let fill =
            self.policy
                .current()
                .unit_codes(self.store.catalog(), &self.units, Action::Fill);
        let several = fill.get(&table.code).is_some_and(|u| u.len() > 1);
        let mut units = Vec::new();
        if several {
            let mut codes: Vec<&str> = groups.iter().map(|g| g.unit.as_str()).collect();
            codes.dedup();
            for code in codes {
                let mine: Vec<&UnitSums> = groups.iter().filter(|g| g.unit == code).collect();
                let name = self
                    .units
                    .by_code(code)
                    .map_or_else(|| code.to_owned(), |u| u.name.clone());
                let unit = (code.to_owned(), name);
                units.push(figures(unit, &table, &mine, [cycle, prev]));
            }
        }
        Ok(Comparison {
            cycle,
            previous_cycle: prev,
            totals,
            matched,
            units,
        })
    }

    /// A row's cycles through its carried-forward links, oldest first (the caller must be able
    /// to read the row).
    pub fn row_history(&self, who: &Access, table: &str, id: i64) -> ApiResult<Vec<RowAt>> {
        let table = self.table(table)?;
        let scope = readable(who, &table)?;
        let mut conn = self.store.conn()?;
        let row = crate::store::ops::get_row(&mut conn, &table, &scope, id)?.ok_or_else(|| {
            ApiError::new(
                Code::NotFound,
                format!("{} {} 中没有编号为 {id} 的行", table.code, table.name),
            )
        })?;
        Ok(links::row_history(
            &mut conn,
            &table,
            RowAt {
                cycle: row.cycle,
                id,
            },
        )?)
    }
}
