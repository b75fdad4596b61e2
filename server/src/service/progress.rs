//! Progress as a caller may see it: every (table, filling unit) the caller reads or fills. A unit
//! that only fills a table sees the other units' state and deadline, not their row counts, last
//! change or the reviewers' comments (which can name students); reviewers, 质量部, leaders and
//! BI tokens see everything.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::files::no_cycle;
use super::{has_role, ApiResult, Service};
use crate::authz::{Access, Action};
use crate::model::State;
use crate::store::RowScope;
use crate::workflow::progress::{self, Entry};

/// Whether a (table, unit) in `state`, approved so far by `approvals`, awaits `who`'s review:
/// submitted, the caller's unit among its `reviewers` and not yet approved by it, and the caller
/// a head (or 质量部) who may review the table. The filling unit's own tables count too: eight
/// tables are reviewed by the unit that fills them.
pub(super) fn awaits_review(
    who: &Access,
    table: &str,
    reviewers: Option<&Vec<String>>,
    state: State,
    approvals: &[String],
) -> bool {
    let me = &who.principal.unit;
    state == State::Submitted
        && reviewers.is_some_and(|rs| rs.contains(me))
        && !approvals.contains(me)
        && has_role(who, &["head", "quality_admin"])
        && who.can(table, Action::Review)
}

impl Service {
    /// The progress entries of `cycle` for `who`, overdue judged on `on`.
    pub fn progress_for(&self, who: &Access, cycle: i32, on: NaiveDate) -> ApiResult<Vec<Entry>> {
        let own = &who.principal.unit;
        self.progress_where(who, cycle, on, &|t, u| who.can(t, Action::Read) || u == own)
    }

    /// The entries of `cycle` whose (table, unit) `keep` admits, as `who` may see them, each
    /// marked whether it awaits `who`'s review. Tables with no admitted unit are not read.
    pub(super) fn progress_where(
        &self,
        who: &Access,
        cycle: i32,
        on: NaiveDate,
        keep: &dyn Fn(&str, &str) -> bool,
    ) -> ApiResult<Vec<Entry>> {
        let policy = self.policy.current();
        let fill: HashMap<String, Vec<String>> = policy
            .unit_codes(self.store.catalog(), &self.units, Action::Fill)
            .into_iter()
            .map(|(t, us)| {
                let kept = us.into_iter().filter(|u| keep(&t, u)).collect();
                (t, kept)
            })
            .collect();
        let reviewers = policy.unit_codes(self.store.catalog(), &self.units, Action::Review);
        let all = progress::progress(
            &self.store,
            self.store.catalog(),
            &self.units,
            &fill,
            cycle,
            on,
            self.now(),
        )?
        .ok_or_else(|| no_cycle(cycle))?;
        let own = &who.principal.unit;
        Ok(all
            .into_iter()
            .map(|mut e| {
                e.to_review = awaits_review(
                    who,
                    &e.table,
                    reviewers.get(&e.table),
                    e.state,
                    &e.approvals,
                );
                // Who approved, by name: a collector knows 教务部, not jwb.
                for a in &mut e.approvals {
                    if let Some(u) = self.units.by_code(a) {
                        a.clone_from(&u.name);
                    }
                }
                let wide = matches!(who.read_scope(&e.table), RowScope::All);
                if !wide && &e.unit != own {
                    e.rows = None;
                    e.last_change = None;
                    e.comment = None;
                }
                e
            })
            .collect())
    }
}
