//! The GraphQL requests of an HTTP request, as the guard reads them before async-graphql: one
//! JSON object or a batch (an array) of them from a POST, one from a GET's query string; each
//! persisted query (Apollo's Automatic Persisted Queries) resolved to its text here, so that the
//! checks that follow (depth, size, cost, mutation) see the document that will run whether the
//! client sent its text or only its hash.

use std::sync::{Arc, Mutex};

use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use serde_json::{Map, Value as Json};

use super::{json_depth, refuse, too_deep, Refusal, RequestLimits};
use crate::http::documents::{sha256_hex, DocumentCache};

/// The message and code Apollo's clients look for before they resend a query with its text.
pub const PERSISTED_QUERY_NOT_FOUND: &str = "PersistedQueryNotFound";
const NOT_FOUND_CODE: &str = "PERSISTED_QUERY_NOT_FOUND";
/// Apollo's message for a query whose hash is not the one sent.
pub const SHA_MISMATCH: &str = "provided sha does not match query";

/// One GraphQL request of an HTTP request.
pub(super) struct Document {
    /// The request object, its `query` filled in from the cache for a persisted query.
    pub raw: Map<String, Json>,
    pub query: String,
    /// The hash to store the query under once the checks pass (a persisted query sent with its
    /// text).
    pub register: Option<String>,
}

impl Document {
    pub fn operation(&self) -> Option<&str> {
        self.raw.get("operationName").and_then(Json::as_str)
    }

    pub fn variables(&self) -> Option<&Json> {
        self.raw.get("variables")
    }
}

/// The requests the guard let through, for the handler: taken once (an HTTP extension must be
/// `Clone`, an async-graphql request is not).
#[derive(Clone)]
pub struct Prepared(Arc<Mutex<Option<Requests>>>);

/// The requests of one HTTP request, and whether they came as a batch.
pub type Requests = (Vec<async_graphql::Request>, bool);

impl Prepared {
    pub(super) fn new(requests: Vec<async_graphql::Request>, batch: bool) -> Prepared {
        Prepared(Arc::new(Mutex::new(Some((requests, batch)))))
    }

    /// The requests and whether they came as a batch (answered with an array).
    pub fn take(&self) -> Option<Requests> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).take()
    }
}

/// The request objects of a JSON body and whether it is a batch.
pub(super) fn post_requests(
    limits: &RequestLimits,
    headers: &HeaderMap,
    bytes: &[u8],
) -> Result<(Vec<Json>, bool), Refusal> {
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
    let Json::Array(items) = body else {
        return Ok((vec![body], false));
    };
    if items.is_empty() || items.len() > limits.max_batch {
        return Err(refuse(
            StatusCode::BAD_REQUEST,
            format!(
                "批量请求含 {} 个操作，应为 1 到 {} 个",
                items.len(),
                limits.max_batch
            ),
        ));
    }
    Ok((items, true))
}

/// The request object of a GET: `query`, `operationName`, and `variables` and `extensions` as
/// JSON (checked for depth first).
pub(super) fn get_request(limits: &RequestLimits, query_string: &str) -> Result<Json, Refusal> {
    let mut r = Map::new();
    for (k, v) in form_urlencoded::parse(query_string.as_bytes()) {
        match k.as_ref() {
            "query" | "operationName" => {
                r.insert(k.into_owned(), Json::String(v.into_owned()));
            }
            "variables" | "extensions" => {
                if json_depth(v.as_bytes(), limits.max_nesting).is_none() {
                    return Err(too_deep(limits));
                }
                let value = serde_json::from_str(&v).map_err(|_| {
                    refuse(
                        StatusCode::BAD_REQUEST,
                        format!("GET 参数 {k} 不是有效的 JSON"),
                    )
                })?;
                r.insert(k.into_owned(), value);
            }
            _ => {}
        }
    }
    Ok(Json::Object(r))
}

/// One request object as a [`Document`], its persisted query resolved from `cache`: a hash
/// alone runs the stored text or is answered `PersistedQueryNotFound`; a hash with the text
/// must be the text's SHA-256.
pub(super) fn resolve(cache: &DocumentCache, raw: Json) -> Result<Document, Refusal> {
    let Json::Object(mut raw) = raw else {
        return Err(refuse(
            StatusCode::BAD_REQUEST,
            "GraphQL 请求应为 JSON 对象（批量请求为对象的数组）",
        ));
    };
    let text = raw.get("query").and_then(Json::as_str).unwrap_or("");
    let persisted = raw
        .get("extensions")
        .and_then(|e| e.get("persistedQuery"))
        .filter(|p| !p.is_null());
    let (query, register) = match persisted {
        None => (text.to_owned(), None),
        Some(p) => {
            let version = p.get("version").and_then(Json::as_i64);
            let hash = p.get("sha256Hash").and_then(Json::as_str);
            let (Some(1), Some(hash)) = (version, hash) else {
                return Err(refuse(
                    StatusCode::BAD_REQUEST,
                    "extensions.persistedQuery 应为 {\"version\": 1, \"sha256Hash\": \"…\"}",
                ));
            };
            let hash = hash.to_ascii_lowercase();
            if text.is_empty() {
                match cache.get(&hash) {
                    Some(d) => (d.query.to_string(), None),
                    None => return Err(not_found()),
                }
            } else if sha256_hex(text) == hash {
                (text.to_owned(), Some(hash))
            } else {
                return Err(refuse(StatusCode::BAD_REQUEST, SHA_MISMATCH));
            }
        }
    };
    // The persisted query is answered here; async-graphql runs the text.
    if let Some(Json::Object(e)) = raw.get_mut("extensions") {
        e.remove("persistedQuery");
    }
    raw.insert("query".into(), Json::String(query.clone()));
    Ok(Document {
        raw,
        query,
        register,
    })
}

/// Apollo's answer to an unknown hash (404, as Apollo Server and Router answer it; Apollo
/// Client reads the error from the body and resends the query with its text).
fn not_found() -> Refusal {
    Refusal {
        status: StatusCode::NOT_FOUND,
        code: NOT_FOUND_CODE,
        message: PERSISTED_QUERY_NOT_FOUND.to_owned(),
    }
}

/// The checked documents as async-graphql requests.
pub(super) fn prepare(documents: Vec<Document>, batch: bool) -> Result<Prepared, Refusal> {
    let requests = documents
        .into_iter()
        .map(|d| {
            serde_json::from_value::<async_graphql::Request>(Json::Object(d.raw)).map_err(|e| {
                refuse(
                    StatusCode::BAD_REQUEST,
                    format!(
                        "GraphQL 请求无法读取（query、operationName、variables、extensions）：{e}"
                    ),
                )
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Prepared::new(requests, batch))
}
