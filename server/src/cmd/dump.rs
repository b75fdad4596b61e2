//! `statusdata backup`, `restore` and `copy`: a whole database to a file, back, or to another
//! database (SQLite → PostgreSQL when a college outgrows the embedded default).

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Args;
use statusdata::defs;
use statusdata::store::dump::{self, BackupState, TableDigest};
use statusdata::store::{DbUrl, Store, DEFAULT_DATABASE_URL};

use super::ProjectArgs;

#[derive(Args)]
pub struct BackupArgs {
    /// 要备份的数据库：sqlite://PATH 或 postgres://…
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    db: String,
    /// 备份文件（SQLite 数据库文件；已存在则拒绝，从不覆盖）。写入期间名为“文件名.part”，读回检查并写入完成标记后才改为此名。
    #[arg(long)]
    out: PathBuf,
    /// Accepted and ignored (a backup reads no definitions): scripts written for older versions
    /// passed them.
    #[arg(long = "defs", hide = true)]
    _defs: Option<PathBuf>,
    #[arg(long = "units", hide = true)]
    _units: Option<PathBuf>,
    #[arg(long = "policies", hide = true)]
    _policies: Option<PathBuf>,
}

#[derive(Args)]
pub struct RestoreArgs {
    /// `statusdata backup` 写出的备份文件（须有完成标记）。
    file: PathBuf,
    /// 恢复到的数据库；其中不能已有采集数据。
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    db: String,
    #[command(flatten)]
    project: ProjectArgs,
}

#[derive(Args)]
pub struct CopyArgs {
    /// 复制来源的数据库（只读，不改动）。
    #[arg(long)]
    from: String,
    /// 复制到的数据库：先执行迁移，其中不能已有采集数据。
    #[arg(long)]
    to: String,
    #[command(flatten)]
    project: ProjectArgs,
}

/// Opens an existing database for reading; a missing SQLite file is an error, not a new file.
fn open_existing(url: &str, catalog: &Arc<defs::Catalog>) -> anyhow::Result<Store> {
    if let DbUrl::Sqlite(path) = DbUrl::parse(url)? {
        if !path.exists() {
            anyhow::bail!("{} 不存在", path.display());
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
    let units = defs::load_units(&project.units)
        .map_err(|p| anyhow::anyhow!("部门文件 {} 有问题：\n{p}", project.units.display()))?;
    let store = Store::open(url, catalog.clone())?;
    store.migrate(&units, false)?;
    Ok(store)
}

fn catalog(project: &ProjectArgs) -> anyhow::Result<Arc<defs::Catalog>> {
    let catalog = defs::load_catalog(&project.defs).map_err(|p| {
        anyhow::anyhow!(
            "表定义 {} 有问题：\n{p}\n请先运行 statusdata check",
            project.defs.display()
        )
    })?;
    Ok(Arc::new(catalog))
}

fn print(digests: &[TableDigest], checked: &str) {
    let rows: u64 = digests.iter().map(|d| d.rows).sum();
    for d in digests.iter().filter(|d| d.rows > 0) {
        println!("{:<40} {:>8}  {}", d.table, d.rows, &d.checksum[..16]);
    }
    println!("共 {} 张表、{rows} 行，{checked}", digests.len());
}

pub async fn backup(args: BackupArgs) -> anyhow::Result<ExitCode> {
    // No definitions: a backup copies whatever tables the database holds.
    let store = open_existing(&args.db, &Arc::new(defs::Catalog::default()))?;
    let out = args.out.clone();
    let meta = tokio::task::spawn_blocking(move || store.backup_to(&out)).await??;
    print(&meta.digests, "已从备份文件读回核对，并写入完成标记");
    println!(
        "备份已写入 {}（statusdata {}，{}）",
        args.out.display(),
        meta.version,
        meta.written_at
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn restore(args: RestoreArgs) -> anyhow::Result<ExitCode> {
    let file = args.file.clone();
    if !file.exists() {
        anyhow::bail!("{} 不存在", file.display());
    }
    let meta = tokio::task::spawn_blocking(move || dump::restorable(&file)).await??;
    let from = format!("sqlite://{}", args.file.display());
    let digests = copy_between(from, args.db, args.project, Some(meta.digests)).await?;
    print(&digests, "已与备份文件及其完成标记逐表核对");
    println!(
        "已恢复 {}（{} 由 statusdata {} 写出）",
        args.file.display(),
        meta.written_at,
        meta.version
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn copy(args: CopyArgs) -> anyhow::Result<ExitCode> {
    let mark = match DbUrl::parse(&args.from)? {
        DbUrl::Sqlite(path) => source_mark(path).await?,
        DbUrl::Postgres(_) => None,
    };
    let digests = copy_between(args.from, args.to, args.project, mark).await?;
    print(&digests, "已与源数据库逐表核对");
    println!("复制完成；目标数据库可以用 statusdata serve 启动");
    Ok(ExitCode::SUCCESS)
}

/// An SQLite source may be a live database (no mark) or a backup file, which must be complete;
/// a file still named `.part` is a backup being written or one that never finished.
async fn source_mark(path: PathBuf) -> anyhow::Result<Option<Vec<TableDigest>>> {
    if !path.exists() {
        anyhow::bail!("{} 不存在", path.display());
    }
    tokio::task::spawn_blocking(move || {
        let partial = path.extension().is_some_and(|e| e == "part");
        match dump::backup_state(&path) {
            BackupState::Complete(_) => Ok(Some(dump::restorable(&path)?.digests)),
            BackupState::Unmarked if !partial => Ok(None),
            BackupState::Unmarked => {
                Err(dump::incomplete(&path, "备份写入时的临时文件，从未写完").into())
            }
            BackupState::Incomplete(why) => Err(dump::incomplete(&path, &why).into()),
        }
    })
    .await?
}

/// Copies every row of `from` (which must exist) into `to` (migrated first); with `mark`, the
/// rows read must be those a backup recorded.
async fn copy_between(
    from: String,
    to: String,
    project: ProjectArgs,
    mark: Option<Vec<TableDigest>>,
) -> anyhow::Result<Vec<TableDigest>> {
    let catalog = catalog(&project)?;
    let source = open_existing(&from, &catalog)?;
    tokio::task::spawn_blocking(move || -> anyhow::Result<Vec<TableDigest>> {
        let target = open_target(&to, &project, &catalog)?;
        Ok(source.copy_into(&target, mark.as_deref())?)
    })
    .await?
}
