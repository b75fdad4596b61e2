//! 高基报表 workbook routes (质量部): `GET /gaoji/{cycle}/template.xlsx` is the template listing
//! every reference figure; `POST /gaoji/{cycle}/import` (multipart field `file`) stores the filled
//! figures, all or none, and answers the comparison with the collection as JSON. The rules are
//! the service's (`service::gaoji`); these handlers read the upload and shape the answer.

use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;

use super::files::{run, upload, workbook, Answer, Caller};
use super::reply::refuse;
use super::AppState;
use crate::service::gaoji::GaojiLine;
use crate::service::Code;

/// `GET /gaoji/{cycle}/template.xlsx`.
pub async fn template(Path(cycle): Path<i32>, Caller(svc, who): Caller) -> Answer {
    let bytes = run(&svc, "gaoji", move |svc| svc.gaoji_template(&who, cycle)).await?;
    Ok(workbook(bytes, &format!("{cycle}-高基报表.xlsx")))
}

/// A comparison line as JSON.
pub fn line_json(l: &GaojiLine) -> serde_json::Value {
    let dec = |d: Option<rust_decimal::Decimal>| d.map(|d| d.normalize().to_string());
    serde_json::json!({
        "item": l.figure.id,
        "name": l.figure.name,
        "measure": l.figure.measure,
        "gaoji": dec(l.entered.as_ref().map(|e| e.value)),
        "gaojiAsOf": l.entered.as_ref().map(|e| e.as_of.to_string()),
        "collected": dec(l.collected),
        "collectedAsOf": l.collected_as_of.to_string(),
        "difference": dec(l.difference()),
        "differencePercent": dec(l.difference_percent()),
        "status": l.status.as_str(),
        "explanation": l.explanation(),
    })
}

/// `POST /gaoji/{cycle}/import`.
pub async fn import(
    State(app): State<AppState>,
    Path(cycle): Path<i32>,
    Caller(svc, who): Caller,
    multipart: Multipart,
) -> Answer {
    // Rights before the upload is read.
    crate::service::gaoji::quality_office(&who).map_err(|e| refuse(&e, "gaoji"))?;
    let limits = app.import_limits;
    let (_, bytes) = upload(
        multipart,
        "gaoji",
        super::import::unreadable(limits.max_bytes),
    )
    .await?;
    let done = run(&svc, "gaoji", move |svc| {
        svc.import_gaoji(&who, cycle, &bytes, &limits)
    })
    .await?;
    Ok(match done {
        Ok(lines) => {
            let body = serde_json::json!({
                "ok": true,
                "rows": lines.iter().filter(|l| l.entered.is_some()).count(),
                "problems": [],
                "lines": lines.iter().map(line_json).collect::<Vec<_>>(),
                "message": "已导入高基报表数据并与状态数据对照",
            });
            (StatusCode::OK, Json(body)).into_response()
        }
        Err(problems) => {
            let body = serde_json::json!({
                "ok": false,
                "code": Code::ValidationFailed.as_str(),
                "problems": problems,
                "message": format!("有 {} 处问题，未导入任何数据", problems.len()),
            });
            (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response()
        }
    })
}
