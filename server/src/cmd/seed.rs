//! `statusdata seed demo`: fills an empty database with the demo college.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use clap::{Args, Subcommand};
use statusdata::authz::{Action, Policy};
use statusdata::defs;
use statusdata::demo::{self, DemoOptions};
use statusdata::store::{Store, DEFAULT_DATABASE_URL};

use super::ProjectArgs;

#[derive(Args)]
pub struct SeedArgs {
    #[command(subcommand)]
    what: SeedWhat,
}

#[derive(Subcommand)]
enum SeedWhat {
    /// Units, demo accounts and realistic data for all 90 tables of the 2023 cycle, with a
    /// previous cycle 2022 for year-over-year comparisons.
    Demo {
        #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
        db: String,
        /// 1 = a mid-sized college (about 12,000 students); larger for benchmarks.
        #[arg(long, default_value_t = 1)]
        scale: u32,
        /// The same seed gives the same data.
        #[arg(long, default_value_t = 2023)]
        seed: u64,
        /// The demo accounts file (staff_no,name,unit,role,password).
        #[arg(long, default_value = "seeds/demo-accounts.csv")]
        accounts: std::path::PathBuf,
        #[command(flatten)]
        project: ProjectArgs,
    },
}

pub async fn run(args: SeedArgs) -> anyhow::Result<ExitCode> {
    let SeedWhat::Demo {
        db,
        scale,
        seed,
        accounts,
        project,
    } = args.what;
    let catalog = Arc::new(defs::load_catalog(&project.defs).map_err(|p| anyhow::anyhow!("{p}"))?);
    let units = defs::load_units(&project.units).map_err(|p| anyhow::anyhow!("{p}"))?;
    let policy = Policy::load(&project.policies)
        .await
        .map_err(|p| anyhow::anyhow!("{p}"))?;
    let fill = policy.unit_codes(&catalog, &units, Action::Fill);
    let csv = std::fs::read_to_string(&accounts)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", accounts.display()))?;
    let store = Store::open(&db, catalog)?;
    let start = Instant::now();
    let report = tokio::task::spawn_blocking(move || {
        store.migrate(&units, false)?;
        demo::seed_demo(
            &store,
            &units,
            &fill,
            Some(&csv),
            DemoOptions { scale, seed },
        )
        .map_err(anyhow::Error::from)
    })
    .await??;
    let total: usize = report.rows.iter().map(|(_, _, n)| n).sum();
    for (code, name, n) in &report.rows {
        println!("{code:<8} {n:>7}  {name}");
    }
    println!(
        "{total} rows in {} tables, {} accounts, in {:.1} s",
        report.rows.len(),
        report.accounts,
        start.elapsed().as_secs_f64()
    );
    println!(
        "{} rows of the previous cycle {} (closed; carried-forward tables linked to {}) for year-over-year comparisons",
        report.previous_rows,
        demo::PREVIOUS,
        demo::CYCLE
    );
    println!("rows broken on purpose (validation should find them):");
    for b in &report.breakages {
        println!(
            "  {} [{}] {} · {}: {}",
            b.table, b.unit, b.row, b.field, b.what
        );
    }
    Ok(ExitCode::SUCCESS)
}
