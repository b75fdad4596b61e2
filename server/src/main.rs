//! The `statusdata` command line (CONTRACT.md lists the stable commands).

mod cmd;

// glibc's malloc/free took about a third of the server's CPU under load; jemalloc's per-thread
// caches cut that (measured with `bench graphql` and the peer benchmark; see README).
#[cfg(feature = "jemalloc")]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // `.env` (see `.env.example`) stands in for the environment variables the flags read; a
    // variable already set wins, and a missing file is not an error.
    if let Err(e) = dotenvy::dotenv() {
        if !e.not_found() {
            eprintln!("错误：无法读取 .env：{e}");
            return ExitCode::FAILURE;
        }
    }
    let cli = cmd::Cli::parse();
    let done = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(anyhow::Error::from)
        .and_then(|runtime| runtime.block_on(cmd::run(cli)));
    // One line a person can act on (the causes after colons), never a backtrace: under systemd it
    // is what the journal shows for a failed start.
    match done {
        Ok(code) => code,
        Err(e) => {
            let causes: Vec<String> = e.chain().map(ToString::to_string).collect();
            eprintln!("错误：{}", causes.join("："));
            ExitCode::FAILURE
        }
    }
}
