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
    /// An initial or reset password: every operation but changePassword, logout and me is refused.
    pub must_change_password: bool,
    /// The development principal (tests): every right on every table.
    pub development: bool,
}

impl Principal {
    /// The command line: every right, audited as `cli`; it honours state and deadline unless
    /// an administrator forces a write with a reason.
    pub fn system() -> Principal {
        Principal {
            staff_no: "cli".into(),
            name: "命令行".into(),
            unit: String::new(),
            roles: vec!["sysadmin".into()],
            must_change_password: false,
            development: false,
        }
    }

    /// The principal every request runs as under `serve --demo` until accounts exist.
    pub fn development() -> Principal {
        Principal {
            staff_no: "dev".into(),
            name: "开发调试账号".into(),
            unit: "zlb".into(),
            roles: vec!["sysadmin".into()],
            must_change_password: false,
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
    /// The policy's answers so far: an `Access` lives for one request, so each (table, action)
    /// is enforced once per request however often resolvers ask.
    memo: Arc<std::sync::Mutex<Vec<(String, Action, bool)>>>,
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
            memo: Arc::default(),
        }
    }

    fn has(&self, role: &str) -> bool {
        self.principal.roles.iter().any(|r| r == role)
    }

    /// Whether the unit's policy grants `action` on table `code` (through its groups too).
    fn unit_may(&self, code: &str, action: Action) -> bool {
        if self.unit_name.is_empty() {
            return false;
        }
        if let Ok(memo) = self.memo.lock() {
            if let Some((_, _, may)) = memo.iter().find(|(c, a, _)| c == code && *a == action) {
                return *may;
            }
        }
        let may = self.policy.allows(&self.unit_name, code, action);
        if let Ok(mut memo) = self.memo.lock() {
            memo.push((code.to_owned(), action, may));
        }
        may
    }

    /// Whether the principal may do `action` on table `code`: the unit's rights from the policy,
    /// narrowed by the account's role (a collector fills, a head also reviews; leaders and BI
    /// tokens only read).
    pub fn can(&self, code: &str, action: Action) -> bool {
        if self.principal.development || self.has("sysadmin") {
            return true;
        }
        let filler = self.has("collector") || self.has("head") || self.has("quality_admin");
        let head = self.has("head") || self.has("quality_admin");
        match action {
            Action::Read => {
                self.has("leader")
                    || self.has("bi")
                    || [Action::Read, Action::Fill, Action::Review, Action::Accept]
                        .iter()
                        .any(|a| self.unit_may(code, *a))
            }
            Action::Fill => filler && self.unit_may(code, Action::Fill),
            Action::Review => head && self.unit_may(code, Action::Review),
            Action::Accept | Action::Admin => {
                self.has("quality_admin") && self.unit_may(code, action)
            }
        }
    }

    /// The rows of table `code` the principal reads: every unit's for reviewers, 质量部, leaders
    /// and BI tokens; a filling unit only its own.
    pub fn read_scope(&self, code: &str) -> RowScope {
        let wide = self.principal.development
            || self.has("sysadmin")
            || self.has("leader")
            || self.has("bi")
            || [Action::Read, Action::Review, Action::Accept, Action::Admin]
                .iter()
                .any(|a| self.unit_may(code, *a));
        if wide {
            RowScope::All
        } else {
            RowScope::Units(vec![self.principal.unit.clone()])
        }
    }

    /// The rows of table `code` the principal may change: its own unit's (everything in development).
    pub fn write_scope(&self) -> RowScope {
        if self.principal.development || self.has("sysadmin") {
            RowScope::All
        } else {
            RowScope::Units(vec![self.principal.unit.clone()])
        }
    }
}
