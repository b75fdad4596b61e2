//! `statusdata validate`: runs every quality rule over a cycle (or one table's rules), writes the
//! findings and lists each one standing (table, unit, the row's key, rule, message), as text
//! grouped by table or as JSON; a progress bar shows on a terminal.

use std::process::ExitCode;

use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::{json, Value as Json};
use statusdata::defs::{Catalog, Table, Units};
use statusdata::service::database::DEFAULT_DATABASE_URL;
use statusdata::service::validation::{Finding, Progress, RunReport};

use super::{said, ProjectArgs};

#[derive(Args)]
#[command(
    after_help = "退出码：0 没有错误（可能有提醒）；2 发现错误；1 无法运行（数据库、表定义或参数有误）。"
)]
pub struct ValidateArgs {
    /// 数据库地址（sqlite://文件 或 postgres://…）
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    db: String,
    /// 采集周期（年份）
    #[arg(long, default_value_t = 2023)]
    cycle: i32,
    /// 只运行这张表的规则（表的编号，如 1.5.3）
    #[arg(long)]
    table: Option<String>,
    /// 输出格式：text（按表分组，便于阅读）或 json（供脚本使用）
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    #[command(flatten)]
    project: ProjectArgs,
}

/// How the findings are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Json,
}

pub async fn run(args: ValidateArgs) -> anyhow::Result<ExitCode> {
    let svc = args.project.open(&args.db).await?;
    let (cycle, table) = (args.cycle, args.table.clone());
    let done = svc
        .blocking(move |svc| {
            let bar = ProgressBar::hidden();
            if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} 规则 {msg}") {
                bar.set_style(style);
            }
            let run = svc.validate(&svc.system(), cycle, table.as_deref(), &mut |p| match p {
                Progress::Rules(n) => {
                    bar.set_length(n as u64);
                    bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
                }
                Progress::Checked(id) => {
                    bar.set_message(id.to_owned());
                    bar.inc(1);
                }
            });
            bar.finish_and_clear();
            run
        })
        .await
        .map_err(said)?;
    let listed = Listed::new(svc.catalog(), &svc.units, done.standing);
    let report = done.report;
    match args.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&listed.json(&report))?),
        Format::Text => listed.print(&report),
    }
    Ok(if report.errors > 0 {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

/// The standing findings in the notice's table order, with their tables and unit names.
struct Listed<'a> {
    findings: Vec<(Option<&'a Table>, String, Finding)>,
}

impl<'a> Listed<'a> {
    fn new(catalog: &'a Catalog, units: &Units, standing: Vec<Finding>) -> Listed<'a> {
        let mut findings: Vec<_> = standing
            .into_iter()
            .map(|f| {
                let table = catalog.table_by_code(&f.found.table_code).map(|t| &**t);
                let unit = units
                    .by_code(&f.found.unit)
                    .map_or_else(|| f.found.unit.clone(), |u| u.name.clone());
                (table, unit, f)
            })
            .collect();
        let position = |t: Option<&Table>| {
            t.and_then(|t| catalog.tables.iter().position(|c| c.code == t.code))
                .unwrap_or(usize::MAX)
        };
        findings.sort_by(|a, b| {
            (
                position(a.0),
                &a.2.found.table_code,
                &a.2.found.unit,
                &a.2.found.rule,
                &a.2.found.row_ref,
            )
                .cmp(&(
                    position(b.0),
                    &b.2.found.table_code,
                    &b.2.found.unit,
                    &b.2.found.rule,
                    &b.2.found.row_ref,
                ))
        });
        Listed { findings }
    }

    fn json(&self, report: &RunReport) -> Json {
        let findings: Vec<Json> = self
            .findings
            .iter()
            .map(|(table, unit, f)| {
                json!({
                    "table": f.found.table_code,
                    "tableName": table.map_or("", |t| t.name.as_str()),
                    "unit": f.found.unit,
                    "unitName": unit,
                    "key": table.map_or_else(|| json!({}), |t| key_of(t, &f.found.row_ref)),
                    "row": f.found.row_ref,
                    "rule": f.found.rule,
                    "severity": f.found.severity,
                    "field": f.found.field,
                    "message": f.found.message,
                    "state": f.state,
                })
            })
            .collect();
        json!({
            "rules": report.rules,
            "errors": report.errors,
            "warnings": report.warnings,
            "findings": findings,
        })
    }

    fn print(&self, report: &RunReport) {
        let mut current: Option<&str> = None;
        for (i, (table, unit, f)) in self.findings.iter().enumerate() {
            if current != Some(f.found.table_code.as_str()) {
                current = Some(&f.found.table_code);
                let n = self.findings[i..]
                    .iter()
                    .take_while(|x| x.2.found.table_code == f.found.table_code)
                    .count();
                let name = table.map_or("", |t| t.name.as_str());
                println!("{} {name}（{n} 条）", f.found.table_code);
            }
            let severity = if f.found.severity == "error" {
                "错误"
            } else {
                "提醒"
            };
            let row = if f.found.row_ref.is_empty() {
                "（整表）"
            } else {
                &f.found.row_ref
            };
            println!(
                "  [{severity}] {unit} · {row} · {}：{}",
                f.found.rule, f.found.message
            );
        }
        if !self.findings.is_empty() {
            println!();
        }
        println!(
            "{} 条规则，用时 {:.2} 秒：错误 {} 条，提醒 {} 条（新发现 {}，仍存在 {}，再次出现 {}，已解决 {}）",
            report.rules,
            report.elapsed.as_secs_f64(),
            report.errors,
            report.warnings,
            report.changes.opened,
            report.changes.kept,
            report.changes.reopened,
            report.changes.resolved,
        );
    }
}

/// The row's key as `{field: value}`, read back from the finding's `标签=值，标签=值` (the key
/// fields' labels in order, as `store::rules` writes it); empty when the finding has no row.
fn key_of(table: &Table, row_ref: &str) -> Json {
    let labels: Vec<(&str, &str)> = table
        .key
        .iter()
        .map(|k| {
            let label = table.field(k).map_or(k.as_str(), |f| f.label.as_str());
            (k.as_str(), label)
        })
        .collect();
    let mut out = serde_json::Map::new();
    let mut rest = row_ref;
    for (i, (field, label)) in labels.iter().enumerate() {
        let Some(after) = rest.strip_prefix(&format!("{label}=")) else {
            return Json::Object(serde_json::Map::new());
        };
        let end = labels
            .get(i + 1)
            .and_then(|(_, next)| after.find(&format!("，{next}=")))
            .unwrap_or(after.len());
        out.insert((*field).to_owned(), Json::String(after[..end].to_owned()));
        rest = after[end..].trim_start_matches('，');
    }
    Json::Object(out)
}
