//! The use cases: every change a person or a script can make (rows, imports, workflow steps,
//! lock exceptions, rights, cycles), each a function of a caller's [`Access`] and plain inputs.
//! Rights, row scope, submission state and deadline are checked inside the same write
//! transaction as the change and its audit row, so a face (GraphQL, HTTP, CLI) holds no rule of
//! its own and nothing slips in between a check and a write.
//!
//! Checks run in the contract's order: rights, then workflow state and deadline, then input.

pub mod accounts;
pub mod admin;
pub mod annual;
pub mod bi;
pub mod budget;
pub mod cases;
pub mod checks;
pub mod compare;
mod compare_indicator;
pub mod cycles;
pub mod database;
pub mod definitions;
pub mod designer;
pub mod dump;
pub mod error;
pub mod files;
pub mod findings;
pub mod gaoji;
mod gate;
pub mod grid;
mod health;
pub mod import;
mod import_units;
pub mod indicators;
pub mod lookup;
pub mod my_work;
pub mod names;
pub mod normalize;
pub mod overview;
pub mod page;
mod progress;
pub mod quality;
pub mod read;
pub mod review_help;
pub mod right_log;
pub mod rights;
pub mod roles;
pub mod row_comments;
pub mod rows;
pub mod session;
mod signoff;
pub mod templates;
pub mod validation;
pub mod watch;
pub mod work_quality;
pub mod workflow;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

pub use error::{ApiError, ApiResult, Code, InputProblem};

use crate::auth::service::{system_clock, Clock};
use crate::authz::{Access, Action, PolicyCell, Principal};
use crate::defs::{Table, Units};
use crate::store::Store;

/// The staff number the command line acts as; its writes are audited under it.
pub const SYSTEM_ACTOR: &str = "cli";

/// The use cases over one store, policy and set of units.
#[derive(Clone)]
pub struct Service {
    /// Reached only through the use cases: a face never holds the store (nothing would check
    /// rights, state or deadline of what it wrote).
    store: Store,
    pub policy: Arc<PolicyCell>,
    pub units: Arc<Units>,
    /// The clock deadlines, sessions and audit times follow (tests move it).
    pub clock: Clock,
    /// What the whole-cycle export does before the leaders sign off the core data.
    pub export_gate: indicators::ExportGate,
    default_cycle: Arc<Mutex<Option<(Instant, i32)>>>,
}

/// How long the newest open cycle is remembered before it is read again.
const CYCLE_CACHE: Duration = Duration::from_secs(10);

impl Service {
    /// The service with the real clock.
    pub fn new(store: Store, policy: Arc<PolicyCell>, units: Arc<Units>) -> Service {
        Service {
            store,
            policy,
            units,
            clock: system_clock(),
            export_gate: indicators::ExportGate::default(),
            default_cycle: Arc::new(Mutex::new(None)),
        }
    }

    /// The time now, by the service's clock.
    pub fn now(&self) -> DateTime<Utc> {
        (self.clock)()
    }

    /// The rights of `principal` under the policy in force now.
    pub fn access(&self, principal: Principal) -> Access {
        Access::new(principal, self.policy.current(), &self.units)
    }

    /// The command line's principal: every right, audited as [`SYSTEM_ACTOR`].
    pub fn system(&self) -> Access {
        self.access(Principal::system())
    }

    /// The same use cases over another store (the next definitions' catalog on the same
    /// database).
    pub fn on_store(&self, store: Store) -> Service {
        Service {
            store,
            ..self.clone()
        }
    }

    /// The catalog of the definitions this service serves.
    pub fn catalog(&self) -> &Arc<crate::defs::Catalog> {
        self.store.catalog()
    }

    /// The store, for the demo generator inside the crate (it writes its college straight into
    /// an empty database, see `demo::seed_college`).
    #[cfg(feature = "demo")]
    pub(crate) fn store(&self) -> &Store {
        &self.store
    }

    /// The table with this code, or `NOT_FOUND` naming it.
    pub fn table(&self, code: &str) -> ApiResult<Arc<Table>> {
        self.store
            .catalog()
            .table_by_code(code.trim())
            .cloned()
            .ok_or_else(|| ApiError::new(Code::NotFound, format!("没有编号为 {code} 的数据表")))
    }

    /// The code of the unit given by code, name or alias; `NOT_FOUND` naming an unknown one.
    pub fn unit_code(&self, given: &str) -> ApiResult<String> {
        let given = given.trim();
        self.units
            .by_code(given)
            .or_else(|| self.units.by_name(given))
            .map(|u| u.code.clone())
            .ok_or_else(|| {
                ApiError::new(
                    Code::NotFound,
                    format!("没有名称或代码为“{given}”的单位（见 seeds/units.toml）"),
                )
            })
    }

    /// The unit a caller acts for: the one given, or the caller's own.
    pub fn unit_or_own(&self, who: &Access, given: Option<&str>) -> ApiResult<String> {
        match given.map(str::trim).filter(|g| !g.is_empty()) {
            Some(g) => self.unit_code(g),
            None if !who.principal.unit.is_empty() => Ok(who.principal.unit.clone()),
            None => Err(ApiError::new(Code::BadRequest, "请指定单位（unit）")),
        }
    }

    /// The cycle given, or the newest open one (remembered for a few seconds).
    pub fn cycle_or_default(&self, given: Option<i32>) -> ApiResult<i32> {
        if let Some(c) = given {
            return Ok(c);
        }
        if let Ok(cache) = self.default_cycle.lock() {
            if let Some((at, year)) = *cache {
                if at.elapsed() < CYCLE_CACHE {
                    return Ok(year);
                }
            }
        }
        let year = self
            .store
            .with_workflow(crate::store::workflow::newest_open_cycle)?
            .ok_or_else(|| {
                ApiError::new(
                    Code::NotFound,
                    "尚未设置采集周期：请先运行 statusdata serve 安装周期，或 cycle new",
                )
            })?;
        if let Ok(mut cache) = self.default_cycle.lock() {
            *cache = Some((Instant::now(), year));
        }
        Ok(year)
    }

    /// Forgets the remembered default cycle (after a cycle is installed or opened).
    pub fn forget_default_cycle(&self) {
        if let Ok(mut cache) = self.default_cycle.lock() {
            *cache = None;
        }
    }
}

/// Refuses unless the caller may do `action` on the table (checked before anything else).
pub fn guard(who: &Access, table: &Table, action: Action) -> ApiResult<()> {
    if who.can(&table.code, action) {
        return Ok(());
    }
    Err(ApiError::new(
        Code::Forbidden,
        format!(
            "您没有{}“{} {}”的权限",
            verb(action),
            table.code,
            table.name
        ),
    ))
}

/// The rows of the table the caller may read, refused when it may read none of them.
pub fn readable(who: &Access, table: &Table) -> ApiResult<crate::store::RowScope> {
    guard(who, table, Action::Read)?;
    Ok(who.read_scope(&table.code))
}

fn verb(action: Action) -> &'static str {
    match action {
        Action::Read => "查看",
        Action::Fill => "填报",
        Action::Review => "审核",
        Action::Accept => "验收",
        Action::Admin => "管理",
    }
}

/// Whether the caller holds one of `roles` (sysadmin and the development principal hold all).
pub fn has_role(who: &Access, roles: &[&str]) -> bool {
    who.principal.development
        || who
            .principal
            .roles
            .iter()
            .any(|r| roles.contains(&r.as_str()) || r == "sysadmin")
}

/// Refuses (`FORBIDDEN`, in the words of `refusal`) a caller who holds none of `roles`.
pub fn require_role(who: &Access, roles: &[&str], refusal: &str) -> ApiResult<()> {
    if has_role(who, roles) {
        Ok(())
    } else {
        Err(ApiError::new(Code::Forbidden, refusal))
    }
}

/// An administrator's override of state and deadline, with the reason the audit keeps.
#[derive(Debug, Clone, Default)]
pub struct Force {
    pub reason: Option<String>,
}

impl Force {
    /// No override.
    pub fn none() -> Force {
        Force::default()
    }

    /// Overrides with a reason; only the system principal and administrators may use it.
    pub fn because(reason: &str) -> Force {
        Force {
            reason: Some(reason.trim().to_owned()),
        }
    }
}

/// The RFC 3339 stamp every timestamp column stores.
pub fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}
