//! `statusdata bench graphql`: a filtered 100-row page of 1.5.1 over HTTP at a given concurrency,
//! beside the same page through diesel alone (typed, prepared, same columns and count), measured
//! in the same run, each with this process's CPU per request and the machine's load.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use statusdata::auth::password::hash_password;
use statusdata::authz::{Action, PolicyCell};
use statusdata::defs::{Catalog, Units};
use statusdata::demo::{self, DemoOptions};
use statusdata::graphql::{build_schema, ApiConfig};
use statusdata::http::{router, AppState};
use statusdata::store::{NewUser, Store};

const QUERY: &str = r#"{"query":"{ students(cycle: 2023, first: 100, filter: { gender: { eq: \"2\" }, grade: { eq: 2022 } }) { totalCount nodes { id studentNo name gender idNo birthDate ethnicity political nationality hukou originArea majorCode deptCode className grade enrolYm duration level admissionMode sourceType status trainingMode expectedGradYm } } }"}"#;

/// What one scale measured: the GraphQL page's median and p99 latency, in ms.
pub struct Measured {
    pub p50: f64,
    pub p99: f64,
}

/// Runs the benchmark on a fresh database at `url` (already created by the caller).
pub async fn run(
    url: &str,
    (catalog, units, policy): (Arc<Catalog>, Arc<Units>, Arc<PolicyCell>),
    scale: u32,
    requests: usize,
    concurrency: usize,
) -> anyhow::Result<Measured> {
    let store = Store::open(url, catalog.clone())?;
    let fill = policy.current().unit_codes(&catalog, &units, Action::Fill);
    let u = units.clone();
    let seeded = Instant::now();
    store
        .call(move |s| {
            s.migrate(&u, false)?;
            let opts = DemoOptions {
                scale,
                ..DemoOptions::default()
            };
            demo::seed_demo(s, &u, &fill, None, opts)
                .map_err(|e| statusdata::store::StoreError::Database(e.to_string()))?;
            s.create_user(&NewUser {
                staff_no: BENCH_STAFF.into(),
                name: "压测".into(),
                unit: "zlb".into(),
                role: "quality_admin".into(),
                password_hash: hash_password(BENCH_PASSWORD)
                    .map_err(statusdata::store::StoreError::Database)?,
                must_change_password: false,
            })?;
            Ok(())
        })
        .await?;
    let seeded = seeded.elapsed();
    let schema = build_schema(&catalog, Some(ApiConfig::default()))?;
    let state = AppState::new(
        schema,
        statusdata::service::Service::new(store.clone(), policy, units),
    );
    let app = router(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    // The API's whole path: a real session token, looked up like every client's.
    let token = login(addr).await?;

    // Warm up both paths, then measure, each with the machine's load and this process's CPU.
    http_round(addr, &token, 50, concurrency.min(8)).await?;
    let (cpu, start) = (cpu_seconds(), Instant::now());
    let mut http = http_round(addr, &token, requests, concurrency).await?;
    let (http_wall, http_cpu, http_load) = (start.elapsed(), cpu_seconds() - cpu, load());
    sql_round(&store, 50, concurrency.min(8)).await?;
    let (cpu, start) = (cpu_seconds(), Instant::now());
    let mut sql = sql_round(&store, requests, concurrency).await?;
    let (sql_wall, sql_cpu, sql_load) = (start.elapsed(), cpu_seconds() - cpu, load());
    server.abort();

    let rps = |n: usize, d: Duration| n as f64 / d.as_secs_f64();
    let ms = |cpu: f64| cpu * 1000.0 / requests as f64;
    println!("GraphQL 基准，规模 {scale}（生成数据 {:.0} 秒）：{requests} 个请求，并发 {concurrency}，1.5.1 的 100 行分页（女，2022级）+ totalCount，23 列", seeded.as_secs_f64());
    let (p50, p99) = (pct(&mut http, 50), pct(&mut http, 99));
    println!(
        "  GraphQL 经 HTTP（令牌）：{:>8.0} 请求/秒  p50 {p50:>7.2} 毫秒  p99 {p99:>7.2} 毫秒  CPU {:.3} 毫秒/请求  负载 {http_load}",
        rps(requests, http_wall),
        ms(http_cpu),
    );
    println!(
        "  同一页只用 diesel：     {:>8.0} 请求/秒  p50 {:>7.2} 毫秒  p99 {:>7.2} 毫秒  CPU {:.3} 毫秒/请求  负载 {sql_load}",
        rps(requests, sql_wall),
        pct(&mut sql, 50),
        pct(&mut sql, 99),
        ms(sql_cpu),
    );
    println!(
        "  吞吐量之比（GraphQL / diesel）：{:.2}",
        rps(requests, http_wall) / rps(requests, sql_wall)
    );
    Ok(Measured { p50, p99 })
}

/// The page's latency by demo scale, and each scale's median as a ratio of the first's.
pub fn print_scale_table(rows: &[(u32, Measured)]) {
    println!("| 规模 | 中位数（毫秒） | p99（毫秒） | 中位数 / 首个规模 |");
    println!("| ---: | ---: | ---: | ---: |");
    let first = rows.first().map_or(1.0, |r| r.1.p50);
    for (scale, m) in rows {
        println!(
            "| {scale} | {:.2} | {:.2} | {:.2} |",
            m.p50,
            m.p99,
            m.p50 / first
        );
    }
}

const BENCH_STAFF: &str = "B0001";
const BENCH_PASSWORD: &str = "Bench-Strong#2026";

async fn login(addr: std::net::SocketAddr) -> anyhow::Result<String> {
    let body = format!(
        r#"{{"query":"mutation {{ login(staffNo: \"{BENCH_STAFF}\", password: \"{BENCH_PASSWORD}\") {{ token }} }}"}}"#
    );
    let stream = tokio::net::TcpStream::connect(addr).await?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(conn);
    let request = hyper::Request::post("/graphql")
        .header("host", addr.to_string())
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body)))?;
    let response = sender.send_request(request).await?;
    let body = response.into_body().collect().await?.to_bytes();
    let answer: serde_json::Value = serde_json::from_slice(&body)?;
    answer["data"]["login"]["token"]
        .as_str()
        .map(str::to_owned)
        .with_context(|| format!("登录失败：{answer}"))
}

/// This process's CPU time (user + system), in seconds.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which may hold spaces) start at ") ".
    let rest = stat.rsplit_once(") ").map_or("", |r| r.1);
    let f: Vec<f64> = rest
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0.0))
        .collect();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name; in ticks.
    (f.get(11).copied().unwrap_or(0.0) + f.get(12).copied().unwrap_or(0.0)) / 100.0
}

/// The machine's load average over the last minute, and its number of CPUs.
fn load() -> String {
    let avg = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let cpus = std::thread::available_parallelism().map_or(0, usize::from);
    format!(
        "{}/{cpus} CPUs",
        avg.split_whitespace().next().unwrap_or("?")
    )
}

fn pct(samples: &mut [Duration], p: usize) -> f64 {
    samples.sort();
    let i = (samples.len() * p / 100).min(samples.len().saturating_sub(1));
    samples.get(i).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

/// `n` requests over `workers` keep-alive connections; returns each request's latency.
async fn http_round(
    addr: std::net::SocketAddr,
    token: &str,
    n: usize,
    workers: usize,
) -> anyhow::Result<Vec<Duration>> {
    let auth = format!("Bearer {token}");
    fan_out(n, workers, |count| {
        let auth = auth.clone();
        async move {
            let stream = tokio::net::TcpStream::connect(addr).await?;
            let (mut sender, conn) =
                hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
            tokio::spawn(conn);
            let mut times = Vec::with_capacity(count);
            for _ in 0..count {
                let request = hyper::Request::post("/graphql")
                    .header("host", addr.to_string())
                    .header("content-type", "application/json")
                    .header("authorization", &auth)
                    .body(Full::new(Bytes::from_static(QUERY.as_bytes())))?;
                let start = Instant::now();
                let response = sender.send_request(request).await?;
                let status = response.status();
                let body = response.into_body().collect().await?.to_bytes();
                anyhow::ensure!(
                    status.is_success() && !body.windows(8).any(|w| w == b"\"errors\""),
                    "请求失败：{status} {}",
                    String::from_utf8_lossy(&body[..body.len().min(400)])
                );
                times.push(start.elapsed());
            }
            Ok(times)
        }
    })
    .await
}

/// The same page `n` times from `workers` tasks, each query on a blocking thread.
async fn sql_round(store: &Store, n: usize, workers: usize) -> anyhow::Result<Vec<Duration>> {
    fan_out(n, workers, |count| {
        let store = store.clone();
        async move {
            let mut times = Vec::with_capacity(count);
            for _ in 0..count {
                let s = store.clone();
                let start = Instant::now();
                let (rows, _) =
                    tokio::task::spawn_blocking(move || s.baseline_page(2023, "2", 2022, 100))
                        .await??;
                anyhow::ensure!(rows == 100, "基准查询返回了 {rows} 行（应为 100）");
                times.push(start.elapsed());
            }
            Ok(times)
        }
    })
    .await
}

/// Shares `n` requests among `workers` tasks, each made by `worker` with its count, and gathers
/// the latencies they measured.
async fn fan_out<F, W>(n: usize, workers: usize, worker: W) -> anyhow::Result<Vec<Duration>>
where
    W: Fn(usize) -> F,
    F: std::future::Future<Output = anyhow::Result<Vec<Duration>>> + Send + 'static,
{
    let per = n.div_ceil(workers.max(1));
    let tasks: Vec<_> = (0..workers)
        .map(|w| tokio::spawn(worker(per.min(n.saturating_sub(w * per)))))
        .collect();
    let mut all = Vec::with_capacity(n);
    for t in tasks {
        all.extend(t.await??);
    }
    Ok(all)
}
