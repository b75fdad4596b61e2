//! Rights: the casbin model and policy in `policies/`, asked "may this unit do this to this table?".
//! Policy lines grant `(unit or group, table code or *, action)`; `g` lines put units in groups
//! (every 院系 in 各院系). Nothing here knows about HTTP or the database.

mod access;
mod admin;
mod policy;

pub use access::{Access, Principal};
pub use admin::{edit_policy, PolicyCell};
pub use policy::{Policy, Rule};

use std::fmt;
use std::str::FromStr;

/// What a unit may do with a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// See the rows.
    Read,
    /// Create, update, delete and import rows; submit.
    Fill,
    /// Approve or return a submitted table.
    Review,
    /// Accept an approved table (质量部).
    Accept,
    /// Run the cycle: schedules, lock exceptions, reopening.
    Admin,
}

impl Action {
    /// Every action, in the order policies usually list them.
    pub const ALL: [Action; 5] = [
        Action::Read,
        Action::Fill,
        Action::Review,
        Action::Accept,
        Action::Admin,
    ];

    /// The word used in policy files.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Read => "read",
            Action::Fill => "fill",
            Action::Review => "review",
            Action::Accept => "accept",
            Action::Admin => "admin",
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Action {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Action::ALL
            .into_iter()
            .find(|a| a.as_str() == s)
            .ok_or_else(|| format!("未知的权限“{s}”（应为 read、fill、review、accept 或 admin）"))
    }
}
