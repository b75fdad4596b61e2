//! Running the quality rules: the whole cycle for 质量部 (`runChecks`, `statusdata validate`), or
//! one table of one unit at submission ([`findings_for`]). Each rule is one set-based statement
//! (`store::rules`); the results are diffed into `findings` (`store::findings`).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::defs::{Catalog, Rule, RuleKind};
use crate::store::findings::{self, Finding, FindingFilter, SyncCounts};
use crate::store::rules::{self as sql_rules, Violation};
use crate::store::{AnyConnection, StoreError};

/// The units that fill each table, by table code (from the policy).
pub type FillUnits = HashMap<String, Vec<String>>;

/// What to check.
#[derive(Debug, Clone, Default)]
pub struct RunScope<'a> {
    pub cycle: i32,
    /// Only the rules on this table (by code).
    pub table: Option<&'a str>,
    /// Only this unit's rows.
    pub unit: Option<&'a str>,
    /// Who fills what; without it completeness rules are skipped.
    pub fill_units: Option<&'a FillUnits>,
    /// Who runs the checks (a staff number, or `cli`).
    pub actor: &'a str,
}

/// What a run found and changed.
#[derive(Debug, Clone, Default)]
pub struct RunReport {
    pub rules: usize,
    pub errors: usize,
    pub warnings: usize,
    pub changes: SyncCounts,
    /// Findings per rule id, most first.
    pub by_rule: Vec<(String, usize)>,
    pub elapsed: Duration,
}

/// The rules a scope runs, in catalog order.
pub fn rules_in_scope<'c>(catalog: &'c Catalog, scope: &RunScope<'_>) -> Vec<&'c Arc<Rule>> {
    catalog
        .rules
        .iter()
        .filter(|r| scope.table.is_none_or(|t| r.table == t))
        .filter(|r| r.kind != RuleKind::Completeness || scope.fill_units.is_some())
        .collect()
}

/// Runs the rules of the scope and returns what they find, calling `progress` after each rule.
pub fn find_violations(
    conn: &mut AnyConnection,
    catalog: &Catalog,
    scope: &RunScope<'_>,
    progress: &mut dyn FnMut(&Rule),
) -> Result<Vec<Violation>, StoreError> {
    let mut out = Vec::new();
    for rule in rules_in_scope(catalog, scope) {
        out.extend(run_one(conn, catalog, rule, scope)?);
        progress(rule);
    }
    Ok(out)
}

/// What one rule finds in the scope.
fn run_one(
    conn: &mut AnyConnection,
    catalog: &Catalog,
    rule: &Rule,
    scope: &RunScope<'_>,
) -> Result<Vec<Violation>, StoreError> {
    match rule.kind {
        RuleKind::Completeness => completeness(conn, catalog, rule, scope),
        RuleKind::Field => super::field_rows::field_checks(conn, catalog, rule, scope),
        RuleKind::YearOverYear => super::yoy::year_over_year(conn, catalog, rule, scope),
        _ => sql_rules::run_rule(conn, catalog, rule, scope.cycle, scope.unit),
    }
}

/// After a save of the stored row `row_id` of `unit`'s table: every finding standing on that
/// row whose rule no longer finds it is resolved now, so that the collector sees a fixed row
/// fixed at once rather than after 质量部's next run. Only rules with a finding on the row
/// run; a row without findings costs one read. Returns how many were resolved.
pub fn resolve_fixed(
    conn: &mut AnyConnection,
    catalog: &Catalog,
    table_code: &str,
    cycle: i32,
    unit: &str,
    row_id: i64,
) -> Result<usize, StoreError> {
    let standing = findings::standing_on_row(conn, cycle, table_code, row_id)?;
    let scope = RunScope {
        cycle,
        table: Some(table_code),
        unit: Some(unit),
        ..RunScope::default()
    };
    let mut fixed = Vec::new();
    for f in &standing {
        let Some(rule) = catalog.rule(&f.found.rule) else {
            continue;
        };
        let found = run_one(conn, catalog, rule, &scope)?;
        if !found.iter().any(|v| v.row_id == Some(row_id)) {
            fixed.push(f);
        }
    }
    findings::resolve_on_row(conn, cycle, unit, &fixed, &crate::store::now())
}

fn completeness(
    conn: &mut AnyConnection,
    catalog: &Catalog,
    rule: &Rule,
    scope: &RunScope<'_>,
) -> Result<Vec<Violation>, StoreError> {
    let (Some(table), Some(fill)) = (catalog.table_by_code(&rule.table), scope.fill_units) else {
        return Ok(Vec::new());
    };
    let have: HashSet<String> = sql_rules::rows_per_unit(conn, table, scope.cycle)?
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(u, _)| u)
        .collect();
    Ok(fill
        .get(&table.code)
        .into_iter()
        .flatten()
        .filter(|u| scope.unit.is_none_or(|only| only == u.as_str()) && !have.contains(*u))
        .map(|u| Violation {
            rule: rule.id.clone(),
            severity: rule.severity.as_str().to_owned(),
            table_code: table.code.clone(),
            unit: u.clone(),
            row_id: None,
            row_ref: String::new(),
            field: None,
            message: rule.message.clone(),
        })
        .collect())
}

/// Runs the rules of the scope and writes the findings (diffed against earlier runs).
pub fn run_checks(
    conn: &mut AnyConnection,
    catalog: &Catalog,
    scope: &RunScope<'_>,
    progress: &mut dyn FnMut(&Rule),
) -> Result<RunReport, StoreError> {
    let start = Instant::now();
    let started_at = crate::store::now();
    let found = find_violations(conn, catalog, scope, progress)?;
    let ran: HashSet<String> = rules_in_scope(catalog, scope)
        .iter()
        .map(|r| r.id.clone())
        .collect();
    // A rule deleted from the definitions finds nothing any more: its findings are resolved by
    // the run that would have run it, instead of standing (and blocking submission) forever.
    let mut closes = ran.clone();
    closes.extend(retired_rules(conn, catalog, scope)?);
    let now = crate::store::now();
    let changes = findings::sync_findings(conn, scope.cycle, &closes, scope.unit, &found, &now)?;
    let mut per_rule: HashMap<&str, usize> = HashMap::new();
    for v in &found {
        *per_rule.entry(v.rule.as_str()).or_default() += 1;
    }
    let mut by_rule: Vec<(String, usize)> = per_rule
        .into_iter()
        .map(|(r, n)| (r.to_owned(), n))
        .collect();
    by_rule.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let report = RunReport {
        rules: ran.len(),
        errors: found.iter().filter(|v| v.severity == "error").count(),
        warnings: found.iter().filter(|v| v.severity == "warning").count(),
        changes,
        by_rule,
        elapsed: start.elapsed(),
    };
    // Only whole-cycle runs make the trend; a unit's submission check is not one.
    if scope.unit.is_none() {
        let n = |v: usize| i64::try_from(v).unwrap_or(i64::MAX);
        findings::record_run(
            conn,
            &findings::QualityRun {
                cycle: scope.cycle,
                scope: scope.table.unwrap_or("全部").to_owned(),
                actor: scope.actor.to_owned(),
                started_at,
                finished_at: crate::store::now(),
                rules: n(report.rules),
                errors: n(report.errors),
                warnings: n(report.warnings),
                opened: n(report.changes.opened),
                resolved: n(report.changes.resolved),
            },
        )?;
    }
    Ok(report)
}

/// Findings whose rule is written by someone else than the rules of the catalog: the 高基
/// comparison (`service::gaoji`) keeps its own.
pub const GAOJI_RULE_PREFIX: &str = "GAOJI:";

/// The rules with findings in the scope's cycle (and table) that the catalog no longer defines.
fn retired_rules(
    conn: &mut AnyConnection,
    catalog: &Catalog,
    scope: &RunScope<'_>,
) -> Result<Vec<String>, StoreError> {
    let defined: HashSet<&str> = catalog.rules.iter().map(|r| r.id.as_str()).collect();
    Ok(
        findings::rules_with_findings(conn, scope.cycle, scope.table)?
            .into_iter()
            .filter(|r| !defined.contains(r.as_str()) && !r.starts_with(GAOJI_RULE_PREFIX))
            .collect(),
    )
}

/// The findings of one unit's table, brought up to date: every rule on the table runs over the
/// unit's rows (and the table must not be empty), the results are written to `findings`, and the
/// findings still standing are returned: `open` and `explained` ones, `accepted` ones too.
///
/// The service layer calls this inside the submit transaction (errors block submission; warnings
/// need an explanation, i.e. state `explained` or `accepted`) and after writes.
pub fn findings_for(
    conn: &mut AnyConnection,
    catalog: &Catalog,
    cycle: i32,
    table_code: &str,
    unit: &str,
) -> Result<Vec<Finding>, StoreError> {
    let fill: FillUnits = HashMap::from([(table_code.to_owned(), vec![unit.to_owned()])]);
    let scope = RunScope {
        cycle,
        table: Some(table_code),
        unit: Some(unit),
        fill_units: Some(&fill),
        actor: "submit",
    };
    run_checks(conn, catalog, &scope, &mut |_| {})?;
    let current = findings::list_findings(
        conn,
        &FindingFilter {
            cycle,
            table: Some(table_code.to_owned()),
            units: Some(vec![unit.to_owned()]),
            ..FindingFilter::default()
        },
    )?;
    Ok(current
        .into_iter()
        .filter(|f| f.state != "resolved")
        .collect())
}

/// True when a finding stops submission: an error not accepted by 质量部, or a warning nobody
/// has explained.
pub fn blocks_submission(f: &Finding) -> bool {
    match (f.found.severity.as_str(), f.state.as_str()) {
        (_, "resolved" | "accepted") => false,
        ("error", _) => true,
        (_, state) => state == "open",
    }
}
