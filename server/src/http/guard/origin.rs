//! Where a request comes from: whether a cookie (rather than a bearer token) authenticates it,
//! and whether its `Origin`/`Referer` is a page of this server or of an origin listed by
//! `serve --cors-origin` (see `http::cors`). `/graphql` mutations and the file routes that change
//! data ask the same questions here.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::{COOKIE, HOST, ORIGIN, REFERER};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;

use super::RequestLimits;
use crate::service::session::COOKIE as SESSION_COOKIE;

/// The middleware of the file routes that change data (imports, attachments): a request that a
/// cookie authenticates must come from a page of this server, checked before the file is read.
pub async fn same_origin_writes(
    State(limits): State<Arc<RequestLimits>>,
    request: Request,
    next: Next,
) -> Response {
    let proxied = from_trusted_proxy(&limits, request.extensions());
    if cookie_authenticates(request.headers())
        && !trusted_origin(&limits, request.headers(), proxied)
    {
        let e = crate::service::ApiError::new(crate::service::Code::Forbidden, FOREIGN_PAGE);
        return crate::http::reply::refuse(&e, "");
    }
    next.run(request).await
}

/// The refusal of a cookie-authenticated change from another site.
pub(super) const FOREIGN_PAGE: &str =
    "请求来自其他网站（Origin/Referer 与本服务不符），已拒绝；请在本系统页面中操作";

/// A session cookie and no bearer token: the browser sent it, possibly for a foreign page.
pub(super) fn cookie_authenticates(headers: &HeaderMap) -> bool {
    crate::http::token_of(headers).is_some()
        && !headers.contains_key(axum::http::header::AUTHORIZATION)
        && headers
            .get_all(COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(|v| v.contains(&format!("{SESSION_COOKIE}=")))
}

/// The request comes from a page of this server or of a listed cross-origin client.
pub(super) fn trusted_origin(limits: &RequestLimits, headers: &HeaderMap, proxied: bool) -> bool {
    if same_origin(headers, proxied) {
        return true;
    }
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let source = header(ORIGIN.as_str()).or_else(|| header(REFERER.as_str()));
    source
        .and_then(origin_of)
        .is_some_and(|o| crate::http::cors::is_listed(&limits.cors_origins, o))
}

/// `scheme://host[:port]` of an absolute http(s) URL.
fn origin_of(url: &str) -> Option<&str> {
    let start = url.find("://")? + 3;
    let end = url[start..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |i| start + i);
    authority(url).map(|_| &url[..end])
}

/// The request's Origin (or, without one, its Referer) names this server's host: the `Host`
/// header, or behind a trusted proxy the `X-Forwarded-Host` it passes on.
pub(super) fn same_origin(headers: &HeaderMap, proxied: bool) -> bool {
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
pub(super) fn from_trusted_proxy(
    limits: &RequestLimits,
    extensions: &axum::http::Extensions,
) -> bool {
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .is_some_and(|ConnectInfo(a)| limits.trusted_proxies.contains(&a.ip()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

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
        assert_eq!(
            origin_of("https://bi.edu.cn:8443/page?x"),
            Some("https://bi.edu.cn:8443")
        );
        assert_eq!(origin_of("null"), None);
    }
}
