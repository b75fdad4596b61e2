//! `statusdata bench …`: the benchmarks, each measured against a baseline in the same run (plain
//! diesel, bare rust_xlsxwriter, the rules' SQL run directly), so the result is a ratio, not an
//! absolute target. They measure the store itself and so may import it (the faces may not);
//! built with the cargo feature `bench` (default), which a production build can leave out.

mod export;
mod http;
mod import;
mod memory;
mod storage;
mod validate;
mod write;
mod write_file;

use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, Subcommand};
use statusdata::authz::{Action, Policy, PolicyCell};
use statusdata::defs;
use statusdata::demo::{self, DemoOptions, FillUnits};
use statusdata::store::Store;

use crate::cmd::ProjectArgs;

#[derive(Args)]
pub struct BenchArgs {
    #[command(subcommand)]
    what: BenchWhat,
}

#[derive(Subcommand)]
enum BenchWhat {
    /// 存储：1.5.1 全日制高职在校生信息表的批量写入与过滤查询，对比只用 diesel。
    Storage {
        /// 要测的数据库：`sqlite`（临时文件）和/或 postgres:// 地址（在其中建立并删除临时 schema）
        #[arg(long, default_values_t = ["sqlite".to_owned()])]
        db: Vec<String>,
        /// 写入的行数
        #[arg(long, default_value_t = 20_000)]
        rows: usize,
        #[command(flatten)]
        project: ProjectArgs,
    },
    /// 导出：整个演示周期导出为一个工作簿，对比直接用 rust_xlsxwriter，并记录内存峰值。
    Export {
        /// 演示数据规模（1 约为 12,000 名在校生）
        #[arg(long, default_value_t = 1)]
        scale: u32,
        #[command(flatten)]
        project: ProjectArgs,
    },
    /// 校验：对演示周期运行全部校验规则，对比直接执行同样的 SQL。
    Validate {
        /// 演示数据规模（1 约为 12,000 名在校生）
        #[arg(long, default_value_t = 4)]
        scale: u32,
        #[command(flatten)]
        project: ProjectArgs,
    },
    /// 导入：拒绝 350 万行的 xlsx 与 100 MB 的 /graphql 请求体时的内存峰值；给出 --valid-rows
    /// 时改测写入：经 /import 导入有效的 1.5.1 行，对比只用 diesel 的多行 INSERT。
    Import {
        /// 要导入的有效行数（可给多个，如 20000 与 100000）；给出时只测写入
        #[arg(long)]
        valid_rows: Vec<usize>,
        /// 写入测试的数据库：`sqlite`（临时文件）和/或 postgres:// 地址（临时 schema）
        #[arg(long, default_values_t = ["sqlite".to_owned()])]
        db: Vec<String>,
        /// 被拒绝的工作簿中单格行的行数
        #[arg(long, default_value_t = 3_500_000)]
        rows: u32,
        /// 每个被拒绝的 /graphql 请求体大小（MB）
        #[arg(long, default_value_t = 100)]
        body_mb: usize,
        #[command(flatten)]
        project: ProjectArgs,
    },
    /// GraphQL：经 HTTP 并发读取 1.5.1 的 100 行过滤分页，对比直接执行 SQL。
    Graphql {
        /// `sqlite`（临时文件）或 postgres:// 地址（临时 schema）
        #[arg(long, default_value = "sqlite")]
        db: String,
        /// 请求总数
        #[arg(long, default_value_t = 2000)]
        requests: usize,
        /// 并发数
        #[arg(long, default_value_t = 32)]
        concurrency: usize,
        /// 要测的演示数据规模，各用一个新数据库（1 约为 12,000 名在校生）；给多个时最后列出各规模的中位数与 p99
        #[arg(long, default_values_t = [1u32])]
        scale: Vec<u32>,
        #[command(flatten)]
        project: ProjectArgs,
    },
}

pub async fn run(args: BenchArgs) -> anyhow::Result<ExitCode> {
    match args.what {
        BenchWhat::Storage { db, rows, project } => storage::run(db, rows, project).await?,
        BenchWhat::Validate { scale, project } => validate::run(scale, project).await?,
        BenchWhat::Export { scale, project } => export::run(scale, project).await?,
        BenchWhat::Import {
            valid_rows,
            db,
            project,
            ..
        } if !valid_rows.is_empty() => write::run(db, valid_rows, project).await?,
        BenchWhat::Import {
            rows,
            body_mb,
            project,
            ..
        } => import::run(rows, body_mb, project).await?,
        BenchWhat::Graphql {
            db,
            requests,
            concurrency,
            scale,
            project,
        } => graphql(&db, requests, concurrency, scale, project).await?,
    }
    Ok(ExitCode::SUCCESS)
}

/// `bench graphql`: one fresh database per scale; a table of the scales when more than one.
async fn graphql(
    db: &str,
    requests: usize,
    concurrency: usize,
    scale: Vec<u32>,
    project: ProjectArgs,
) -> anyhow::Result<()> {
    let (catalog, units) = project_files(&project)?;
    let units = Arc::new(units);
    let policy = Arc::new(PolicyCell::new(
        project.policies.clone(),
        Policy::load(&project.policies)
            .await
            .map_err(|p| anyhow::anyhow!("{p}"))?,
    ));
    let mut table = Vec::new();
    for s in scale {
        let db = db.to_owned();
        let target =
            tokio::task::spawn_blocking(move || storage::scratch(&db, "graphql")).await??;
        let files = (catalog.clone(), units.clone(), policy.clone());
        let result = http::run(&target.url, files, s, requests, concurrency).await;
        tokio::task::spawn_blocking(move || (target.cleanup)()).await?;
        table.push((s, result?));
    }
    if table.len() > 1 {
        http::print_scale_table(&table);
    }
    Ok(())
}

/// The definitions and units of the project's files.
fn project_files(project: &ProjectArgs) -> anyhow::Result<(Arc<defs::Catalog>, defs::Units)> {
    let catalog = defs::load_catalog(&project.defs).map_err(|p| anyhow::anyhow!("{p}"))?;
    let units = defs::load_units(&project.units).map_err(|p| anyhow::anyhow!("{p}"))?;
    Ok((Arc::new(catalog), units))
}

/// The demo college at one scale in a temporary SQLite database, as the export and validate
/// benchmarks measure over it.
struct DemoDb {
    store: Store,
    units: defs::Units,
    policy: Arc<Policy>,
    fill: FillUnits,
    rows: usize,
}

/// Seeds a [`DemoDb`] at `scale` and runs `measure` on it on a blocking thread; the database is
/// removed afterwards.
async fn on_demo<T: Send + 'static>(
    project: &ProjectArgs,
    scale: u32,
    measure: impl FnOnce(&DemoDb) -> anyhow::Result<T> + Send + 'static,
) -> anyhow::Result<T> {
    let (catalog, units) = project_files(project)?;
    let policy = Arc::new(Policy::load(&project.policies).await?);
    let dir = tempfile::tempdir()?;
    let url = format!("sqlite://{}", dir.path().join("bench.db").display());
    let store = Store::open(&url, catalog)?;
    tokio::task::spawn_blocking(move || {
        store.migrate(&units, false)?;
        let fill = policy.unit_codes(store.catalog(), &units, Action::Fill);
        let opts = DemoOptions {
            scale,
            ..DemoOptions::default()
        };
        let seeded = demo::seed_demo(&store, &units, &fill, None, opts)?;
        let rows = seeded.rows.iter().map(|(_, _, n)| n).sum();
        let db = DemoDb {
            store,
            units,
            policy,
            fill,
            rows,
        };
        let measured = measure(&db);
        // The store closes before its directory goes.
        drop((db, dir));
        measured
    })
    .await?
}
