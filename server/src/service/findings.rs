//! Reading quality findings and the quality report: which findings a caller sees (the own unit's,
//! or every unit's for 质量部, leaders, BI and a table's reviewers) and who reads the report.
//! The changes (run, explain, accept) are in [`super::quality`].

use super::roles::{finding_units, require_quality_report};
use super::{ApiResult, Service};
use crate::authz::Access;
use crate::store::findings::{list_findings, FindingFilter};
pub use crate::store::findings::{Finding, QualityRun};
pub use crate::validate::report::{QualityReport, Tally};
pub use crate::validate::rules::RunReport;

/// Which findings a caller asks for; `None` means any.
#[derive(Debug, Clone, Default)]
pub struct FindingQuery {
    pub cycle: i32,
    pub table: Option<String>,
    /// A unit's code, name or alias.
    pub unit: Option<String>,
    pub severity: Option<String>,
    pub state: Option<String>,
}

impl Service {
    /// The findings of `query` the caller may read; asking for another unit's findings without
    /// the right to them finds none.
    pub fn findings(&self, who: &Access, query: FindingQuery) -> ApiResult<Vec<Finding>> {
        let mut units = finding_units(who, query.table.as_deref());
        if let Some(given) = &query.unit {
            let code = self.unit_code(given)?;
            units = match units {
                Some(own) if !own.contains(&code) => Some(Vec::new()),
                _ => Some(vec![code]),
            };
        }
        let filter = FindingFilter {
            cycle: query.cycle,
            table: query.table,
            units,
            severity: query.severity,
            state: query.state,
            rule: None,
        };
        Ok(self.store.with_workflow(|c| list_findings(c, &filter))?)
    }

    /// The quality report of `cycle` (质量部 and leaders).
    pub fn quality_report(&self, who: &Access, cycle: i32) -> ApiResult<QualityReport> {
        require_quality_report(who)?;
        let report = self.store.with_workflow(|c| {
            crate::validate::report::quality_report(c, self.store.catalog(), &self.units, cycle)
        })?;
        Ok(report)
    }

    /// The quality report of `cycle` as a workbook (质量部 and leaders).
    pub fn quality_workbook(&self, who: &Access, cycle: i32) -> ApiResult<Vec<u8>> {
        let report = self.quality_report(who, cycle)?;
        crate::xlsx::quality::quality_workbook(&report).map_err(super::ApiError::internal)
    }
}
