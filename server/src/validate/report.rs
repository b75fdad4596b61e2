//! The quality report (分析): findings still standing counted by unit, table, rule and severity,
//! the runs so far (the trend), the share of rows without a finding, and a short Chinese
//! paragraph for the work group, like the progress bulletin.

use std::collections::BTreeMap;

use crate::defs::{Catalog, Units};
use crate::store::findings::{list_findings, list_runs, Finding, FindingFilter, QualityRun};
use crate::store::{AnyConnection, StoreError};

/// Counts of one group (a unit, a table, a rule or a severity).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    /// The unit, table or rule code; `error`/`warning` for severities.
    pub key: String,
    /// Its Chinese name.
    pub name: String,
    pub errors: usize,
    pub warnings: usize,
    /// Not yet answered (state `open`).
    pub open: usize,
    pub explained: usize,
    pub accepted: usize,
}

/// The report of one cycle.
#[derive(Debug, Clone, Default)]
pub struct QualityReport {
    pub cycle: i32,
    /// Findings not resolved (open, explained, accepted).
    pub standing: Vec<Finding>,
    pub total: Tally,
    pub by_unit: Vec<Tally>,
    pub by_table: Vec<Tally>,
    pub by_rule: Vec<Tally>,
    pub by_severity: Vec<Tally>,
    pub runs: Vec<QualityRun>,
    /// Rows in the cycle, every table and unit.
    pub rows: usize,
    /// Rows with at least one standing finding.
    pub flagged_rows: usize,
    /// 给工作群的一段话.
    pub summary: String,
}

fn add(t: &mut Tally, f: &Finding) {
    match f.found.severity.as_str() {
        "error" => t.errors += 1,
        _ => t.warnings += 1,
    }
    match f.state.as_str() {
        "open" => t.open += 1,
        "explained" => t.explained += 1,
        "accepted" => t.accepted += 1,
        _ => {}
    }
}

fn group(
    standing: &[Finding],
    key: impl Fn(&Finding) -> String,
    name: impl Fn(&str) -> String,
) -> Vec<Tally> {
    let mut map: BTreeMap<String, Tally> = BTreeMap::new();
    for f in standing {
        let k = key(f);
        let t = map.entry(k.clone()).or_insert_with(|| Tally {
            name: name(&k),
            key: k,
            ..Tally::default()
        });
        add(t, f);
    }
    let mut out: Vec<Tally> = map.into_values().collect();
    out.sort_by(|a, b| {
        (b.errors + b.warnings)
            .cmp(&(a.errors + a.warnings))
            .then_with(|| a.key.cmp(&b.key))
    });
    out
}

/// Builds the report of `cycle` from the findings as the last runs left them.
pub fn quality_report(
    conn: &mut AnyConnection,
    catalog: &Catalog,
    units: &Units,
    cycle: i32,
) -> Result<QualityReport, StoreError> {
    let standing: Vec<Finding> = list_findings(
        conn,
        &FindingFilter {
            cycle,
            ..FindingFilter::default()
        },
    )?
    .into_iter()
    .filter(|f| f.state != "resolved")
    .collect();
    let runs = list_runs(conn, cycle)?;
    let mut total = Tally {
        key: "total".into(),
        name: "合计".into(),
        ..Tally::default()
    };
    standing.iter().for_each(|f| add(&mut total, f));
    let unit_name = |k: &str| units.by_code(k).map_or(k.to_owned(), |u| u.name.clone());
    let table_name = |k: &str| {
        catalog
            .table_by_code(k)
            .map_or(k.to_owned(), |t| t.name.clone())
    };
    let rule_name = |k: &str| {
        catalog
            .rule(k)
            .map_or(String::new(), |r| format!("{}（{}）", r.table, r.source))
    };
    let by_unit = group(&standing, |f| f.found.unit.clone(), unit_name);
    let by_table = group(&standing, |f| f.found.table_code.clone(), table_name);
    let by_rule = group(&standing, |f| f.found.rule.clone(), rule_name);
    let by_severity = group(
        &standing,
        |f| f.found.severity.clone(),
        |k| if k == "error" { "错误" } else { "提醒" }.to_owned(),
    );
    let summary = summary(cycle, &total, &by_unit, &by_rule, runs.last());
    let mut rows = 0;
    for table in &catalog.tables {
        let per_unit = crate::store::rules::rows_per_unit(conn, table, cycle)?;
        rows += per_unit
            .iter()
            .map(|(_, n)| usize::try_from(*n).unwrap_or(0))
            .sum::<usize>();
    }
    let flagged_rows = standing
        .iter()
        .filter_map(|f| f.found.row_id.map(|r| (f.found.table_code.as_str(), r)))
        .collect::<std::collections::HashSet<_>>()
        .len();
    Ok(QualityReport {
        rows,
        flagged_rows,
        cycle,
        standing,
        total,
        by_unit,
        by_table,
        by_rule,
        by_severity,
        runs,
        summary,
    })
}

fn summary(
    cycle: i32,
    total: &Tally,
    by_unit: &[Tally],
    by_rule: &[Tally],
    last: Option<&QualityRun>,
) -> String {
    let Some(run) = last else {
        return format!("{cycle}年度数据尚未进行全院校验。");
    };
    if total.errors + total.warnings == 0 {
        return format!(
            "{cycle}年度数据于{}完成全院校验（{}条规则），未发现问题。",
            &run.finished_at.get(..10).unwrap_or(""),
            run.rules
        );
    }
    let units: Vec<String> = by_unit
        .iter()
        .take(3)
        .map(|u| format!("{}{}条", u.name, u.errors + u.warnings))
        .collect();
    let rules: Vec<String> = by_rule.iter().take(3).map(|r| r.key.clone()).collect();
    format!(
        "{cycle}年度数据于{}完成全院校验（{}条规则）：现有问题{}条，其中错误{}条、提醒{}条；\
         待说明{}条，已说明{}条，已认可{}条。问题较多的单位：{}。出现最多的规则：{}。\
         请各单位在截止日前修改错误、对提醒写明说明，质量部将逐条审核。",
        &run.finished_at.get(..10).unwrap_or(""),
        run.rules,
        total.errors + total.warnings,
        total.errors,
        total.warnings,
        total.open,
        total.explained,
        total.accepted,
        units.join("、"),
        rules.join("、"),
    )
}
