//! `statusdata migrate`.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::Args;
use statusdata::defs;
use statusdata::store::{Store, StoreError, DEFAULT_DATABASE_URL};

use super::ProjectArgs;

#[derive(Args)]
pub struct MigrateArgs {
    /// Database URL: sqlite://PATH or postgres://USER@HOST:PORT/DB.
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    db: String,
    #[command(flatten)]
    project: ProjectArgs,
    /// Drop or retype columns and tables whose definitions were removed or changed (data is lost;
    /// an SQLite database is copied aside first).
    #[arg(long)]
    allow_destructive: bool,
}

pub async fn run(args: MigrateArgs) -> anyhow::Result<ExitCode> {
    let catalog = defs::load_catalog(&args.project.defs)
        .map_err(|p| anyhow::anyhow!("{p}"))
        .context("the table definitions have problems; run `statusdata check`")?;
    let units = defs::load_units(&args.project.units).map_err(|p| anyhow::anyhow!("{p}"))?;
    let store = Store::open(&args.db, Arc::new(catalog))?;
    let allow = args.allow_destructive;
    match store.call(move |s| s.migrate(&units, allow)).await {
        Ok(report) => {
            if let Some(path) = &report.backup {
                println!(
                    "copied the database to {} before destructive changes",
                    path.display()
                );
            }
            for v in &report.core {
                println!("applied core migration {v}");
            }
            if report.units_changed > 0 {
                println!("synced {} unit(s)", report.units_changed);
            }
            let t = &report.tables;
            for (what, items) in [
                ("created table", &t.created_tables),
                ("added column", &t.added_columns),
                ("rebuilt key of", &t.rekeyed_tables),
                ("dropped", &t.dropped),
            ] {
                for item in items {
                    println!("{what} {item}");
                }
            }
            if report.is_empty() {
                println!("the database is up to date");
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(StoreError::Destructive(reasons)) => {
            eprintln!("migrate stopped; nothing was changed:");
            for r in reasons {
                eprintln!("  {r}");
            }
            Ok(ExitCode::FAILURE)
        }
        Err(e) => Err(e.into()),
    }
}
