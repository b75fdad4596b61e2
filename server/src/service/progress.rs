//! Progress as a caller may see it: every (table, filling unit) the caller reads or fills. A unit
//! that only fills a table sees the other units' state and deadline, not their row counts, last
//! change or the reviewers' comments (which can name students); reviewers, 质量部, leaders and
//! BI tokens see everything.

use chrono::NaiveDate;

use super::{ApiResult, Service};
use crate::authz::{Access, Action};
use crate::store::RowScope;
use crate::workflow::progress::{self, Entry};

impl Service {
    /// The progress entries of `cycle` for `who`, overdue judged on `on`.
    pub fn progress_for(&self, who: &Access, cycle: i32, on: NaiveDate) -> ApiResult<Vec<Entry>> {
        let fill =
            self.policy
                .current()
                .unit_codes(self.store.catalog(), &self.units, Action::Fill);
        let all = progress::progress(
            &self.store,
            self.store.catalog(),
            &self.units,
            &fill,
            cycle,
            on,
        )?;
        let own = &who.principal.unit;
        Ok(all
            .into_iter()
            .filter(|e| who.can(&e.table, Action::Read) || &e.unit == own)
            .map(|mut e| {
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
