//! `statusdata backup`, `restore` and `copy`: a whole database to a file, back, or to another
//! database (SQLite → PostgreSQL when a college outgrows the embedded default).

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Args;
use statusdata::defs;
use statusdata::store::dump::TableDigest;
use statusdata::store::{DbUrl, Store, DEFAULT_DATABASE_URL};

use super::ProjectArgs;

#[derive(Args)]
pub struct BackupArgs {
    /// The database to back up: sqlite://PATH or postgres://….
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    db: String,
    /// The backup file to write (an SQLite database; never overwritten).
    #[arg(long)]
    out: PathBuf,
    #[command(flatten)]
    project: ProjectArgs,
}

#[derive(Args)]
pub struct RestoreArgs {
    /// A file written by `statusdata backup`.
    file: PathBuf,
    /// The database to restore into; it must hold no collected data.
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    db: String,
    #[command(flatten)]
    project: ProjectArgs,
}

#[derive(Args)]
pub struct CopyArgs {
    /// The database to copy from (left untouched).
    #[arg(long)]
    from: String,
    /// The database to copy into; migrated first, it must hold no collected data.
    #[arg(long)]
    to: String,
    #[command(flatten)]
    project: ProjectArgs,
}

/// Opens an existing database for reading; a missing SQLite file is an error, not a new file.
fn open_existing(url: &str, catalog: &Arc<defs::Catalog>) -> anyhow::Result<Store> {
    if let DbUrl::Sqlite(path) = DbUrl::parse(url)? {
        if !path.exists() {
            anyhow::bail!("{} does not exist", path.display());
        }
    }
    Ok(Store::open(url, catalog.clone())?)
}

/// Opens and migrates the database a copy writes into.
fn open_target(
    url: &str,
    project: &ProjectArgs,
    catalog: &Arc<defs::Catalog>,
) -> anyhow::Result<Store> {
    let units = defs::load_units(&project.units).map_err(|p| anyhow::anyhow!("{p}"))?;
    let store = Store::open(url, catalog.clone())?;
    store.migrate(&units, false)?;
    Ok(store)
}

fn catalog(project: &ProjectArgs) -> anyhow::Result<Arc<defs::Catalog>> {
    let catalog = defs::load_catalog(&project.defs).map_err(|p| {
        anyhow::anyhow!("{p}\nthe table definitions have problems; run `statusdata check`")
    })?;
    Ok(Arc::new(catalog))
}

fn print(digests: &[TableDigest], checked: &str) {
    let rows: u64 = digests.iter().map(|d| d.rows).sum();
    for d in digests.iter().filter(|d| d.rows > 0) {
        println!("{:<40} {:>8}  {}", d.table, d.rows, &d.checksum[..16]);
    }
    println!("{} tables, {rows} rows, {checked}", digests.len());
}

pub async fn backup(args: BackupArgs) -> anyhow::Result<ExitCode> {
    let catalog = catalog(&args.project)?;
    let store = open_existing(&args.db, &catalog)?;
    let out = args.out.clone();
    let digests = tokio::task::spawn_blocking(move || -> anyhow::Result<Vec<TableDigest>> {
        let fresh = || {
            let url = format!("sqlite://{}", out.display());
            open_target(&url, &args.project, &catalog)
                .map_err(|e| statusdata::store::StoreError::Config(format!("{e:#}")))
        };
        store.backup_to(&out, fresh)?;
        // Read the file back: a backup that cannot be opened is no backup.
        let written = Store::open(&format!("sqlite://{}", out.display()), catalog.clone())?;
        Ok(written.digest()?)
    })
    .await??;
    print(&digests, "read back from the backup file");
    println!("backup written to {}", args.out.display());
    Ok(ExitCode::SUCCESS)
}

pub async fn restore(args: RestoreArgs) -> anyhow::Result<ExitCode> {
    let from = format!("sqlite://{}", args.file.display());
    let digests = copy_between(from, args.db, args.project).await?;
    print(&digests, "checked against the backup");
    println!("restored {}", args.file.display());
    Ok(ExitCode::SUCCESS)
}

pub async fn copy(args: CopyArgs) -> anyhow::Result<ExitCode> {
    let digests = copy_between(args.from, args.to, args.project).await?;
    print(&digests, "checked against the source");
    println!("copied; the target is ready for `statusdata serve`");
    Ok(ExitCode::SUCCESS)
}

/// Copies every row of `from` (which must exist) into `to` (migrated first).
async fn copy_between(
    from: String,
    to: String,
    project: ProjectArgs,
) -> anyhow::Result<Vec<TableDigest>> {
    let catalog = catalog(&project)?;
    let source = open_existing(&from, &catalog)?;
    tokio::task::spawn_blocking(move || -> anyhow::Result<Vec<TableDigest>> {
        let target = open_target(&to, &project, &catalog)?;
        Ok(source.copy_into(&target)?)
    })
    .await?
}
