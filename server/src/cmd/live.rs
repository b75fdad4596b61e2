//! `statusdata reload` and `statusdata policy export | import`: what an administrator does to
//! running instances through the database they share.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, Subcommand};
use statusdata::defs;
use statusdata::service::Service;
use statusdata::store::{live, Store, DEFAULT_DATABASE_URL};

use super::ProjectArgs;

#[derive(Args)]
pub struct ReloadArgs {
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    db: String,
    #[command(flatten)]
    project: ProjectArgs,
}

/// Checks the definitions here, then asks every instance on the database to reload its
/// definitions and policy (each notices within two seconds, at once on PostgreSQL).
pub async fn reload(args: ReloadArgs) -> anyhow::Result<ExitCode> {
    let store = open(&args.db, &args.project).await?;
    let id = store
        .call(|s| s.with_workflow(|c| live::request_reload(c, &statusdata::store::now(), "cli")))
        .await?;
    println!(
        "asked every running instance to reload its definitions and policy (request {id}); each logs the outcome, and /readyz reports one whose definitions differ from the database's"
    );
    Ok(ExitCode::SUCCESS)
}

#[derive(Args)]
pub struct PolicyArgs {
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL, global = true)]
    db: String,
    #[command(flatten)]
    project: ProjectArgs,
    #[command(subcommand)]
    what: PolicyWhat,
}

#[derive(Subcommand)]
enum PolicyWhat {
    /// Write the policy in force (the database's) in policy.csv's format.
    Export {
        /// The file to write; standard output when absent.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Replace the policy in force with a policy.csv file, after the same checks as a grant.
    Import { file: PathBuf },
}

pub async fn policy(args: PolicyArgs) -> anyhow::Result<ExitCode> {
    let store = open(&args.db, &args.project).await?;
    let units =
        Arc::new(defs::load_units(&args.project.units).map_err(|p| anyhow::anyhow!("{p}"))?);
    let cell = statusdata::service::rights::open_policy(&store, &args.project.policies)
        .await
        .map_err(anyhow::Error::msg)?;
    let svc = Service::new(store, cell, units);
    match args.what {
        PolicyWhat::Export { out } => {
            let (version, text) = svc
                .blocking(|svc| svc.export_policy())
                .await
                .map_err(|e| anyhow::anyhow!(e.message))?;
            match out {
                Some(file) => {
                    std::fs::write(&file, &text)?;
                    eprintln!("wrote policy version {version} to {}", file.display());
                }
                None => print!("{text}"),
            }
            Ok(ExitCode::SUCCESS)
        }
        PolicyWhat::Import { file } => {
            let text = std::fs::read_to_string(&file)?;
            let changed = svc
                .blocking(move |svc| svc.import_policy(&svc.system(), &text))
                .await;
            match changed {
                Ok(true) => {
                    println!(
                        "policy imported from {}; running instances take it up",
                        file.display()
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Ok(false) => {
                    println!("{} is the policy in force already", file.display());
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => {
                    eprintln!("{}: {}", e.code.as_str(), e.message);
                    Ok(ExitCode::FAILURE)
                }
            }
        }
    }
}

/// The database, migrated, for the definitions here (which must pass their own checks).
async fn open(db: &str, project: &ProjectArgs) -> anyhow::Result<Store> {
    let catalog = defs::load_catalog(&project.defs)
        .map_err(|p| anyhow::anyhow!("{p}"))
        .map_err(|e| e.context("the table definitions have problems; run `statusdata check`"))?;
    let units = defs::load_units(&project.units).map_err(|p| anyhow::anyhow!("{p}"))?;
    let store = Store::open(db, Arc::new(catalog))?;
    let s = store.clone();
    tokio::task::spawn_blocking(move || s.migrate(&units, false)).await??;
    Ok(store)
}
