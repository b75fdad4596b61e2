//! Opening the service over a database: the administrator's files read and checked, the database
//! opened and migrated, and the policy in force. The command line and `serve` start here, so no
//! face opens the store itself.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::Service;
use crate::defs::{self, Catalog, Problems, Units};
use crate::store::{DbUrl, Store, StoreError};

pub use crate::store::{MigrateReport, DEFAULT_DATABASE_URL};

/// Where the administrator's files are (`--defs`, `--units`, `--policies`).
#[derive(Debug, Clone)]
pub struct Files {
    /// The definitions folder (`table-defs/`).
    pub defs: PathBuf,
    /// The units file (`seeds/units.toml`); the cycle files sit beside it.
    pub units: PathBuf,
    /// The folder of casbin's `model.conf` and `policy.csv`.
    pub policies: PathBuf,
}

/// Why the service could not be opened; each names the file or the database (password hidden).
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The definitions do not pass their own checks.
    #[error("表定义 {dir} 有问题，未做任何更改：\n{problems}\n请运行 statusdata check 查看")]
    Definitions { dir: String, problems: Problems },
    /// The units file does not pass its checks.
    #[error("部门文件 {file} 有问题：\n{problems}")]
    Units { file: String, problems: Problems },
    /// A SQLite database that must exist does not.
    #[error("{0} 不存在")]
    Missing(String),
    /// The database cannot be opened or reached (the store's message names the file or the
    /// URL, its password hidden).
    #[error("无法打开数据库：{cause}")]
    Database { db: String, cause: StoreError },
    /// Migrating would drop or retype data and was not allowed.
    #[error("迁移已停止，未做任何更改：\n{}", .0.join("\n"))]
    Destructive(Vec<String>),
    /// The database could not be migrated.
    #[error("数据库 {db} 迁移失败：{cause}")]
    Migration { db: String, cause: StoreError },
    /// A backup, restore or copy failed (the store's message names the file or table).
    #[error("{0}")]
    Dump(StoreError),
    /// The policy files or the database's policy are unusable.
    #[error("分工 {dir} 有问题：{why}")]
    Policy { dir: String, why: String },
}

/// A service opened over a migrated database, with what the migration did.
pub struct Opened {
    /// The service, with the database's policy in force.
    pub service: Service,
    /// What migrating changed (empty when the database was up to date).
    pub report: MigrateReport,
}

/// The checked definitions of `dir`.
pub fn load_catalog(dir: &Path) -> Result<Arc<Catalog>, OpenError> {
    defs::load_catalog(dir)
        .map(Arc::new)
        .map_err(|problems| OpenError::Definitions {
            dir: dir.display().to_string(),
            problems,
        })
}

/// The checked units of `file`.
pub fn load_units(file: &Path) -> Result<Arc<Units>, OpenError> {
    defs::load_units(file)
        .map(Arc::new)
        .map_err(|problems| OpenError::Units {
            file: file.display().to_string(),
            problems,
        })
}

/// The database URL as it may be printed: a PostgreSQL password hidden.
pub fn shown(url: &str) -> String {
    crate::store::redacted(url)
}

/// Opens `url` for the catalog without migrating; with `must_exist`, a missing SQLite file is
/// refused instead of created.
pub(super) fn open_store(
    url: &str,
    catalog: Arc<Catalog>,
    must_exist: bool,
) -> Result<Store, OpenError> {
    let failed = |cause| OpenError::Database {
        db: shown(url),
        cause,
    };
    if let DbUrl::Sqlite(path) = DbUrl::parse(url).map_err(failed)? {
        if must_exist && !path.exists() {
            return Err(OpenError::Missing(path.display().to_string()));
        }
    }
    Store::open(url, catalog).map_err(failed)
}

impl Service {
    /// Opens the database at `url` for the administrator's files and migrates it (additive
    /// changes only); the database's policy is in force (`policy.csv` seeds an empty database).
    pub async fn open(url: &str, files: &Files) -> Result<Service, OpenError> {
        Ok(Service::open_migrated(url, files, false).await?.service)
    }

    /// [`Service::open`], saying what migrating did; `allow_destructive` lets it drop or retype
    /// the columns and tables the definitions no longer have.
    pub async fn open_migrated(
        url: &str,
        files: &Files,
        allow_destructive: bool,
    ) -> Result<Opened, OpenError> {
        let catalog = load_catalog(&files.defs)?;
        let units = load_units(&files.units)?;
        let store = open_store(url, catalog, false)?;
        let u = units.clone();
        let report = store
            .call(move |s| s.migrate(&u, allow_destructive))
            .await
            .map_err(|e| match e {
                StoreError::Destructive(reasons) => OpenError::Destructive(reasons),
                cause => OpenError::Migration {
                    db: shown(url),
                    cause,
                },
            })?;
        let policy = super::rights::open_policy(&store, &files.policies)
            .await
            .map_err(|why| OpenError::Policy {
                dir: files.policies.display().to_string(),
                why,
            })?;
        Ok(Opened {
            service: Service::new(store, policy, units),
            report,
        })
    }
}
