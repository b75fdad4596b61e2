//! `statusdata bi grant ROLE`: a PostgreSQL role that reads the BI views and nothing else.

use std::process::ExitCode;

use clap::{Args, Subcommand};
use statusdata::service::bi;
use statusdata::service::database::DEFAULT_DATABASE_URL;

use super::{said, ProjectArgs};

/// The environment variable `--login` reads the role's password from (never the command line,
/// which other users of the machine can see).
const PASSWORD_VAR: &str = "STATUSDATA_BI_PASSWORD";

#[derive(Args)]
pub struct BiArgs {
    #[command(subcommand)]
    what: BiWhat,
}

#[derive(Subcommand)]
enum BiWhat {
    /// 创建（或刷新）一个只能读取 BI 视图（bi 模式）的 PostgreSQL 角色；读不到原始数据表与账号等表，视图重建后仍可读。
    Grant(GrantArgs),
}

#[derive(Args)]
struct GrantArgs {
    /// 角色名（如 bi_reader）
    role: String,
    /// 允许该角色登录：密码取自环境变量 STATUSDATA_BI_PASSWORD（不在命令行上给出）；不给时角色不能登录（NOLOGIN），供已有账号 GRANT 使用
    #[arg(long)]
    login: bool,
    /// 数据库地址（仅 postgres://…）
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    db: String,
    #[command(flatten)]
    project: ProjectArgs,
}

pub async fn run(args: BiArgs) -> anyhow::Result<ExitCode> {
    let BiWhat::Grant(args) = args.what;
    bi::refuse_sqlite(&args.db).map_err(said)?;
    let password = if args.login {
        match std::env::var(PASSWORD_VAR) {
            Ok(p) if !p.is_empty() => Some(p),
            _ => anyhow::bail!("--login 需要在环境变量 {PASSWORD_VAR} 中给出该角色的密码"),
        }
    } else {
        None
    };
    let svc = args.project.open(&args.db).await?;
    let role = args.role.clone();
    let g = svc
        .blocking(move |svc| svc.bi_grant(&svc.system(), &role, password.as_deref()))
        .await
        .map_err(said)?;
    let what = if g.created {
        "已创建角色"
    } else {
        "已刷新角色"
    };
    let login = if g.login {
        "可登录"
    } else {
        "不可登录（NOLOGIN）"
    };
    println!(
        "{what} {}（{login}）：可读取模式 {} 中的 {} 个视图与代码表 {}.codes；视图重建（表定义变更、升级）后仍可读",
        g.role, g.schema, g.views, g.schema
    );
    if !g.also_readable.is_empty() {
        eprintln!(
            "注意：角色 {} 还能读取这些表（超级用户或此前的授权），并不是只读 BI 角色：{}",
            g.role,
            g.also_readable.join("、")
        );
    }
    Ok(ExitCode::SUCCESS)
}
