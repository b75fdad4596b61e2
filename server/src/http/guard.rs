//! Checks on `/graphql` made before async-graphql reads a byte: the body and query-string size,
//! the nesting depth of the document and its variables (counted without recursion, because
//! async-graphql's parser recurses per level and a few thousand levels overflow its stack),
//! mutations only by POST with `application/json` and, when a cookie authenticates, from a page
//! of this server; and the session cookie marked `Secure` when the service is reached over https.
//! This module owns no GraphQL semantics beyond telling a mutation from a query.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use async_graphql::parser::types::{DocumentOperations, OperationType};
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE, COOKIE, HOST, ORIGIN, REFERER, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value as Json};

use crate::service::session::COOKIE as SESSION_COOKIE;

mod depth;
pub use depth::{json_depth, query_depth};

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
}

impl Default for RequestLimits {
    fn default() -> Self {
        RequestLimits {
            max_body: super::MAX_BODY,
            max_query_string: 32 << 10,
            max_nesting: 64,
            https: false,
            trusted_proxies: Vec::new(),
        }
    }
}

/// Why a request is refused: answered in the shape of a GraphQL error, so clients read it where
/// they read every error.
struct Refusal {
    status: StatusCode,
    message: String,
}

fn refuse(status: StatusCode, message: impl Into<String>) -> Refusal {
    Refusal {
        status,
        message: message.into(),
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let body = json!({
            "errors": [{ "message": self.message, "extensions": { "code": "BAD_REQUEST" } }]
        });
        (self.status, axum::Json(body)).into_response()
    }
}

/// The middleware of `/graphql`.
pub async fn graphql(
    State(limits): State<Arc<RequestLimits>>,
    request: Request,
    next: Next,
) -> Response {
    let https = is_https(&limits, &request);
    let request = match check(&limits, request).await {
        Ok(r) => r,
        Err(refusal) => return refusal.into_response(),
    };
    let mut response = next.run(request).await;
    if https {
        mark_secure(response.headers_mut());
    }
    response
}

async fn check(limits: &RequestLimits, request: Request) -> Result<Request, Refusal> {
    let (parts, body) = request.into_parts();
    let (documents, bytes) = match parts.method {
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
            (get_documents(limits, query)?, None)
        }
        Method::POST => {
            let bytes = read_body(limits, &parts.headers, body).await?;
            (post_documents(limits, &parts.headers, &bytes)?, Some(bytes))
        }
        _ => {
            return Err(refuse(
                StatusCode::METHOD_NOT_ALLOWED,
                "/graphql 只接受 GET（查询）和 POST",
            ))
        }
    };
    let mut mutation = false;
    for (query, operation) in &documents {
        if query_depth(query, limits.max_nesting).is_none() {
            return Err(too_deep(limits));
        }
        mutation |= is_mutation(query, operation.as_deref());
    }
    if mutation && parts.method == Method::GET {
        return Err(refuse(
            StatusCode::METHOD_NOT_ALLOWED,
            "修改操作（mutation）只能用 POST 提交，GET 只用于查询",
        ));
    }
    let proxied = from_trusted_proxy(limits, &parts.extensions);
    if mutation && cookie_authenticates(&parts.headers) && !same_origin(&parts.headers, proxied) {
        return Err(refuse(
            StatusCode::FORBIDDEN,
            "请求来自其他网站（Origin/Referer 与本服务不符），已拒绝；请在本系统页面中操作",
        ));
    }
    let body = bytes.map_or_else(Body::empty, Body::from);
    Ok(Request::from_parts(parts, body))
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

/// `(query, operationName)` of each request in a JSON body (one request or a batch).
fn post_documents(
    limits: &RequestLimits,
    headers: &HeaderMap,
    bytes: &[u8],
) -> Result<Vec<(String, Option<String>)>, Refusal> {
    // A form or text/plain POST is what a foreign page can send without asking; JSON is not.
    let json = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"));
    if !json {
        return Err(refuse(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "POST /graphql 的 Content-Type 须为 application/json",
        ));
    }
    // The body's own nesting plus the request object and a batch around it.
    if json_depth(bytes, limits.max_nesting + 2).is_none() {
        return Err(too_deep(limits));
    }
    let body: Json = serde_json::from_slice(bytes).map_err(|e| {
        refuse(
            StatusCode::BAD_REQUEST,
            format!("请求体不是有效的 JSON：{e}"),
        )
    })?;
    let requests = match body {
        Json::Array(items) => items,
        one => vec![one],
    };
    Ok(requests
        .iter()
        .map(|r| {
            let text = |k: &str| r.get(k).and_then(Json::as_str).map(str::to_owned);
            (text("query").unwrap_or_default(), text("operationName"))
        })
        .collect())
}

/// `(query, operationName)` of a GET, with its `variables` checked for depth.
fn get_documents(
    limits: &RequestLimits,
    query_string: &str,
) -> Result<Vec<(String, Option<String>)>, Refusal> {
    let (mut query, mut operation) = (String::new(), None);
    for (k, v) in form_urlencoded::parse(query_string.as_bytes()) {
        match k.as_ref() {
            "query" => query = v.into_owned(),
            "operationName" => operation = Some(v.into_owned()),
            "variables" | "extensions"
                if json_depth(v.as_bytes(), limits.max_nesting).is_none() =>
            {
                return Err(too_deep(limits))
            }
            _ => {}
        }
    }
    Ok(vec![(query, operation)])
}

/// Whether the operation a request runs is a mutation. A document that does not parse is left
/// to async-graphql, which reports it (its depth is already known to be safe).
fn is_mutation(query: &str, operation: Option<&str>) -> bool {
    let Ok(doc) = async_graphql::parser::parse_query(query) else {
        return false;
    };
    match &doc.operations {
        DocumentOperations::Single(op) => op.node.ty == OperationType::Mutation,
        DocumentOperations::Multiple(ops) => match operation {
            Some(name) => ops
                .iter()
                .any(|(n, op)| n.as_str() == name && op.node.ty == OperationType::Mutation),
            // Without a name async-graphql refuses a multi-operation document; refuse the
            // mutations in it here as well.
            None => ops.values().any(|op| op.node.ty == OperationType::Mutation),
        },
    }
}

/// A session cookie and no bearer token: the browser sent it, possibly for a foreign page.
fn cookie_authenticates(headers: &HeaderMap) -> bool {
    super::token_of(headers).is_some()
        && !headers.contains_key(axum::http::header::AUTHORIZATION)
        && headers
            .get_all(COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(|v| v.contains(&format!("{SESSION_COOKIE}=")))
}

/// The request's Origin (or, without one, its Referer) names this server's host: the `Host`
/// header, or behind a trusted proxy the `X-Forwarded-Host` it passes on.
fn same_origin(headers: &HeaderMap, proxied: bool) -> bool {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let forwarded = proxied
        .then(|| header("x-forwarded-host"))
        .flatten()
        .and_then(|h| h.split(',').next())
        .map(str::trim);
    let Some(host) = forwarded.or_else(|| header(HOST.as_str())) else {
        return false;
    };
    let source = header(ORIGIN.as_str()).or_else(|| header(REFERER.as_str()));
    source
        .and_then(authority)
        .is_some_and(|a| a.eq_ignore_ascii_case(host))
}

/// `host[:port]` of an absolute http(s) URL.
fn authority(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    rest.split(['/', '?', '#']).next()
}

/// Whether the request comes straight from one of the trusted proxies.
fn from_trusted_proxy(limits: &RequestLimits, extensions: &axum::http::Extensions) -> bool {
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .is_some_and(|ConnectInfo(a)| limits.trusted_proxies.contains(&a.ip()))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn behind_a_trusted_proxy_the_forwarded_host_is_the_servers() {
        let mut h = HeaderMap::new();
        h.insert(HOST, HeaderValue::from_static("127.0.0.1:8080"));
        h.insert(
            "x-forwarded-host",
            HeaderValue::from_static("sjcj.example.edu.cn"),
        );
        h.insert(
            ORIGIN,
            HeaderValue::from_static("https://sjcj.example.edu.cn"),
        );
        assert!(same_origin(&h, true));
        assert!(!same_origin(&h, false), "the header alone is not believed");
    }

    #[test]
    fn authority_is_host_and_port() {
        assert_eq!(
            authority("https://a.edu.cn:8443/x?y"),
            Some("a.edu.cn:8443")
        );
        assert_eq!(authority("null"), None);
    }
}
