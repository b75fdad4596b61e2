//! `statusdata serve` and `statusdata print-schema`.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::Args;
use statusdata::defs;
use statusdata::demo::{self, DemoOptions};
use statusdata::graphql::{build_schema, ApiConfig};
use statusdata::http::{router, AppState};
use statusdata::service::definitions::Mode;
use statusdata::service::watch::Watch;
use statusdata::service::Service;
use statusdata::store::{Store, DEFAULT_DATABASE_URL};

use super::ProjectArgs;

#[derive(Args)]
pub struct ServeArgs {
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    db: String,
    /// Address to listen on.
    #[arg(long, env = "STATUSDATA_BIND", default_value = "127.0.0.1:8080")]
    bind: String,
    /// Demo mode: fill an empty database with the demo college and the demo accounts of
    /// seeds/demo-accounts.csv.
    #[arg(long)]
    demo: bool,
    /// The largest Excel file an import accepts, in MB.
    #[arg(long, env = "STATUSDATA_IMPORT_MAX_MB", default_value_t = 20)]
    import_max_mb: usize,
    /// The most data rows one Excel import accepts.
    #[arg(long, env = "STATUSDATA_IMPORT_MAX_ROWS", default_value_t = 100_000)]
    import_max_rows: usize,
    /// The largest 典型案例 attachment, in MB.
    #[arg(long, env = "STATUSDATA_CASE_ATTACHMENT_MAX_MB", default_value_t = 10)]
    case_attachment_max_mb: usize,
    /// The file types a 典型案例 attachment may have, by extension (checked by content).
    #[arg(
        long,
        env = "STATUSDATA_CASE_ATTACHMENT_TYPES",
        default_value = "pdf,docx,xlsx,jpg,png"
    )]
    case_attachment_types: String,
    /// How log lines are written: `text` (coloured only on a terminal) or `json` (one object per
    /// line, for log shippers).
    #[arg(long, env = "STATUSDATA_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
    /// The largest POST body /graphql accepts, in KB.
    #[arg(long, env = "STATUSDATA_MAX_BODY_KB", default_value_t = 2048)]
    max_body_kb: usize,
    /// The deepest bracket nesting a GraphQL document or its variables may have.
    #[arg(long, env = "STATUSDATA_MAX_NESTING", default_value_t = 64)]
    max_nesting: usize,
    /// The service is reached over https (a TLS proxy in front): session cookies get `Secure`.
    #[arg(long, env = "STATUSDATA_HTTPS")]
    https: bool,
    /// A proxy whose `X-Forwarded-Proto: https` is believed (repeat, or comma-separated).
    #[arg(long, env = "STATUSDATA_TRUSTED_PROXIES", value_delimiter = ',')]
    trusted_proxy: Vec<std::net::IpAddr>,
    /// What `/export/{cycle}/all.xlsx` does before the leaders sign off the core indicators:
    /// `warn` (export, with a warning on the cover) or `refuse`.
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
    /// 表定义目录
    #[arg(long, env = "STATUSDATA_DEFS", default_value = "table-defs")]
    defs: std::path::PathBuf,
    /// 不打印 SDL，而是对模式执行这个 GraphQL 文档（文件，或 - 表示标准输入）并打印 JSON 结果；用于内省，不需要数据库
    #[arg(long)]
    execute: Option<std::path::PathBuf>,
}

pub async fn print_schema(args: PrintSchemaArgs) -> anyhow::Result<ExitCode> {
    let catalog = defs::load_catalog(&args.defs).map_err(|p| anyhow::anyhow!("{p}"))?;
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
    init_logging(args.log_format);
    let p = args.project;
    let catalog = Arc::new(
        defs::load_catalog(&p.defs)
            .map_err(|e| anyhow::anyhow!("{e}"))
            .context("table definitions")?,
    );
    let units = Arc::new(defs::load_units(&p.units).map_err(|e| anyhow::anyhow!("{e}"))?);
    let store = Store::open(&args.db, catalog.clone())?;
    let migrate_units = units.clone();
    let report = store
        .call(move |s| s.migrate(&migrate_units, false))
        .await?;
    tracing::info!(
        created = report.tables.created_tables.len(),
        added = report.tables.added_columns.len(),
        "database {} is up to date",
        args.db
    );
    // The database's policy is in force (policy.csv only seeds an empty database), and these
    // definitions are recorded as the database's unless they already are.
    let cell = statusdata::service::rights::open_policy(&store, &p.policies)
        .await
        .map_err(|e| anyhow::anyhow!(e))?;
    let instance = format!(
        "{}:{}",
        std::env::var("HOSTNAME").unwrap_or_else(|_| "localhost".into()),
        std::process::id()
    );
    let defs_dir = p.defs.clone();
    let version = store
        .call(move |s| {
            statusdata::service::definitions::record_start(s, &defs_dir, &instance)
                .map_err(|e| statusdata::store::StoreError::Database(e.message))
        })
        .await?;
    tracing::info!(version, "definitions in force");
    let svc = Service::new(store.clone(), cell.clone(), units.clone());
    super::seed::install_cycle(&svc, &p.units, args.demo).await?;
    if args.demo {
        let accounts = std::fs::read_to_string(p.units.with_file_name("demo-accounts.csv")).ok();
        match super::seed::demo_college(&svc, accounts, DemoOptions::default()).await {
            Ok(r) => tracing::info!(
                rows = r.rows.iter().map(|x| x.2).sum::<usize>(),
                previous_rows = r.previous_rows,
                "已生成演示学院及其上一周期 {}",
                demo::PREVIOUS
            ),
            Err(demo::DemoError::NotEmpty(_)) => {
                tracing::info!("数据库中已有数据，演示数据保持不变")
            }
            Err(e) => return Err(e.into()),
        }
        tracing::info!("演示账号见 seeds/demo-accounts.csv，首次登录须修改密码");
    }
    let schema = build_schema(&catalog, Some((store.clone(), ApiConfig::default())))?;
    let mut state = AppState::new(schema, store, cell, units).with_definitions(p.defs.clone());
    state.live.set_version(version);
    state.import_limits.max_bytes = args.import_max_mb << 20;
    state.import_limits.max_rows = args.import_max_rows;
    state.set_export_gate(args.export_before_signoff);
    state.case_limits = statusdata::service::cases::AttachmentLimits::parse(
        args.case_attachment_max_mb,
        &args.case_attachment_types,
    )
    .map_err(anyhow::Error::msg)?;
    state.request_limits = Arc::new(statusdata::http::guard::RequestLimits {
        max_body: args.max_body_kb << 10,
        max_nesting: args.max_nesting,
        https: args.https,
        trusted_proxies: args.trusted_proxy,
        ..Default::default()
    });
    // The watcher loops on a blocking thread; the runtime waits for it when the process ends, so
    // it must hear that serving stopped (within one two-second look) or shutdown would hang.
    let stopping = Arc::new(std::sync::atomic::AtomicBool::new(false));
    tokio::spawn(watch(state.clone(), stopping.clone()));
    let app = router(state);
    let listener = tokio::net::TcpListener::bind(&args.bind)
        .await
        .with_context(|| format!("cannot listen on {}", args.bind))?;
    tracing::info!(
        "statusdata listening on http://{}/ (GraphiQL: /graphiql)",
        args.bind
    );
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown())
    .await?;
    stopping.store(true, std::sync::atomic::Ordering::SeqCst);
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}

/// Follows what other instances and commands change in the database (policy, definitions,
/// `statusdata reload`), and reloads on SIGHUP. PostgreSQL wakes it at once (LISTEN); it also
/// looks every two seconds, which on SQLite is the only way.
async fn watch(state: AppState, stopping: Arc<std::sync::atomic::AtomicBool>) {
    let Some(defs) = state.definitions.clone() else {
        return;
    };
    #[cfg(unix)]
    {
        let (state, defs) = (state.clone(), defs.clone());
        tokio::spawn(async move {
            use tokio::signal::unix::{signal, SignalKind};
            let Ok(mut hup) = signal(SignalKind::hangup()) else {
                return;
            };
            while hup.recv().await.is_some() {
                tracing::info!("SIGHUP: reloading definitions and policy");
                let defs = defs.clone();
                let done = state
                    .service()
                    .blocking(move |svc| {
                        svc.refresh_policy()?;
                        defs.reload(svc, &svc.system(), Mode::Explicit)
                    })
                    .await;
                match done {
                    Ok(r) => tracing::info!(
                        version = r.version,
                        recorded = r.recorded,
                        "definitions reloaded"
                    ),
                    Err(e) => tracing::error!(error = %e.message, "definitions not reloaded"),
                }
            }
        });
    }
    let looked = tokio::task::spawn_blocking(move || {
        let mut listener = state.store.listener();
        let mut watch = Watch::start(&state.service());
        while !stopping.load(std::sync::atomic::Ordering::SeqCst) {
            listener.wait(std::time::Duration::from_secs(2));
            let generation = state.current();
            watch.look(&state.service_on(&generation), &defs, generation.version);
        }
    })
    .await;
    if let Err(e) = looked {
        tracing::error!(error = %e, "the watcher stopped");
    }
}

/// Resolves on Ctrl-C or SIGTERM, so that in-flight requests finish before the process exits.
async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}
