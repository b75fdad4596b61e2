//! Subcommands of the `statusdata` binary. Each reads its flags (or the environment variables the
//! contract names), calls the library and prints a result a person can act on.

mod annual;
mod bi;
mod check;
mod cli_zh;
mod cycle;
mod dump;
mod excel;
mod live;
mod migrate;
#[cfg(feature = "demo")]
mod seed;
mod serve;
mod serve_watch;
mod users;
mod validate;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use statusdata::service::database::Files;
use statusdata::service::{ApiError, Service};
#[cfg(not(all(feature = "demo", feature = "bench")))]
use statusdata::version::Optional;

#[cfg(feature = "bench")]
use crate::bench;

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
    /// 一并检查表定义、代码表、部门与权限策略；一致时退出码 0，否则逐条列出问题（文件、键名）并退出码 1。
    Check(check::CheckArgs),
    /// 创建或更新数据库的核心表与数据表（按表定义）。
    Migrate(migrate::MigrateArgs),
    /// 运行服务：表单浏览器在 /，GraphQL 在 /graphql，GraphiQL 在 /graphiql。
    Serve(serve::ServeArgs),
    /// 打印 GraphQL 模式（SDL），即仓库中 schema.graphql 的内容。
    PrintSchema(serve::PrintSchemaArgs),
    /// 采集周期：`cycle new 2024 --from 2023` 开启新周期。
    Cycle(cycle::CycleArgs),
    /// 账号管理：导入教职工名单、修改部门或角色、重置密码、停用或恢复。
    Users(users::UsersArgs),
    /// 向数据库写入数据（`seed demo`：演示学院，与 `serve --demo` 相同）。
    #[cfg(feature = "demo")]
    Seed(seed::SeedArgs),
    /// 演示学院（此版本构建时未包含）。
    #[cfg(not(feature = "demo"))]
    #[command(hide = true)]
    Seed(LeftOut),
    /// 生成空白导入模板（全部 90 张表，或指定的表）。
    Template(excel::TemplateArgs),
    /// 把整个周期（或一张表）导出为 Excel 工作簿。
    Export(excel::ExportArgs),
    /// 质量年度报告数据表：`annual-report --cycle 2023 --out 文件.xlsx|文件.docx`。
    AnnualReport(annual::AnnualArgs),
    /// 把填好的模板导入一个部门的数据：全有或全无。
    Import(excel::ImportArgs),
    /// 对一个周期运行全部校验规则，写入并逐条列出发现的问题（退出码：0 无错误，2 有错误，1 无法运行）。
    Validate(validate::ValidateArgs),
    /// 性能测试：与同一次运行中测得的基准对比。
    #[cfg(feature = "bench")]
    Bench(bench::BenchArgs),
    /// 性能测试（此版本构建时未包含）。
    #[cfg(not(feature = "bench"))]
    #[command(hide = true)]
    Bench(LeftOut),
    /// 把整个数据库的一致性副本写入一个 SQLite 文件（服务运行时也可执行；不需要表定义文件）。
    Backup(dump::BackupArgs),
    /// 把一个完整的备份文件恢复到空数据库。
    Restore(dump::RestoreArgs),
    /// 把一个数据库的全部数据复制到另一个（如 SQLite 换到 PostgreSQL），逐表核对。
    Copy(dump::CopyArgs),
    /// 让同一数据库上所有运行中的实例重新载入表定义与分工（同 SIGHUP）。
    Reload(live::ReloadArgs),
    /// 数据库中的现行分工：`policy export [--out 文件]` 导出，`policy import 文件` 检查后替换。
    Policy(live::PolicyArgs),
    /// BI 只读视图：`bi grant 角色` 创建只能读取视图的 PostgreSQL 角色。
    Bi(bi::BiArgs),
}

/// The words after a command this build left out, taken as they come: the command then says what
/// is missing and how to build it in, where clap would only answer "unknown subcommand".
#[cfg(not(all(feature = "demo", feature = "bench")))]
#[derive(Args)]
pub struct LeftOut {
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
    _words: Vec<String>,
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

impl ProjectArgs {
    /// The files, as the service reads them.
    pub fn files(&self) -> Files {
        Files {
            defs: self.defs.clone(),
            units: self.units.clone(),
            policies: self.policies.clone(),
        }
    }

    /// The service over the database at `db`, migrated for these files.
    pub async fn open(&self, db: &str) -> anyhow::Result<Service> {
        Ok(Service::open(db, &self.files()).await?)
    }
}

/// A service error as the command line says it: the message and its code.
pub fn said(e: ApiError) -> anyhow::Error {
    anyhow::anyhow!("{}（{}）", e.message, e.code.as_str())
}

/// Parses the command line, with clap's own words (headings, help, usage errors) in Chinese.
pub fn parse() -> Cli {
    use clap::{CommandFactory, FromArgMatches};
    let mut cmd = cli_zh::localized(Cli::command(), true);
    cmd.build();
    cli_zh::usage_in_chinese(&mut cmd);
    cmd.try_get_matches()
        .and_then(|m| Cli::from_arg_matches(&m))
        .unwrap_or_else(|e| cli_zh::exit(&e))
}

/// Runs the parsed command.
pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Check(args) => check::run(args).await,
        Command::Migrate(args) => migrate::run(args).await,
        #[cfg(feature = "bench")]
        Command::Bench(args) => bench::run(args).await,
        #[cfg(not(feature = "bench"))]
        Command::Bench(_) => Err(anyhow::anyhow!(Optional::Bench.missing())),
        Command::Export(args) => excel::export(args).await,
        Command::AnnualReport(args) => annual::run(args).await,
        Command::Template(args) => excel::template(args).await,
        Command::Import(args) => excel::import(args).await,
        #[cfg(feature = "demo")]
        Command::Seed(args) => seed::run(args).await,
        #[cfg(not(feature = "demo"))]
        Command::Seed(_) => Err(anyhow::anyhow!(Optional::Demo.missing())),
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
        Command::Bi(args) => bi::run(args).await,
    }
}
