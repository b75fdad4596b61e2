//! `statusdata bench validate`: every quality rule over a demo cycle (`--scale 4` by default)
//! through the engine (SQL, messages, completeness, findings diffed and written), against the
//! same rules' SQL statements run directly; time as a ratio, and peak resident memory.

use std::time::Instant;

use statusdata::defs::RuleKind;
use statusdata::store::rules::count_rule_rows;
use statusdata::validate::rules::{run_checks, RunScope};

use super::memory::{growth, reset_peak, show};
use crate::cmd::ProjectArgs;

/// Runs the benchmark on a temporary SQLite database filled with the demo at `scale`.
pub async fn run(scale: u32, project: ProjectArgs) -> anyhow::Result<()> {
    super::on_demo(&project, scale, move |db| {
        let (catalog, fill) = (db.store.catalog(), &db.fill);
        println!(
            "演示数据规模 {scale}：{} 行，{} 条规则",
            db.rows,
            catalog.rules.len()
        );
        let mut conn = db.store.conn()?;

        let floor = reset_peak();
        let start = Instant::now();
        let mut found = 0;
        for rule in catalog
            .rules
            .iter()
            .filter(|r| !matches!(r.kind, RuleKind::Completeness | RuleKind::YearOverYear))
        {
            found += count_rule_rows(&mut conn, catalog, rule, 2023)?;
        }
        let (base, base_peak) = (start.elapsed(), growth(floor));
        println!(
            "基准（逐条执行规则的 SQL 并计数）：{:>7.2} 秒，{found} 行，内存峰值 {}",
            base.as_secs_f64(),
            show(base_peak)
        );

        let scope = RunScope {
            cycle: 2023,
            fill_units: Some(fill),
            actor: "bench",
            ..RunScope::default()
        };
        let floor = reset_peak();
        let start = Instant::now();
        let report = run_checks(&mut conn, catalog, &scope, &mut |_| {})?;
        let (ours, our_peak) = (start.elapsed(), growth(floor));
        println!(
            "statusdata validate（写入发现）：  {:>7.2} 秒，{} 条发现，内存峰值 {}",
            ours.as_secs_f64(),
            report.errors + report.warnings,
            show(our_peak)
        );
        println!(
            "耗时为基准的 {:.2} 倍（目标 ≤ 2 倍）",
            ours.as_secs_f64() / base.as_secs_f64().max(1e-9)
        );
        Ok(())
    })
    .await
}
