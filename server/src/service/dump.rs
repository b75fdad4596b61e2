//! Whole databases: a checked backup to a SQLite file, a restore of a complete backup into an
//! empty database, and a copy from one database to another (SQLite → PostgreSQL), each table
//! checked after writing. A backup needs no definitions; restore and copy migrate the target
//! for the administrator's files first.

use std::path::PathBuf;
use std::sync::Arc;

use super::database::{load_catalog, load_units, open_store, Files, OpenError};
use crate::defs::Catalog;
use crate::store::dump::{self, BackupState};
use crate::store::{DbUrl, StoreError};

pub use crate::store::dump::{BackupMeta, TableDigest};

/// Runs blocking database work on tokio's blocking threads, its error as an [`OpenError`].
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, OpenError> + Send + 'static,
) -> Result<T, OpenError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| OpenError::Dump(StoreError::Database(format!("后台任务失败：{e}"))))?
}

/// Writes a checked, complete backup of the database at `url` (which must exist) to `out`.
pub async fn backup(url: &str, out: PathBuf) -> Result<BackupMeta, OpenError> {
    // No definitions: a backup copies whatever tables the database holds.
    let store = open_store(url, Arc::new(Catalog::default()), true)?;
    blocking(move || store.backup_to(&out).map_err(OpenError::Dump)).await
}

/// Restores the complete backup `file` into the database at `url` (migrated for `files` first,
/// and holding no collected data); returns the backup's mark and the tables as checked.
pub async fn restore(
    file: PathBuf,
    url: &str,
    files: &Files,
) -> Result<(BackupMeta, Vec<TableDigest>), OpenError> {
    if !file.exists() {
        return Err(OpenError::Missing(file.display().to_string()));
    }
    let f = file.clone();
    let meta = blocking(move || dump::restorable(&f).map_err(OpenError::Dump)).await?;
    let from = format!("sqlite://{}", file.display());
    let digests = copy_between(&from, url, files, Some(meta.digests.clone())).await?;
    Ok((meta, digests))
}

/// Copies every row of the database at `from` into the one at `to`; an SQLite source that is a
/// backup file must be complete.
pub async fn copy(from: &str, to: &str, files: &Files) -> Result<Vec<TableDigest>, OpenError> {
    let url = DbUrl::parse(from).map_err(|cause| OpenError::Database {
        db: super::database::shown(from),
        cause,
    })?;
    let mark = match url {
        DbUrl::Sqlite(path) => source_mark(path).await?,
        DbUrl::Postgres(_) => None,
    };
    copy_between(from, to, files, mark).await
}

/// An SQLite source may be a live database (no mark) or a backup file, which must be complete;
/// a file still named `.part` is a backup being written or one that never finished.
async fn source_mark(path: PathBuf) -> Result<Option<Vec<TableDigest>>, OpenError> {
    if !path.exists() {
        return Err(OpenError::Missing(path.display().to_string()));
    }
    blocking(move || {
        let partial = path.extension().is_some_and(|e| e == "part");
        match dump::backup_state(&path) {
            BackupState::Complete(_) => dump::restorable(&path).map(|m| Some(m.digests)),
            BackupState::Unmarked if !partial => Ok(None),
            BackupState::Unmarked => Err(dump::incomplete(&path, "备份写入时的临时文件，从未写完")),
            BackupState::Incomplete(why) => Err(dump::incomplete(&path, &why)),
        }
        .map_err(OpenError::Dump)
    })
    .await
}

/// Copies every row of `from` (which must exist) into `to` (migrated first); with `mark`, the
/// rows read must be those a backup recorded.
async fn copy_between(
    from: &str,
    to: &str,
    files: &Files,
    mark: Option<Vec<TableDigest>>,
) -> Result<Vec<TableDigest>, OpenError> {
    let catalog = load_catalog(&files.defs)?;
    let units = load_units(&files.units)?;
    let source = open_store(from, catalog.clone(), true)?;
    let target = open_store(to, catalog, false)?;
    blocking(move || {
        target.migrate(&units, false).map_err(OpenError::Dump)?;
        source
            .copy_into(&target, mark.as_deref())
            .map_err(OpenError::Dump)
    })
    .await
}
