//! `statusdata check`.

use std::process::ExitCode;

use clap::Args;
use statusdata::check::{self, Paths};

use super::ProjectArgs;

#[derive(Args)]
pub struct CheckArgs {
    #[command(flatten)]
    project: ProjectArgs,
}

pub async fn run(args: CheckArgs) -> anyhow::Result<ExitCode> {
    let p = args.project;
    // On standard error: stdout stays the summary scripts read.
    for warning in statusdata::version::files_warnings(&p.defs, &p.units, &p.policies) {
        eprintln!("警告：{warning}");
    }
    let paths = Paths {
        defs: p.defs,
        units: p.units,
        policies: p.policies,
    };
    match check::check_all(&paths).await {
        Ok(s) => {
            println!(
                "检查通过：{} 张表（源数据表 {}，基础数据表 {}，专项数据表 {}），{} 个字段，{} 个代码表，{} 个部门，{} 行分工，{} 项核心指标",
                s.tables, s.source, s.basic, s.special, s.fields, s.code_lists, s.units, s.rules, s.indicators
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(problems) => {
            for p in &problems.0 {
                println!("{p}");
            }
            println!("共发现 {} 处问题", problems.0.len());
            Ok(ExitCode::FAILURE)
        }
    }
}
