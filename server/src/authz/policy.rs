//! Loads `policies/model.conf` and `policies/policy.csv` with casbin and keeps the rules with their
//! line numbers, so that `check` can point at the offending line.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use casbin::{CoreApi, Enforcer, MgmtApi};

use super::Action;
use crate::defs::{Catalog, Problem, Problems, Units};

/// One `p` line of the policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// A unit or group name.
    pub subject: String,
    /// A table code, or `*` for every table.
    pub table: String,
    /// The action word as written (checked by `check`).
    pub action: String,
    /// 1-based line in policy.csv, when found.
    pub line: Option<usize>,
}

/// The loaded policy: casbin's enforcer plus the rules as written.
pub struct Policy {
    enforcer: Enforcer,
    rules: Vec<Rule>,
    groupings: Vec<(String, String, Option<usize>)>,
    policy_file: PathBuf,
    text: String,
    version: i64,
}

impl Policy {
    /// Loads `model.conf` and `policy.csv` from `dir`.
    pub async fn load(dir: &Path) -> Result<Policy, Problems> {
        Policy::load_files(&dir.join("model.conf"), &dir.join("policy.csv")).await
    }

    /// Loads a model and a policy file.
    pub async fn load_files(model: &Path, policy_file: &Path) -> Result<Policy, Problems> {
        if !policy_file.is_file() {
            return Err(Problems(vec![Problem::at(
                policy_file,
                "",
                "file not found",
            )]));
        }
        let text = std::fs::read_to_string(policy_file)
            .map_err(|e| Problems(vec![Problem::at(policy_file, "", format!("无法读取：{e}"))]))?;
        Policy::from_text(model, &text, policy_file, 0).await
    }

    /// Loads the policy `text` (policy.csv's format) under `model`; `label` names it in messages
    /// (the file it came from, or the database version) and `version` is its database version
    /// (0 when it was read from a file).
    pub async fn from_text(
        model: &Path,
        text: &str,
        label: &Path,
        version: i64,
    ) -> Result<Policy, Problems> {
        let policy_file = label.to_path_buf();
        if !model.is_file() {
            return Err(Problems(vec![Problem::at(model, "", "file not found")]));
        }
        let cannot = |e: casbin::Error| {
            Problems(vec![Problem::at(
                &policy_file,
                "",
                format!("casbin 无法载入分工：{e}"),
            )])
        };
        let model_def = casbin::DefaultModel::from_file(model).await.map_err(|e| {
            Problems(vec![Problem::at(
                model,
                "",
                format!("casbin 无法载入模型：{e}"),
            )])
        })?;
        let adapter = casbin::StringAdapter::new(text);
        let enforcer = Enforcer::new(model_def, adapter).await.map_err(cannot)?;
        // A policy line's first three parts (empty when missing) and where it stands.
        let parts = |kind: &str, parts: Vec<String>| {
            let line = find_line(text, kind, &parts);
            let mut it = parts.into_iter();
            let mut next = || it.next().unwrap_or_default();
            ([next(), next(), next()], line)
        };
        let rules = enforcer
            .get_policy()
            .into_iter()
            .map(|r| {
                let ([subject, table, action], line) = parts("p", r);
                Rule {
                    subject,
                    table,
                    action,
                    line,
                }
            })
            .collect();
        let groupings = enforcer
            .get_grouping_policy()
            .into_iter()
            .map(|g| {
                let ([member, group, _], line) = parts("g", g);
                (member, group, line)
            })
            .collect();
        Ok(Policy {
            enforcer,
            rules,
            groupings,
            policy_file,
            text: text.to_owned(),
            version,
        })
    }

    /// Whether `subject` (a unit name) may do `action` on the table `code`, through any group.
    pub fn allows(&self, subject: &str, code: &str, action: Action) -> bool {
        self.enforcer
            .enforce((subject, code, action.as_str()))
            .unwrap_or(false)
    }

    /// The subjects a line grants `action` on exactly this table (not through `*`), in file order.
    pub fn granted(&self, code: &str, action: Action) -> Vec<&str> {
        self.rules
            .iter()
            .filter(|r| r.table == code && r.action == action.as_str())
            .map(|r| r.subject.as_str())
            .collect()
    }

    /// For every table, the codes of the units granted `action` on it directly (groups such as
    /// 各院系 expanded to their members), in policy order.
    pub fn unit_codes(
        &self,
        catalog: &Catalog,
        units: &Units,
        action: Action,
    ) -> HashMap<String, Vec<String>> {
        catalog
            .tables
            .iter()
            .map(|t| {
                let codes = self
                    .granted(&t.code, action)
                    .into_iter()
                    .flat_map(|subject| match units.group_by_name(subject) {
                        Some(g) => g.members.clone(),
                        None => units
                            .by_name(subject)
                            .map(|u| vec![u.code.clone()])
                            .unwrap_or_default(),
                    })
                    .collect();
                (t.code.clone(), codes)
            })
            .collect()
    }

    /// Every `p` line.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// Every `g` line as (member, group, line).
    pub fn groupings(&self) -> &[(String, String, Option<usize>)] {
        &self.groupings
    }

    /// The policy.csv path, for messages.
    pub fn file(&self) -> &Path {
        &self.policy_file
    }

    /// The policy as policy.csv text, comments and order kept.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The same policy, as stored under database version `version`.
    pub fn at_version(mut self, version: i64) -> Policy {
        self.version = version;
        self.policy_file = PathBuf::from(format!("policy (database version {version})"));
        self
    }

    /// The database version of this policy; 0 when it was read from policy.csv.
    pub fn version(&self) -> i64 {
        self.version
    }
}

fn find_line(text: &str, kind: &str, parts: &[String]) -> Option<usize> {
    text.lines()
        .position(|line| {
            let mut cells = line.split(',').map(str::trim);
            cells.next() == Some(kind) && cells.eq(parts.iter().map(String::as_str))
        })
        .map(|i| i + 1)
}
