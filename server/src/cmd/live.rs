//! `statusdata reload` and `statusdata policy export | import`: what an administrator does to
//! running instances through the database they share.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use statusdata::service::database::DEFAULT_DATABASE_URL;

use super::{said, ProjectArgs};

#[derive(Args)]
pub struct ReloadArgs {
    /// 数据库地址（sqlite://文件 或 postgres://…）
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    db: String,
    #[command(flatten)]
    project: ProjectArgs,
}

/// Checks the definitions here, then asks every instance on the database to reload its
/// definitions and policy (each notices within two seconds, at once on PostgreSQL).
pub async fn reload(args: ReloadArgs) -> anyhow::Result<ExitCode> {
    let svc = args.project.open(&args.db).await?;
    let id = svc
        .blocking(|svc| svc.request_reload(&svc.system()))
        .await
        .map_err(said)?;
    println!(
        "已请求所有运行中的实例重新载入表定义与分工（请求 {id}）；各实例在日志中记录结果，表定义与数据库不一致的实例由 /readyz 报告"
    );
    Ok(ExitCode::SUCCESS)
}

#[derive(Args)]
pub struct PolicyArgs {
    /// 数据库地址（sqlite://文件 或 postgres://…）
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL, global = true)]
    db: String,
    #[command(flatten)]
    project: ProjectArgs,
    #[command(subcommand)]
    what: PolicyWhat,
}

#[derive(Subcommand)]
enum PolicyWhat {
    /// 以 policy.csv 的格式导出现行分工（数据库中的）。
    Export {
        /// 写入的文件；不给时写到标准输出
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// 用一个 policy.csv 文件替换现行分工（与授权同样的检查，记入审计日志）。
    Import {
        /// policy.csv 格式的文件
        file: PathBuf,
    },
}

pub async fn policy(args: PolicyArgs) -> anyhow::Result<ExitCode> {
    let svc = args.project.open(&args.db).await?;
    match args.what {
        PolicyWhat::Export { out } => {
            let (version, text) = svc
                .blocking(|svc| svc.export_policy())
                .await
                .map_err(said)?;
            match out {
                Some(file) => {
                    std::fs::write(&file, &text)
                        .map_err(|e| anyhow::anyhow!("无法写入 {}：{e}", file.display()))?;
                    eprintln!("已把第 {version} 版分工写入 {}", file.display());
                }
                None => print!("{text}"),
            }
            Ok(ExitCode::SUCCESS)
        }
        PolicyWhat::Import { file } => {
            let text = std::fs::read_to_string(&file)
                .map_err(|e| anyhow::anyhow!("无法读取 {}：{e}", file.display()))?;
            let changed = svc
                .blocking(move |svc| svc.import_policy(&svc.system(), &text))
                .await;
            match changed {
                Ok(true) => {
                    println!("已由 {} 导入分工，运行中的实例随即采用", file.display());
                    Ok(ExitCode::SUCCESS)
                }
                Ok(false) => {
                    println!("{} 与现行分工相同，未作改动", file.display());
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => {
                    eprintln!("分工未导入：{}（{}）", e.message, e.code.as_str());
                    Ok(ExitCode::FAILURE)
                }
            }
        }
    }
}
