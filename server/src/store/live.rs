//! What every instance on one database shares and watches: the policy's versions, the
//! definitions' versions (a content hash, and per table the hash of the version that changed
//! it), reload requests and the login slowdown. On PostgreSQL a change also sends
//! `NOTIFY statusdata` (delivered at commit) so that the other instances act at once.

use super::conn::AnyConnection;
use super::sql::{exec_template as exec, load_template as load, SqlValue, TextRow};
use super::tx::{hold_key, Hold};
use super::{Store, StoreError};

/// The channel instances listen on (PostgreSQL).
pub const CHANNEL: &str = "statusdata";

fn text(s: &str) -> SqlValue {
    SqlValue::Text(s.to_owned())
}

fn int(row: &TextRow, name: &str) -> i64 {
    row.get(name).and_then(|v| v.parse().ok()).unwrap_or(0)
}

/// Tells the other instances (PostgreSQL; delivered when the transaction commits). SQLite's
/// single instance needs no message: `statusdata` commands reach it through the watched rows.
pub fn notify(conn: &mut AnyConnection, what: &str) -> Result<(), StoreError> {
    if matches!(conn, AnyConnection::Sqlite(_)) {
        return Ok(());
    }
    let _ = load(
        conn,
        &format!("SELECT CAST(pg_notify('{CHANNEL}', ?) AS TEXT) AS sent"),
        vec![text(what)],
    )?;
    Ok(())
}

/// The newest version of each shared thing, read in one statement: what the watcher compares.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Versions {
    pub policy: i64,
    pub definitions: i64,
    pub reload: i64,
}

/// The newest policy, definitions and reload request (0 when there is none).
pub fn versions(conn: &mut AnyConnection) -> Result<Versions, StoreError> {
    let rows = load(
        conn,
        "SELECT CAST((SELECT COALESCE(MAX(version), 0) FROM policy_versions) AS TEXT) AS p, \
         CAST((SELECT COALESCE(MAX(version), 0) FROM definition_versions) AS TEXT) AS d, \
         CAST((SELECT COALESCE(MAX(id), 0) FROM reload_requests) AS TEXT) AS r",
        vec![],
    )?;
    Ok(rows.first().map_or_else(Versions::default, |r| Versions {
        policy: int(r, "p"),
        definitions: int(r, "d"),
        reload: int(r, "r"),
    }))
}

/// The policy in force: (version, policy.csv text), or `None` before the first is stored.
pub fn latest_policy(conn: &mut AnyConnection) -> Result<Option<(i64, String)>, StoreError> {
    let rows = load(
        conn,
        "SELECT CAST(version AS TEXT) AS v, body FROM policy_versions ORDER BY version DESC LIMIT 1",
        vec![],
    )?;
    Ok(rows
        .first()
        .map(|r| (int(r, "v"), r.get("body").unwrap_or_default().to_owned())))
}

/// Holds the policy until the transaction ends, so that two changes never both edit one old
/// text (SQLite's `IMMEDIATE` transaction already excludes other writers).
pub fn hold_policy(conn: &mut AnyConnection) -> Result<(), StoreError> {
    hold_key(conn, "policy", Hold::Step)
}

/// Stores `body` as the next policy version and tells the other instances; call inside the
/// write transaction of the change's audit row, after [`hold_policy`]. Returns the version.
pub fn insert_policy(
    conn: &mut AnyConnection,
    body: &str,
    at: &str,
    by: &str,
) -> Result<i64, StoreError> {
    let next = versions(conn)?.policy + 1;
    exec(
        conn,
        "INSERT INTO policy_versions (version, body, created_at, created_by) VALUES (?, ?, ?, ?)",
        vec![SqlValue::Int(next), text(body), text(at), text(by)],
    )?;
    notify(conn, "policy")?;
    Ok(next)
}

/// A set of definitions as one instance loaded it: the content hash and each table's hash.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DefinitionsStamp {
    pub hash: String,
    /// (table code, hash of its definition).
    pub tables: Vec<(String, String)>,
}

/// Records `stamp` as the database's definitions unless they already are; returns the version
/// in force and whether it is new. Inside a write transaction: takes the definitions' lock.
pub fn record_definitions(
    conn: &mut AnyConnection,
    stamp: &DefinitionsStamp,
    at: &str,
    by: &str,
    instance: &str,
) -> Result<(i64, bool), StoreError> {
    hold_key(conn, "definitions", Hold::Step)?;
    let latest = load(
        conn,
        "SELECT CAST(version AS TEXT) AS v, hash FROM definition_versions ORDER BY version DESC LIMIT 1",
        vec![],
    )?;
    if let Some(row) = latest.first() {
        if row.get("hash") == Some(stamp.hash.as_str()) {
            return Ok((int(row, "v"), false));
        }
    }
    let next = latest.first().map_or(0, |r| int(r, "v")) + 1;
    exec(
        conn,
        "INSERT INTO definition_versions (version, hash, loaded_at, loaded_by, instance) VALUES (?, ?, ?, ?, ?)",
        vec![SqlValue::Int(next), text(&stamp.hash), text(at), text(by), text(instance)],
    )?;
    for (code, hash) in &stamp.tables {
        let newest = table_history(conn, code)?;
        if newest.first().map(|(_, h)| h.as_str()) != Some(hash.as_str()) {
            exec(
                conn,
                "INSERT INTO definition_tables (version, code, hash) VALUES (?, ?, ?)",
                vec![SqlValue::Int(next), text(code), text(hash)],
            )?;
        }
    }
    notify(conn, "definitions")?;
    Ok((next, true))
}

/// The newest definitions version: (version, content hash).
pub fn latest_definitions(conn: &mut AnyConnection) -> Result<Option<(i64, String)>, StoreError> {
    let rows = load(
        conn,
        "SELECT CAST(version AS TEXT) AS v, hash FROM definition_versions ORDER BY version DESC LIMIT 1",
        vec![],
    )?;
    Ok(rows
        .first()
        .map(|r| (int(r, "v"), r.get("hash").unwrap_or_default().to_owned())))
}

/// Every recorded hash of a table's definition with the version that wrote it, newest first.
pub fn table_history(
    conn: &mut AnyConnection,
    code: &str,
) -> Result<Vec<(i64, String)>, StoreError> {
    let rows = load(
        conn,
        "SELECT CAST(version AS TEXT) AS v, hash FROM definition_tables WHERE code = ? ORDER BY version DESC",
        vec![text(code)],
    )?;
    Ok(rows
        .iter()
        .map(|r| (int(r, "v"), r.get("hash").unwrap_or_default().to_owned()))
        .collect())
}

/// Asks every running instance to reload (`statusdata reload`); returns the request's id.
pub fn request_reload(conn: &mut AnyConnection, at: &str, by: &str) -> Result<i64, StoreError> {
    super::tx::write_tx(conn, |conn| {
        exec(
            conn,
            "INSERT INTO reload_requests (requested_at, requested_by) VALUES (?, ?)",
            vec![text(at), text(by)],
        )?;
        notify(conn, "reload")?;
        Ok(versions(conn)?.reload)
    })
}

/// Failed logins of `staff_no` from `addr` since `since` (older ones are forgotten).
pub fn login_failures(
    conn: &mut AnyConnection,
    staff_no: &str,
    addr: &str,
    since: &str,
) -> Result<i64, StoreError> {
    let rows = load(
        conn,
        "SELECT CAST(failures AS TEXT) AS n FROM login_throttle WHERE staff_no = ? AND addr = ? AND last_at > ?",
        vec![text(staff_no), text(addr), text(since)],
    )?;
    Ok(rows.first().map_or(0, |r| int(r, "n")))
}

/// Notes a login's outcome: a success forgets the failures, a failure counts one more (one
/// atomic statement, so that instances counting at once lose none).
pub fn record_login(
    conn: &mut AnyConnection,
    staff_no: &str,
    addr: &str,
    ok: bool,
    now: &str,
    since: &str,
) -> Result<(), StoreError> {
    if ok {
        exec(
            conn,
            "DELETE FROM login_throttle WHERE staff_no = ? AND addr = ?",
            vec![text(staff_no), text(addr)],
        )?;
        return Ok(());
    }
    // Failures older than the window start again from one.
    exec(
        conn,
        "INSERT INTO login_throttle (staff_no, addr, failures, last_at) VALUES (?, ?, 1, ?) \
         ON CONFLICT (staff_no, addr) DO UPDATE SET \
         failures = CASE WHEN login_throttle.last_at > ? THEN login_throttle.failures + 1 ELSE 1 END, \
         last_at = excluded.last_at",
        vec![text(staff_no), text(addr), text(now), text(since)],
    )?;
    exec(
        conn,
        "DELETE FROM login_throttle WHERE last_at <= ?",
        vec![text(since)],
    )?;
    Ok(())
}

/// Waits for another instance's change: on PostgreSQL a connection of its own that `LISTEN`s on
/// [`CHANNEL`]; on SQLite (one instance, and commands run beside it) a plain pause between looks.
pub struct Listener {
    pg: Option<diesel::PgConnection>,
    url: Option<String>,
}

impl Listener {
    /// A listener for the database at `url` (PostgreSQL: connects and listens now).
    pub fn open(url: &super::DbUrl) -> Listener {
        let mut listener = Listener {
            pg: None,
            url: match url {
                super::DbUrl::Postgres(u) => Some(u.clone()),
                super::DbUrl::Sqlite(_) => None,
            },
        };
        listener.connect();
        listener
    }

    fn connect(&mut self) {
        use diesel::connection::SimpleConnection;
        use diesel::Connection;
        let Some(url) = &self.url else { return };
        self.pg = diesel::PgConnection::establish(url)
            .and_then(|mut c| {
                c.batch_execute(&format!("LISTEN {CHANNEL}"))
                    .map_err(|e| diesel::ConnectionError::BadConnection(e.to_string()))?;
                Ok(c)
            })
            .map_err(|e| tracing::warn!(error = %e, "无法监听其他实例的变更，改为每隔几秒查看一次"))
            .ok();
    }

    /// Blocks until a notification arrives (true) or `timeout` passes (false). A lost
    /// connection is opened again; until then the caller's periodic look covers the gap.
    pub fn wait(&mut self, timeout: std::time::Duration) -> bool {
        let step = std::time::Duration::from_millis(50);
        let until = std::time::Instant::now() + timeout;
        while std::time::Instant::now() < until {
            if self.url.is_some() && self.pg.is_none() {
                self.connect();
            }
            let mut got = false;
            let mut lost = false;
            if let Some(conn) = &mut self.pg {
                for n in conn.notifications_iter() {
                    match n {
                        Ok(_) => got = true,
                        Err(e) => {
                            tracing::warn!(error = %e, "监听连接已断开");
                            lost = true;
                            break;
                        }
                    }
                }
            }
            if lost {
                self.pg = None;
            }
            if got {
                return true;
            }
            std::thread::sleep(step);
        }
        false
    }
}

impl Store {
    /// The same database (and pool) serving another catalog: what a definitions reload puts in
    /// force beside the old store, which requests in flight keep using.
    pub fn with_catalog(&self, catalog: std::sync::Arc<crate::defs::Catalog>) -> Store {
        Store {
            pool: self.pool.clone(),
            url: self.url.clone(),
            catalog,
            accounts_epoch: self.accounts_epoch.clone(),
        }
    }

    /// A listener for the other instances' changes (see [`Listener`]).
    pub fn listener(&self) -> Listener {
        Listener::open(&self.url)
    }

    /// Brings the data tables in line with this store's catalog, additive changes only: a
    /// destructive one is refused with `migrate`'s reasons and nothing is changed.
    pub fn sync_catalog(&self) -> Result<super::SyncReport, StoreError> {
        use diesel::connection::SimpleConnection;
        let mut conn = self.conn()?;
        let pg = matches!(self.url, super::DbUrl::Postgres(_));
        if pg {
            conn.batch_execute("SELECT pg_advisory_lock(7274601)")?;
        }
        let catalog = &self.catalog;
        let plan_and_apply = |conn: &mut super::AnyConnection| {
            super::sync::plan(conn, catalog).and_then(|plan| {
                if plan.refusals.is_empty() {
                    super::sync::apply(conn, catalog, plan)
                } else {
                    Err(StoreError::Destructive(plan.refusals))
                }
            })
        };
        // Two instances reloading at once must not both plan the same `ALTER TABLE … ADD
        // COLUMN` (the second fails with "duplicate column"): PostgreSQL holds the advisory lock
        // above, SQLite plans inside the write transaction, so the second waits and plans anew.
        let synced = if pg {
            plan_and_apply(&mut conn)
        } else {
            super::tx::write_tx(&mut conn, plan_and_apply)
        };
        if pg {
            let _ = conn.batch_execute("SELECT pg_advisory_unlock(7274601)");
        }
        synced
    }
}
