//! `validate`: 质量部 (or the command line) runs the quality rules over a cycle, or one table's
//! rules, and gets the findings still standing, so a face only prints them.

use super::quality::quality_office;
use super::{ApiResult, Service};
use crate::authz::{Access, Action};
use crate::store::findings::{list_findings, FindingFilter};
use crate::validate::rules::{rules_in_scope, run_checks, RunScope};

pub use crate::store::findings::Finding;
pub use crate::validate::rules::RunReport;

/// What a validation run hears about as it goes.
pub enum Progress<'a> {
    /// The run is about to check this many rules.
    Rules(usize),
    /// This rule (by id) was checked.
    Checked(&'a str),
}

/// A run's counts and the findings standing after it (every one not resolved).
pub struct Validation {
    pub report: RunReport,
    pub standing: Vec<Finding>,
}

impl Service {
    /// Runs every rule over `cycle` (only table `table`'s with a code), writes the findings and
    /// lists those standing, in the order the store keeps them.
    pub fn validate(
        &self,
        who: &Access,
        cycle: i32,
        table: Option<&str>,
        progress: &mut dyn FnMut(Progress<'_>),
    ) -> ApiResult<Validation> {
        quality_office(who)?;
        let table = match table {
            Some(code) => Some(self.table(code)?.code.clone()),
            None => None,
        };
        let catalog = self.store.catalog();
        let fill = self
            .policy
            .current()
            .unit_codes(catalog, &self.units, Action::Fill);
        let scope = RunScope {
            cycle,
            table: table.as_deref(),
            unit: None,
            fill_units: Some(&fill),
            actor: &who.principal.staff_no,
        };
        progress(Progress::Rules(rules_in_scope(catalog, &scope).len()));
        let mut conn = self.store.conn()?;
        let report = run_checks(&mut conn, catalog, &scope, &mut |rule| {
            progress(Progress::Checked(&rule.id))
        })?;
        let filter = FindingFilter {
            cycle,
            table,
            ..FindingFilter::default()
        };
        let standing = list_findings(&mut conn, &filter)?
            .into_iter()
            .filter(|f| f.state != "resolved")
            .collect();
        Ok(Validation { report, standing })
    }
}
