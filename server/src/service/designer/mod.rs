//! The online designer (issue 26): 质量部 edits a table's definition in the browser as a draft
//! kept in the database, sees what `check` finds and what would change (the text and the
//! database), applies it (the file written atomically, a history row, a reload every instance
//! follows) and can compare or roll back the versions applied. The folder stays the source of
//! truth: what is applied is written to the table's file exactly as the draft's text. Code lists
//! (`codes/<name>.toml`) are edited the same way (see `subject`).

mod apply;
mod subject;
mod text_diff;

use std::path::PathBuf;

use super::definitions::Definitions;
use super::{require_role, ApiError, ApiResult, Code, Service};
use crate::authz::Access;
use crate::store::designer::{self as rows, Applied, Draft, Saved};
use crate::store::live;

use subject::Subject;
pub use subject::CODES_PREFIX;
pub use text_diff::unified;

/// The longest definition text a draft may hold.
const MAX_TEXT: usize = 512 * 1024;
const ONLY_ADMINS: &str = "只有质量部管理员可以编辑表定义";

/// A table's definition as the running instance has it, with its draft.
#[derive(Debug, Clone)]
pub struct TableDefinition {
    pub table: String,
    pub name: String,
    /// The file's name in the definitions folder.
    pub file: String,
    pub toml: String,
    /// The definitions version in force (0 before any is recorded).
    pub version: i64,
    pub draft: Option<DraftView>,
}

/// A draft with what checking it found and what applying it would change.
#[derive(Debug, Clone)]
pub struct DraftView {
    pub table: String,
    pub toml: String,
    pub base_version: i64,
    pub row_version: i64,
    pub author_name: String,
    pub updated_at: String,
    pub problems: Vec<DraftProblem>,
    /// The unified diff from the running file to the draft.
    pub diff: String,
    pub changes: Vec<DraftChange>,
    /// True when the definitions changed since the draft's base version.
    pub stale: bool,
}

/// One problem `check` found in a draft.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftProblem {
    pub line: Option<i64>,
    pub key: String,
    pub message: String,
}

/// One change a draft would make to the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftChange {
    pub destructive: bool,
    pub description: String,
    /// The table's rows in the open cycle that the change touches (destructive ones).
    pub rows: Option<i64>,
}

/// One applied version of a table's definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefinitionVersion {
    pub id: i64,
    pub table: String,
    pub author_name: String,
    pub at: String,
    pub reason: String,
    pub definitions_version: i64,
    /// The version's own change: the text before it to the text it put in force.
    pub diff: String,
}

impl From<Applied> for DefinitionVersion {
    fn from(a: Applied) -> Self {
        DefinitionVersion {
            diff: unified(&a.table_code, &a.before_toml, &a.after_toml),
            id: a.id,
            table: a.table_code,
            author_name: a.author_name,
            at: a.at,
            reason: a.reason,
            definitions_version: a.definitions_version,
        }
    }
}

/// A draft to save: the whole text, the version it is based on, and the draft's `row_version`
/// the author read (`None` when she saw no draft).
#[derive(Debug, Clone)]
pub struct SaveDraft {
    pub table: String,
    pub toml: String,
    pub base_version: i64,
    pub row_version: Option<i64>,
}

/// The definitions version in force in the database (0 before any is recorded).
fn running_version(svc: &Service) -> ApiResult<i64> {
    let latest = svc.store.with_workflow(live::latest_definitions)?;
    Ok(latest.map_or(0, |(v, _)| v))
}

impl Definitions {
    /// The path of the subject's file in this instance's folder.
    fn path_of(&self, subject: &Subject) -> ApiResult<(String, PathBuf)> {
        let name = subject.file()?;
        let path = self.dir().join(&name);
        Ok((name, path))
    }

    /// The running text of the subject's file.
    fn running_text(&self, subject: &Subject) -> ApiResult<(String, String)> {
        let (name, path) = self.path_of(subject)?;
        let text = std::fs::read_to_string(&path).map_err(|e| {
            ApiError::internal(format!("读取定义文件 {} 失败：{e}", path.display()))
        })?;
        Ok((name, text))
    }

    /// The definition text of a table (its code) or a code list (`codes/<name>`), the version
    /// in force and the draft (checked and diffed).
    pub fn table_definition(
        &self,
        svc: &Service,
        who: &Access,
        key: &str,
    ) -> ApiResult<TableDefinition> {
        require_role(who, &["quality_admin"], ONLY_ADMINS)?;
        let subject = Subject::of(svc, key)?;
        let (file, toml) = self.running_text(&subject)?;
        let version = running_version(svc)?;
        let draft = svc
            .store
            .with_workflow(|c| rows::get_draft(c, &subject.key()))?
            .map(|d| self.view(svc, d, &toml, version))
            .transpose()?;
        Ok(TableDefinition {
            table: subject.key(),
            name: subject.name().to_owned(),
            file,
            toml,
            version,
            draft,
        })
    }

    /// Saves a draft of a table or code list (`save.table` is its key). `CONFLICT` names who
    /// saved the draft in the way, and when, when another draft was saved after the caller read
    /// (or one she did not see exists); the stored draft stays as it was.
    pub fn save_draft(&self, svc: &Service, who: &Access, save: SaveDraft) -> ApiResult<DraftView> {
        require_role(who, &["quality_admin"], ONLY_ADMINS)?;
        let subject = Subject::of(svc, &save.table)?;
        let title = subject.title();
        if save.toml.len() > MAX_TEXT {
            return Err(ApiError::new(
                Code::BadRequest,
                format!("{title}的草稿过长（超过 {} KB）", MAX_TEXT / 1024),
            ));
        }
        let draft = Draft {
            table_code: subject.key(),
            toml: save.toml,
            base_version: save.base_version,
            author: who.principal.staff_no.clone(),
            author_name: who.principal.name.clone(),
            updated_at: super::stamp(svc.now()),
            row_version: 0,
        };
        let saved = svc
            .store
            .write(|c| rows::save_draft(c, &draft, save.row_version))?;
        let stored = match saved {
            Saved::Written(d) => d,
            Saved::Conflict(d) => {
                return Err(ApiError::new(
                    Code::Conflict,
                    format!(
                        "{title}的草稿已被{}（{}）于 {} 保存（第 {} 版），与你读到的不同；你的修改未保存，请重新读取草稿后再改",
                        d.author_name, d.author, d.updated_at, d.row_version
                    ),
                ))
            }
            Saved::Gone => {
                return Err(ApiError::new(
                    Code::Conflict,
                    format!("{title}的草稿在你读取后已被应用或放弃；你的修改未保存，请重新读取后再改"),
                ))
            }
        };
        let (_, toml) = self.running_text(&subject)?;
        self.view(svc, stored, &toml, running_version(svc)?)
    }

    /// Discards the draft of a table or code list (its key); true when there was one.
    pub fn discard_draft(&self, svc: &Service, who: &Access, key: &str) -> ApiResult<bool> {
        require_role(who, &["quality_admin"], ONLY_ADMINS)?;
        let key = Subject::of(svc, key)?.key();
        let actor = who.principal.staff_no.clone();
        svc.store.write(|c| {
            let gone = rows::delete_draft(c, &key)?;
            if gone {
                let detail = serde_json::json!({ "table": key });
                crate::store::audit_in(
                    c,
                    &actor,
                    None,
                    "discard_definition_draft",
                    Some(&key),
                    detail,
                )?;
            }
            Ok::<_, ApiError>(gone)
        })
    }

    /// The applied versions, newest first: of one table, or of all.
    pub fn history(
        &self,
        svc: &Service,
        who: &Access,
        code: Option<String>,
    ) -> ApiResult<Vec<DefinitionVersion>> {
        require_role(who, &["quality_admin"], ONLY_ADMINS)?;
        let code = code.map(|c| c.trim().to_owned());
        let list = svc
            .store
            .with_workflow(|c| rows::history(c, code.as_deref()))?;
        Ok(list.into_iter().map(DefinitionVersion::from).collect())
    }

    /// The unified diff from the text version `from` applied to the text version `to` applied
    /// (ids of [`DefinitionVersion`]; of one table or of two).
    pub fn version_diff(
        &self,
        svc: &Service,
        who: &Access,
        from: i64,
        to: i64,
    ) -> ApiResult<String> {
        require_role(who, &["quality_admin"], ONLY_ADMINS)?;
        let (a, b) = (applied(svc, from)?, applied(svc, to)?);
        let name = if a.table_code == b.table_code {
            a.table_code.clone()
        } else {
            format!("{} → {}", a.table_code, b.table_code)
        };
        Ok(unified(&name, &a.after_toml, &b.after_toml))
    }
}

/// The applied version `id`, or `NOT_FOUND`.
fn applied(svc: &Service, id: i64) -> ApiResult<Applied> {
    svc.store
        .with_workflow(|c| rows::applied_by_id(c, id))?
        .ok_or_else(|| ApiError::new(Code::NotFound, format!("没有第 {id} 号表定义版本")))
}
