//! 典型案例 files over HTTP: `POST /cases/{id}/attachments` (multipart field `file`) attaches a
//! file, `GET /cases/attachments/{id}` downloads one, and `GET /export/{cycle}/cases.docx` is the
//! cycle's accepted cases for the 质量年度报告. Rights, state and the file checks are the
//! service's (`service::cases`); these handlers read the upload and shape the answer.
//!
//! Uploads are an HTTP route like `/import`, not a GraphQL `Upload`: `/graphql` takes mutations
//! only as `application/json` (its cross-site guard), and a route lets the body limit sit on this
//! path alone.

use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;

use super::files::{download as send, run, upload as upload_file, urlencode, Answer, Caller};
use super::AppState;
use crate::docx::{cases_document, CaseEntry};
use crate::service::cases::size_text;
use crate::service::ApiError;

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
    let encoded = urlencode(name);
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

/// `POST /cases/{id}/attachments`.
pub async fn upload(
    State(app): State<AppState>,
    Path(id): Path<i64>,
    Caller(svc, who): Caller,
    multipart: Multipart,
) -> Answer {
    let w = who.clone();
    // Rights and state before the upload is read.
    run(&svc, "", move |svc| svc.authorize_case_attachment(&w, id)).await?;
    let limits = app.case_limits.clone();
    let max = limits.max_bytes;
    // A body over the route's limit fails while reading, at whichever step meets it.
    let (name, bytes) = upload_file(multipart, "", |e| {
        format!("附件过大（上限 {}）或上传中断，未保存：{e}", size_text(max))
    })
    .await?;
    let a = run(&svc, "", move |svc| {
        svc.add_case_attachment(&who, id, &name, &bytes, &limits)
    })
    .await?;
    let body = serde_json::json!({
        "ok": true,
        "message": format!("已上传附件“{}”（{}）", a.file_name, size_text(usize::try_from(a.size).unwrap_or_default())),
        "attachment": {
            "id": a.id.to_string(), "fileName": a.file_name, "mediaType": a.media_type,
            "size": a.size, "sha256": a.sha256, "url": format!("/cases/attachments/{}", a.id),
        },
    });
    Ok((StatusCode::OK, Json(body)).into_response())
}

/// `GET /cases/attachments/{id}`.
pub async fn download(Path(id): Path<i64>, Caller(svc, who): Caller) -> Answer {
    let (meta, content) = run(&svc, "", move |svc| svc.case_attachment(&who, id)).await?;
    Ok(send(
        &meta.media_type,
        disposition(&meta.file_name),
        content,
    ))
}

/// `GET /export/{cycle}/cases.docx`: the accepted cases the caller may read (质量部 and leaders:
/// every unit's), grouped by theme.
pub async fn export_docx(Path(cycle): Path<i32>, Caller(svc, who): Caller) -> Answer {
    let bytes = run(&svc, "cases", move |svc| {
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
    .await?;
    Ok(send(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        disposition(&format!("{cycle}-典型案例.docx")),
        bytes,
    ))
}
