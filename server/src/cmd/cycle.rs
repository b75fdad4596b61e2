//! `statusdata cycle new YEAR --from YEAR`: opens the next cycle with its dates a year later and,
//! for tables marked `carry_forward`, last cycle's rows copied in as drafts.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, Subcommand};
use statusdata::authz::{Policy, PolicyCell};
use statusdata::defs;
use statusdata::service::Service;
use statusdata::store::{Store, DEFAULT_DATABASE_URL};

use super::ProjectArgs;

#[derive(Args)]
pub struct CycleArgs {
    #[command(subcommand)]
    what: CycleWhat,
}

#[derive(Subcommand)]
enum CycleWhat {
    /// Open a new cycle from a previous one.
    New {
        year: i32,
        #[arg(long)]
        from: i32,
        #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
        db: String,
        #[command(flatten)]
        project: ProjectArgs,
    },
}

pub async fn run(args: CycleArgs) -> anyhow::Result<ExitCode> {
    let CycleWhat::New {
        year,
        from,
        db,
        project,
    } = args.what;
    anyhow::ensure!(
        year == from + 1,
        "a new cycle follows the previous one: {year} is not {from} + 1"
    );
    let catalog = Arc::new(defs::load_catalog(&project.defs).map_err(|p| anyhow::anyhow!("{p}"))?);
    let units = defs::load_units(&project.units).map_err(|p| anyhow::anyhow!("{p}"))?;
    let seeds = project
        .units
        .parent()
        .map(PathBuf::from)
        .unwrap_or_default();
    let previous = defs::load_cycle(&seeds.join(format!("cycle-{from}.toml")), &catalog)
        .map_err(|p| anyhow::anyhow!("{p}"))?;
    let next = previous.next_year();
    let file = seeds.join(format!("cycle-{year}.toml"));
    if file.exists() {
        println!("{} exists; using it", file.display());
    } else {
        std::fs::write(&file, next.to_toml())?;
        println!(
            "wrote {} (dates a year after {from}; check them against this year's notice)",
            file.display()
        );
    }
    let config = defs::load_cycle(&file, &catalog).map_err(|p| anyhow::anyhow!("{p}"))?;
    let store = Store::open(&db, catalog.clone())?;
    let policy = Policy::load(&project.policies).await?;
    let svc = Service::new(
        store,
        Arc::new(PolicyCell::new(project.policies.clone(), policy)),
        Arc::new(units),
    );
    let copied = svc
        .blocking(move |svc| {
            svc.store.migrate(&svc.units, false)?;
            svc.open_cycle(&svc.system(), &config, from)
        })
        .await
        .map_err(|e| anyhow::anyhow!("{}（{}）", e.message, e.code.as_str()))?;
    for (code, n) in &copied {
        println!("{code}: {n} rows carried forward as drafts");
    }
    println!(
        "cycle {year} opened; {} tables carried forward",
        copied.len()
    );
    Ok(ExitCode::SUCCESS)
}
