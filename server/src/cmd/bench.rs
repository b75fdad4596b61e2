//! `statusdata bench storage`: insert and list throughput of the store, measured against plain
//! diesel on the same machine in the same run (a ratio, not an absolute target).

use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::{Days, NaiveDate};
use clap::{Args, Subcommand};
use diesel::connection::SimpleConnection;
use diesel::Connection;
use rust_decimal::Decimal;
use statusdata::defs::{self, Catalog, FieldType, Table};
use statusdata::store::{Filter, ListQuery, Op, Record, RowScope, Store, Value, WriteCtx};

use super::ProjectArgs;

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
    /// 导入限制：拒绝 350 万行的 xlsx 与 100 MB 的 /graphql 请求体时的内存峰值。
    Import {
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
    let (db, rows, project) = match args.what {
        BenchWhat::Storage { db, rows, project } => (db, rows, project),
        BenchWhat::Validate { scale, project } => {
            super::bench_validate::run(scale, project).await?;
            return Ok(ExitCode::SUCCESS);
        }
        BenchWhat::Export { scale, project } => {
            super::bench_export::run(scale, project).await?;
            return Ok(ExitCode::SUCCESS);
        }
        BenchWhat::Import {
            rows,
            body_mb,
            project,
        } => {
            super::bench_import::run(rows, body_mb, project).await?;
            return Ok(ExitCode::SUCCESS);
        }
        BenchWhat::Graphql {
            db,
            requests,
            concurrency,
            scale,
            project,
        } => {
            let catalog =
                Arc::new(defs::load_catalog(&project.defs).map_err(|p| anyhow::anyhow!("{p}"))?);
            let units =
                Arc::new(defs::load_units(&project.units).map_err(|p| anyhow::anyhow!("{p}"))?);
            let policy = Arc::new(statusdata::authz::PolicyCell::new(
                project.policies.clone(),
                statusdata::authz::Policy::load(&project.policies)
                    .await
                    .map_err(|p| anyhow::anyhow!("{p}"))?,
            ));
            let mut table = Vec::new();
            for s in scale {
                let db = db.clone();
                let target = tokio::task::spawn_blocking(move || scratch(&db, "graphql")).await??;
                let result = super::bench_http::run(
                    &target.url,
                    (catalog.clone(), units.clone(), policy.clone()),
                    s,
                    requests,
                    concurrency,
                )
                .await;
                tokio::task::spawn_blocking(move || (target.cleanup)()).await?;
                table.push((s, result?));
            }
            if table.len() > 1 {
                super::bench_http::print_scale_table(&table);
            }
            return Ok(ExitCode::SUCCESS);
        }
    };
    let catalog = Arc::new(defs::load_catalog(&project.defs).map_err(|p| anyhow::anyhow!("{p}"))?);
    let units = defs::load_units(&project.units).map_err(|p| anyhow::anyhow!("{p}"))?;
    for url in db {
        let catalog = catalog.clone();
        let units = units.clone();
        tokio::task::spawn_blocking(move || storage(&url, catalog, &units, rows)).await??;
    }
    Ok(ExitCode::SUCCESS)
}

/// A database for one measurement, removed afterwards.
struct Scratch {
    url: String,
    cleanup: Box<dyn FnOnce() + Send>,
}

fn scratch(spec: &str, name: &str) -> anyhow::Result<Scratch> {
    if spec == "sqlite" {
        let dir = tempfile::tempdir()?;
        let url = format!(
            "sqlite://{}",
            dir.path().join(format!("{name}.db")).display()
        );
        return Ok(Scratch {
            url,
            cleanup: Box::new(move || drop(dir)),
        });
    }
    let schema = format!("bench_{}_{name}", std::process::id());
    let mut c = diesel::PgConnection::establish(spec).context("无法连接基准测试用的数据库")?;
    c.batch_execute(&format!(
        "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"
    ))?;
    let sep = if spec.contains('?') { '&' } else { '?' };
    let url = format!("{spec}{sep}options=-csearch_path%3D{schema}");
    let base = spec.to_owned();
    Ok(Scratch {
        url,
        cleanup: Box::new(move || {
            if let Ok(mut c) = diesel::PgConnection::establish(&base) {
                let _ = c.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
            }
        }),
    })
}

fn storage(
    spec: &str,
    catalog: Arc<Catalog>,
    units: &defs::Units,
    rows: usize,
) -> anyhow::Result<()> {
    let table = catalog
        .table_by_code("1.5.1")
        .context("没有定义表 1.5.1")?
        .clone();
    let records: Vec<Record> = (0..rows).map(|i| synthetic(&catalog, &table, i)).collect();
    let unit = units.units.first().context("没有任何部门")?.code.clone();
    let ctx = WriteCtx {
        cycle: 2023,
        unit,
        actor: "bench".into(),
    };
    let backend = if spec == "sqlite" {
        "SQLite"
    } else {
        "PostgreSQL"
    };
    println!(
        "存储基准（{backend}）：1.5.1 {} {rows} 行（{} 个字段）",
        table.name,
        table.fields.len()
    );

    let base = scratch(spec, "baseline")?;
    let store = Store::open(&base.url, catalog.clone())?;
    store.migrate(units, false)?;
    let start = Instant::now();
    store.baseline_insert(&table, &ctx, &records)?;
    let baseline = start.elapsed();
    drop(store);
    (base.cleanup)();

    let ours = scratch(spec, "store")?;
    let store = Store::open(&ours.url, catalog.clone())?;
    store.migrate(units, false)?;
    let start = Instant::now();
    store.bulk_insert(&table, &RowScope::All, &ctx, &records)?;
    let insert = start.elapsed();

    let filter = Filter::And(vec![
        Filter::Compare {
            field: "gender".into(),
            op: Op::Eq,
            value: Value::Text("2".into()),
        },
        Filter::Compare {
            field: "grade".into(),
            op: Op::Eq,
            value: Value::Year(2022),
        },
    ]);
    let query = ListQuery {
        cycle: 2023,
        filter: Some(filter.clone()),
        order: vec![],
        limit: Some(100),
        offset: 0,
    };
    let rounds = 20;
    let start = Instant::now();
    let mut listed = 0;
    for _ in 0..rounds {
        listed = store.list(&table, &RowScope::All, &query)?.len();
        store.count(&table, &RowScope::All, 2023, Some(&filter))?;
    }
    let list = start.elapsed() / rounds;
    drop(store);
    (ours.cleanup)();

    let rate = |d: Duration| rows as f64 / d.as_secs_f64();
    println!(
        "  只用 diesel 写入（基准）：  {:>8.3} 秒  {:>9.0} 行/秒",
        baseline.as_secs_f64(),
        rate(baseline)
    );
    println!(
        "  存储层批量写入（含审计）：{:>8.3} 秒  {:>9.0} 行/秒  = 基准的 {:.2} 倍",
        insert.as_secs_f64(),
        rate(insert),
        rate(insert) / rate(baseline)
    );
    println!(
        "  过滤查询（女，2022级；前 100 行 + 总数）：每次 {:.2} 毫秒，{listed} 行",
        list.as_secs_f64() * 1000.0
    );
    Ok(())
}

/// A deterministic, type-correct value for every field of a row (not realistic data: the demo
/// generator makes that); row `i` has a unique key.
fn synthetic(catalog: &Catalog, table: &Table, i: usize) -> Record {
    let start = NaiveDate::from_ymd_opt(2022, 9, 1).unwrap_or_default();
    let n = i as i64;
    let code = |list: &str, k: usize| {
        catalog
            .code_list(list)
            .and_then(|l| l.codes.get(k % l.codes.len().max(1)))
            .map_or_else(|| "1".to_owned(), |c| c.code.clone())
    };
    table
        .fields
        .iter()
        .map(|f| {
            let v = match &f.ty {
                _ if table.key.contains(&f.name) => Value::Text(format!("2023{i:08}")),
                FieldType::String | FieldType::Text | FieldType::Ref { .. } => {
                    Value::Text(format!("{}{}", f.label, i % 500))
                }
                FieldType::Int => Value::Int(n % 1000),
                FieldType::Decimal { scale } => {
                    Value::Decimal(Decimal::new(n * 37 % 1_000_000, *scale))
                }
                FieldType::Date => Value::Date(start + Days::new((i % 365) as u64)),
                FieldType::YearMonth => Value::YearMonth {
                    year: 2019 + (i % 5) as i32,
                    month: 9,
                },
                FieldType::Year => Value::Year(2020 + (i / 3 % 4) as i32),
                FieldType::Bool => Value::Bool(i.is_multiple_of(2)),
                FieldType::Enum { codes } => Value::Text(code(codes, i)),
                FieldType::MultiEnum { codes } => Value::List(vec![code(codes, i)]),
                FieldType::MultiRef { .. } => Value::List(vec![format!("R{}", i % 50)]),
            };
            (f.name.clone(), v)
        })
        .collect()
}
