//! The planted breaks: a catalogue with one violation per notice rule family (X01–X21) and one
//! reference break, each changing rows the rules of that family must find. Every entry's `what`
//! starts with its family (`[X05] …`), so a test can match the seed's report to the findings.

mod catalogue;
mod last_year;

pub(super) use last_year::plant_last_year;

use super::{Breakage, Gen};
use crate::store::{Record, Value};
use catalogue::catalogue;

impl Gen<'_> {
    /// Applies the catalogue: one planted violation per rule family, each listed in the report
    /// with its family first (`[X05] 在校生数比1.5.1多1人`).
    pub(super) fn break_some(&mut self) -> Vec<Breakage> {
        let mut out = Vec::new();
        // Rows already broken: each family gets a row of its own.
        let mut touched: Vec<(&str, usize)> = Vec::new();
        for p in catalogue() {
            let Some(table) = self.table(p.table) else {
                continue;
            };
            let other: Vec<Record> = p
                .reads
                .and_then(|c| self.out.get(c))
                .map(|rows| rows.iter().map(|(_, r)| r.clone()).collect())
                .unwrap_or_default();
            let Some(rows) = self.out.get_mut(p.table) else {
                continue;
            };
            let mut done: Vec<(String, String, String)> = Vec::new();
            for (i, (unit, rec)) in rows.iter_mut().enumerate() {
                if (!p.all && touched.contains(&(p.table, i))) || !(p.pick)(rec) {
                    continue;
                }
                touched.push((p.table, i));
                let what = (p.apply)(rec, &other);
                let row = table
                    .key
                    .iter()
                    .map(|k| {
                        let v = rec.get(k).map_or(serde_json::Value::Null, Value::to_json);
                        format!("{k}={v}")
                    })
                    .collect::<Vec<_>>()
                    .join(", ");
                if p.all {
                    // A whole-table break is reported once per unit, without a row.
                    if !done.iter().any(|d| &d.0 == unit) {
                        done.push((unit.clone(), String::new(), what));
                    }
                    continue;
                }
                done.push((unit.clone(), row, what));
                break;
            }
            for (unit, row, what) in done {
                out.push(Breakage {
                    table: p.table.to_owned(),
                    unit,
                    row,
                    field: p.field.to_owned(),
                    what: format!("[{}] {what}", p.family),
                });
            }
        }
        out
    }
}
