//! The `statusdata` command line (CONTRACT.md lists the stable commands).

mod cmd;

use std::process::ExitCode;

use clap::Parser;

fn main() -> anyhow::Result<ExitCode> {
    let cli = cmd::Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(cmd::run(cli))
}
