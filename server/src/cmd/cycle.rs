//! `statusdata cycle new YEAR --from YEAR`: opens the next cycle with its dates a year later and,
//! for tables marked `carry_forward`, last cycle's rows copied in as drafts.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, Subcommand};
use statusdata::defs;
use statusdata::store::{ListQuery, Record, RowScope, Store, WriteCtx, DEFAULT_DATABASE_URL};

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
    let copied = tokio::task::spawn_blocking(move || -> anyhow::Result<Vec<(String, usize)>> {
        store.migrate(&units, false)?;
        store.install_cycle(&config)?;
        let mut copied = Vec::new();
        for table in catalog.tables.iter().filter(|t| t.carry_forward) {
            anyhow::ensure!(
                store.count(table, &RowScope::All, year, None)? == 0,
                "table {} already has {year} rows; nothing copied",
                table.code
            );
            let rows = store.list(table, &RowScope::All, &ListQuery::all(from))?;
            let mut by_unit: std::collections::BTreeMap<String, Vec<Record>> =
                std::collections::BTreeMap::new();
            for r in &rows {
                by_unit
                    .entry(r.unit.clone())
                    .or_default()
                    .push(r.values.clone());
            }
            for (unit, records) in by_unit {
                store.bulk_insert(
                    table,
                    &RowScope::All,
                    &WriteCtx {
                        cycle: year,
                        unit,
                        actor: "cycle-new".into(),
                    },
                    &records,
                )?;
            }
            copied.push((table.code.clone(), rows.len()));
        }
        Ok(copied)
    })
    .await??;
    for (code, n) in &copied {
        println!("{code}: {n} rows carried forward as drafts");
    }
    println!(
        "cycle {year} opened; {} tables carried forward",
        copied.len()
    );
    Ok(ExitCode::SUCCESS)
}
