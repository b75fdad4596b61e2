//! `statusdata users import | set | reset-password | disable | enable`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use statusdata::defs::Units;
use statusdata::service::admin::{read_staff, role_name, Change, Imported};
use statusdata::service::database::DEFAULT_DATABASE_URL;
use statusdata::service::{ApiError, Code, Service};

use super::{said, ProjectArgs};

#[derive(Args)]
pub struct UsersArgs {
    /// 数据库地址（sqlite://文件 或 postgres://…）
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL, global = true)]
    db: String,
    #[command(flatten)]
    project: ProjectArgs,
    #[command(subcommand)]
    what: UsersWhat,
}

#[derive(Subcommand)]
enum UsersWhat {
    /// 由教职工名单创建账号（xlsx 或 csv，列：工号、姓名、部门、角色，可选 姓氏拼音），初始密码按通知规则，首次登录须修改
    ///
    /// 全有或全无：任何一行有问题（含同一工号出现两次）整份名单都不写入。已有账号的姓名、部门或角色与名单不同时，不加 --update 只列出差异、不写入；加 --update 按名单更新，每个改动记入审计日志（改动前后）。
    Import {
        /// 名单文件（xlsx 或 csv）
        file: PathBuf,
        /// 已有账号的姓名、部门或角色与名单不同时，按名单更新（记入审计日志）；不加时只报告，不写入
        #[arg(long)]
        update: bool,
    },
    /// 修改一个账号的部门和/或角色（记入审计日志）。
    Set {
        /// 工号
        staff_no: String,
        /// 新部门（名称、别名或代码，见 seeds/units.toml）
        #[arg(long)]
        unit: Option<String>,
        /// 新角色（collector 采集员、head 部门负责人、quality_admin 质量部管理员、leader 院领导、sysadmin 系统管理员）
        #[arg(long)]
        role: Option<String>,
    },
    /// 把账号恢复为初始密码（下次登录须修改）。
    ResetPassword {
        /// 工号
        staff_no: String,
        /// 姓氏拼音（无法由姓名得出时填写）
        #[arg(long)]
        pinyin: Option<String>,
    },
    /// 停用账号并结束其会话。
    Disable {
        /// 工号
        staff_no: String,
    },
    /// 恢复已停用的账号。
    Enable {
        /// 工号
        staff_no: String,
    },
}

pub async fn run(args: UsersArgs) -> anyhow::Result<ExitCode> {
    let svc = args.project.open(&args.db).await?;
    let (done, said_ok) = match args.what {
        UsersWhat::Import { file, update } => return import(svc, file, update).await,
        UsersWhat::Set {
            staff_no,
            unit,
            role,
        } => {
            let change = svc
                .blocking(move |svc| {
                    svc.set_account(&svc.system(), &staff_no, unit.as_deref(), role.as_deref())
                })
                .await;
            let said_ok = match &change {
                Ok(c) if c.before == c.after => format!("{}：无变化", c.staff_no),
                Ok(c) => describe(c, &svc.units, "已更新"),
                Err(_) => String::new(),
            };
            (change.map(|_| ()), said_ok)
        }
        UsersWhat::ResetPassword { staff_no, pinyin } => {
            let s = staff_no.clone();
            let done = svc
                .blocking(move |svc| svc.reset_password(&svc.system(), &s, pinyin.as_deref()))
                .await;
            (
                done,
                format!("{staff_no}：已恢复为初始密码，下次登录须修改"),
            )
        }
        UsersWhat::Disable { staff_no } => toggle(&svc, staff_no, true).await,
        UsersWhat::Enable { staff_no } => toggle(&svc, staff_no, false).await,
    };
    match done {
        Ok(()) => {
            println!("{said_ok}");
            Ok(ExitCode::SUCCESS)
        }
        Err(e) if matches!(e.code, Code::NotFound | Code::BadRequest) => {
            eprintln!("{}", e.message);
            Ok(ExitCode::FAILURE)
        }
        Err(e) => Err(said(e)),
    }
}

async fn toggle(svc: &Service, staff_no: String, disabled: bool) -> (Result<(), ApiError>, String) {
    let s = staff_no.clone();
    let done = svc
        .blocking(move |svc| svc.set_disabled(&svc.system(), &s, disabled))
        .await;
    let what = if disabled {
        "已停用，会话已结束"
    } else {
        "已恢复"
    };
    (done, format!("{staff_no}：{what}"))
}

async fn import(svc: Service, file: PathBuf, update: bool) -> anyhow::Result<ExitCode> {
    let rows = match read_staff(&file, &svc.units) {
        Ok(rows) => rows,
        Err(problems) => {
            for p in &problems {
                eprintln!("{p}");
            }
            eprintln!("未导入任何账号：共 {} 处问题", problems.len());
            return Ok(ExitCode::FAILURE);
        }
    };
    let done = svc
        .blocking(move |svc| svc.import_staff(&svc.system(), &rows, update))
        .await
        .map_err(said)?;
    let units = &svc.units;
    for c in &done.changes {
        if done.written {
            println!("第 {} 行：{}", c.line, describe(c, units, "已更新"));
        } else {
            eprintln!("第 {} 行：{}", c.line, describe(c, units, "与名单不同"));
        }
    }
    let Imported {
        created,
        unchanged,
        ref changes,
        written,
    } = done;
    if !written {
        eprintln!(
            "未导入任何账号：{} 个已有账号的姓名、部门或角色与名单不同（见上）；核对无误后加 --update 重新导入，即按名单更新（记入审计日志）",
            changes.len()
        );
        return Ok(ExitCode::FAILURE);
    }
    println!(
        "新建 {created} 个账号，更新 {} 个，{unchanged} 个已有账号与名单一致",
        changes.len()
    );
    Ok(ExitCode::SUCCESS)
}

/// `工号 6001（张三）已更新：部门 人事处 → 教务部，角色 collector → head`.
fn describe(c: &Change, units: &Units, verb: &str) -> String {
    let unit = |code: &str| {
        units
            .by_code(code)
            .map_or(code, |u| u.name.as_str())
            .to_owned()
    };
    let mut parts = Vec::new();
    if c.before.name != c.after.name {
        parts.push(format!("姓名 {} → {}", c.before.name, c.after.name));
    }
    if c.before.unit != c.after.unit {
        parts.push(format!(
            "部门 {} → {}",
            unit(&c.before.unit),
            unit(&c.after.unit)
        ));
    }
    if c.before.role != c.after.role {
        let role = |code: &str| role_name(code).unwrap_or(code).to_owned();
        parts.push(format!(
            "角色 {} → {}",
            role(&c.before.role),
            role(&c.after.role)
        ));
    }
    format!(
        "工号 {}（{}）{verb}：{}",
        c.staff_no,
        c.before.name,
        parts.join("，")
    )
}
