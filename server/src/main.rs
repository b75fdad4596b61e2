//! The `statusdata` command line (see CONTRACT.md for the stable commands).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use statusdata::check::{self, Paths};

#[derive(Parser)]
#[command(
    name = "statusdata",
    version,
    about = "高职院校人才培养工作状态数据采集与上报服务"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Validate table definitions, code lists, units and policies together.
    Check {
        /// Folder of table definitions.
        #[arg(long, env = "STATUSDATA_DEFS", default_value = "table-defs")]
        defs: PathBuf,
        /// The units file.
        #[arg(long, env = "STATUSDATA_UNITS", default_value = "seeds/units.toml")]
        units: PathBuf,
        /// Folder holding model.conf and policy.csv.
        #[arg(long, env = "STATUSDATA_POLICIES", default_value = "policies")]
        policies: PathBuf,
    },
}

fn main() -> anyhow::Result<ExitCode> {
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    match cli.command {
        Command::Check {
            defs,
            units,
            policies,
        } => {
            let paths = Paths {
                defs,
                units,
                policies,
            };
            match runtime.block_on(check::check_all(&paths)) {
                Ok(s) => {
                    println!(
                        "ok: {} tables ({} source, {} basic, {} special), {} fields, {} code lists, {} units, {} policy lines",
                        s.tables, s.source, s.basic, s.special, s.fields, s.code_lists, s.units, s.rules
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(problems) => {
                    for p in &problems.0 {
                        println!("{p}");
                    }
                    println!("{} problem(s) found", problems.0.len());
                    Ok(ExitCode::FAILURE)
                }
            }
        }
    }
}
