//! Live definitions: reloading `table-defs/` while the service runs. A reload loads and checks
//! the definitions, applies additive changes to the data tables (refusing destructive ones with
//! `migrate`'s reasons), records the definitions' hash in the database and hands the new catalog
//! to the faces, which swap their schema. Every instance on the database follows: an instance
//! whose definitions of a table differ from the database's refuses writes to that table.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use super::{require_role, ApiError, ApiResult, Code, Service};
use crate::authz::Access;
use crate::check::check_policy;
use crate::defs::{self, Catalog, Problems, Table};
use crate::store::live::{self, DefinitionsStamp};
use crate::store::{AnyConnection, Store, StoreError, SyncReport};

/// What puts a reloaded catalog in force in the faces (the GraphQL schema, templates, the
/// service the requests use): given the store that serves the new catalog.
pub type Installer = Arc<dyn Fn(&Store, i64) -> Result<(), String> + Send + Sync>;

/// Which destructive changes of a reload's plan may go ahead (asked on the syncing connection).
pub type AllowDestructive =
    dyn Fn(&mut AnyConnection, &crate::store::SyncReport) -> Result<bool, StoreError>;

/// Why a reload runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// An administrator asked (`reloadDefinitions`, SIGHUP, `statusdata reload`): the files are
    /// loaded and, when they differ, become the database's newest definitions.
    Explicit,
    /// Another instance changed the database's definitions: this one takes them up only when its
    /// own files are the same, and never records a version of its own.
    Follow,
}

/// What a reload did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reloaded {
    /// The database's definitions version now in force here.
    pub version: i64,
    /// True when this reload recorded a new version.
    pub recorded: bool,
    /// The definitions' content hash.
    pub hash: String,
    /// Data tables created and columns added.
    pub sync: SyncReport,
}

/// The definitions folder of a running instance and what swaps its faces.
#[derive(Clone)]
pub struct Definitions {
    dir: PathBuf,
    install: Installer,
    one_at_a_time: Arc<Mutex<()>>,
    instance: String,
}

impl Definitions {
    /// Reloads from `dir`, putting a new catalog in force through `install`.
    pub fn new(dir: PathBuf, install: Installer) -> Definitions {
        let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "localhost".into());
        Definitions {
            dir,
            install,
            one_at_a_time: Arc::default(),
            instance: format!("{host}:{}", std::process::id()),
        }
    }

    /// This instance's name in the definitions' history (host and process).
    pub fn instance(&self) -> &str {
        &self.instance
    }

    /// Reloads the definitions (see [`Mode`]) and puts them in force; only 质量部 administrators
    /// and the system may ask. `BAD_REQUEST` lists what `check` found or the destructive changes
    /// refused; nothing changes then.
    pub fn reload(&self, svc: &Service, who: &Access, mode: Mode) -> ApiResult<Reloaded> {
        require_role(
            who,
            &["quality_admin"],
            "只有质量部管理员可以重新载入表定义",
        )?;
        let _one = self.one_at_a_time();
        self.reload_held(svc, who, mode, &|_, _| Ok(false))
    }

    /// The definitions folder this instance reloads from.
    pub fn dir(&self) -> &std::path::Path {
        &self.dir
    }

    /// Holds off every other reload (and designer apply) of this instance while kept.
    pub(super) fn one_at_a_time(&self) -> std::sync::MutexGuard<'_, ()> {
        self.one_at_a_time.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// [`Definitions::reload`] for a caller who holds [`Definitions::one_at_a_time`]: the
    /// destructive changes `allow` accepts are applied too (see `Store::sync_catalog_allowing`).
    pub(super) fn reload_held(
        &self,
        svc: &Service,
        who: &Access,
        mode: Mode,
        allow: &AllowDestructive,
    ) -> ApiResult<Reloaded> {
        let catalog = defs::load_catalog(&self.dir).map_err(|p| refused("表定义有问题", &p))?;
        let mut problems = Problems::default();
        check_policy(
            Some(&catalog),
            &svc.units,
            &svc.policy.current(),
            &mut problems,
        );
        if !problems.is_empty() {
            return Err(refused("表定义与现行分工不一致", &problems));
        }
        let stamp = DefinitionsStamp {
            hash: defs::folder_hash(&self.dir).map_err(ApiError::internal)?,
            tables: catalog
                .tables
                .iter()
                .map(|t| (t.code.clone(), defs::table_hash(t)))
                .collect(),
        };
        let in_db = svc.store.with_workflow(live::latest_definitions)?;
        if mode == Mode::Follow && in_db.as_ref().map(|d| &d.1) != Some(&stamp.hash) {
            return Err(ApiError::new(
                Code::Conflict,
                "本实例的表定义文件与数据库中的不同，未跟随更新；更改了的表暂不能修改",
            ));
        }
        let store = svc.store.with_catalog(Arc::new(catalog));
        let sync = store.sync_catalog_allowing(allow).map_err(|e| match e {
            StoreError::Destructive(reasons) => ApiError::new(
                Code::BadRequest,
                format!(
                    "重新载入被拒绝，未做任何更改（需要 statusdata migrate --allow-destructive）：\n{}",
                    reasons.join("\n")
                ),
            ),
            e => e.into(),
        })?;
        let at = super::stamp(svc.now());
        let actor = who.principal.staff_no.clone();
        let (version, recorded) = store.write(|conn| {
            let (version, recorded) =
                live::record_definitions(conn, &stamp, &at, &actor, &self.instance)?;
            if recorded {
                let detail = serde_json::json!({
                    "version": version, "hash": stamp.hash,
                    "created": sync.created_tables, "added": sync.added_columns,
                });
                crate::store::audit_in(conn, &actor, None, "reload_definitions", None, detail)?;
            }
            Ok::<_, ApiError>((version, recorded))
        })?;
        (self.install)(&store, version).map_err(ApiError::internal)?;
        tracing::info!(version, recorded, hash = %stamp.hash, "表定义已重新载入");
        Ok(Reloaded {
            version,
            recorded,
            hash: stamp.hash,
            sync,
        })
    }
}

/// Records the definitions an instance starts with (after `migrate`): their version in force.
pub fn record_start(store: &Store, dir: &std::path::Path, instance: &str) -> ApiResult<i64> {
    let stamp = DefinitionsStamp {
        hash: defs::folder_hash(dir).map_err(ApiError::internal)?,
        tables: stamp_tables(store.catalog()),
    };
    let at = crate::store::now();
    let (version, _) = store
        .write(|conn| live::record_definitions(conn, &stamp, &at, super::SYSTEM_ACTOR, instance))?;
    Ok(version)
}

impl Service {
    /// [`record_start`] on this service's database and catalog.
    pub fn record_start(&self, dir: &std::path::Path, instance: &str) -> ApiResult<i64> {
        record_start(&self.store, dir, instance)
    }
}

fn stamp_tables(catalog: &Catalog) -> Vec<(String, String)> {
    catalog
        .tables
        .iter()
        .map(|t| (t.code.clone(), defs::table_hash(t)))
        .collect()
}

fn refused(what: &str, problems: &Problems) -> ApiError {
    ApiError::new(
        Code::BadRequest,
        format!("重新载入被拒绝，未做任何更改：{what}（statusdata check）：\n{problems}"),
    )
}

/// Refuses a write to `table` when the database holds another definition of it: the database's
/// is newer when this instance's is among the older versions, this instance's is newer when the
/// database never recorded it. Nothing is refused before any definitions are recorded.
pub fn check_definitions(conn: &mut AnyConnection, table: &Table) -> ApiResult<()> {
    let history = live::table_history(conn, &table.code)?;
    let Some((newest, newest_hash)) = history.first() else {
        return Ok(());
    };
    let mine = defs::table_hash(table);
    if *newest_hash == mine {
        return Ok(());
    }
    let name = format!("“{} {}”", table.code, table.name);
    let message = match history.iter().find(|(_, h)| *h == mine) {
        Some((older, _)) => format!(
            "{name}的表定义已更新为第 {newest} 版，比本服务正在使用的第 {older} 版新：请质量部在“管理”中点“重新载入表定义”后再修改本表"
        ),
        None => format!(
            "{name}的表定义在本服务中比数据库中的第 {newest} 版新，尚未生效：请质量部在“管理”中点“重新载入表定义”后再修改本表"
        ),
    };
    Err(ApiError::new(Code::Conflict, message))
}
