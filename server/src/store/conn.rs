//! Connections: the database URL, one connection type over SQLite and PostgreSQL, and the pool.

use std::path::PathBuf;
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::r2d2::{CustomizeConnection, ManageConnection, Pool, PooledConnection};
use diesel::Connection;

use super::StoreError;

// The derive lives in its own module: importing diesel's `Row`/`NamedRow` beside it makes the
// generated code ambiguous (two `get` methods in scope).
mod multi {
    /// A connection to either backend; most queries are written once against it.
    #[derive(diesel::MultiConnection)]
    pub enum AnyConnection {
        Postgresql(diesel::PgConnection),
        Sqlite(diesel::SqliteConnection),
    }
}
pub use multi::AnyConnection;

/// Which database a URL names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbUrl {
    /// `sqlite://path/to/file.db`
    Sqlite(PathBuf),
    /// `postgres://…` or `postgresql://…`, passed to libpq as is.
    Postgres(String),
}

impl DbUrl {
    /// Parses `sqlite://PATH` or `postgres://…`; anything else is refused with the accepted forms.
    pub fn parse(url: &str) -> Result<DbUrl, StoreError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(DbUrl::Postgres(url.to_owned()));
        }
        if let Some(path) = url.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err(StoreError::Config(
                    "数据库地址 sqlite:// 后面缺少文件路径（如 sqlite://data/statusdata.db）"
                        .into(),
                ));
            }
            return Ok(DbUrl::Sqlite(PathBuf::from(path)));
        }
        Err(StoreError::Config(format!(
            "无法识别的数据库地址“{}”：请写 sqlite://文件路径 或 postgres://用户@主机:端口/数据库",
            redacted(url)
        )))
    }
}

/// Opens connections for the pool; keeps the backend's own error text (a refused PostgreSQL
/// connection says so, instead of diesel's generic "invalid connection url").
#[derive(Debug, Clone)]
pub struct Manager {
    url: DbUrl,
}

impl ManageConnection for Manager {
    type Connection = AnyConnection;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<AnyConnection, Self::Error> {
        let conn = match &self.url {
            DbUrl::Postgres(url) => {
                diesel::PgConnection::establish(url).map(AnyConnection::Postgresql)
            }
            DbUrl::Sqlite(path) => diesel::SqliteConnection::establish(&path.to_string_lossy())
                .map(AnyConnection::Sqlite),
        };
        conn.map_err(diesel::r2d2::Error::ConnectionError)
    }

    fn is_valid(&self, conn: &mut AnyConnection) -> Result<(), Self::Error> {
        conn.batch_execute("SELECT 1")
            .map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut AnyConnection) -> bool {
        // No test query on checkout (it cost a round trip per use): a connection that failed
        // is dropped when it comes back instead, and the pool opens a fresh one.
        // After a database error, and only then, a connection is asked whether it still answers.
        std::thread::panicking()
            || diesel::r2d2::R2D2Connection::is_broken(conn)
            || (take_suspect() && conn.batch_execute("SELECT 1").is_err())
    }
}

thread_local! {
    static SUSPECT: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Marks the connection this thread holds as suspect after a database error (set where the
/// error is converted: a connection is used and returned on one blocking thread). The pool then
/// tests it when it comes back and drops it if it no longer answers.
pub(super) fn mark_suspect() {
    SUSPECT.with(|c| c.set(true));
}

fn take_suspect() -> bool {
    SUSPECT.with(|c| c.replace(false))
}

/// Per-connection SQLite settings.
#[derive(Debug, Clone, Copy)]
struct SqlitePragmas;

impl CustomizeConnection<AnyConnection, diesel::r2d2::Error> for SqlitePragmas {
    fn on_acquire(&self, conn: &mut AnyConnection) -> Result<(), diesel::r2d2::Error> {
        if let AnyConnection::Sqlite(c) = conn {
            // SQLite enforces foreign keys per connection; without this pragma a delete silently
            // orphans rows. No busy_timeout: it would replace the busy handler that lets a writer
            // wait for another (up to 10 s) yet stop when its request's budget is spent (budget.rs).
            c.batch_execute("PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;")
                .map_err(diesel::r2d2::Error::QueryError)?;
        }
        Ok(())
    }
}

/// The connection pool.
pub type DbPool = Pool<Manager>;

/// A pooled connection; derefs to [`AnyConnection`]. One checked out under a request's budget
/// on PostgreSQL carries a `statement_timeout` of what is left, reset when it goes back.
pub struct Conn {
    inner: PooledConnection<Manager>,
    timed: bool,
}

impl std::ops::Deref for Conn {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        &self.inner
    }
}

impl std::ops::DerefMut for Conn {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.inner
    }
}

impl Drop for Conn {
    fn drop(&mut self) {
        if self.timed
            && self
                .inner
                .batch_execute("SET statement_timeout = 0")
                .is_err()
        {
            // The pool asks a suspect connection whether it still answers before reusing it.
            mark_suspect();
        }
    }
}

/// Checks a connection out of the pool, within the budget of the request this thread works for.
pub(super) fn checkout(pool: &DbPool) -> Result<Conn, StoreError> {
    let Some(budget) = super::budget::working_for() else {
        return Ok(Conn {
            inner: pool.get()?,
            timed: false,
        });
    };
    if budget.is_spent() {
        return Err(StoreError::Interrupted);
    }
    let mut inner = pool
        .get_timeout(budget.remaining())
        .map_err(|_| StoreError::Interrupted)?;
    let timed = matches!(*inner, AnyConnection::Postgresql(_));
    if timed {
        let ms = budget.remaining().as_millis().max(1);
        inner.batch_execute(&format!("SET statement_timeout = {ms}"))?;
    }
    Ok(Conn { inner, timed })
}

/// Builds the pool; for SQLite creates the file's folder and switches the file to WAL first.
pub fn open_pool(url: &DbUrl, max_size: u32) -> Result<DbPool, StoreError> {
    super::budget::install_sqlite_interrupt();
    if let DbUrl::Sqlite(path) = url {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| {
                StoreError::Config(format!(
                    "无法创建数据库所在的文件夹 {}：{}",
                    dir.display(),
                    crate::defs::io_reason(&e)
                ))
            })?;
        }
        // WAL is a property of the file: set it once here rather than on every pooled
        // connection, where concurrent switching contends for the lock on a new file.
        let mut c = diesel::SqliteConnection::establish(&path.to_string_lossy())
            .map_err(|e| StoreError::Config(sqlite_open_failed(path, &e)))?;
        c.batch_execute("PRAGMA journal_mode = WAL;")?;
    }
    if let DbUrl::Postgres(pg) = url {
        // One attempt first: the pool would retry an unreachable server for its whole timeout
        // (10 s of repeated log lines) before saying so.
        diesel::PgConnection::establish(pg)
            .map_err(|e| StoreError::Config(postgres_connect_failed(pg, &e)))?;
    }
    Pool::builder()
        .max_size(max_size)
        .test_on_check_out(false)
        .min_idle(Some(1))
        .connection_timeout(Duration::from_secs(10))
        .connection_customizer(Box::new(SqlitePragmas))
        .build(Manager { url: url.clone() })
        .map_err(|e| {
            StoreError::Config(format!(
                "无法连接数据库 {}：连接池建立失败（{}）",
                url.redacted(),
                first_line(&e.to_string())
            ))
        })
}

impl DbUrl {
    /// The URL as it may be printed or logged: a PostgreSQL password replaced by `***`.
    pub fn redacted(&self) -> String {
        match self {
            DbUrl::Sqlite(path) => format!("sqlite://{}", path.display()),
            DbUrl::Postgres(url) => redacted(url),
        }
    }
}

/// `url` with the password of `scheme://user:password@host` replaced by `***`.
pub fn redacted(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let (auth, host) = match rest.rsplit_once('@') {
        Some(parts) => parts,
        None => return url.to_owned(),
    };
    match auth.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

/// Why a SQLite file could not be opened, naming the file (SQLite says only "unable to open").
fn sqlite_open_failed(path: &std::path::Path, e: &diesel::ConnectionError) -> String {
    let why = if path.is_dir() {
        "这是一个文件夹，不是数据库文件".to_owned()
    } else if path.exists() {
        match std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(path)
        {
            Err(io) => crate::defs::io_reason(&io),
            Ok(_) => format!("SQLite 无法打开它（{}）", first_line(&e.to_string())),
        }
    } else {
        "无法在此创建文件（文件夹不可写？）".to_owned()
    };
    format!("无法打开数据库文件 {}：{why}", path.display())
}

/// Why PostgreSQL refused a connection, in Chinese, naming the URL (password hidden).
fn postgres_connect_failed(url: &str, e: &diesel::ConnectionError) -> String {
    let text = e.to_string();
    let lower = text.to_ascii_lowercase();
    const CAUSES: [(&str, &str); 8] = [
        ("password authentication failed", "用户名或密码不对"),
        ("no password supplied", "服务器要求密码，地址中没有写密码"),
        ("does not exist", "数据库或用户不存在"),
        (
            "connection refused",
            "服务器拒绝连接（该地址和端口上没有 PostgreSQL 在监听）",
        ),
        ("could not translate host name", "无法解析主机名"),
        ("timeout expired", "连接超时"),
        (
            "no pg_hba.conf entry",
            "服务器的 pg_hba.conf 不允许从本机连接",
        ),
        ("too many clients", "服务器的连接数已满"),
    ];
    let why = CAUSES
        .iter()
        .find(|(en, _)| lower.contains(en))
        .map_or_else(
            || format!("原因见驱动原文：{}", first_line(&text)),
            |(_, zh)| (*zh).to_owned(),
        );
    format!("无法连接数据库 {}：{why}", redacted(url))
}

fn first_line(s: &str) -> &str {
    s.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or(s)
}
