//! Who does what, as a caller sees it: a person's to-do list (the tables the caller's unit fills,
//! and those it reviews that wait for review) and the matrix of filling and reviewing units of
//! every table, both by the policy in force.

use chrono::NaiveDate;

use super::{ApiResult, Service};
use crate::authz::{Access, Action};
use crate::workflow::progress::Entry;

/// The units that fill and review one table, by name.
#[derive(Debug, Clone)]
pub struct TableRights {
    pub table: String,
    pub fill: Vec<String>,
    pub review: Vec<String>,
}

impl Service {
    /// The caller's to-do list of `cycle`: the own unit's tables, and the submitted tables
    /// awaiting the caller's review (the own unit's included, marked `to_review`); overdue
    /// judged on `on`. Only the tables the unit fills or reviews are read.
    pub fn my_tasks(&self, who: &Access, cycle: i32, on: NaiveDate) -> ApiResult<Vec<Entry>> {
        let reviews = self
            .policy
            .current()
            .unit_codes(self.catalog(), &self.units, Action::Review);
        let me = &who.principal.unit;
        let mine = |t: &str| reviews.get(t).is_some_and(|rs| rs.contains(me));
        let list = self.progress_where(who, cycle, on, &|t, u| u == me || mine(t))?;
        Ok(list
            .into_iter()
            .filter(|e| &e.unit == me || e.to_review)
            .collect())
    }

    /// The filling and reviewing units of every table under the policy in force (with “各院系”
    /// expanded to the 院系).
    pub fn rights_matrix(&self) -> Vec<TableRights> {
        let policy = self.policy.current();
        let by = |action| policy.unit_codes(self.catalog(), &self.units, action);
        let (fill, review) = (by(Action::Fill), by(Action::Review));
        let names = |codes: Option<&Vec<String>>| -> Vec<String> {
            codes
                .into_iter()
                .flatten()
                .map(|code| {
                    self.units
                        .by_code(code)
                        .map_or_else(|| code.clone(), |u| u.name.clone())
                })
                .collect()
        };
        self.catalog()
            .tables
            .iter()
            .map(|t| TableRights {
                table: t.code.clone(),
                fill: names(fill.get(&t.code)),
                review: names(review.get(&t.code)),
            })
            .collect()
    }
}
