//! The GraphiQL page and its assets, embedded in the binary: a college LAN often has no internet,
//! so no page may load anything from a CDN.

use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};

const GRAPHIQL_JS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/assets/graphiql.min.js"));
const GRAPHIQL_CSS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/assets/graphiql.min.css"));
const REACT: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/assets/react.production.min.js"));
const REACT_DOM: &[u8] = include_bytes!(concat!(
    env!("OUT_DIR"),
    "/assets/react-dom.production.min.js"
));
const EXPLORER_JS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/assets/explorer.js"));
const EXPLORER_CSS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/assets/explorer.css"));

/// The form explorer: GraphiQL with the Chinese panels in its sidebar (web/src, bundled at build).
const PAGE: &str = r#"<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>statusdata · 人才培养工作状态数据采集</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/assets/graphiql.min.css">
<link rel="stylesheet" href="/assets/explorer.css">
<style>html, body, #graphiql { height: 100%; margin: 0; }</style>
</head>
<body>
<div id="graphiql">正在加载…</div>
<noscript>请启用浏览器的 JavaScript 后使用本页面。</noscript>
<script src="/assets/react.production.min.js"></script>
<script src="/assets/react-dom.production.min.js"></script>
<script src="/assets/graphiql.min.js"></script>
<script src="/assets/explorer.js"></script>
</body>
</html>
"#;

/// `GET /` and `GET /graphiql`: one page for collectors and API users alike.
pub async fn graphiql() -> Html<&'static str> {
    Html(PAGE)
}

/// `GET /assets/{name}`.
pub async fn asset(Path(name): Path<String>) -> Response {
    let (body, kind) = match name.as_str() {
        "graphiql.min.js" => (GRAPHIQL_JS, "text/javascript; charset=utf-8"),
        "graphiql.min.css" => (GRAPHIQL_CSS, "text/css; charset=utf-8"),
        "react.production.min.js" => (REACT, "text/javascript; charset=utf-8"),
        "react-dom.production.min.js" => (REACT_DOM, "text/javascript; charset=utf-8"),
        "explorer.js" => (EXPLORER_JS, "text/javascript; charset=utf-8"),
        "explorer.css" => (EXPLORER_CSS, "text/css; charset=utf-8"),
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    (
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        body,
    )
        .into_response()
}
