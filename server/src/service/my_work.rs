//! What awaits the caller, counted: 我的任务 says it and the navigation shows it as badges.
//! Each count is of the caller's roles only (a collector is told of returned tables, a leader of
//! the core data awaiting her signature), from the same lists 我的任务 and 进度 show.

use super::{has_role, ApiResult, Service};
use crate::authz::{Access, Action};
use crate::model::{State, Submission};
use crate::store::indicators as ind;
use crate::store::workflow as wf;

/// The counts of what awaits one person in one cycle.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MyWork {
    /// The own unit's tables returned for correction (collectors and heads).
    pub returned: usize,
    /// Submitted tables the own unit reviews and has not yet approved (heads), the own unit's
    /// included where it reviews them.
    pub to_review: usize,
    /// Tables approved by every reviewer and not yet accepted (质量部).
    pub to_accept: usize,
    /// The core data is published and awaits a leader's signature (leaders).
    pub to_sign_off: bool,
}

impl Service {
    /// What awaits `who` in `cycle`. Read from the submissions alone (one query, not the row
    /// counts of 90 tables that 我的任务 and 进度 show), by the policy in force, like them.
    pub fn my_work(&self, who: &Access, cycle: i32) -> ApiResult<MyWork> {
        let policy = self.policy.current();
        let fill = policy.unit_codes(self.catalog(), &self.units, Action::Fill);
        let review = policy.unit_codes(self.catalog(), &self.units, Action::Review);
        let me = &who.principal.unit;
        let subs = self
            .store
            .with_workflow(|conn| wf::list_submissions(conn, cycle))?;
        // Only the (table, unit) pairs the policy still has filled: what 我的任务 lists.
        let filled = |t: &str, u: &str| fill.get(t).is_some_and(|us| us.iter().any(|x| x == u));
        let subs: Vec<_> = subs
            .into_iter()
            .filter(|(t, u, _, _)| filled(t, u))
            .collect();
        let count = |keep: &dyn Fn(&str, &str, &Submission) -> bool| {
            subs.iter().filter(|(t, u, s, _)| keep(t, u, s)).count()
        };
        let mut work = MyWork::default();
        if has_role(who, &["collector", "head"]) {
            work.returned = count(&|_, u, s| u == me && s.state == State::Returned);
        }
        work.to_review = count(&|t, _, s| {
            super::progress::awaits_review(who, t, review.get(t), s.state, &s.approvals)
        });
        if has_role(who, &["quality_admin"]) {
            work.to_accept = count(&|_, _, s| s.state == State::Approved);
        }
        if has_role(who, &["leader"]) {
            let mut conn = self.store.conn()?;
            work.to_sign_off =
                ind::current_snapshot(&mut conn, cycle)?.is_some_and(|s| s.state == "published");
        }
        Ok(work)
    }
}
