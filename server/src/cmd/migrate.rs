//! `statusdata migrate`.

use std::process::ExitCode;

use clap::Args;
use statusdata::service::database::{MigrateReport, OpenError, DEFAULT_DATABASE_URL};
use statusdata::service::Service;

use super::ProjectArgs;

#[derive(Args)]
pub struct MigrateArgs {
    /// 数据库：sqlite://PATH 或 postgres://USER@HOST:PORT/DB。
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    db: String,
    #[command(flatten)]
    project: ProjectArgs,
    /// 允许删除或改类型：表定义删去或改动了的列和表会被删除或重建（其中的数据丢失；SQLite
    /// 数据库先复制一份在旁边）。
    #[arg(long)]
    allow_destructive: bool,
}

pub async fn run(args: MigrateArgs) -> anyhow::Result<ExitCode> {
    let p = &args.project;
    for warning in statusdata::version::files_warnings(&p.defs, &p.units, &p.policies) {
        eprintln!("警告：{warning}");
    }
    match Service::open_migrated(&args.db, &p.files(), args.allow_destructive).await {
        Ok(opened) => {
            print_report(&opened.report);
            Ok(ExitCode::SUCCESS)
        }
        Err(OpenError::Destructive(reasons)) => {
            eprintln!("迁移已停止，未做任何更改：");
            for r in reasons {
                eprintln!("  {r}");
            }
            Ok(ExitCode::FAILURE)
        }
        Err(e) => Err(e.into()),
    }
}

fn print_report(report: &MigrateReport) {
    if let Some(path) = &report.backup {
        println!("执行删除或改类型之前，数据库已复制到 {}", path.display());
    }
    for v in &report.core {
        println!("已执行核心迁移 {v}");
    }
    if report.units_changed > 0 {
        println!("已同步 {} 个部门", report.units_changed);
    }
    let t = &report.tables;
    for (what, items) in [
        ("已创建表", &t.created_tables),
        ("已增加列", &t.added_columns),
        ("已重建主键", &t.rekeyed_tables),
        ("已删除", &t.dropped),
    ] {
        for item in items {
            println!("{what} {item}");
        }
    }
    let ours = statusdata::version::current();
    match &report.upgraded_from {
        Some(before) => println!("数据库原由 statusdata {before} 迁移，现已记为 {ours}"),
        None if report.is_empty() => println!("数据库已是最新（statusdata {ours}）"),
        None => println!("迁移完成（statusdata {ours}）"),
    }
}
