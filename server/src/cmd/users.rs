//! `statusdata users import | reset-password | disable | enable`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, Subcommand};
use statusdata::auth::{import, service};
use statusdata::defs;
use statusdata::store::{Store, DEFAULT_DATABASE_URL};

use super::ProjectArgs;

#[derive(Args)]
pub struct UsersArgs {
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL, global = true)]
    db: String,
    #[command(flatten)]
    project: ProjectArgs,
    #[command(subcommand)]
    what: UsersWhat,
}

#[derive(Subcommand)]
enum UsersWhat {
    /// Create accounts from a staff list (xlsx or csv: 工号, 姓名, 部门, 角色, optional 姓氏拼音),
    /// each with the notice's initial password, to be changed at first login.
    Import { file: PathBuf },
    /// Reset an account to its initial password (to be changed at the next login).
    ResetPassword {
        staff_no: String,
        /// The surname's pinyin, when it cannot be derived from the name.
        #[arg(long)]
        pinyin: Option<String>,
    },
    /// Disable an account and end its sessions.
    Disable { staff_no: String },
    /// Enable a disabled account.
    Enable { staff_no: String },
}

pub async fn run(args: UsersArgs) -> anyhow::Result<ExitCode> {
    let catalog =
        Arc::new(defs::load_catalog(&args.project.defs).map_err(|p| anyhow::anyhow!("{p}"))?);
    let units = defs::load_units(&args.project.units).map_err(|p| anyhow::anyhow!("{p}"))?;
    let store = Store::open(&args.db, catalog)?;
    let u = units.clone();
    store
        .call(move |s| s.migrate(&u, false).map(|_| ()))
        .await?;
    let now = chrono::Utc::now();
    let stamp = now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    match args.what {
        UsersWhat::Import { file } => match import::read_staff(&file, &units) {
            Err(problems) => {
                for p in &problems {
                    eprintln!("{p}");
                }
                eprintln!("nothing imported: {} problem(s)", problems.len());
                return Ok(ExitCode::FAILURE);
            }
            Ok(rows) => {
                let (created, skipped) =
                    tokio::task::spawn_blocking(move || import::import_staff(&store, &rows, "cli"))
                        .await??;
                println!("created {created} account(s); {skipped} staff number(s) already had one");
            }
        },
        UsersWhat::ResetPassword { staff_no, pinyin } => {
            let s = staff_no.clone();
            let done = tokio::task::spawn_blocking(move || {
                service::reset_password(&store, &s, pinyin.as_deref(), now, "cli")
            })
            .await??;
            if !done {
                eprintln!("no account {staff_no}");
                return Ok(ExitCode::FAILURE);
            }
            println!(
                "{staff_no}: reset to the initial password; it must be changed at the next login"
            );
        }
        UsersWhat::Disable { staff_no } => toggle(&store, &staff_no, true, &stamp).await?,
        UsersWhat::Enable { staff_no } => toggle(&store, &staff_no, false, &stamp).await?,
    }
    Ok(ExitCode::SUCCESS)
}

async fn toggle(store: &Store, staff_no: &str, disabled: bool, now: &str) -> anyhow::Result<()> {
    let (s, t) = (staff_no.to_owned(), disabled);
    let _ = now;
    let done = store
        .call(move |st| service::set_disabled(st, &s, t, "cli", chrono::Utc::now()))
        .await?;
    anyhow::ensure!(done, "no account {staff_no}");
    println!(
        "{staff_no}: {}",
        if disabled {
            "disabled, sessions ended"
        } else {
            "enabled"
        }
    );
    Ok(())
}
