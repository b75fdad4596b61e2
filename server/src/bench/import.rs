//! `statusdata bench import`: peak resident memory while the real router refuses what once took
//! the server to gigabytes — an xlsx of millions of one-cell rows (small on disk, huge once
//! unpacked) and six parallel 100 MB `/graphql` bodies. Each must stay under the budget.

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use axum::body::{Body, Bytes};
use axum::http::{Request, StatusCode};
use hyper::body::Frame;
use statusdata::authz::{Policy, PolicyCell};
use statusdata::defs;
use statusdata::graphql::{build_schema, ApiConfig};
use statusdata::http::{router, AppState};
use statusdata::store::Store;
use tower::ServiceExt;

use super::memory::{peak, reset_peak};
use crate::cmd::ProjectArgs;

/// The peak resident memory of the process while refusing, in MB.
const BUDGET_MB: u64 = 150;

/// Runs the benchmark; `Err` when a refusal did not happen or went over the budget.
pub async fn run(rows: u32, body_mb: usize, project: ProjectArgs) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("rows.xlsx");
    let started = Instant::now();
    let path = file.clone();
    tokio::task::spawn_blocking(move || long_sheet(&path, rows)).await??;
    let bytes = std::fs::read(&file)?;
    println!(
        "{rows} 行单格数据：文件 {} MB，写入用时 {:.1} 秒",
        bytes.len() >> 20,
        started.elapsed().as_secs_f64()
    );
    let app = app(&project, &dir.path().join("bench.db")).await?;

    let floor = reset_peak();
    let (status, message) = upload(&app, bytes).await?;
    let refused = if message.contains("行数过多") {
        status
    } else {
        StatusCode::OK
    };
    let xlsx = report("xlsx", floor, refused, &message, StatusCode::BAD_REQUEST);

    let floor = reset_peak();
    let mut sent = Vec::new();
    for _ in 0..6 {
        let request = Request::post("/graphql")
            .header("content-type", "application/json")
            .body(Body::new(Endless::new(body_mb << 20)))?;
        sent.push(tokio::spawn(app.clone().oneshot(request)));
    }
    let mut statuses = Vec::new();
    for s in sent {
        statuses.push(s.await??.status());
    }
    let all = statuses.iter().all(|s| *s == StatusCode::PAYLOAD_TOO_LARGE);
    let bodies = report(
        &format!("6 个 {body_mb} MB 的 /graphql 请求体"),
        floor,
        if all {
            StatusCode::PAYLOAD_TOO_LARGE
        } else {
            statuses[0]
        },
        "",
        StatusCode::PAYLOAD_TOO_LARGE,
    );
    if xlsx && bodies {
        println!("通过：两者都在 {BUDGET_MB} MB 以内被拒绝");
        Ok(())
    } else {
        anyhow::bail!("未被拒绝，或内存超过 {BUDGET_MB} MB")
    }
}

/// Prints one measurement; true when it was refused as expected within the budget.
fn report(
    what: &str,
    floor: Option<u64>,
    status: StatusCode,
    message: &str,
    want: StatusCode,
) -> bool {
    let peak = peak();
    let growth = peak.zip(floor).map(|(p, f)| p.saturating_sub(f));
    println!(
        "{what}：{status} {message}\n  内存峰值 {} MB（比之前的 {} MB 多 {} MB）",
        peak.unwrap_or(0) >> 10,
        floor.unwrap_or(0) >> 10,
        growth.unwrap_or(0) >> 10,
    );
    status == want && peak.is_none_or(|p| p >> 10 < BUDGET_MB)
}

/// The router on a fresh SQLite database, running as the development principal (the benchmark
/// measures refusals, not logins).
async fn app(project: &ProjectArgs, db: &std::path::Path) -> anyhow::Result<axum::Router> {
    let err = |e: defs::Problems| anyhow::anyhow!("{e}");
    let catalog = Arc::new(defs::load_catalog(&project.defs).map_err(err)?);
    let units = Arc::new(defs::load_units(&project.units).map_err(err)?);
    let cycle = defs::load_cycle(&project.units.with_file_name("cycle-2023.toml"), &catalog)
        .map_err(err)?;
    let policy = Arc::new(PolicyCell::new(
        project.policies.clone(),
        Policy::load(&project.policies).await?,
    ));
    let store = Store::open(&format!("sqlite://{}", db.display()), catalog.clone())?;
    let u = units.clone();
    store
        .call(move |s| {
            s.migrate(&u, false)?;
            s.install_cycle(&cycle)
        })
        .await?;
    let schema = build_schema(&catalog, Some(ApiConfig::default()))?;
    let mut state = AppState::new(
        schema,
        statusdata::service::Service::new(store, policy, units),
    );
    state.development = true;
    Ok(router(state))
}

/// An xlsx of `rows` rows holding one number each, its sheet XML written by hand and streamed
/// into the zip: past Excel's 1,048,576 rows, which rust_xlsxwriter rightly refuses to write,
/// but which a hostile file is free to hold.
fn long_sheet(path: &std::path::Path, rows: u32) -> anyhow::Result<()> {
    use std::io::Write;
    use zip::write::SimpleFileOptions;
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path)?);
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let parts = [
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#,
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        ),
        (
            "xl/workbook.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
        ),
        (
            "xl/_rels/workbook.xml.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
        ),
    ];
    for (name, text) in parts {
        zip.start_file(name, options)?;
        zip.write_all(text.as_bytes())?;
    }
    zip.start_file("xl/worksheets/sheet1.xml", options)?;
    let mut out = std::io::BufWriter::new(&mut zip);
    out.write_all(r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>学号</t></is></c></row>"#.as_bytes())?;
    for r in 2..=rows {
        write!(out, r#"<row r="{r}"><c r="A{r}"><v>1</v></c></row>"#)?;
    }
    out.write_all(b"</sheetData></worksheet>")?;
    out.flush()?;
    drop(out);
    zip.finish()?;
    Ok(())
}

/// A dry-run import of `file` into 1.5.1; the status and the report's message.
async fn upload(app: &axum::Router, file: Vec<u8>) -> anyhow::Result<(StatusCode, String)> {
    let (status, report) = post_file(app, "/import/2023/1.5.1?dryRun=true", file, 1 << 20).await?;
    Ok((status, report["message"].as_str().unwrap_or("").to_owned()))
}

/// Posts `file` as the multipart field `file` to `path`, as the page uploads it; the status and
/// the JSON report (read up to `limit` bytes).
pub(super) async fn post_file(
    app: &axum::Router,
    path: &str,
    file: Vec<u8>,
    limit: usize,
) -> anyhow::Result<(StatusCode, serde_json::Value)> {
    let boundary = "bench-import-boundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"rows.xlsx\"\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(&file);
    drop(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let request = Request::post(path)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))?;
    let response = app.clone().oneshot(request).await?;
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), limit).await?;
    Ok((status, serde_json::from_slice(&bytes).unwrap_or_default()))
}

/// A body of `left` bytes made on the fly, as a client streams it: the sender holds one chunk.
struct Endless {
    left: usize,
    chunk: Bytes,
}

impl Endless {
    fn new(size: usize) -> Endless {
        Endless {
            left: size,
            chunk: Bytes::from(vec![b' '; 64 << 10]),
        }
    }
}

impl hyper::body::Body for Endless {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        if self.left == 0 {
            return Poll::Ready(None);
        }
        let n = self.left.min(self.chunk.len());
        self.left -= n;
        Poll::Ready(Some(Ok(Frame::data(self.chunk.slice(..n)))))
    }
}
