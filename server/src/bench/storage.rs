//! `statusdata bench storage`: insert and list throughput of the store, measured against plain
//! diesel on the same machine in the same run (a ratio, not an absolute target).

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::{Days, NaiveDate};
use diesel::connection::SimpleConnection;
use diesel::Connection;
use rust_decimal::Decimal;
use statusdata::defs::{Catalog, FieldType, Table, Units};
use statusdata::store::{Filter, ListQuery, Op, Record, RowScope, Store, Value, WriteCtx};

use crate::cmd::ProjectArgs;

/// Measures each database of `dbs` (`sqlite` or a postgres:// address) in turn.
pub async fn run(dbs: Vec<String>, rows: usize, project: ProjectArgs) -> anyhow::Result<()> {
    let (catalog, units) = super::project_files(&project)?;
    for url in dbs {
        let catalog = catalog.clone();
        let units = units.clone();
        tokio::task::spawn_blocking(move || storage(&url, catalog, &units, rows)).await??;
    }
    Ok(())
}

/// A database for one measurement, removed afterwards.
pub(super) struct Scratch {
    pub url: String,
    pub cleanup: Box<dyn FnOnce() + Send>,
}

pub(super) fn scratch(spec: &str, name: &str) -> anyhow::Result<Scratch> {
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
                // `<schema>_bi`: the BI views' schema beside it (store::bi::schema_for).
                let _ = c.batch_execute(&format!(
                    "DROP SCHEMA IF EXISTS {schema}_bi CASCADE; DROP SCHEMA IF EXISTS {schema} CASCADE"
                ));
            }
        }),
    })
}

/// One backend: the baseline insert, then the store's insert and filtered page.
fn storage(spec: &str, catalog: Arc<Catalog>, units: &Units, rows: usize) -> anyhow::Result<()> {
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
    let baseline = on_scratch(spec, "baseline", &catalog, units, |store| {
        let start = Instant::now();
        store.baseline_insert(&table, &ctx, &records)?;
        Ok(start.elapsed())
    })?;
    let (insert, list, listed) = on_scratch(spec, "store", &catalog, units, |store| {
        let start = Instant::now();
        store.bulk_insert(&table, &RowScope::All, &ctx, &records)?;
        let insert = start.elapsed();
        let (list, listed) = filtered_page(store, &table)?;
        Ok((insert, list, listed))
    })?;
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

/// Runs `measure` on a migrated store over a scratch database, removed afterwards.
fn on_scratch<T>(
    spec: &str,
    name: &str,
    catalog: &Arc<Catalog>,
    units: &Units,
    measure: impl FnOnce(&Store) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    let target = scratch(spec, name)?;
    let measured = Store::open(&target.url, catalog.clone())
        .map_err(anyhow::Error::from)
        .and_then(|store| {
            store.migrate(units, false)?;
            measure(&store)
        });
    (target.cleanup)();
    measured
}

/// The mean time of one filtered page (women of grade 2022, the first 100 rows and their total),
/// over 20 rounds, and the rows it listed.
fn filtered_page(store: &Store, table: &Table) -> anyhow::Result<(Duration, usize)> {
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
        listed = store.list(table, &RowScope::All, &query)?.len();
        store.count(table, &RowScope::All, 2023, Some(&filter))?;
    }
    Ok((start.elapsed() / rounds, listed))
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
