//! Cross-origin browser clients (`serve --cors-origin`): a BI page or a frontend served from
//! another origin may call the API with the caller's cookie or token. Only the listed origins
//! get `Access-Control-Allow-Origin` (their own origin echoed, with `Vary: Origin`) and
//! `Access-Control-Allow-Credentials`; a preflight from any other origin is answered 200 without
//! them, so the browser refuses the call and says why. The same list is what the same-origin
//! check of cookie-authenticated writes trusts besides the server's own pages
//! (`guard::origin`): a listed origin may change data, an unlisted one stays refused.

use std::sync::Arc;
use std::time::Duration;

use axum::http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use axum::http::{HeaderName, HeaderValue, Method};
use tower_http::cors::{AllowCredentials, AllowOrigin, CorsLayer};

/// How long a browser may reuse a preflight's answer.
const PREFLIGHT_MAX_AGE: Duration = Duration::from_secs(600);

/// `scheme://host[:port]` of an origin as the administrator wrote it, lower-cased; a path, a
/// wildcard or another scheme is refused with the reason.
pub fn normalize_origin(origin: &str) -> Result<String, String> {
    let o = origin.trim().trim_end_matches('/').to_ascii_lowercase();
    let rest = o
        .strip_prefix("https://")
        .or_else(|| o.strip_prefix("http://"));
    let ok = rest.is_some_and(|r| {
        !r.is_empty()
            && !r.contains(['/', '?', '#', '*', '@', ' '])
            && r.chars().all(|c| c.is_ascii_graphic())
    });
    if ok {
        Ok(o)
    } else {
        Err(format!(
            "跨域来源“{origin}”无效：应写成 https://主机[:端口]，不带路径，不能用 *（带 Cookie 的请求不允许通配）"
        ))
    }
}

/// Whether `origin` (an `Origin` header's value) is one of `listed` (normalized).
pub fn is_listed(listed: &[String], origin: &str) -> bool {
    let origin = origin.trim().trim_end_matches('/');
    listed.iter().any(|l| l.eq_ignore_ascii_case(origin))
}

/// The CORS layer of the router over the listed origins (none listed: no origin is allowed,
/// and a preflight still gets a clean 200 rather than the 405 of an unknown method).
pub fn layer(listed: &[String]) -> CorsLayer {
    let origins: Arc<[String]> = listed.into();
    let for_credentials = origins.clone();
    CorsLayer::new()
        .allow_origin(AllowOrigin::predicate(move |origin: &HeaderValue, _| {
            origin.to_str().is_ok_and(|o| is_listed(&origins, o))
        }))
        .allow_credentials(AllowCredentials::predicate(
            move |origin: &HeaderValue, _| {
                origin
                    .to_str()
                    .is_ok_and(|o| is_listed(&for_credentials, o))
            },
        ))
        .allow_methods([Method::GET, Method::POST, Method::OPTIONS])
        .allow_headers([
            CONTENT_TYPE,
            AUTHORIZATION,
            ACCEPT,
            HeaderName::from_static("apollo-require-preflight"),
            HeaderName::from_static("x-apollo-operation-name"),
            HeaderName::from_static("apollographql-client-name"),
            HeaderName::from_static("apollographql-client-version"),
        ])
        .expose_headers([axum::http::header::CONTENT_DISPOSITION])
        .max_age(PREFLIGHT_MAX_AGE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_scheme_host_and_port() {
        assert_eq!(
            normalize_origin("https://BI.example.edu.cn:8443/").as_deref(),
            Ok("https://bi.example.edu.cn:8443")
        );
        for bad in [
            "*",
            "bi.example.edu.cn",
            "https://a/b",
            "ftp://a",
            "https://",
        ] {
            assert!(normalize_origin(bad).is_err(), "{bad}");
        }
        let listed = vec!["https://bi.example.edu.cn".to_owned()];
        assert!(is_listed(&listed, "https://BI.example.edu.cn"));
        assert!(!is_listed(&listed, "https://bi.example.edu.cn.evil.com"));
    }
}
