//! The HTTP surface (axum): `/graphql`, `/graphiql` with its embedded assets, `/healthz`, and
//! Excel templates, exports and imports.
//! Handlers are thin: extract, attach the principal, execute, respond.

mod assets;
mod cases;
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
use async_graphql_axum::{GraphQLRequest, GraphQLResponse};
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, DefaultBodyLimit, State};
use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, MethodRouter};
use axum::Extension;
use axum::Router;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::auth::cache::SessionCache;
use crate::auth::service::Clock;
use crate::authz::Principal;
use crate::service::budget::{self, Budget};
use crate::service::roles;
use crate::service::session::{ClientAddr, SessionToken, COOKIE as SESSION_COOKIE};
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
            get(graphql)
                .post(graphql)
                .layer(axum::middleware::from_fn_with_state(
                    state.request_limits.clone(),
                    guard::graphql,
                )),
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

async fn graphql(
    State(app): State<AppState>,
    connect: Option<Extension<ConnectInfo<SocketAddr>>>,
    cost: Option<Extension<guard::Cost>>,
    headers: HeaderMap,
    request: GraphQLRequest,
) -> Response {
    // One generation for the whole request: a reload meanwhile does not change its schema.
    let generation = app.current();
    let svc = generation.service.clone();
    let mut request = request.into_inner().data(svc.clone());
    if let Some(d) = &app.definitions {
        request = request.data(d.clone());
    }
    let address = connect.map(|Extension(ConnectInfo(addr))| addr.ip());
    if let Some(ip) = address {
        request = request.data(ClientAddr(ip));
    }
    let token = token_of(&headers);
    if let Some(t) = &token {
        request = request.data(SessionToken(t.clone()));
    }
    let principal = principal_of(&app, token).await;
    let cost = cost.map_or(0, |Extension(guard::Cost(c))| c);
    let who = principal.as_ref().map(|p| p.staff_no.as_str());
    let mut admission = match guard::Admission::admit(
        &app.request_limits,
        &app.in_flight,
        who,
        address,
        cost,
    )
    .await
    {
        Ok(a) => a,
        Err(refusal) => return refusal.into_response(),
    };
    if let Some(principal) = principal {
        if cost >= app.request_limits.long_cost && roles::runs_maintenance(&principal) {
            admission.time = admission.time.max(app.request_limits.long_time);
        }
        request = request.data(svc.access(principal));
    }
    let (query, operation) = (request.query.clone(), request.operation_name.clone());
    // The budget reaches every blocking call the request makes; dropping this future (time out,
    // client gone) cancels it, and the database stops the work it started.
    let budget = Budget::start(admission.time);
    let _cancel = budget.cancel_on_drop();
    let run = budget::within(budget.clone(), generation.schema.execute(request));
    let Ok(mut response) = tokio::time::timeout(admission.time, run).await else {
        return guard::timed_out(admission.time).into_response();
    };
    order::order_response(&query, operation.as_deref(), &mut response);
    coded(&mut response);
    GraphQLResponse::from(response).into_response()
}

/// Every error a client sees carries one of the contract's codes. Parse, validation and limit
/// errors come from async-graphql without a code and without a path: the request was bad.
/// An error raised while resolving without a code was not foreseen: INTERNAL, its detail logged
/// and not shown.
fn coded(response: &mut async_graphql::Response) {
    for e in &mut response.errors {
        let has_code = e
            .extensions
            .as_ref()
            .is_some_and(|ext| ext.get("code").is_some());
        if has_code {
            continue;
        }
        let ext = e.extensions.get_or_insert_with(Default::default);
        if e.path.is_empty() {
            ext.set("code", "BAD_REQUEST");
        } else {
            tracing::error!(error = %e.message, path = ?e.path, "解析器出错且没有错误代码");
            ext.set("code", "INTERNAL");
            e.message = crate::service::error::INTERNAL_MESSAGE.to_owned();
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
