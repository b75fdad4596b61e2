//! Who is asking, and what they may do: computed once per request, then asked per table.

use std::sync::Arc;

use super::{Action, Policy};
use crate::defs::Units;
use crate::store::RowScope;

/// The person or token behind a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub staff_no: String,
    pub name: String,
    /// Unit code.
    pub unit: String,
    pub roles: Vec<String>,
    /// The development principal of `serve --demo`: every right on every table.
    pub development: bool,
}

impl Principal {
    /// The principal every request runs as under `serve --demo` until accounts exist.
    pub fn development() -> Principal {
        Principal {
            staff_no: "dev".into(),
            name: "开发调试账号".into(),
            unit: "zlb".into(),
            roles: vec!["sysadmin".into()],
            development: true,
        }
    }
}

/// A principal's rights over the policy.
#[derive(Clone)]
pub struct Access {
    pub principal: Principal,
    unit_name: String,
    policy: Arc<Policy>,
}

impl Access {
    /// Rights of `principal` under `policy`.
    pub fn new(principal: Principal, policy: Arc<Policy>, units: &Units) -> Access {
        let unit_name = units
            .by_code(&principal.unit)
            .map(|u| u.name.clone())
            .unwrap_or_default();
        Access {
            principal,
            unit_name,
            policy,
        }
    }

    /// Whether the principal may do `action` on table `code`.
    pub fn can(&self, code: &str, action: Action) -> bool {
        self.principal.development || self.policy.allows(&self.unit_name, code, action)
    }

    /// The rows of table `code` the principal reads: all of them for reviewers, acceptors and
    /// administrators, otherwise only its own unit's.
    pub fn read_scope(&self, code: &str) -> RowScope {
        let wide = [Action::Review, Action::Accept, Action::Admin, Action::Read];
        if wide.iter().any(|a| self.can(code, *a)) {
            RowScope::All
        } else {
            RowScope::Units(vec![self.principal.unit.clone()])
        }
    }

    /// The rows of table `code` the principal may change: its own unit's (everything in development).
    pub fn write_scope(&self) -> RowScope {
        if self.principal.development {
            RowScope::All
        } else {
            RowScope::Units(vec![self.principal.unit.clone()])
        }
    }
}
