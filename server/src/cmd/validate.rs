//! `statusdata validate`: runs every quality rule over a cycle (or one table's rules), writes the
//! findings and prints a summary; a progress bar shows on a terminal.

use std::process::ExitCode;
use std::sync::Arc;

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use statusdata::authz::{Action, Policy};
use statusdata::defs;
use statusdata::store::{Store, DEFAULT_DATABASE_URL};
use statusdata::validate::rules::{rules_in_scope, run_checks, RunScope};

use super::ProjectArgs;

#[derive(Args)]
pub struct ValidateArgs {
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    db: String,
    /// The collection cycle (year).
    #[arg(long, default_value_t = 2023)]
    cycle: i32,
    /// Only the rules on this table (its code, e.g. 1.5.3).
    #[arg(long)]
    table: Option<String>,
    #[command(flatten)]
    project: ProjectArgs,
}

pub async fn run(args: ValidateArgs) -> anyhow::Result<ExitCode> {
    let catalog =
        Arc::new(defs::load_catalog(&args.project.defs).map_err(|p| anyhow::anyhow!("{p}"))?);
    if let Some(t) = &args.table {
        anyhow::ensure!(
            catalog.table_by_code(t).is_some(),
            "没有编号为 {t} 的数据表"
        );
    }
    let units = defs::load_units(&args.project.units).map_err(|p| anyhow::anyhow!("{p}"))?;
    let policy = Policy::load(&args.project.policies)
        .await
        .map_err(|p| anyhow::anyhow!("{p}"))?;
    let fill = policy.unit_codes(&catalog, &units, Action::Fill);
    let store = Store::open(&args.db, catalog.clone())?;
    let report = tokio::task::spawn_blocking(move || -> anyhow::Result<_> {
        store.migrate(&units, false)?;
        let scope = RunScope {
            cycle: args.cycle,
            table: args.table.as_deref(),
            unit: None,
            fill_units: Some(&fill),
            actor: "cli",
        };
        let bar = ProgressBar::new(rules_in_scope(&catalog, &scope).len() as u64);
        if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} 规则 {msg}") {
            bar.set_style(style);
        }
        let mut conn = store.conn()?;
        let report = run_checks(&mut conn, &catalog, &scope, &mut |rule| {
            bar.set_message(rule.id.clone());
            bar.inc(1);
        })?;
        bar.finish_and_clear();
        Ok(report)
    })
    .await??;
    println!(
        "{} 条规则，用时 {:.2} 秒：错误 {} 条，提醒 {} 条（新发现 {}，仍存在 {}，再次出现 {}，已解决 {}）",
        report.rules,
        report.elapsed.as_secs_f64(),
        report.errors,
        report.warnings,
        report.changes.opened,
        report.changes.kept,
        report.changes.reopened,
        report.changes.resolved,
    );
    for (rule, n) in report.by_rule.iter().take(20) {
        println!("  {rule:<24} {n:>6}");
    }
    Ok(if report.errors > 0 {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}
