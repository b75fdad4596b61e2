//! What awaits the caller, counted: 我的任务 says it and the navigation shows it as badges.
//! Each count is of the caller's roles only (a collector is told of returned tables, a leader of
//! the core data awaiting her signature), from the same lists 我的任务 and 进度 show.

use chrono::NaiveDate;

use super::{has_role, ApiResult, Service};
use crate::authz::Access;
use crate::model::State;
use crate::store::indicators as ind;

/// The counts of what awaits one person in one cycle.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MyWork {
    /// The own unit's tables returned for correction (collectors and heads).
    pub returned: usize,
    /// Other units' submitted tables the own unit reviews and has not yet approved (heads).
    pub to_review: usize,
    /// Tables approved by every reviewer and not yet accepted (质量部).
    pub to_accept: usize,
    /// The core data is published and awaits a leader's signature (leaders).
    pub to_sign_off: bool,
}

impl Service {
    /// What awaits `who` in `cycle`, judged on `on` like 我的任务.
    pub fn my_work(&self, who: &Access, cycle: i32, on: NaiveDate) -> ApiResult<MyWork> {
        let mut work = MyWork::default();
        let me = &who.principal.unit;
        if has_role(who, &["collector", "head"]) {
            let tasks = self.my_tasks(who, cycle, on)?;
            let my_name = self.units.by_code(me).map(|u| u.name.clone());
            work.returned = tasks
                .iter()
                .filter(|e| &e.unit == me && e.state == State::Returned)
                .count();
            if has_role(who, &["head"]) {
                work.to_review = tasks
                    .iter()
                    .filter(|e| &e.unit != me && e.state == State::Submitted)
                    .filter(|e| my_name.as_ref().is_none_or(|n| !e.approvals.contains(n)))
                    .count();
            }
        }
        if has_role(who, &["quality_admin"]) {
            work.to_accept = self
                .progress_for(who, cycle, on)?
                .iter()
                .filter(|e| e.state == State::Approved)
                .count();
        }
        if has_role(who, &["leader"]) {
            let mut conn = self.store.conn()?;
            work.to_sign_off =
                ind::current_snapshot(&mut conn, cycle)?.is_some_and(|s| s.state == "published");
        }
        Ok(work)
    }
}
