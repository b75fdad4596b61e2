//! `statusdata serve` and `statusdata print-schema`. Start-up fails loudly: the address is bound
//! first, any failure exits non-zero with a Chinese message naming the address or file, and the
//! background watcher starts only once everything is ready and stops on every exit path.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::Args;
use statusdata::defs;
use statusdata::graphql::{build_schema, ApiConfig};
use statusdata::http::{router, AppState};
use statusdata::service::cycles::Installed;
use statusdata::service::database::{shown, Files, OpenError, DEFAULT_DATABASE_URL};
use statusdata::service::Service;

use super::serve_watch::{shutdown, watch};
use super::ProjectArgs;

#[derive(Args)]
pub struct ServeArgs {
    /// 数据库：sqlite://PATH（内置，默认）或 postgres://USER@HOST:PORT/DB。
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    db: String,
    /// 监听地址，主机:端口：127.0.0.1:8080 只允许本机访问（前面有 nginx 时），0.0.0.0:8080
    /// 允许其他电脑访问。
    #[arg(long, env = "STATUSDATA_BIND", default_value = "127.0.0.1:8080")]
    bind: String,
    /// 演示模式：空数据库填入演示学校与 seeds/demo-accounts.csv 中的演示账号，截止日期移到今天之后。
    #[arg(long)]
    #[cfg_attr(not(feature = "demo"), arg(hide = true))]
    demo: bool,
    /// Excel 导入文件的最大大小（MB）。
    #[arg(long, env = "STATUSDATA_IMPORT_MAX_MB", default_value_t = 20)]
    import_max_mb: usize,
    /// 一次 Excel 导入的最多数据行数。
    #[arg(long, env = "STATUSDATA_IMPORT_MAX_ROWS", default_value_t = 100_000)]
    import_max_rows: usize,
    /// 典型案例附件的最大大小（MB）。
    #[arg(long, env = "STATUSDATA_CASE_ATTACHMENT_MAX_MB", default_value_t = 10)]
    case_attachment_max_mb: usize,
    /// 典型案例附件允许的文件类型（按扩展名列出，按文件内容核对）。
    #[arg(
        long,
        env = "STATUSDATA_CASE_ATTACHMENT_TYPES",
        default_value = "pdf,docx,xlsx,jpg,png"
    )]
    case_attachment_types: String,
    /// 日志格式：`text`（只在终端上带颜色）或 `json`（每行一个 JSON 对象，便于日志系统收集）。
    #[arg(long, env = "STATUSDATA_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
    /// /graphql 接受的最大 POST 请求体（KB）。
    #[arg(long, env = "STATUSDATA_MAX_BODY_KB", default_value_t = 2048)]
    max_body_kb: usize,
    /// GraphQL 文档或其变量允许的最深括号嵌套层数。
    #[arg(long, env = "STATUSDATA_MAX_NESTING", default_value_t = 64)]
    max_nesting: usize,
    /// 经 https 访问（前面有 TLS 反向代理）：会话 Cookie 加 `Secure`。
    #[arg(long, env = "STATUSDATA_HTTPS")]
    https: bool,
    /// 相信其 `X-Forwarded-Proto: https` 的代理地址（可重复，或用逗号分隔）。
    #[arg(long, env = "STATUSDATA_TRUSTED_PROXIES", value_delimiter = ',')]
    trusted_proxy: Vec<std::net::IpAddr>,
    /// 允许从这个来源（另一个网站的页面，如 https://bi.example.edu.cn）跨域调用 API，可重复或用逗号分隔；
    /// 列出的来源带 Cookie 的修改也被接受，未列出的来源仍被拒绝。
    #[arg(long, env = "STATUSDATA_CORS_ORIGINS", value_delimiter = ',')]
    cors_origin: Vec<String>,
    /// 一个批量请求（JSON 数组）最多含多少个操作。
    #[arg(long, env = "STATUSDATA_MAX_BATCH", default_value_t = 10)]
    max_batch: usize,
    /// 持久化查询（APQ）缓存最多保存的文档数。
    #[arg(long, env = "STATUSDATA_APQ_CACHE_ENTRIES", default_value_t = 1000)]
    apq_cache_entries: usize,
    /// 持久化查询（APQ）缓存最多占用的内存（KB）。
    #[arg(long, env = "STATUSDATA_APQ_CACHE_KB", default_value_t = 8192)]
    apq_cache_kb: usize,
    /// 院领导签核核心数据之前 `/export/{cycle}/all.xlsx` 的做法：`warn`（照常导出，封面加提示）或 `refuse`（拒绝）。
    #[arg(long, env = "STATUSDATA_EXPORT_BEFORE_SIGNOFF", default_value = "warn")]
    export_before_signoff: statusdata::service::indicators::ExportGate,
    #[command(flatten)]
    project: ProjectArgs,
}

/// The log line format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// Logs to standard output at `RUST_LOG` (default info). Colour codes only reach a terminal: a
/// log file or a pipe gets plain text.
fn init_logging(format: LogFormat) {
    use std::io::IsTerminal;
    let filter =
        tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into());
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    match format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.with_ansi(std::io::stdout().is_terminal()).init(),
    }
}

#[derive(Args)]
pub struct PrintSchemaArgs {
    /// 表定义文件夹。
    #[arg(long, env = "STATUSDATA_DEFS", default_value = "table-defs")]
    defs: std::path::PathBuf,
    /// 不打印 SDL，而是对模式执行这个 GraphQL 文档（文件，或 - 表示标准输入）并打印 JSON 结果；用于内省查询，不需要数据库。
    #[arg(long)]
    execute: Option<std::path::PathBuf>,
}

pub async fn print_schema(args: PrintSchemaArgs) -> anyhow::Result<ExitCode> {
    let catalog = defs::load_catalog(&args.defs)
        .map_err(|p| anyhow::anyhow!("表定义 {} 有问题：\n{p}", args.defs.display()))?;
    let schema = build_schema(&catalog, None)?;
    match args.execute {
        None => print!("{}", schema.sdl()),
        Some(path) => {
            let query = if path.as_os_str() == "-" {
                std::io::read_to_string(std::io::stdin())?
            } else {
                std::fs::read_to_string(&path)
                    .with_context(|| format!("无法读取 {}", path.display()))?
            };
            let response = schema.execute(query).await;
            println!("{}", serde_json::to_string(&response)?);
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    if args.demo && cfg!(not(feature = "demo")) {
        anyhow::bail!(statusdata::version::Optional::Demo.missing());
    }
    init_logging(args.log_format);
    // The address first: a taken port or a bare port number fails in milliseconds, before any
    // migration, and nothing has been started that would have to be stopped.
    let listener = bind(&args.bind).await?;
    let addr = listener
        .local_addr()
        .map_or(args.bind.clone(), |a| a.to_string());
    let state = start(&args).await?;
    // From here every exit path (an error, a signal) drops `stop`, which ends the watcher's
    // blocking loop within one look; the runtime would otherwise wait for it forever.
    let stop = StopWatcher::default();
    tokio::spawn(watch(state.clone(), stop.0.clone()));
    let app = router(state);
    tracing::info!(%addr, "statusdata 在 http://{addr}/ 监听（GraphiQL：/graphiql）");
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown())
    .await
    .with_context(|| format!("在 {addr} 上的服务意外停止"))?;
    drop(stop);
    tracing::info!("已停止");
    Ok(ExitCode::SUCCESS)
}

/// Tells the watcher to stop when dropped.
#[derive(Default)]
struct StopWatcher(Arc<std::sync::atomic::AtomicBool>);

impl Drop for StopWatcher {
    fn drop(&mut self) {
        self.0.store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

/// Binds the listening address, or says in Chinese why not, naming it.
async fn bind(addr: &str) -> anyhow::Result<tokio::net::TcpListener> {
    use std::io::ErrorKind;
    if !addr.contains(':') {
        anyhow::bail!(
            "监听地址“{addr}”无效：应写成 主机:端口，如 127.0.0.1:8080（只允许本机访问）或 0.0.0.0:8080（所有网卡）；由 --bind 或 STATUSDATA_BIND 设置"
        );
    }
    tokio::net::TcpListener::bind(addr).await.map_err(|e| {
        let why = match e.kind() {
            ErrorKind::AddrInUse => {
                "端口已被占用（另一个 statusdata 或其他服务正在使用）；请停止占用者，或用 --bind / STATUSDATA_BIND 换一个端口".to_owned()
            }
            ErrorKind::AddrNotAvailable => "本机没有这个地址；请用本机的 IP，或 0.0.0.0".to_owned(),
            ErrorKind::PermissionDenied => "没有权限（1024 以下的端口需要特权）；请换一个端口".to_owned(),
            _ => format!("{e}；地址应写成 主机:端口，如 127.0.0.1:8080"),
        };
        anyhow::anyhow!("无法监听 {addr}：{why}")
    })
}

/// Everything before serving: the administrator's files, the database migrated, the policy and
/// definitions in force, the cycle installed (and the demo); the state the router serves.
async fn start(args: &ServeArgs) -> anyhow::Result<AppState> {
    let p = &args.project;
    for warning in statusdata::version::files_warnings(&p.defs, &p.units, &p.policies) {
        tracing::warn!("{warning}");
    }
    let db = shown(&args.db);
    let files: Files = p.files();
    let opened = Service::open_migrated(&args.db, &files, false)
        .await
        .map_err(|e| match e {
            e @ (OpenError::Definitions { .. }
            | OpenError::Units { .. }
            | OpenError::Policy { .. }) => {
                anyhow::anyhow!("{e}\n服务未启动")
            }
            e => anyhow::anyhow!("{e}，服务未启动"),
        })?;
    let (svc, report) = (opened.service, opened.report);
    if let Some(before) = &report.upgraded_from {
        tracing::info!(from = %before, to = %statusdata::version::current(), "数据库已从 statusdata {before} 升级");
    }
    tracing::info!(
        created = report.tables.created_tables.len(),
        added = report.tables.added_columns.len(),
        version = statusdata::version::LONG,
        "数据库 {db} 已是最新"
    );
    // These definitions are recorded as the database's unless they already are (the database's
    // policy is in force: policy.csv only seeded an empty database).
    let instance = format!(
        "{}:{}",
        std::env::var("HOSTNAME").unwrap_or_else(|_| "localhost".into()),
        std::process::id()
    );
    let defs_dir = p.defs.clone();
    let version = svc
        .blocking(move |svc| svc.record_start(&defs_dir, &instance))
        .await
        .map_err(|e| anyhow::anyhow!("无法记录表定义：{}", e.message))?;
    tracing::info!(version, "表定义第 {version} 版生效");
    install_cycle(&svc, &p.units, args.demo).await?;
    #[cfg(feature = "demo")]
    if args.demo {
        super::seed::serve_demo(&svc, &p.units).await?;
    }
    let schema = build_schema(svc.catalog(), Some(ApiConfig::default()))?;
    let mut state = AppState::new(schema, svc).with_definitions(p.defs.clone());
    state.live.set_version(version);
    configure(&mut state, args)?;
    Ok(state)
}

/// Installs the 2023 cycle from `cycle-2023.toml` beside the units file. For the demo its dates
/// move so that today is in the filling phase (every deadline a few weeks ahead); a cycle already
/// in the database keeps its dates unless its file changed, so a later `serve` leaves them.
pub(super) async fn install_cycle(
    svc: &Service,
    units_file: &Path,
    demo: bool,
) -> anyhow::Result<Installed> {
    let cycle_file = units_file.with_file_name("cycle-2023.toml");
    let cycle = defs::load_cycle(&cycle_file, svc.catalog())
        .map_err(|e| anyhow::anyhow!("采集周期文件 {} 有问题：\n{e}", cycle_file.display()))?;
    let today = demo.then(|| statusdata::workflow::progress::today(chrono::Utc::now()));
    let installed = svc
        .blocking(move |svc| svc.install_cycle(&svc.system(), &cycle, today))
        .await
        .map_err(|e| anyhow::anyhow!("无法安装采集周期 {}：{}", cycle_file.display(), e.message))?;
    tracing::info!(?installed, "采集周期来自 {}", cycle_file.display());
    Ok(installed)
}

/// The limits and proxy settings of the flags.
fn configure(state: &mut AppState, args: &ServeArgs) -> anyhow::Result<()> {
    state.import_limits.max_bytes = args.import_max_mb << 20;
    state.import_limits.max_rows = args.import_max_rows;
    state.set_export_gate(args.export_before_signoff);
    state.case_limits = statusdata::service::cases::AttachmentLimits::parse(
        args.case_attachment_max_mb,
        &args.case_attachment_types,
    )
    .map_err(anyhow::Error::msg)?;
    let cors_origins = args
        .cors_origin
        .iter()
        .filter(|o| !o.trim().is_empty())
        .map(|o| statusdata::http::cors::normalize_origin(o))
        .collect::<Result<Vec<_>, _>>()
        .map_err(anyhow::Error::msg)?;
    if args.max_batch == 0 {
        anyhow::bail!("--max-batch（STATUSDATA_MAX_BATCH）至少为 1");
    }
    state.request_limits = Arc::new(statusdata::http::guard::RequestLimits {
        max_body: args.max_body_kb << 10,
        max_nesting: args.max_nesting,
        https: args.https,
        trusted_proxies: args.trusted_proxy.clone(),
        max_batch: args.max_batch,
        cors_origins,
        ..Default::default()
    });
    state.documents = Arc::new(statusdata::http::documents::DocumentCache::new(
        statusdata::http::documents::CacheLimits {
            entries: args.apq_cache_entries,
            bytes: args.apq_cache_kb << 10,
        },
    ));
    Ok(())
}
