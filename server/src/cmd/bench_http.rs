//! `statusdata bench graphql`: a filtered 100-row page of 1.5.1 over HTTP at a given concurrency,
//! beside the same page in literal SQL through diesel, measured in the same run.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use statusdata::authz::{Action, PolicyCell};
use statusdata::defs::{Catalog, Units};
use statusdata::demo::{self, DemoOptions};
use statusdata::graphql::{build_schema, ApiConfig};
use statusdata::http::{router, AppState};
use statusdata::store::Store;

const QUERY: &str = r#"{"query":"{ students(first: 100, filter: { gender: { eq: \"2\" }, grade: { eq: 2022 } }) { totalCount nodes { id studentNo name gender idNo birthDate ethnicity political nationality hukou originArea majorCode deptCode className grade enrolYm duration level admissionMode sourceType status trainingMode expectedGradYm } } }"}"#;

/// Runs the benchmark on a fresh database at `url` (already created by the caller).
pub async fn run(
    url: &str,
    catalog: Arc<Catalog>,
    units: Arc<Units>,
    policy: Arc<PolicyCell>,
    requests: usize,
    concurrency: usize,
) -> anyhow::Result<()> {
    let store = Store::open(url, catalog.clone())?;
    let fill = policy.current().unit_codes(&catalog, &units, Action::Fill);
    let u = units.clone();
    store
        .call(move |s| {
            s.migrate(&u, false)?;
            demo::seed_demo(s, &u, &fill, None, DemoOptions::default())
                .map_err(|e| statusdata::store::StoreError::Database(e.to_string()))?;
            Ok(())
        })
        .await?;
    let schema = build_schema(&catalog, Some((store.clone(), ApiConfig::default())))?;
    let mut state = AppState::new(schema, store.clone(), policy, units);
    // The benchmark measures the API, not logins: it runs as the development principal.
    state.development = true;
    let app = router(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let server = tokio::spawn(async move { axum::serve(listener, app).await });

    // Warm up both paths, then measure.
    http_round(addr, 50, concurrency.min(8)).await?;
    let start = Instant::now();
    let mut http = http_round(addr, requests, concurrency).await?;
    let http_wall = start.elapsed();
    let table = catalog.table_by_code("1.5.1").context("1.5.1")?.clone();
    sql_round(&store, &table, 50, concurrency.min(8)).await?;
    let start = Instant::now();
    let mut sql = sql_round(&store, &table, requests, concurrency).await?;
    let sql_wall = start.elapsed();
    server.abort();

    let rps = |n: usize, d: Duration| n as f64 / d.as_secs_f64();
    println!("graphql benchmark: {requests} requests, concurrency {concurrency}, 100-row page of 1.5.1 (女, 2022级) + totalCount");
    println!(
        "  GraphQL over HTTP:       {:>8.0} req/s  p50 {:>7.2} ms  p99 {:>7.2} ms",
        rps(requests, http_wall),
        pct(&mut http, 50),
        pct(&mut http, 99)
    );
    println!(
        "  literal SQL via diesel:  {:>8.0} req/s  p50 {:>7.2} ms  p99 {:>7.2} ms",
        rps(requests, sql_wall),
        pct(&mut sql, 50),
        pct(&mut sql, 99)
    );
    println!(
        "  ratio (HTTP / SQL throughput): {:.2}",
        rps(requests, http_wall) / rps(requests, sql_wall)
    );
    Ok(())
}

fn pct(samples: &mut [Duration], p: usize) -> f64 {
    samples.sort();
    let i = (samples.len() * p / 100).min(samples.len().saturating_sub(1));
    samples.get(i).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

/// `n` requests over `workers` keep-alive connections; returns each request's latency.
async fn http_round(
    addr: std::net::SocketAddr,
    n: usize,
    workers: usize,
) -> anyhow::Result<Vec<Duration>> {
    let per = n.div_ceil(workers.max(1));
    let mut tasks = Vec::new();
    for w in 0..workers {
        let count = per.min(n.saturating_sub(w * per));
        tasks.push(tokio::spawn(async move {
            let stream = tokio::net::TcpStream::connect(addr).await?;
            let (mut sender, conn) =
                hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
            tokio::spawn(conn);
            let mut times = Vec::with_capacity(count);
            for _ in 0..count {
                let request = hyper::Request::post("/graphql")
                    .header("host", addr.to_string())
                    .header("content-type", "application/json")
                    .body(Full::new(Bytes::from_static(QUERY.as_bytes())))?;
                let start = Instant::now();
                let response = sender.send_request(request).await?;
                let status = response.status();
                let body = response.into_body().collect().await?.to_bytes();
                anyhow::ensure!(
                    status.is_success() && !body.windows(8).any(|w| w == b"\"errors\""),
                    "request failed: {status}"
                );
                times.push(start.elapsed());
            }
            Ok::<_, anyhow::Error>(times)
        }));
    }
    let mut all = Vec::with_capacity(n);
    for t in tasks {
        all.extend(t.await??);
    }
    Ok(all)
}

/// The same page `n` times from `workers` tasks, each query on a blocking thread.
async fn sql_round(
    store: &Store,
    table: &Arc<statusdata::defs::Table>,
    n: usize,
    workers: usize,
) -> anyhow::Result<Vec<Duration>> {
    let per = n.div_ceil(workers.max(1));
    let mut tasks = Vec::new();
    for w in 0..workers {
        let count = per.min(n.saturating_sub(w * per));
        let (store, table) = (store.clone(), table.clone());
        tasks.push(tokio::spawn(async move {
            let mut times = Vec::with_capacity(count);
            for _ in 0..count {
                let (s, t) = (store.clone(), table.clone());
                let start = Instant::now();
                let (rows, _) = tokio::task::spawn_blocking(move || {
                    s.baseline_page(&t, 2023, ("gender", "2"), ("grade", 2022), 100)
                })
                .await??;
                anyhow::ensure!(rows == 100, "baseline returned {rows} rows");
                times.push(start.elapsed());
            }
            Ok::<_, anyhow::Error>(times)
        }));
    }
    let mut all = Vec::with_capacity(n);
    for t in tasks {
        all.extend(t.await??);
    }
    Ok(all)
}
