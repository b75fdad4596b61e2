//! What every instance on one database shares and watches: the policy's versions, the
//! definitions' versions (a content hash, and per table the hash of the version that changed
//! it), reload requests and the login slowdown. On PostgreSQL a change also sends
//! `NOTIFY statusdata` (delivered at commit) so that the other instances act at once.

use diesel::dsl::{case_when, max};
use diesel::prelude::*;
use diesel::sql_types::Integer;
use diesel::upsert::excluded;

use super::conn::AnyConnection;
use super::schema::{
    definition_tables, definition_versions, login_throttle, per_backend, policy_versions,
    reload_requests,
};
use super::sql::{DynQuery, SqlValue, TextRow};
use super::tx::{hold_key, Hold};
use super::{Store, StoreError};

/// The channel instances listen on (PostgreSQL).
pub const CHANNEL: &str = "statusdata";

/// Tells the other instances (PostgreSQL; delivered when the transaction commits). SQLite's
/// single instance needs no message: `statusdata` commands reach it through the watched rows.
pub fn notify(conn: &mut AnyConnection, what: &str) -> Result<(), StoreError> {
    if matches!(conn, AnyConnection::Sqlite(_)) {
        return Ok(());
    }
    let mut q = DynQuery::new(format!("SELECT CAST(pg_notify('{CHANNEL}', "));
    q.bind(SqlValue::Text(what.to_owned()))
        .sql(") AS TEXT) AS sent");
    let _: Vec<TextRow> = q.load(conn)?;
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
    let (policy, definitions, reload): (Option<i64>, Option<i64>, Option<i64>) = diesel::select((
        policy_versions::table
            .select(max(policy_versions::version))
            .single_value(),
        definition_versions::table
            .select(max(definition_versions::version))
            .single_value(),
        reload_requests::table
            .select(max(reload_requests::id))
            .single_value(),
    ))
    .get_result(conn)?;
    Ok(Versions {
        policy: policy.unwrap_or(0),
        definitions: definitions.unwrap_or(0),
        reload: reload.unwrap_or(0),
    })
}

/// The policy in force: (version, policy.csv text), or `None` before the first is stored.
pub fn latest_policy(conn: &mut AnyConnection) -> Result<Option<(i64, String)>, StoreError> {
    Ok(policy_versions::table
        .select((policy_versions::version, policy_versions::body))
        .order(policy_versions::version.desc())
        .first(conn)
        .optional()?)
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
    diesel::insert_into(policy_versions::table)
        .values((
            policy_versions::version.eq(next),
            policy_versions::body.eq(body),
            policy_versions::created_at.eq(at),
            policy_versions::created_by.eq(by),
        ))
        .execute(conn)?;
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
    let latest = latest_definitions(conn)?;
    if let Some((version, hash)) = &latest {
        if *hash == stamp.hash {
            return Ok((*version, false));
        }
    }
    let next = latest.map_or(0, |(v, _)| v) + 1;
    diesel::insert_into(definition_versions::table)
        .values((
            definition_versions::version.eq(next),
            definition_versions::hash.eq(&stamp.hash),
            definition_versions::loaded_at.eq(at),
            definition_versions::loaded_by.eq(by),
            definition_versions::instance.eq(instance),
        ))
        .execute(conn)?;
    for (code, hash) in &stamp.tables {
        let newest = table_history(conn, code)?;
        if newest.first().map(|(_, h)| h.as_str()) != Some(hash.as_str()) {
            diesel::insert_into(definition_tables::table)
                .values((
                    definition_tables::version.eq(next),
                    definition_tables::code.eq(code),
                    definition_tables::hash.eq(hash),
                ))
                .execute(conn)?;
        }
    }
    notify(conn, "definitions")?;
    Ok((next, true))
}

/// The newest definitions version: (version, content hash).
pub fn latest_definitions(conn: &mut AnyConnection) -> Result<Option<(i64, String)>, StoreError> {
    Ok(definition_versions::table
        .select((definition_versions::version, definition_versions::hash))
        .order(definition_versions::version.desc())
        .first(conn)
        .optional()?)
}

/// Every recorded hash of a table's definition with the version that wrote it, newest first.
pub fn table_history(
    conn: &mut AnyConnection,
    code: &str,
) -> Result<Vec<(i64, String)>, StoreError> {
    Ok(definition_tables::table
        .filter(definition_tables::code.eq(code))
        .select((definition_tables::version, definition_tables::hash))
        .order(definition_tables::version.desc())
        .load(conn)?)
}

/// Asks every running instance to reload (`statusdata reload`); returns the request's id.
pub fn request_reload(conn: &mut AnyConnection, at: &str, by: &str) -> Result<i64, StoreError> {
    super::tx::write_tx(conn, |conn| {
        let id = diesel::insert_into(reload_requests::table)
            .values((
                reload_requests::requested_at.eq(at),
                reload_requests::requested_by.eq(by),
            ))
            .returning(reload_requests::id)
            .get_result(conn)?;
        notify(conn, "reload")?;
        Ok(id)
    })
}

/// Failed logins of `staff_no` from `addr` since `since` (older ones are forgotten).
pub fn login_failures(
    conn: &mut AnyConnection,
    staff_no: &str,
    addr: &str,
    since: &str,
) -> Result<i64, StoreError> {
    let found: Option<i32> = login_throttle::table
        .find((staff_no, addr))
        .filter(login_throttle::last_at.gt(since))
        .select(login_throttle::failures)
        .first(conn)
        .optional()?;
    Ok(found.map_or(0, i64::from))
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
        diesel::delete(login_throttle::table.find((staff_no, addr))).execute(conn)?;
        return Ok(());
    }
    let first = diesel::insert_into(login_throttle::table).values((
        login_throttle::staff_no.eq(staff_no),
        login_throttle::addr.eq(addr),
        login_throttle::failures.eq(1),
        login_throttle::last_at.eq(now),
    ));
    // Failures older than the window start again from one.
    let failures = case_when::<_, _, Integer>(
        login_throttle::last_at.gt(since),
        login_throttle::failures + 1,
    )
    .otherwise(1);
    // diesel's MultiConnection has no ON CONFLICT; each backend's connection has.
    per_backend!(conn, c => first
        .on_conflict((login_throttle::staff_no, login_throttle::addr))
        .do_update()
        .set((
            login_throttle::failures.eq(failures),
            login_throttle::last_at.eq(excluded(login_throttle::last_at)),
        ))
        .execute(c)?);
    diesel::delete(login_throttle::table.filter(login_throttle::last_at.le(since)))
        .execute(conn)?;
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

/// What a sync of a catalog would do (see [`Store::sync_preview`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncPreview {
    pub report: super::SyncReport,
    pub refusals: Vec<String>,
    pub conflicts: Vec<String>,
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
        self.sync_catalog_allowing(&|_, _| Ok(false))
    }

    /// What syncing `catalog` would do, touching nothing: the report of its changes, why each
    /// destructive one is refused, and the conflicts refused even when allowed.
    pub fn sync_preview(&self, catalog: &crate::defs::Catalog) -> Result<SyncPreview, StoreError> {
        let plan = super::sync::plan(&mut *self.conn()?, catalog)?;
        Ok(SyncPreview {
            report: plan.report().clone(),
            refusals: plan.refusals.clone(),
            conflicts: plan.conflicts.clone(),
        })
    }

    /// Like [`Store::sync_catalog`], but applies destructive changes too when `allow` says so of
    /// the plan's report, asked on the connection (and, on SQLite, in the transaction) that
    /// applies it; conflicts are always refused.
    pub fn sync_catalog_allowing(
        &self,
        allow: &dyn Fn(&mut AnyConnection, &super::SyncReport) -> Result<bool, StoreError>,
    ) -> Result<super::SyncReport, StoreError> {
        use diesel::connection::SimpleConnection;
        let mut conn = self.conn()?;
        let pg = matches!(self.url, super::DbUrl::Postgres(_));
        if pg {
            conn.batch_execute("SELECT pg_advisory_lock(7274601)")?;
        }
        let catalog = &self.catalog;
        let plan_and_apply = |conn: &mut super::AnyConnection| {
            super::sync::plan(conn, catalog).and_then(|plan| {
                let allowed = plan.refusals.is_empty()
                    || (plan.conflicts.is_empty() && allow(conn, plan.report())?);
                if allowed {
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
