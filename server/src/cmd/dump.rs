//! `statusdata backup`, `restore` and `copy`: a whole database to a file, back, or to another
//! database (SQLite → PostgreSQL when a college outgrows the embedded default).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use statusdata::service::database::DEFAULT_DATABASE_URL;
use statusdata::service::dump::{self, TableDigest};

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

fn print(digests: &[TableDigest], checked: &str) {
    let rows: u64 = digests.iter().map(|d| d.rows).sum();
    for d in digests.iter().filter(|d| d.rows > 0) {
        println!("{:<40} {:>8}  {}", d.table, d.rows, &d.checksum[..16]);
    }
    println!("共 {} 张表、{rows} 行，{checked}", digests.len());
}

pub async fn backup(args: BackupArgs) -> anyhow::Result<ExitCode> {
    let meta = dump::backup(&args.db, args.out.clone()).await?;
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
    let (meta, digests) = dump::restore(args.file.clone(), &args.db, &args.project.files()).await?;
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
    let digests = dump::copy(&args.from, &args.to, &args.project.files()).await?;
    print(&digests, "已与源数据库逐表核对");
    println!("复制完成；目标数据库可以用 statusdata serve 启动");
    Ok(ExitCode::SUCCESS)
}
