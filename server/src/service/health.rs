//! What the operators' probes ask: whether the database answers (`/healthz`), why this instance
//! is not ready to serve (`/readyz`), and the gauges of `/metrics`.

use super::{ApiResult, Service};

/// Counts by a state or a severity.
pub type Counts = Vec<(String, i64)>;

impl Service {
    /// Checks that the database answers.
    pub fn ping(&self) -> ApiResult<()> {
        Ok(self.store.ping()?)
    }

    /// Why this instance, serving definitions `version`, is not ready, in Chinese with what to
    /// do (empty when ready): the store's reasons, and definitions newer than these in the
    /// database (an instance left on older definitions refuses writes to the tables that
    /// changed).
    pub fn readiness(&self, version: i64) -> ApiResult<Vec<String>> {
        let mut why = self.store.readiness()?;
        let newest = self
            .store
            .with_workflow(crate::store::live::latest_definitions)?;
        if let Some((v, _)) = newest.filter(|(v, _)| version > 0 && *v != version) {
            why.push(format!("数据库中的表定义是第 {v} 版，本实例使用第 {version} 版：请运行 statusdata reload（或 systemctl reload statusdata）"));
        }
        Ok(why)
    }

    /// The pool's connections: (open, idle).
    pub fn pool_state(&self) -> (u32, u32) {
        self.store.pool_state()
    }

    /// Submissions by state and standing findings by severity.
    pub fn workflow_counts(&self) -> ApiResult<(Counts, Counts)> {
        Ok(self.store.workflow_counts()?)
    }
}
