//! The `statusdata` command line (CONTRACT.md lists the stable commands).

// The benchmarks (cargo feature `bench`, default): beside the faces, as they measure the store.
#[cfg(feature = "bench")]
mod bench;
mod cmd;

// glibc's malloc/free took about a third of the server's CPU under load; jemalloc's per-thread
// caches cut that (measured with `bench graphql` and the peer benchmark; see README).
#[cfg(feature = "jemalloc")]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

use std::process::ExitCode;

/// Runs the command. A command that could not run says why in one line a person can act on (the
/// causes after colons), never a backtrace, and exits 1: under systemd it is what the journal
/// shows for a failed start.
fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(e) => {
            let causes: Vec<String> = e.chain().map(ToString::to_string).collect();
            eprintln!("错误：{}", causes.join("："));
            ExitCode::FAILURE
        }
    }
}

fn run() -> anyhow::Result<ExitCode> {
    // `.env` (see `.env.example`) stands in for the environment variables the flags read; a
    // variable already set wins, and a missing file is not an error.
    if let Err(e) = dotenvy::dotenv() {
        if !e.not_found() {
            return Err(anyhow::anyhow!("无法读取 .env：{e}"));
        }
    }
    let cli = cmd::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(cmd::run(cli))
}
