//! What an instance does when the database says another one (or a command) changed something it
//! shares: a newer policy is read into force; a reload request (`statusdata reload`) reloads the
//! definitions and the policy; newer definitions are followed when this instance's files are
//! the same, and otherwise only logged (writes to the changed tables are refused meanwhile).

use super::definitions::{Definitions, Mode};
use super::Service;
use crate::store::live::{self, Listener, Versions};

/// What the watcher has seen so far.
#[derive(Debug, Default)]
pub struct Watch {
    seen: Versions,
    /// A definitions version this instance could not follow (logged once).
    declined: i64,
}

impl Service {
    /// A listener for the other instances' changes (see [`Listener`]).
    pub fn listener(&self) -> Listener {
        self.store.listener()
    }
}

impl Watch {
    /// Starts from what the database holds now: requests made before this start are done.
    pub fn start(svc: &Service) -> Watch {
        let seen = svc.store.with_workflow(live::versions).unwrap_or_default();
        Watch { seen, declined: 0 }
    }

    /// Looks once and acts; `in_force` is the definitions version this instance serves.
    pub fn look(&mut self, svc: &Service, defs: &Definitions, in_force: i64) {
        let now = match svc.store.with_workflow(live::versions) {
            Ok(v) => v,
            Err(e) => {
                tracing::warn!(error = %e, "无法读取共享的版本号");
                return;
            }
        };
        if now.policy != self.seen.policy || now.reload != self.seen.reload {
            match svc.refresh_policy() {
                Ok(true) => {
                    tracing::info!(version = now.policy, "已从数据库重新载入分工")
                }
                Ok(false) => {}
                Err(e) => tracing::error!(error = %e.message, "无法重新载入分工"),
            }
        }
        if now.reload != self.seen.reload {
            match defs.reload(svc, &svc.system(), Mode::Explicit) {
                Ok(r) => tracing::info!(
                    version = r.version,
                    recorded = r.recorded,
                    "已按请求重新载入表定义"
                ),
                Err(e) => tracing::error!(error = %e.message, "表定义未重新载入"),
            }
        } else if now.definitions != in_force && now.definitions != self.declined {
            match defs.reload(svc, &svc.system(), Mode::Follow) {
                Ok(r) => tracing::info!(version = r.version, "已采用数据库中的表定义"),
                Err(e) => {
                    self.declined = now.definitions;
                    tracing::warn!(version = now.definitions, error = %e.message, "数据库中的表定义与本实例的文件不同");
                }
            }
        }
        self.seen = now;
    }
}
