//! Granting and revoking fill and review rights: policy.csv is edited as text (comments and
//! order kept), checked against the catalog and units before it replaces the old file (written to
//! a temporary file, then renamed), and the new policy takes effect without a restart.
//! casbin's own FileAdapter would drop the comments and not quote on save.

use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use super::{Action, Policy};
use crate::check::check_policy;
use crate::defs::{Catalog, Problems, Units};

/// The policy in force, replaceable while the server runs.
pub struct PolicyCell {
    dir: PathBuf,
    current: RwLock<Arc<Policy>>,
}

impl PolicyCell {
    pub fn new(dir: PathBuf, policy: Policy) -> PolicyCell {
        PolicyCell {
            dir,
            current: RwLock::new(Arc::new(policy)),
        }
    }

    /// The policy in force now.
    pub fn current(&self) -> Arc<Policy> {
        self.current
            .read()
            .map(|p| p.clone())
            .unwrap_or_else(|e| e.into_inner().clone())
    }

    /// Grants (`grant = true`) or revokes `action` on table `code` for the unit or group called
    /// `subject`. Returns false when nothing changed. `Err` lists why the change was refused.
    pub async fn change(
        &self,
        subject: &str,
        code: &str,
        action: Action,
        grant: bool,
        catalog: &Catalog,
        units: &Units,
    ) -> Result<bool, String> {
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
            return Ok(false);
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
        let tmp = self.dir.join(".policy.csv.new");
        std::fs::write(&tmp, lines.join("\n") + "\n")
            .map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
        let candidate = match Policy::load_files(&self.dir.join("model.conf"), &tmp).await {
            Ok(p) => p,
            Err(p) => return Err(discard(&tmp, p)),
        };
        let mut problems = Problems::default();
        check_policy(Some(catalog), units, &candidate, &mut problems);
        if !problems.is_empty() {
            return Err(discard(&tmp, problems));
        }
        std::fs::rename(&tmp, &file)
            .map_err(|e| format!("cannot replace {}: {e}", file.display()))?;
        let reloaded = Policy::load(&self.dir).await.map_err(|p| p.to_string())?;
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(reloaded);
        Ok(true)
    }
}

fn discard(tmp: &std::path::Path, problems: Problems) -> String {
    let _ = std::fs::remove_file(tmp);
    problems
        .0
        .iter()
        .map(|p| p.message.clone())
        .collect::<Vec<_>>()
        .join("；")
}
