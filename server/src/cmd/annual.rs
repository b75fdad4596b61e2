//! `statusdata annual-report --cycle 2023 --out FILE.xlsx|FILE.docx`: the annual quality report's
//! data tables (and, as .docx, the accepted typical cases) from the command line — the same files
//! as `GET /export/{cycle}/annual-report.xlsx|.docx`, warned or refused before the sign-off as
//! `statusdata export` is.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use statusdata::service::database::DEFAULT_DATABASE_URL;
use statusdata::service::indicators::ExportGate;

use super::ProjectArgs;

#[derive(Args)]
pub struct AnnualArgs {
    /// 数据库地址（sqlite://文件 或 postgres://…）
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    db: String,
    /// 采集周期（年份）
    #[arg(long)]
    cycle: i32,
    /// 写入的文件：.xlsx 为数据表工作簿，.docx 为数据表与典型案例的 Word 文档
    #[arg(long)]
    out: PathBuf,
    /// 院领导签核核心数据之前导出的做法，与 `serve` 相同：`warn`（照常导出并提示）或 `refuse`（拒绝）。
    #[arg(long, env = "STATUSDATA_EXPORT_BEFORE_SIGNOFF", default_value = "warn")]
    export_before_signoff: ExportGate,
    #[command(flatten)]
    project: ProjectArgs,
}

pub async fn run(args: AnnualArgs) -> anyhow::Result<ExitCode> {
    let docx = match args.out.extension().and_then(|e| e.to_str()) {
        Some("xlsx") => false,
        Some("docx") => true,
        _ => {
            eprintln!("--out 须以 .xlsx 或 .docx 结尾：{}", args.out.display());
            return Ok(ExitCode::FAILURE);
        }
    };
    let mut svc = args.project.open(&args.db).await?;
    svc.export_gate = args.export_before_signoff;
    let cycle = args.cycle;
    let made = svc
        .blocking(move |svc| {
            // The command line holds every right; the report asks for 质量部's.
            let mut who = svc.system();
            who.principal.roles.push("quality_admin".into());
            if docx {
                svc.annual_report_document(&who, cycle)
            } else {
                svc.annual_report_workbook(&who, cycle)
            }
        })
        .await;
    let file = match made {
        Ok(f) => f,
        Err(e) => {
            eprintln!("未导出：{}（{}）", e.message, e.code.as_str());
            return Ok(ExitCode::FAILURE);
        }
    };
    if let Some(w) = &file.warning {
        eprintln!("注意：{w}");
    }
    std::fs::write(&args.out, &file.bytes)
        .map_err(|e| anyhow::anyhow!("无法写入 {}：{e}", args.out.display()))?;
    println!(
        "已写入 {}（{} KB）",
        args.out.display(),
        file.bytes.len() >> 10
    );
    Ok(ExitCode::SUCCESS)
}
