//! 典型案例 files over HTTP: `POST /cases/{id}/attachments` (multipart field `file`) attaches a
//! file, `GET /cases/attachments/{id}` downloads one, and `GET /export/{cycle}/cases.docx` is the
//! cycle's accepted cases for the 质量年度报告. Rights, state and the file checks are the
//! service's (`service::cases`); these handlers read the upload and shape the answer.
//!
//! Uploads are an HTTP route like `/import`, not a GraphQL `Upload`: `/graphql` takes mutations
//! only as `application/json` (its cross-site guard), and a route lets the body limit sit on this
//! path alone.

use axum::extract::{Multipart, Path, State};
use axum::http::HeaderMap;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::files::caller;
use super::reply::refuse;
use super::AppState;
use crate::docx::{cases_document, CaseEntry};
use crate::service::cases::size_text;
use crate::service::{ApiError, Code};

/// Room for the multipart framing around the file, in the route's body limit.
pub const MAX_FRAMING: usize = 64 << 10;

fn disposition(name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

/// `POST /cases/{id}/attachments`.
pub async fn upload(
    State(app): State<AppState>,
    Path(id): Path<i64>,
    headers: HeaderMap,
    multipart: Multipart,
) -> Response {
    let (svc, who) = match caller(&app, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let w = who.clone();
    // Rights and state before the upload is read.
    if let Err(e) = svc
        .blocking(move |svc| svc.authorize_case_attachment(&w, id))
        .await
    {
        return refuse(&e, "");
    }
    let limits = app.case_limits.clone();
    let (name, bytes) = match read_file(multipart, limits.max_bytes).await {
        Ok(f) => f,
        Err(m) => return refuse(&ApiError::new(Code::BadRequest, m), ""),
    };
    let added = svc
        .blocking(move |svc| svc.add_case_attachment(&who, id, &name, &bytes, &limits))
        .await;
    match added {
        Ok(a) => {
            let body = serde_json::json!({
                "ok": true,
                "message": format!("已上传附件“{}”（{}）", a.file_name, size_text(usize::try_from(a.size).unwrap_or_default())),
                "attachment": {
                    "id": a.id.to_string(), "fileName": a.file_name, "mediaType": a.media_type,
                    "size": a.size, "sha256": a.sha256, "url": format!("/cases/attachments/{}", a.id),
                },
            });
            (StatusCode::OK, Json(body)).into_response()
        }
        Err(e) => refuse(&e, ""),
    }
}

async fn read_file(
    mut multipart: Multipart,
    max_bytes: usize,
) -> Result<(String, Vec<u8>), String> {
    // A body over the route's limit fails while reading, at whichever step meets it.
    let unreadable = |e: axum::extract::multipart::MultipartError| {
        format!(
            "附件过大（上限 {}）或上传中断，未保存：{e}",
            size_text(max_bytes)
        )
    };
    while let Some(field) = multipart.next_field().await.map_err(unreadable)? {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or_default().to_owned();
            let bytes = field.bytes().await.map_err(unreadable)?.to_vec();
            return Ok((name, bytes));
        }
    }
    Err("请求中没有名为 file 的文件字段".into())
}

/// `GET /cases/attachments/{id}`.
pub async fn download(
    State(app): State<AppState>,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> Response {
    let (svc, who) = match caller(&app, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    match svc.blocking(move |svc| svc.case_attachment(&who, id)).await {
        Ok((meta, content)) => (
            [
                (header::CONTENT_TYPE, meta.media_type.clone()),
                (header::CONTENT_DISPOSITION, disposition(&meta.file_name)),
            ],
            content,
        )
            .into_response(),
        Err(e) => refuse(&e, ""),
    }
}

/// `GET /export/{cycle}/cases.docx`: the accepted cases the caller may read (质量部 and leaders:
/// every unit's), grouped by theme.
pub async fn export_docx(
    State(app): State<AppState>,
    Path(cycle): Path<i32>,
    headers: HeaderMap,
) -> Response {
    let (svc, who) = match caller(&app, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let built = svc
        .blocking(move |svc| {
            let cases = svc.accepted_cases(&who, cycle)?;
            let entries: Vec<CaseEntry<'_>> = cases
                .iter()
                .map(|c| CaseEntry {
                    case: &c.full,
                    unit_name: &c.unit_name,
                })
                .collect();
            cases_document(cycle, &entries).map_err(ApiError::internal)
        })
        .await;
    match built {
        Ok(bytes) => (
            [
                (
                    header::CONTENT_TYPE,
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
                        .to_owned(),
                ),
                (
                    header::CONTENT_DISPOSITION,
                    disposition(&format!("{cycle}-典型案例.docx")),
                ),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => refuse(&e, "cases"),
    }
}
