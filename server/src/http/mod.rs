//! The HTTP surface (axum): `/graphql`, `/graphiql` with its embedded assets, `/healthz`.
//! Handlers are thin: extract, attach the principal, execute, respond.

mod assets;

use std::sync::Arc;
use std::time::Duration;

use async_graphql::dynamic::Schema;
use async_graphql_axum::{GraphQLRequest, GraphQLResponse};
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::authz::{Access, Policy, Principal};
use crate::defs::Units;
use crate::graphql::loader::RefLoader;
use crate::store::Store;

/// The largest request body accepted.
pub const MAX_BODY: usize = 2 * 1024 * 1024;
/// How long one request may take.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Everything a request handler needs.
#[derive(Clone)]
pub struct AppState {
    pub schema: Schema,
    pub store: Store,
    pub policy: Arc<Policy>,
    pub units: Arc<Units>,
    /// `serve --demo`: every request runs as the development principal.
    pub development: bool,
}

/// The router, without a socket (tests drive it directly).
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/graphql", get(graphql).post(graphql))
        .route("/graphiql", get(assets::graphiql))
        .route("/assets/{name}", get(assets::asset))
        .route("/healthz", get(healthz))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
                .on_response(
                    DefaultOnResponse::new()
                        .level(Level::INFO)
                        .latency_unit(tower_http::LatencyUnit::Millis),
                ),
        )
        .with_state(state)
}

async fn graphql(State(app): State<AppState>, request: GraphQLRequest) -> GraphQLResponse {
    let mut request = request.into_inner();
    if app.development {
        let access = Access::new(Principal::development(), app.policy.clone(), &app.units);
        request = request
            .data(RefLoader::data_loader(app.store.clone(), access.clone()))
            .data(access);
    }
    let mut response = app.schema.execute(request).await;
    // Parse, validation and limit errors come from async-graphql without a code; every error a
    // client sees carries one of the contract's codes.
    for e in &mut response.errors {
        let ext = e.extensions.get_or_insert_with(Default::default);
        if ext.get("code").is_none() {
            ext.set("code", "BAD_REQUEST");
        }
    }
    response.into()
}

async fn healthz(State(app): State<AppState>) -> (StatusCode, &'static str) {
    match app.store.call(|s| s.ping()).await {
        Ok(()) => (StatusCode::OK, "ok"),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable")
        }
    }
}
