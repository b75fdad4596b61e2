//! Backup files that cannot lie: a backup is written under a temporary name (`FILE.part`) in the
//! target folder, read back and checked, marked complete by a `backup_meta` table written last
//! (the binary's version and every table's row count and checksum), and only then given its name.
//! A file without the mark (a backup killed part-way, or one that failed) is refused by `restore`
//! and `copy`. Needs no table definitions: the file's tables are made from the source's own.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use diesel::connection::SimpleConnection;
use diesel::{Connection, RunQueryDsl};

use super::super::conn::{AnyConnection, DbUrl};
use super::super::sql::{ident, literal, DynQuery, SqlValue, TextRow};
use super::super::{migrate, Store, StoreError};
use super::shape::{self, Kind, Shape};
use super::TableDigest;

/// The table that marks a backup file complete; written last, in one transaction.
pub const META: &str = "backup_meta";

/// What a complete backup records about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupMeta {
    /// The statusdata version that wrote it.
    pub version: String,
    /// The commit of that binary.
    pub commit: String,
    /// When it was written (UTC, RFC 3339).
    pub written_at: String,
    /// `sqlite` or `postgresql`: the backend backed up.
    pub source: String,
    /// Every table's rows and checksum as read back from the file, by table name.
    pub digests: Vec<TableDigest>,
}

/// What a file offered as a backup turned out to be.
#[derive(Debug)]
pub enum BackupState {
    /// Marked complete by `statusdata backup`.
    Complete(BackupMeta),
    /// Written by `statusdata backup` but never finished, or unreadable: never to be restored.
    Incomplete(String),
    /// An SQLite database with no backup mark at all (a live database, or a partial backup).
    Unmarked,
}

/// Where a backup to `out` is written until it is complete.
pub fn partial_path(out: &Path) -> PathBuf {
    let mut name = out.file_name().unwrap_or_default().to_os_string();
    name.push(".part");
    out.with_file_name(name)
}

/// The message for a file that must not be restored.
pub fn incomplete(file: &Path, detail: &str) -> StoreError {
    StoreError::Config(format!(
        "备份不完整：{} 没有完成标记（{detail}）。备份中途被中断或失败时就是这样，这个文件不能用来恢复；请换用上一份完整的备份",
        file.display()
    ))
}

impl Store {
    /// Writes a checked, complete backup of this database to the new SQLite file `out` (never
    /// overwritten); returns what the backup's mark records. On failure nothing is left at `out`
    /// and the partial file is removed.
    pub fn backup_to(&self, out: &Path) -> Result<BackupMeta, StoreError> {
        if out.exists() {
            return Err(StoreError::Config(format!(
                "{} 已存在：请换一个新文件名（备份从不覆盖已有文件）",
                out.display()
            )));
        }
        let part = partial_path(out);
        // A `.part` left by a killed run is ours to replace; it was never a backup.
        remove_partial(&part);
        let written = self.write_backup(&part).and_then(|meta| {
            // A hard link gives the file its name without ever replacing one that appeared
            // meanwhile; where the file system has none, a rename (atomic too) after a look.
            std::fs::hard_link(&part, out)
                .or_else(|e| {
                    if out.exists() {
                        Err(e)
                    } else {
                        std::fs::rename(&part, out)
                    }
                })
                .map_err(|e| {
                    StoreError::Config(format!("无法把备份命名为 {}：{e}", out.display()))
                })?;
            Ok(meta)
        });
        remove_partial(&part);
        written
    }

    fn write_backup(&self, part: &Path) -> Result<BackupMeta, StoreError> {
        let source = match &self.url {
            DbUrl::Sqlite(_) => {
                // A consistent copy even while the service writes.
                let path = part.to_string_lossy();
                self.conn()?
                    .batch_execute(&format!("VACUUM INTO {}", literal(&path)))?;
                "sqlite"
            }
            DbUrl::Postgres(_) => {
                let target = fresh_file(part)?;
                prepare_tables(&mut *self.conn()?, &mut *target.conn()?)?;
                self.copy_into(&target, None)?;
                "postgresql"
            }
        };
        check_file(part)?;
        let digests = open_file(part)?.digest()?;
        let meta = BackupMeta {
            version: crate::version::current(),
            commit: crate::version::COMMIT.to_owned(),
            written_at: super::super::now(),
            source: source.to_owned(),
            digests,
        };
        #[cfg(debug_assertions)]
        if std::env::var_os("STATUSDATA_TEST_ABORT_BEFORE_MARK").is_some() {
            // Tests: the worst moment to be killed, every row written and no mark yet.
            std::process::abort();
        }
        write_meta(part, &meta)?;
        Ok(meta)
    }
}

/// Removes a partial file and the journal files SQLite keeps beside it.
fn remove_partial(part: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut p = part.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(p));
    }
}

/// Opens an SQLite file with no definitions (a backup needs none).
fn open_file(path: &Path) -> Result<Store, StoreError> {
    Store::open(
        &format!("sqlite://{}", path.display()),
        Arc::new(crate::defs::Catalog::default()),
    )
}

/// A new SQLite file with the core schema, marked as a backup being written.
fn fresh_file(path: &Path) -> Result<Store, StoreError> {
    let store = open_file(path)?;
    let mut conn = store.conn()?;
    migrate::run_core_migrations(&mut conn)?;
    conn.batch_execute(&format!(
        "CREATE TABLE {META} (item TEXT PRIMARY KEY NOT NULL, rows INTEGER, value TEXT NOT NULL);\
         INSERT INTO {META} (item, value) VALUES ('complete', '0');"
    ))?;
    drop(conn);
    Ok(store)
}

/// Creates in the backup file every source table the core schema lacks (the data tables), with
/// the source's columns: the file holds the rows; `restore` gives them their definitions' types.
fn prepare_tables(from: &mut AnyConnection, to: &mut AnyConnection) -> Result<(), StoreError> {
    let have = shape::shapes(to)?;
    for s in shape::shapes(from)? {
        if !have.iter().any(|h| h.name == s.name) {
            to.batch_execute(&generic_ddl(&s))?;
        }
    }
    Ok(())
}

fn generic_ddl(s: &Shape) -> String {
    let cols: Vec<String> = s
        .columns
        .iter()
        .map(|c| {
            let ty = match c.kind {
                Kind::Int if c.name == "id" => "INTEGER PRIMARY KEY",
                Kind::Int => "INTEGER",
                Kind::Bool => "BOOLEAN",
                Kind::Text => "TEXT",
                Kind::Bytes => "BLOB",
            };
            format!("{} {ty}", ident(&c.name))
        })
        .collect();
    format!("CREATE TABLE {} ({})", ident(&s.name), cols.join(", "))
}

/// SQLite's own check of the file's structure.
fn check_file(path: &Path) -> Result<(), StoreError> {
    let store = open_file(path)?;
    let rows: Vec<TextRow> = DynQuery::new("PRAGMA quick_check").load(&mut *store.conn()?)?;
    let verdict: Vec<&str> = rows
        .iter()
        .filter_map(|r| r.0.first().and_then(|(_, v)| v.as_deref()))
        .collect();
    if verdict == ["ok"] {
        Ok(())
    } else {
        Err(StoreError::Database(format!(
            "备份文件 {} 读回检查未通过：{}",
            path.display(),
            verdict.join("; ")
        )))
    }
}

/// Writes the mark, last and in one transaction, on a plain connection that leaves the file in
/// rollback-journal mode: one self-contained file, no `-wal` beside it.
fn write_meta(path: &Path, meta: &BackupMeta) -> Result<(), StoreError> {
    let mut c = diesel::SqliteConnection::establish(&path.to_string_lossy())
        .map_err(|e| StoreError::Config(format!("无法打开 {}：{e}", path.display())))?;
    c.batch_execute("PRAGMA journal_mode = DELETE")?;
    let mut conn = AnyConnection::Sqlite(c);
    conn.batch_execute(&format!(
        "BEGIN IMMEDIATE; CREATE TABLE IF NOT EXISTS {META} \
         (item TEXT PRIMARY KEY NOT NULL, rows INTEGER, value TEXT NOT NULL); DELETE FROM {META};"
    ))?;
    let mut put = |item: &str, rows: Option<u64>, value: &str| -> Result<(), StoreError> {
        let mut q = DynQuery::new(format!("INSERT INTO {META} (item, rows, value) VALUES ("));
        q.bind(SqlValue::Text(item.to_owned())).sql(", ");
        q.bind(rows.map_or(SqlValue::Null, |n| SqlValue::Int(n as i64)))
            .sql(", ");
        q.bind(SqlValue::Text(value.to_owned())).sql(")");
        q.execute(&mut conn)?;
        Ok(())
    };
    for d in &meta.digests {
        put(&format!("table:{}", d.table), Some(d.rows), &d.checksum)?;
    }
    put("version", None, &meta.version)?;
    put("commit", None, &meta.commit)?;
    put("written_at", None, &meta.written_at)?;
    put("source", None, &meta.source)?;
    put("complete", None, "1")?;
    conn.batch_execute("COMMIT")?;
    drop(conn);
    // The data must be on disk before the name says "complete".
    std::fs::File::open(path)
        .and_then(|f| f.sync_all())
        .map_err(|e| StoreError::Config(format!("无法写入 {}：{e}", path.display())))
}

/// Reads what `path` is as a backup (without changing it).
pub fn backup_state(path: &Path) -> BackupState {
    match read_meta(path) {
        Ok(Some(rows)) => meta_from(rows),
        Ok(None) => BackupState::Unmarked,
        Err(e) => BackupState::Incomplete(format!("文件无法作为 SQLite 数据库读取：{e}")),
    }
}

fn read_meta(path: &Path) -> Result<Option<Vec<TextRow>>, StoreError> {
    let c = diesel::SqliteConnection::establish(&path.to_string_lossy())
        .map_err(|e| StoreError::Config(format!("无法打开 {}（{e}）", path.display())))?;
    let mut conn = AnyConnection::Sqlite(c);
    let found: Vec<TextRow> = DynQuery::new(format!(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name = '{META}'"
    ))
    .load(&mut conn)?;
    if found.is_empty() {
        return Ok(None);
    }
    let rows = DynQuery::new(format!(
        "SELECT item, CAST(rows AS TEXT) AS rows, value FROM {META} ORDER BY item"
    ))
    .load(&mut conn)?;
    Ok(Some(rows))
}

fn meta_from(rows: Vec<TextRow>) -> BackupState {
    let value = |item: &str| {
        rows.iter()
            .find(|r| r.get("item") == Some(item))
            .and_then(|r| r.get("value"))
            .unwrap_or("")
            .to_owned()
    };
    if value("complete") != "1" {
        return BackupState::Incomplete("备份开始写入后没有写完".into());
    }
    let digests = rows
        .iter()
        .filter_map(|r| {
            let table = r.get("item")?.strip_prefix("table:")?;
            Some(TableDigest {
                table: table.to_owned(),
                rows: r.get("rows")?.parse().ok()?,
                checksum: r.get("value")?.to_owned(),
            })
        })
        .collect();
    BackupState::Complete(BackupMeta {
        version: value("version"),
        commit: value("commit"),
        written_at: value("written_at"),
        source: value("source"),
        digests,
    })
}

/// The backup as a source to restore from: complete, written by a statusdata no newer than this
/// one. Returns its mark, whose digests the restore is checked against.
pub fn restorable(path: &Path) -> Result<BackupMeta, StoreError> {
    let meta = match backup_state(path) {
        BackupState::Complete(meta) => meta,
        BackupState::Incomplete(why) => return Err(incomplete(path, &why)),
        BackupState::Unmarked => {
            return Err(incomplete(
                path,
                "文件中没有 backup_meta 表，不是完整的 statusdata 备份",
            ))
        }
    };
    let ours = crate::version::current();
    if crate::version::compare(&meta.version, &ours).is_gt() {
        return Err(StoreError::Config(format!(
            "备份 {} 由更新的 statusdata {} 写出，本程序是 {ours}：请用 {} 或更新的程序恢复",
            path.display(),
            meta.version,
            meta.version
        )));
    }
    Ok(meta)
}
