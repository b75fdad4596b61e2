//! The policy in force, replaceable while the server runs, and the edit behind granting and
//! revoking fill and review rights: policy.csv's text is edited as text (comments and order
//! kept) and checked against the catalog and units before anyone stores it. Where the policy is
//! stored (the database, shared by every instance) is the service's business, not this module's.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use super::{Action, Policy};
use crate::check::check_policy;
use crate::defs::{Catalog, Problems, Units};

/// The policy in force, replaceable while the server runs.
pub struct PolicyCell {
    dir: PathBuf,
    current: RwLock<Arc<Policy>>,
    changing: Mutex<()>,
}

impl PolicyCell {
    /// A cell holding `policy`; `dir` holds model.conf (and policy.csv, the seed).
    pub fn new(dir: PathBuf, policy: Policy) -> PolicyCell {
        PolicyCell {
            dir,
            current: RwLock::new(Arc::new(policy)),
            changing: Mutex::new(()),
        }
    }

    /// The policy in force now.
    pub fn current(&self) -> Arc<Policy> {
        self.current
            .read()
            .map(|p| p.clone())
            .unwrap_or_else(|e| e.into_inner().clone())
    }

    /// The folder of model.conf and policy.csv.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Serialises policy changes within this process (the database's lock orders instances).
    pub fn lock_changes(&self) -> std::sync::MutexGuard<'_, ()> {
        self.changing.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Loads `text` as the policy of database version `version` and checks it against the
    /// catalog and units; `Err` lists why it is refused.
    pub async fn candidate(
        &self,
        text: &str,
        version: i64,
        catalog: &Catalog,
        units: &Units,
    ) -> Result<Policy, String> {
        let label = PathBuf::from(format!("policy (database version {version})"));
        let candidate = Policy::from_text(&self.dir.join("model.conf"), text, &label, version)
            .await
            .map_err(|p| joined(&p))?;
        let mut problems = Problems::default();
        check_policy(Some(catalog), units, &candidate, &mut problems);
        if !problems.is_empty() {
            return Err(joined(&problems));
        }
        Ok(candidate)
    }

    /// Loads `text` (stored, so checked when written) as the policy of database `version`.
    pub async fn stored(&self, text: &str, version: i64) -> Result<Policy, String> {
        let label = PathBuf::from(format!("policy (database version {version})"));
        Policy::from_text(&self.dir.join("model.conf"), text, &label, version)
            .await
            .map_err(|p| joined(&p))
    }

    /// Puts `policy` in force unless a newer database version already is (a change seen through
    /// the database after this instance's own newer one must not undo it).
    pub fn install(&self, policy: Policy) -> bool {
        let mut current = self.current.write().unwrap_or_else(|e| e.into_inner());
        if policy.version() < current.version() {
            return false;
        }
        *current = Arc::new(policy);
        true
    }
}

/// The policy text after granting (`grant = true`) or revoking `action` on table `code` for the
/// unit or group called `subject`; `None` when nothing would change. A grant goes after the
/// table's last line, so that the text keeps the notice's order.
pub fn edit_policy(
    text: &str,
    subject: &str,
    code: &str,
    action: Action,
    grant: bool,
) -> Result<Option<String>, String> {
    if !matches!(action, Action::Fill | Action::Review) {
        return Err("只能授予或撤销填报（fill）、审核（review）权限".into());
    }
    let is_line = |l: &str| {
        l.split(',')
            .map(str::trim)
            .eq(["p", subject, code, action.as_str()])
    };
    let present = text.lines().any(is_line);
    if present == grant {
        return Ok(None);
    }
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    if grant {
        let table_line = |l: &str| {
            let mut cells = l.split(',').map(str::trim);
            cells.next() == Some("p") && cells.nth(1) == Some(code)
        };
        let at = lines
            .iter()
            .rposition(|l| table_line(l))
            .or_else(|| lines.iter().rposition(|l| l.starts_with("p,")))
            .map_or(lines.len(), |i| i + 1);
        lines.insert(at, format!("p, {subject}, {code}, {action}"));
    } else {
        lines.retain(|l| !is_line(l));
    }
    Ok(Some(lines.join("\n") + "\n"))
}

fn joined(problems: &Problems) -> String {
    problems
        .0
        .iter()
        .map(|p| p.message.clone())
        .collect::<Vec<_>>()
        .join("；")
}
