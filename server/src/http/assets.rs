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

const PAGE: &str = r#"<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>statusdata · GraphiQL</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/assets/graphiql.min.css">
<style>html, body, #graphiql { height: 100%; margin: 0; }</style>
</head>
<body>
<div id="graphiql">正在加载 GraphiQL…</div>
<script src="/assets/react.production.min.js"></script>
<script src="/assets/react-dom.production.min.js"></script>
<script src="/assets/graphiql.min.js"></script>
<script>
const fetcher = GraphiQL.createFetcher({ url: '/graphql', credentials: 'same-origin' });
const defaultQuery = `# statusdata：人才培养工作状态数据 GraphQL 接口
# 1. 先登录（演示账号见 seeds/demo-accounts.csv，初始密码如 Zhang@1001），首次登录须修改密码：
#    mutation { login(staffNo: "1001", password: "Zhang@1001") { mustChangePassword } }
#    mutation { changePassword(oldPassword: "Zhang@1001", newPassword: "新密码至少8位含三类字符") }
# 2. 左上角 Docs 可查看全部采集表；Ctrl-Enter 运行。
{
  me { staffNo name unit roles }
  catalog { tables { code name listField } }
  students(first: 5, orderBy: [{ field: STUDENT_NO }]) {
    totalCount
    nodes { id studentNo name majorCode className }
  }
}
`;
ReactDOM.createRoot(document.getElementById('graphiql')).render(
  React.createElement(GraphiQL, { fetcher, defaultQuery, defaultEditorToolsVisibility: true })
);
</script>
</body>
</html>
"#;

/// `GET /graphiql`.
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
