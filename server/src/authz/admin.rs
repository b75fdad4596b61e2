//! Granting and revoking fill and review rights: policy.csv is edited as text (comments and
//! order kept), checked against the catalog and units before it replaces the old file (written to
//! a fresh temporary file, then renamed), and the new policy takes effect without a restart.
//! The service puts a change in force inside the transaction of its audit row.
//! casbin's own FileAdapter would drop the comments and not quote on save.

use std::path::PathBuf;
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

    /// Serialises policy changes within this process (two admins granting at once must not
    /// both edit the same old text).
    pub fn lock_changes(&self) -> std::sync::MutexGuard<'_, ()> {
        self.changing.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Prepares granting (`grant = true`) or revoking `action` on table `code` for the unit or
    /// group called `subject`: the new policy.csv is written to a fresh temporary file beside it,
    /// loaded and checked, but not yet in force. `None` when nothing would change; `Err` lists
    /// why the change is refused.
    pub async fn prepare(
        &self,
        subject: &str,
        code: &str,
        action: Action,
        grant: bool,
        catalog: &Catalog,
        units: &Units,
    ) -> Result<Option<PolicyChange>, String> {
        if !matches!(action, Action::Fill | Action::Review) {
            return Err("只能授予或撤销填报（fill）、审核（review）权限".into());
        }
        let file = self.dir.join("policy.csv");
        let text = std::fs::read_to_string(&file)
            .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        let line = format!("p, {subject}, {code}, {action}");
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
            // After the table's last line, so that the file keeps the notice's order.
            let table_line = |l: &str| {
                let mut cells = l.split(',').map(str::trim);
                cells.next() == Some("p") && cells.nth(1) == Some(code)
            };
            let at = lines
                .iter()
                .rposition(|l| table_line(l))
                .or_else(|| lines.iter().rposition(|l| l.starts_with("p,")))
                .map_or(lines.len(), |i| i + 1);
            lines.insert(at, line);
        } else {
            lines.retain(|l| !is_line(l));
        }
        // A fresh name per change: two changes never write the same temporary file.
        let mut tmp = tempfile::Builder::new()
            .prefix(".policy.csv.")
            .tempfile_in(&self.dir)
            .map_err(|e| format!("cannot write in {}: {e}", self.dir.display()))?;
        std::io::Write::write_all(&mut tmp, (lines.join("\n") + "\n").as_bytes())
            .map_err(|e| format!("cannot write {}: {e}", tmp.path().display()))?;
        let candidate = Policy::load_files(&self.dir.join("model.conf"), tmp.path())
            .await
            .map_err(|p| joined(&p))?;
        let mut problems = Problems::default();
        check_policy(Some(catalog), units, &candidate, &mut problems);
        if !problems.is_empty() {
            return Err(joined(&problems));
        }
        Ok(Some(PolicyChange {
            tmp,
            previous: text,
            policy: candidate,
        }))
    }

    /// Puts a prepared change in force: the file replaced by rename, the policy swapped.
    pub fn install(&self, change: PolicyChange) -> Result<String, String> {
        let file = self.dir.join("policy.csv");
        change
            .tmp
            .persist(&file)
            .map_err(|e| format!("cannot replace {}: {e}", file.display()))?;
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(change.policy);
        Ok(change.previous)
    }

    /// Undoes an installed change whose audit row could not be committed.
    pub async fn restore(&self, previous: &str) -> Result<(), String> {
        let file = self.dir.join("policy.csv");
        std::fs::write(&file, previous)
            .map_err(|e| format!("cannot restore {}: {e}", file.display()))?;
        let policy = Policy::load(&self.dir).await.map_err(|p| p.to_string())?;
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(policy);
        Ok(())
    }
}

/// A checked policy change, written to a temporary file, not yet in force.
pub struct PolicyChange {
    tmp: tempfile::NamedTempFile,
    previous: String,
    policy: Policy,
}

fn joined(problems: &Problems) -> String {
    problems
        .0
        .iter()
        .map(|p| p.message.clone())
        .collect::<Vec<_>>()
        .join("；")
}
