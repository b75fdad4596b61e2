//! Checks on `/graphql` made before async-graphql reads a byte: the body and query-string size,
//! the nesting depth of the document and its variables (counted without recursion, because
//! async-graphql's parser recurses per level and a few thousand levels overflow its stack), the
//! length of names, the document's size after fragment expansion and its estimated cost (see
//! [`cost`]), mutations only by POST with `application/json` and, when a cookie authenticates,
//! from a page of this server (or a listed cross-origin client); and the session cookie marked
//! `Secure` when the service is reached over https. A persisted query (Apollo's APQ) is resolved
//! to its text first and a batch (a JSON array) checked operation by operation, its cost summed,
//! so neither a hash nor a batch passes a limit a plain request would not ([`read`]). What a
//! caller may spend (cost, time, heavy requests at once) is decided once the caller is known
//! ([`admit`]).

use std::net::IpAddr;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::header::{CONTENT_LENGTH, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::documents::DocumentCache;

mod admit;
pub mod cost;
mod depth;
mod origin;
mod read;
pub use admit::{timed_out, Admission, InFlight};
pub use depth::{json_depth, query_depth};
pub use origin::same_origin_writes;
use origin::{cookie_authenticates, from_trusted_proxy, trusted_origin, FOREIGN_PAGE};
pub use read::{Prepared, PERSISTED_QUERY_NOT_FOUND, SHA_MISMATCH};

/// What `/graphql` accepts; `serve` flags change it (README, “限制”).
#[derive(Debug, Clone)]
pub struct RequestLimits {
    /// The largest POST body, in bytes.
    pub max_body: usize,
    /// The longest query string of a GET, in bytes.
    pub max_query_string: usize,
    /// The deepest nesting of `{`, `[` and `(` in a document, and of `{`/`[` in its variables.
    pub max_nesting: usize,
    /// The service is reached over https (behind a TLS proxy): cookies are marked `Secure`.
    pub https: bool,
    /// Proxies whose `X-Forwarded-Proto: https` is believed.
    pub trusted_proxies: Vec<IpAddr>,
    /// Names, operations, fragments, aliases, arguments and selections of a document.
    pub document: cost::DocumentLimits,
    /// What one request may spend, signed in and anonymous (README, “限制”).
    pub signed_in: Budget,
    pub anonymous: Budget,
    /// A request estimated to cost at least this much is heavy ...
    pub heavy_cost: u64,
    /// ... and one principal (an account, or an address when anonymous) runs at most this many
    /// heavy requests at once.
    pub heavy_in_flight: usize,
    /// A request costing at least this much (a whole-cycle `runChecks`, `reloadDefinitions`)
    /// from 质量部 or the system administrator may run for `long_time` instead of the signed-in
    /// budget's time: checking the whole college takes longer than a page, and refusing it at
    /// ten seconds on a busy server would leave 质量部 with no way to run it.
    pub long_cost: u64,
    pub long_time: std::time::Duration,
    /// The most operations one batched request (a JSON array) may carry.
    pub max_batch: usize,
    /// Origins of browser clients on other sites (`serve --cors-origin`, normalized by
    /// `http::cors::normalize_origin`): allowed by CORS and trusted like the server's own pages.
    pub cors_origins: Vec<String>,
}

/// What one request may spend.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    /// The estimated cost of its documents (see [`cost`]).
    pub cost: u64,
    /// Its running time, after which it is cancelled and its database work interrupted.
    pub time: std::time::Duration,
}

impl Default for RequestLimits {
    fn default() -> Self {
        RequestLimits {
            max_body: super::MAX_BODY,
            max_query_string: 32 << 10,
            max_nesting: 64,
            https: false,
            trusted_proxies: Vec::new(),
            document: cost::DocumentLimits::default(),
            signed_in: Budget {
                cost: 60_000,
                time: std::time::Duration::from_secs(10),
            },
            anonymous: Budget {
                cost: 6_000,
                time: std::time::Duration::from_secs(5),
            },
            heavy_cost: 5_000,
            heavy_in_flight: 4,
            long_cost: 20_000,
            long_time: std::time::Duration::from_secs(120),
            max_batch: 10,
            cors_origins: Vec::new(),
        }
    }
}

/// The estimated cost of a request's documents, left by the guard for the handler.
#[derive(Debug, Clone, Copy, Default)]
pub struct Cost(pub u64);

/// Why a request is refused: answered in the shape of a GraphQL error, so clients read it where
/// they read every error.
pub struct Refusal {
    status: StatusCode,
    code: &'static str,
    message: String,
}

fn refuse(status: StatusCode, message: impl Into<String>) -> Refusal {
    Refusal {
        status,
        code: "BAD_REQUEST",
        message: message.into(),
    }
}

/// A refusal for the cost of a request (`TOO_COMPLEX`, 400): a smaller request would pass.
pub(super) fn too_complex(message: impl Into<String>) -> Refusal {
    Refusal {
        status: StatusCode::BAD_REQUEST,
        code: "TOO_COMPLEX",
        message: message.into(),
    }
}

/// A refusal of a document over a size limit: names too long are malformed (`BAD_REQUEST`),
/// the rest too large to run (`TOO_COMPLEX`).
fn over_limit(refused: cost::Refused) -> Refusal {
    match refused {
        cost::Refused::Malformed(m) => refuse(StatusCode::BAD_REQUEST, m),
        cost::Refused::TooLarge(m) => too_complex(m),
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let body = json!({
            "errors": [{ "message": self.message, "extensions": { "code": self.code } }]
        });
        (self.status, axum::Json(body)).into_response()
    }
}

/// The middleware of `/graphql`: on success the handler finds the checked requests in the
/// request's [`Prepared`] extension and their estimated cost in [`Cost`].
pub async fn graphql(State(app): State<super::AppState>, request: Request, next: Next) -> Response {
    let limits = &app.request_limits;
    let https = is_https(limits, &request);
    let request = match check(limits, &app.documents, request).await {
        Ok(r) => r,
        Err(refusal) => return refusal.into_response(),
    };
    let mut response = next.run(request).await;
    if https {
        mark_secure(response.headers_mut());
    }
    response
}

async fn check(
    limits: &RequestLimits,
    cache: &DocumentCache,
    request: Request,
) -> Result<Request, Refusal> {
    let (parts, body) = request.into_parts();
    let (requests, batch) = match parts.method {
        Method::GET => {
            let query = parts.uri.query().unwrap_or("");
            if query.len() > limits.max_query_string {
                return Err(refuse(
                    StatusCode::URI_TOO_LONG,
                    format!(
                        "请求地址过长（{} 字节），GET 查询串上限为 {} 字节；长查询请用 POST",
                        query.len(),
                        limits.max_query_string
                    ),
                ));
            }
            (vec![read::get_request(limits, query)?], false)
        }
        Method::POST => {
            let bytes = read_body(limits, &parts.headers, body).await?;
            read::post_requests(limits, &parts.headers, &bytes)?
        }
        _ => {
            return Err(refuse(
                StatusCode::METHOD_NOT_ALLOWED,
                "/graphql 只接受 GET（查询）和 POST",
            ))
        }
    };
    let documents = requests
        .into_iter()
        .map(|r| read::resolve(cache, r))
        .collect::<Result<Vec<_>, _>>()?;
    let (mutation, total) = analyse_all(limits, &documents)?;
    if mutation && parts.method == Method::GET {
        return Err(refuse(
            StatusCode::METHOD_NOT_ALLOWED,
            "修改操作（mutation）只能用 POST 提交，GET 只用于查询",
        ));
    }
    let proxied = from_trusted_proxy(limits, &parts.extensions);
    if mutation
        && cookie_authenticates(&parts.headers)
        && !trusted_origin(limits, &parts.headers, proxied)
    {
        return Err(refuse(StatusCode::FORBIDDEN, FOREIGN_PAGE));
    }
    // Only a document that passed every check is kept for its hash.
    for d in &documents {
        if let Some(hash) = &d.register {
            cache.insert(hash.clone(), d.query.as_str().into());
        }
    }
    let mut parts = parts;
    parts.extensions.insert(Cost(total));
    parts.extensions.insert(read::prepare(documents, batch)?);
    Ok(Request::from_parts(parts, Body::empty()))
}

/// Whether any document runs a mutation, and what they cost together; refused past a limit.
fn analyse_all(
    limits: &RequestLimits,
    documents: &[read::Document],
) -> Result<(bool, u64), Refusal> {
    let (mut mutation, mut total) = (false, 0u64);
    for d in documents {
        if query_depth(&d.query, limits.max_nesting).is_none() {
            return Err(too_deep(limits));
        }
        let analysis = cost::analyse(&d.query, d.operation(), d.variables(), &limits.document)
            .map_err(over_limit)?;
        mutation |= analysis.mutation;
        total = total.saturating_add(analysis.cost);
    }
    Ok((mutation, total))
}

fn too_deep(limits: &RequestLimits) -> Refusal {
    refuse(
        StatusCode::BAD_REQUEST,
        format!(
            "请求嵌套过深：括号嵌套超过 {} 层（查询、过滤条件或变量），已拒绝",
            limits.max_nesting
        ),
    )
}

/// The body, read only up to the limit: a larger one is refused before it is held in memory.
async fn read_body(
    limits: &RequestLimits,
    headers: &HeaderMap,
    body: Body,
) -> Result<Bytes, Refusal> {
    let too_large = || {
        refuse(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("请求体过大，上限为 {} KB", limits.max_body >> 10),
        )
    };
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limits.max_body as u64) {
        return Err(too_large());
    }
    axum::body::to_bytes(body, limits.max_body)
        .await
        .map_err(|_| too_large())
}

/// Whether the client reached the service over https: always when configured so, else when a
/// trusted proxy says so.
fn is_https(limits: &RequestLimits, request: &Request) -> bool {
    if limits.https {
        return true;
    }
    from_trusted_proxy(limits, request.extensions())
        && request
            .headers()
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|p| p.trim().eq_ignore_ascii_case("https"))
}

fn mark_secure(headers: &mut HeaderMap) {
    let cookies: Vec<HeaderValue> = headers.get_all(SET_COOKIE).iter().cloned().collect();
    if cookies.is_empty() {
        return;
    }
    headers.remove(SET_COOKIE);
    for c in cookies {
        let secured = match c.to_str() {
            Ok(s) if !s.to_ascii_lowercase().contains("; secure") => {
                HeaderValue::from_str(&format!("{s}; Secure")).unwrap_or(c)
            }
            _ => c,
        };
        headers.append(SET_COOKIE, secured);
    }
}

/// The span of a request: method and path only. The query string can carry a GraphQL document
/// with its values (a password in a GET login) and must not reach the log.
pub fn span(request: &axum::http::Request<Body>) -> tracing::Span {
    tracing::info_span!("request", method = %request.method(), path = %request.uri().path())
}
