//! The HTTP surface (axum): `/graphql`, `/graphiql` with its embedded assets, `/healthz`, and
//! Excel templates, exports and imports; CORS for the origins `serve --cors-origin` lists.
//! Handlers are thin: extract, attach the principal, execute, respond.

mod annual;
mod assets;
mod cases;
pub mod cors;
pub mod documents;
mod endpoint;
mod files;
mod gaoji;
pub mod guard;
mod import;
pub mod live;
mod metrics;
mod order;
mod reply;

use std::sync::Arc;
use std::time::Duration;

use async_graphql::dynamic::Schema;

use axum::extract::{DefaultBodyLimit, State};
use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post, MethodRouter};
use axum::Router;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::auth::cache::SessionCache;
use crate::auth::service::Clock;
use crate::authz::Principal;
use crate::service::session::COOKIE as SESSION_COOKIE;
use crate::service::Service;

/// The largest request body accepted.
pub const MAX_BODY: usize = 2 * 1024 * 1024;
/// How long one request may take.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// How long an Excel template, export or import may take.
pub const FILE_TIMEOUT: Duration = Duration::from_secs(600);

/// What the HTTP face keeps beside the service: the generation in force, its limits, the
/// session cache and the requests in flight. Store, policy, units and clock are the service's.
#[derive(Clone)]
pub struct AppState {
    /// The schema and service of the definitions in force (see [`live`]).
    pub live: Arc<live::Live>,
    /// Reloads the definitions (set by `serve`; absent in tests that do not reload).
    pub definitions: Option<crate::service::definitions::Definitions>,
    /// Every request runs as the development principal. Never set by the binary: tests only.
    pub development: bool,
    /// What an Excel import accepts (file size, unpacked size, rows).
    pub import_limits: crate::xlsx::import::Limits,
    /// What a 典型案例 attachment may be (size, types).
    pub case_limits: crate::service::cases::AttachmentLimits,
    /// What `/graphql` accepts before async-graphql reads it (size, nesting, method, origin).
    pub request_limits: Arc<guard::RequestLimits>,
    /// Sessions and tokens looked up in the last few seconds (see [`SessionCache`]).
    pub sessions: Arc<SessionCache>,
    /// The heavy `/graphql` requests in flight, per principal.
    pub in_flight: Arc<guard::InFlight>,
    /// The persisted queries' documents, shared by every generation.
    pub documents: Arc<documents::DocumentCache>,
}

impl AppState {
    /// The state for a schema over the service's catalog.
    pub fn new(schema: Schema, service: Service) -> AppState {
        let live = Arc::new(live::Live::new(
            schema,
            service,
            crate::graphql::ApiConfig::default(),
        ));
        AppState {
            live,
            definitions: None,
            development: false,
            import_limits: crate::xlsx::import::Limits::default(),
            case_limits: crate::service::cases::AttachmentLimits::default(),
            request_limits: Arc::default(),
            sessions: Arc::default(),
            in_flight: Arc::default(),
            documents: Arc::default(),
        }
    }

    /// What the whole-cycle export does before the leaders sign off the core data.
    pub fn set_export_gate(&mut self, gate: crate::service::indicators::ExportGate) {
        self.live.update(|svc, _| svc.export_gate = gate);
    }

    /// The clock deadlines, sessions and audit times follow (tests move it).
    pub fn set_clock(&mut self, clock: Clock) {
        self.live.update(|svc, _| svc.clock = clock);
    }

    /// The use cases over the definitions in force.
    pub fn service(&self) -> Service {
        self.current().service.clone()
    }

    /// The use cases over one generation.
    pub fn service_on(&self, generation: &live::Generation) -> Service {
        generation.service.clone()
    }

    /// The definitions in force now: a request takes them once and keeps them to its end.
    pub fn current(&self) -> Arc<live::Generation> {
        self.live.current()
    }

    /// Lets `reloadDefinitions`, SIGHUP and `statusdata reload` reload the definitions in `dir`
    /// into this state's schema.
    pub fn with_definitions(mut self, dir: std::path::PathBuf) -> AppState {
        let live = self.live.clone();
        let install: crate::service::definitions::Installer = Arc::new(move |store, version| {
            let service = live.current().service.on_store(store.clone());
            live.install(service, version)
        });
        self.definitions = Some(crate::service::definitions::Definitions::new(dir, install));
        self
    }
}

/// The router, without a socket (tests drive it directly).
pub fn router(state: AppState) -> Router {
    // The body may carry the largest accepted file plus its multipart framing; a larger file is
    // still refused with the import's own message (see `import::MAX_FRAMING`).
    let upload_limit = state.import_limits.max_bytes + import::MAX_FRAMING;
    let case_upload_limit = state.case_limits.max_bytes + cases::MAX_FRAMING;
    // A cookie-authenticated change must come from a page of this server, as on /graphql;
    // checked before the body is read.
    let same_origin = || {
        axum::middleware::from_fn_with_state(
            state.request_limits.clone(),
            guard::same_origin_writes,
        )
    };
    // An upload: a POST whose body may be as large as `limit`, from a page of this server.
    let upload = |handler: MethodRouter<AppState>, limit: usize| {
        handler
            .layer(DefaultBodyLimit::max(limit))
            .layer(same_origin())
    };
    // Excel files take as long as their rows: a large import on a busy PostgreSQL must not be cut
    // off at the API's timeout while its transaction goes on to commit.
    let files = Router::new()
        .route("/templates/{file}", get(files::template))
        .route("/export/{cycle}/annual-report.xlsx", get(annual::xlsx))
        .route("/export/{cycle}/annual-report.docx", get(annual::docx))
        .route("/export/{cycle}/{file}", get(files::export))
        .route("/export/{cycle}/cases.docx", get(cases::export_docx))
        .route(
            "/cases/{id}/attachments",
            upload(post(cases::upload), case_upload_limit),
        )
        .route("/cases/attachments/{id}", get(cases::download))
        .route(
            "/import/{cycle}/{code}",
            upload(post(import::import), upload_limit),
        )
        .route("/gaoji/{cycle}/template.xlsx", get(gaoji::template))
        .route(
            "/gaoji/{cycle}/import",
            upload(post(gaoji::import), upload_limit),
        )
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            FILE_TIMEOUT,
        ));
    Router::new()
        .route(
            "/graphql",
            get(endpoint::graphql).post(endpoint::graphql).layer(
                axum::middleware::from_fn_with_state(state.clone(), guard::graphql),
            ),
        )
        .route("/", get(assets::index))
        .route("/graphiql", get(assets::graphiql))
        .route("/assets/{name}", get(assets::asset))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics::metrics))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .merge(files)
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(guard::span)
                .on_response(
                    DefaultOnResponse::new()
                        .level(Level::INFO)
                        .latency_unit(tower_http::LatencyUnit::Millis),
                ),
        )
        .route_layer(axum::middleware::from_fn(metrics::track))
        .layer(axum::middleware::from_fn(reply::coded_refusals))
        // Outermost: a preflight is answered before anything else, and every answer (a refusal
        // too) carries the CORS headers a listed origin needs to read it.
        .layer(cors::layer(&state.request_limits.cors_origins))
        .with_state(state)
}

/// The session token of a request: `Authorization: Bearer …` first, then the session cookie.
pub(crate) fn token_of(headers: &HeaderMap) -> Option<String> {
    if let Some(bearer) = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    {
        return Some(bearer.trim().to_owned());
    }
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| {
            c.trim()
                .strip_prefix(&format!("{SESSION_COOKIE}="))
                .map(str::to_owned)
        })
        .find(|t| !t.is_empty())
}

/// The principal behind a request's token (or the development principal in tests).
pub(crate) async fn principal_of(app: &AppState, token: Option<String>) -> Option<Principal> {
    if app.development {
        return Some(Principal::development());
    }
    let token = token?;
    let sessions = app.sessions.clone();
    match app
        .service()
        .blocking(move |svc| svc.authenticate(&sessions, &token))
        .await
    {
        Ok(p) => p,
        Err(e) => {
            tracing::error!(error = %e.message, "无法检查会话");
            None
        }
    }
}

async fn healthz(State(app): State<AppState>) -> (StatusCode, &'static str) {
    match app.service().blocking(|svc| svc.ping()).await {
        Ok(()) => (StatusCode::OK, "ok"),
        Err(e) => {
            tracing::error!(error = %e.message, "健康检查失败");
            (StatusCode::SERVICE_UNAVAILABLE, "数据库无法连接")
        }
    }
}

/// `GET /readyz`: 200 when the database answers, its core migrations are applied and its data
/// tables match the definitions, which are the database's newest version; 503 with the reasons
/// otherwise (a load balancer sends no traffic to an instance whose files and database disagree).
async fn readyz(State(app): State<AppState>) -> (StatusCode, String) {
    let generation = app.current();
    let version = generation.version;
    let checked = generation
        .service
        .blocking(move |svc| svc.readiness(version))
        .await;
    match checked {
        Ok(why) if why.is_empty() => (StatusCode::OK, "ready".into()),
        Ok(why) => (StatusCode::SERVICE_UNAVAILABLE, why.join("\n")),
        Err(e) => {
            tracing::error!(error = %e.message, "就绪检查失败");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "无法访问数据库：请检查 DATABASE_URL 与数据库服务".into(),
            )
        }
    }
}
