//! The annual quality report over HTTP: `GET /export/{cycle}/annual-report.xlsx` (one sheet per
//! report table) and `GET /export/{cycle}/annual-report.docx` (the tables and the accepted typical
//! cases). Before the leaders sign off the core data each carries `x-statusdata-warning`, as the
//! whole-cycle export does; the work is the service's (`service::annual`).

use axum::extract::Path;
use axum::http::header::HeaderValue;

use super::files::{download, run, urlencode, workbook, Answer, Caller};
use crate::service::annual::AnnualFile;

const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// `response` with the not-signed-off header when `file` carries a warning.
fn warned(mut response: axum::response::Response, file: &AnnualFile) -> axum::response::Response {
    if file.warning.is_some() {
        response.headers_mut().insert(
            "x-statusdata-warning",
            HeaderValue::from_static("indicators-not-signed-off"),
        );
    }
    response
}

/// `GET /export/{cycle}/annual-report.xlsx`.
pub async fn xlsx(Path(cycle): Path<i32>, Caller(svc, who): Caller) -> Answer {
    let mut file = run(&svc, "annual-report", move |svc| {
        svc.annual_report_workbook(&who, cycle)
    })
    .await?;
    let name = format!("{cycle}-质量年度报告数据表.xlsx");
    let response = workbook(std::mem::take(&mut file.bytes), &name);
    Ok(warned(response, &file))
}

/// `GET /export/{cycle}/annual-report.docx`.
pub async fn docx(Path(cycle): Path<i32>, Caller(svc, who): Caller) -> Answer {
    let mut file = run(&svc, "annual-report", move |svc| {
        svc.annual_report_document(&who, cycle)
    })
    .await?;
    let name = format!("{cycle}-质量年度报告.docx");
    let disposition = format!(
        "attachment; filename=\"annual-report-{cycle}.docx\"; filename*=UTF-8''{}",
        urlencode(&name)
    );
    let response = download(DOCX, disposition, std::mem::take(&mut file.bytes));
    Ok(warned(response, &file))
}
