//! `statusdata export` and `statusdata import`: the Excel (and CSV) round trip from the command
//! line, for the quality office's administrator (full rights; every write is audited as `cli`).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use statusdata::defs;
use statusdata::service::database::DEFAULT_DATABASE_URL;
use statusdata::service::files::{Flat, Heading};
use statusdata::service::import::Mode;
use statusdata::service::indicators::ExportGate;
use statusdata::service::Force;
use statusdata::xlsx::import::Limits;

use super::{said, ProjectArgs};

#[derive(Args)]
pub struct ExportArgs {
    /// 数据库地址（sqlite://文件 或 postgres://…）
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    db: String,
    /// 采集周期（年份）
    #[arg(long)]
    cycle: i32,
    /// 只导出一张表（如 `1.5.1`）；不给时导出整个周期（含封面）
    #[arg(long)]
    table: Option<String>,
    /// 写入的文件，格式按扩展名：`.xlsx`（工作簿）、`.csv`（一张表）、`.zip`（整个周期，每表一个 CSV）、`.jsonl`（JSON Lines）
    #[arg(long)]
    out: PathBuf,
    /// CSV 的列标题：`labels`（中文标签，默认）或 `names`（字段名）
    #[arg(long, default_value = "labels")]
    header: HeaderArg,
    /// 院领导签核核心数据之前导出整个周期的做法，与 `serve` 相同：`warn`（照常导出，封面加提示）或 `refuse`（拒绝）。
    #[arg(long, env = "STATUSDATA_EXPORT_BEFORE_SIGNOFF", default_value = "warn")]
    export_before_signoff: ExportGate,
    #[command(flatten)]
    project: ProjectArgs,
}

#[derive(Args)]
pub struct ImportArgs {
    /// 数据库地址（sqlite://文件 或 postgres://…）
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    db: String,
    /// 采集周期（年份）
    #[arg(long)]
    cycle: i32,
    /// 表的编号（如 1.5.1）
    #[arg(long)]
    table: String,
    /// 数据所属部门（代码或名称，见 seeds/units.toml）；文件有“填报单位”列时，填了该列的行归各自的单位
    #[arg(long)]
    unit: String,
    /// 只检查，不写入
    #[arg(long)]
    dry_run: bool,
    /// 先删除该部门本周期这张表的全部数据再导入（默认：新增，键相同的行更新）
    #[arg(long)]
    replace: bool,
    /// 与 --replace 同用：没有数据行的文件清空该部门的数据（否则拒绝）
    #[arg(long, requires = "replace")]
    allow_empty: bool,
    /// 表已提交、已验收或已过截止日期时仍然写入（记入审计日志；须同时给 --reason）
    #[arg(long, requires = "reason")]
    force: bool,
    /// 强制写入的理由，记入审计日志
    #[arg(long)]
    reason: Option<String>,
    /// 填好的模板（xlsx），或 CSV 文件（按扩展名 .csv 或 UTF-8 BOM 识别）
    file: PathBuf,
    #[command(flatten)]
    project: ProjectArgs,
}

#[derive(Args)]
pub struct TemplateArgs {
    /// 表的编号（如 `1.5.1 2.15.5`）；不给时生成全部 90 张表的模板
    codes: Vec<String>,
    /// 模板写入的目录，文件名为 `{编号}-模板.xlsx`
    #[arg(long, default_value = ".")]
    out_dir: PathBuf,
    #[command(flatten)]
    project: ProjectArgs,
}

/// Writes blank import templates; needs only the definitions, no database.
pub async fn template(args: TemplateArgs) -> anyhow::Result<ExitCode> {
    let catalog = defs::load_catalog(&args.project.defs).map_err(|p| anyhow::anyhow!("{p}"))?;
    let tables: Vec<_> = if args.codes.is_empty() {
        catalog.tables.clone()
    } else {
        args.codes
            .iter()
            .map(|c| {
                catalog
                    .table_by_code(c)
                    .cloned()
                    .ok_or_else(|| anyhow::anyhow!("没有编号为 {c} 的数据表"))
            })
            .collect::<anyhow::Result<_>>()?
    };
    std::fs::create_dir_all(&args.out_dir)
        .map_err(|e| anyhow::anyhow!("无法建立目录 {}：{e}", args.out_dir.display()))?;
    let progress = bar(tables.len() as u64);
    for table in &tables {
        progress.set_message(format!("{} {}", table.code, table.name));
        let bytes = statusdata::xlsx::template::template(&catalog, table)?;
        let file = args.out_dir.join(format!("{}-模板.xlsx", table.code));
        std::fs::write(&file, bytes)
            .map_err(|e| anyhow::anyhow!("无法写入 {}：{e}", file.display()))?;
        progress.inc(1);
    }
    progress.finish_and_clear();
    println!(
        "已把 {} 个模板写入 {}",
        tables.len(),
        args.out_dir.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn bar(len: u64) -> ProgressBar {
    let bar = ProgressBar::new(len);
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} {msg}") {
        bar.set_style(style);
    }
    bar
}

/// The `--header` of a CSV export.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum HeaderArg {
    Labels,
    Names,
}

/// What `--out`'s extension asks for: a workbook, or a BI file (None for an unknown extension).
fn wanted(out: &std::path::Path, header: HeaderArg) -> Option<Option<Flat>> {
    let heading = match header {
        HeaderArg::Labels => Heading::Labels,
        HeaderArg::Names => Heading::Names,
    };
    let ext = out.extension()?.to_str()?.to_lowercase();
    match ext.as_str() {
        "xlsx" => Some(None),
        "csv" | "zip" => Some(Some(Flat::Csv(heading))),
        "jsonl" | "ndjson" => Some(Some(Flat::Jsonl)),
        _ => None,
    }
}

pub async fn export(args: ExportArgs) -> anyhow::Result<ExitCode> {
    let Some(flat) = wanted(&args.out, args.header) else {
        eprintln!("未导出：--out 的扩展名应为 .xlsx、.csv、.zip 或 .jsonl");
        return Ok(ExitCode::FAILURE);
    };
    let ext = args.out.extension().and_then(|e| e.to_str()).unwrap_or("");
    let whole = args.table.is_none();
    if (ext.eq_ignore_ascii_case("csv") && whole) || (ext.eq_ignore_ascii_case("zip") && !whole) {
        eprintln!("未导出：一张表（--table）写成 .csv，整个周期写成 .zip（每张表一个 CSV）");
        return Ok(ExitCode::FAILURE);
    }
    let mut svc = args.project.open(&args.db).await?;
    svc.export_gate = args.export_before_signoff;
    let cycle = args.cycle;
    let exported = svc
        .blocking(move |svc| {
            svc.require_cycle(cycle)?;
            let who = svc.system();
            let Some(code) = args.table else {
                let progress = bar(svc.catalog().tables.len() as u64);
                let mut tick = |t: &statusdata::defs::Table| {
                    progress.set_message(format!("{} {}", t.code, t.name));
                    progress.inc(1);
                };
                let done = match flat {
                    None => svc.cycle_workbook(&who, cycle, &mut tick),
                    Some(flat) => svc.cycle_file(&who, cycle, flat, &mut tick),
                };
                progress.finish_and_clear();
                let done = done?;
                if let Some(n) = &done.warning {
                    eprintln!("注意：{n}");
                }
                return Ok(done.bytes);
            };
            match flat {
                None => svc.table_workbook(&who, cycle, &code),
                Some(flat) => svc.table_file(&who, cycle, &code, flat),
            }
        })
        .await;
    let bytes = match exported {
        Ok(bytes) => bytes,
        Err(e) => {
            eprintln!("未导出：{}（{}）", e.message, e.code.as_str());
            return Ok(ExitCode::FAILURE);
        }
    };
    std::fs::write(&args.out, &bytes)
        .map_err(|e| anyhow::anyhow!("无法写入 {}：{e}", args.out.display()))?;
    println!("已写入 {}（{} KB）", args.out.display(), bytes.len() >> 10);
    Ok(ExitCode::SUCCESS)
}

pub async fn import(args: ImportArgs) -> anyhow::Result<ExitCode> {
    let svc = args.project.open(&args.db).await?;
    let who = svc.system();
    let force = match (args.force, &args.reason) {
        (true, Some(reason)) => Force::because(reason),
        _ => Force::none(),
    };
    let table = svc.table(&args.table).map_err(said)?;
    let title = format!("“{} {}”", table.code, table.name);
    let cycle = args.cycle;
    // Unit, cycle, state and deadline, before the file is read.
    let ctx =
        match svc.authorize_import(&who, &table, cycle, Some(&args.unit), args.dry_run, &force) {
            Ok(ctx) => ctx,
            Err(e) => {
                eprintln!("{title}：{}（{}）", e.message, e.code.as_str());
                return Ok(ExitCode::FAILURE);
            }
        };
    let bytes = std::fs::read(&args.file)
        .map_err(|e| anyhow::anyhow!("无法读取 {}：{e}", args.file.display()))?;
    let spinner = ProgressBar::new_spinner();
    spinner.set_message(format!("读取 {}", args.file.display()));
    spinner.enable_steady_tick(std::time::Duration::from_millis(120));
    let (t, name) = (table.clone(), args.file.to_string_lossy().into_owned());
    let parsed = svc
        .blocking(move |svc| svc.read_import(&t, cycle, &name, &bytes, &Limits::default()))
        .await
        .map_err(said)?;
    spinner.finish_and_clear();
    let mut parsed = match parsed {
        Ok(p) => p,
        Err(message) => {
            eprintln!("{}：{message}", args.file.display());
            return Ok(ExitCode::FAILURE);
        }
    };
    for column in &parsed.ignored_columns {
        eprintln!("提示：未知的列“{column}”已忽略");
    }
    let (batches, unit_problems) = svc.import_batches(&who, &ctx, &parsed);
    parsed.problems.extend(unit_problems);
    if !parsed.problems.is_empty() {
        for p in &parsed.problems {
            eprintln!("{title} 第 {} 行 {}：{}", p.row, p.field, p.message);
        }
        eprintln!("未导入任何数据：共 {} 处问题", parsed.problems.len());
        return Ok(ExitCode::FAILURE);
    }
    let rows = parsed.rows.len();
    let mode = if args.replace {
        if args.allow_empty {
            Mode::ReplaceAllowEmpty
        } else {
            Mode::Replace
        }
    } else {
        Mode::Append
    };
    if args.dry_run {
        let (w, t, b) = (who.clone(), table.clone(), batches.clone());
        let rehearsed = svc
            .blocking(move |svc| Ok(svc.rehearse_import(&w, &t, &b, mode)))
            .await
            .map_err(|e| anyhow::anyhow!(e.message))?;
        match rehearsed {
            Ok(checks) => {
                println!("检查通过：{rows} 行可以导入{title}");
                print_checks(&title, &checks);
                return Ok(ExitCode::SUCCESS);
            }
            Err(refusal) => {
                let at = refusal
                    .row
                    .map(|r| format!("第 {r} 行"))
                    .unwrap_or_default();
                eprintln!("{title}{at}无法保存：{}", refusal.error.message);
                return Ok(ExitCode::FAILURE);
            }
        }
    }
    let t = table.clone();
    let stored = svc
        .blocking(move |svc| Ok(svc.store_import(&who, &t, &batches, mode, &force)))
        .await
        .map_err(said)?;
    match stored {
        Ok(done) => {
            if args.replace {
                println!(
                    "已导入{title}：删除原有 {} 行，写入 {} 行",
                    done.deleted, done.inserted
                );
            } else {
                println!(
                    "已导入{title}：新增 {} 行，更新 {} 行",
                    done.inserted, done.updated
                );
            }
            print_checks(&title, &done.checks);
        }
        Err(refusal) => {
            let at = refusal
                .row
                .map(|r| format!("第 {r} 行"))
                .unwrap_or_default();
            eprintln!(
                "{title}{at}无法保存，未导入任何数据：{}（{}）",
                refusal.error.message,
                refusal.error.code.as_str()
            );
            return Ok(ExitCode::FAILURE);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// What would still stop submission, by Excel row (the import is not refused for it).
fn print_checks(title: &str, checks: &[statusdata::service::checks::RowCheck]) {
    if checks.is_empty() {
        return;
    }
    eprintln!("提交前须处理 {} 处（不影响导入）：", checks.len());
    for c in checks {
        let kind = if c.severity == "error" {
            "错误"
        } else {
            "提醒"
        };
        eprintln!(
            "{title} 第 {} 行 {}：{}（{kind}）",
            c.row, c.label, c.message
        );
    }
}
