//! Subcommands of the `statusdata` binary. Each reads its flags (or the environment variables the
//! contract names), calls the library and prints a result a person can act on.

mod bench;
mod bench_export;
mod bench_http;
mod bench_import;
mod bench_validate;
mod check;
mod cycle;
mod dump;
mod excel;
mod live;
mod migrate;
mod seed;
mod serve;
mod serve_watch;
mod users;
mod validate;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "statusdata",
    version = statusdata::version::LONG,
    about = "高职院校人才培养工作状态数据采集与上报服务"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Validate table definitions, code lists, units and policies together.
    Check(check::CheckArgs),
    /// 创建或更新数据库的核心表与数据表（按表定义）。
    Migrate(migrate::MigrateArgs),
    /// 运行服务：表单浏览器在 /，GraphQL 在 /graphql，GraphiQL 在 /graphiql。
    Serve(serve::ServeArgs),
    /// 打印 GraphQL 模式（SDL），即仓库中 schema.graphql 的内容。
    PrintSchema(serve::PrintSchemaArgs),
    /// Collection cycles: `cycle new 2024 --from 2023`.
    Cycle(cycle::CycleArgs),
    /// Manage accounts: import a staff list, reset a password, disable or enable.
    Users(users::UsersArgs),
    /// Fill a database with data (`seed demo`: the demo college).
    Seed(seed::SeedArgs),
    /// Write blank import templates (all 90, or the tables named).
    Template(excel::TemplateArgs),
    /// Export the whole cycle (or one table) as an Excel workbook.
    Export(excel::ExportArgs),
    /// Import a filled template into one unit's rows: all or nothing.
    Import(excel::ImportArgs),
    /// Run every quality rule over a cycle and write the findings.
    Validate(validate::ValidateArgs),
    /// Measure throughput against a baseline measured in the same run.
    Bench(bench::BenchArgs),
    /// 把整个数据库的一致性副本写入一个 SQLite 文件（服务运行时也可执行；不需要表定义文件）。
    Backup(dump::BackupArgs),
    /// 把一个完整的备份文件恢复到空数据库。
    Restore(dump::RestoreArgs),
    /// 把一个数据库的全部数据复制到另一个（如 SQLite 换到 PostgreSQL），逐表核对。
    Copy(dump::CopyArgs),
    /// Ask every running instance to reload its definitions and policy (as SIGHUP does).
    Reload(live::ReloadArgs),
    /// The policy in force, kept in the database: `policy export [--out FILE]`, `policy import FILE`.
    Policy(live::PolicyArgs),
}

/// Where the administrator's files are; shared by every command that reads them.
#[derive(Args, Clone)]
pub struct ProjectArgs {
    /// 表定义文件夹。
    #[arg(long, env = "STATUSDATA_DEFS", default_value = "table-defs")]
    pub defs: PathBuf,
    /// 部门文件。
    #[arg(long, env = "STATUSDATA_UNITS", default_value = "seeds/units.toml")]
    pub units: PathBuf,
    /// 分工（casbin 的 model.conf 与 policy.csv）所在文件夹。
    #[arg(long, env = "STATUSDATA_POLICIES", default_value = "policies")]
    pub policies: PathBuf,
}

/// Runs the parsed command.
pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Check(args) => check::run(args).await,
        Command::Migrate(args) => migrate::run(args).await,
        Command::Bench(args) => bench::run(args).await,
        Command::Export(args) => excel::export(args).await,
        Command::Template(args) => excel::template(args).await,
        Command::Import(args) => excel::import(args).await,
        Command::Seed(args) => seed::run(args).await,
        Command::Validate(args) => validate::run(args).await,
        Command::Users(args) => users::run(args).await,
        Command::Cycle(args) => cycle::run(args).await,
        Command::Serve(args) => serve::run(args).await,
        Command::Backup(args) => dump::backup(args).await,
        Command::Restore(args) => dump::restore(args).await,
        Command::Copy(args) => dump::copy(args).await,
        Command::PrintSchema(args) => serve::print_schema(args).await,
        Command::Reload(args) => live::reload(args).await,
        Command::Policy(args) => live::policy(args).await,
    }
}
