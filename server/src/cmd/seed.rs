//! `statusdata seed demo`: fills an empty database with the demo college, exactly as
//! `serve --demo` does; both install the cycle (`serve::install_cycle`) and write the college
//! through the functions here.
//! Built with the cargo feature `demo` (default), as the generator is.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::{Args, Subcommand};
use statusdata::demo::{self, DemoError, DemoOptions, DemoReport};
use statusdata::service::database::DEFAULT_DATABASE_URL;
use statusdata::service::Service;

use super::ProjectArgs;

#[derive(Args)]
pub struct SeedArgs {
    #[command(subcommand)]
    what: SeedWhat,
}

#[derive(Subcommand)]
enum SeedWhat {
    /// 演示学院：与 `serve --demo` 相同，只写入空数据库
    ///
    /// 安装 2023 年采集周期（日期顺延，今天处于填报阶段，每个截止日期都在几周之后），写入 90 张表的演示数据、已关闭并关联的 2022 年周期（用于同比）和 seeds/demo-accounts.csv 中的演示账号。之后用 `serve`（不加 --demo）即可。
    Demo {
        /// 数据库地址（sqlite://文件 或 postgres://…）
        #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
        db: String,
        /// 规模：1 为中等规模学院（约 12,000 名在校生），基准测试用更大的值。
        #[arg(long, default_value_t = 1)]
        scale: u32,
        /// 随机种子：种子相同，数据相同。
        #[arg(long, default_value_t = 2023)]
        seed: u64,
        /// 演示账号文件（列：staff_no,name,unit,role,password）。
        #[arg(long, default_value = "seeds/demo-accounts.csv")]
        accounts: PathBuf,
        #[command(flatten)]
        project: ProjectArgs,
    },
}

/// Writes the demo college into an empty database: every table's rows (each unit filling what
/// the policy in force gives it), the closed 2022 cycle linked for year-over-year comparisons,
/// and the accounts of `accounts_csv` when given.
async fn demo_college(
    svc: &Service,
    accounts_csv: Option<String>,
    opts: DemoOptions,
) -> Result<DemoReport, DemoError> {
    let svc = svc.clone();
    tokio::task::spawn_blocking(move || demo::seed_college(&svc, accounts_csv.as_deref(), opts))
        .await
        .map_err(|e| DemoError::Accounts(format!("生成演示数据的任务失败：{e}")))?
}

/// `serve --demo`: the demo college in an empty database; a database with data keeps it.
pub(super) async fn serve_demo(svc: &Service, units_file: &Path) -> anyhow::Result<()> {
    let accounts = std::fs::read_to_string(units_file.with_file_name("demo-accounts.csv")).ok();
    match demo_college(svc, accounts, DemoOptions::default()).await {
        Ok(r) => tracing::info!(
            rows = r.rows.iter().map(|x| x.2).sum::<usize>(),
            previous_rows = r.previous_rows,
            "已生成演示学院及其上一周期 {}",
            demo::PREVIOUS
        ),
        Err(DemoError::NotEmpty(_)) => {
            tracing::info!("数据库中已有数据，演示数据保持不变")
        }
        Err(e) => return Err(e.into()),
    }
    tracing::info!("演示账号见 seeds/demo-accounts.csv，首次登录须修改密码");
    Ok(())
}

pub async fn run(args: SeedArgs) -> anyhow::Result<ExitCode> {
    let SeedWhat::Demo {
        db,
        scale,
        seed,
        accounts,
        project,
    } = args.what;
    let csv = std::fs::read_to_string(&accounts)
        .map_err(|e| anyhow::anyhow!("无法读取 {}：{e}", accounts.display()))?;
    let start = Instant::now();
    let svc = project.open(&db).await?;
    super::serve::install_cycle(&svc, &project.units, true).await?;
    let report = demo_college(&svc, Some(csv), DemoOptions { scale, seed }).await?;
    print_report(&report, start.elapsed().as_secs_f64());
    Ok(ExitCode::SUCCESS)
}

fn print_report(report: &DemoReport, seconds: f64) {
    let total: usize = report.rows.iter().map(|(_, _, n)| n).sum();
    for (code, name, n) in &report.rows {
        println!("{code:<8} {n:>7}  {name}");
    }
    println!(
        "共 {total} 行，{} 张表，{} 个账号，用时 {seconds:.1} 秒",
        report.rows.len(),
        report.accounts,
    );
    println!(
        "{} 年采集周期已安装，截止日期顺延至今天之后（今天处于填报阶段）",
        demo::CYCLE
    );
    println!(
        "上一周期 {} 年 {} 行（已关闭；结转表已与 {} 年关联），用于同比",
        demo::PREVIOUS,
        report.previous_rows,
        demo::CYCLE
    );
    println!("故意写错的行（数据检查应能发现）：");
    for b in &report.breakages {
        println!(
            "  {} [{}] {} · {}: {}",
            b.table, b.unit, b.row, b.field, b.what
        );
    }
}
