//! What an instance does when the database says another one (or a command) changed something it
//! shares: a newer policy is read into force; a reload request (`statusdata reload`) reloads the
//! definitions and the policy; newer definitions are followed when this instance's files are
//! the same, and otherwise only logged (writes to the changed tables are refused meanwhile).

use super::definitions::{Definitions, Mode};
use super::Service;
use crate::store::live::{self, Versions};

/// What the watcher has seen so far.
#[derive(Debug, Default)]
pub struct Watch {
    seen: Versions,
    /// A definitions version this instance could not follow (logged once).
    declined: i64,
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
                tracing::warn!(error = %e, "cannot read the shared versions");
                return;
            }
        };
        if now.policy != self.seen.policy || now.reload != self.seen.reload {
            match svc.refresh_policy() {
                Ok(true) => {
                    tracing::info!(version = now.policy, "policy reloaded from the database")
                }
                Ok(false) => {}
                Err(e) => tracing::error!(error = %e.message, "cannot reload the policy"),
            }
        }
        if now.reload != self.seen.reload {
            match defs.reload(svc, &svc.system(), Mode::Explicit) {
                Ok(r) => tracing::info!(
                    version = r.version,
                    recorded = r.recorded,
                    "definitions reloaded on request"
                ),
                Err(e) => tracing::error!(error = %e.message, "definitions not reloaded"),
            }
        } else if now.definitions != in_force && now.definitions != self.declined {
            match defs.reload(svc, &svc.system(), Mode::Follow) {
                Ok(r) => tracing::info!(version = r.version, "followed the database's definitions"),
                Err(e) => {
                    self.declined = now.definitions;
                    tracing::warn!(version = now.definitions, error = %e.message, "the database's definitions differ from this instance's files");
                }
            }
        }
        self.seen = now;
    }
}
