//! 工作质量 for the progress bulletin: per unit, the errors still standing and the warnings
//! nobody has explained yet, as the last checks left them. The notice asks 质量部 to 通报 both
//! progress and quality; this is the quality half.

use std::collections::BTreeMap;

use super::{ApiResult, Service};
use crate::store::findings::{list_findings, list_runs, Finding, FindingFilter};

/// Per unit: (errors not accepted, warnings not explained).
fn per_unit(findings: &[Finding]) -> BTreeMap<&str, (usize, usize)> {
    let mut out: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for f in findings {
        let open_error =
            f.found.severity == "error" && !matches!(f.state.as_str(), "resolved" | "accepted");
        let unexplained = f.found.severity != "error" && f.state == "open";
        if open_error || unexplained {
            let t = out.entry(f.found.unit.as_str()).or_default();
            t.0 += usize::from(open_error);
            t.1 += usize::from(unexplained);
        }
    }
    out
}

/// The 工作质量 paragraph: units with most problems first.
pub fn work_quality_text(
    findings: &[Finding],
    checked: bool,
    name: impl Fn(&str) -> String,
) -> String {
    if !checked {
        return "工作质量：本年度尚未进行全院数据检查。".into();
    }
    let mut units: Vec<(&str, (usize, usize))> = per_unit(findings).into_iter().collect();
    if units.is_empty() {
        return "工作质量：各单位暂无未改正的错误或未说明的提醒。".into();
    }
    units.sort_by(|a, b| (b.1 .0 + b.1 .1).cmp(&(a.1 .0 + a.1 .1)).then(a.0.cmp(b.0)));
    let parts: Vec<String> = units
        .iter()
        .map(|(u, (errors, warnings))| match (errors, warnings) {
            (0, w) => format!("{}（待说明提醒 {w} 条）", name(u)),
            (e, 0) => format!("{}（未改正错误 {e} 条）", name(u)),
            (e, w) => format!("{}（未改正错误 {e} 条、待说明提醒 {w} 条）", name(u)),
        })
        .collect();
    format!(
        "工作质量（{} 个单位有待处理的检查问题）：{}。请在“数据检查”中改正错误、为提醒写明说明。",
        parts.len(),
        parts.join("；")
    )
}

impl Service {
    /// The 工作质量 paragraph of `cycle`'s bulletin.
    pub fn work_quality(&self, cycle: i32) -> ApiResult<String> {
        let mut conn = self.store.conn()?;
        let checked = !list_runs(&mut conn, cycle)?.is_empty();
        let findings = list_findings(
            &mut conn,
            &FindingFilter {
                cycle,
                ..FindingFilter::default()
            },
        )?;
        let checked = checked || !findings.is_empty();
        Ok(work_quality_text(&findings, checked, |u| {
            self.units
                .by_code(u)
                .map_or_else(|| u.to_owned(), |x| x.name.clone())
        }))
    }
}
