//! `statusdata cycle new YEAR --from YEAR`: opens the next cycle with its dates a year later and,
//! for tables marked `carry_forward`, last cycle's rows copied in as drafts.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use statusdata::defs;
use statusdata::service::database::{load_catalog, DEFAULT_DATABASE_URL};

use super::{said, ProjectArgs};

#[derive(Args)]
pub struct CycleArgs {
    #[command(subcommand)]
    what: CycleWhat,
}

#[derive(Subcommand)]
enum CycleWhat {
    /// 由上一周期开启新周期：日期顺延一年，标记为 carry_forward 的表复制上一周期的数据作为草稿。
    New {
        /// 新周期（年份）
        year: i32,
        /// 上一周期（年份），须为新周期减 1
        #[arg(long)]
        from: i32,
        /// 数据库地址（sqlite://文件 或 postgres://…）
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
        "新周期须紧接上一周期：{year} 不是 {from} + 1"
    );
    let catalog = load_catalog(&project.defs)?;
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
        println!("{} 已存在，按其中的日期开启", file.display());
    } else {
        std::fs::write(&file, next.to_toml())
            .map_err(|e| anyhow::anyhow!("无法写入 {}：{e}", file.display()))?;
        println!(
            "已写入 {}（日期为 {from} 年顺延一年，请按当年通知核对）",
            file.display()
        );
    }
    let config = defs::load_cycle(&file, &catalog).map_err(|p| anyhow::anyhow!("{p}"))?;
    let svc = project.open(&db).await?;
    let copied = svc
        .blocking(move |svc| svc.open_cycle(&svc.system(), &config, from))
        .await
        .map_err(said)?;
    for (code, n) in &copied {
        println!("{code}：结转 {n} 行（草稿）");
    }
    println!("{year} 年采集周期已开启，结转 {} 张表", copied.len());
    Ok(ExitCode::SUCCESS)
}
