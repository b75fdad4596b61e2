//! Checking, weighing and applying a draft: what `check` finds, what the database would change
//! (what `sync` plans, with its reasons for the destructive changes), and the apply itself,
//! refused when stale, faulty or destructive to rows of the open cycle.

use std::path::Path;

use super::subject::{removed_codes_in_use, Subject};
use super::{
    applied, running_version, unified, DefinitionVersion, DraftChange, DraftProblem, DraftView,
    ONLY_ADMINS,
};
use crate::authz::Access;
use crate::check::check_policy;
use crate::defs::{check_table_text, load_catalog_with};
use crate::defs::{Catalog, Problems};
use crate::service::definitions::{Definitions, Mode};
use crate::service::{require_role, ApiError, ApiResult, Code, Service};
use crate::store::designer::{self as rows, Draft, NewApplied};
use crate::store::{AnyConnection, StoreError, SyncReport};

const CLI_ROUTE: &str = "如确需如此，请先备份数据库，再在服务器上修改 table-defs/ 并运行 statusdata migrate --allow-destructive";

/// What applying a text would put in force.
struct Weighed {
    catalog: Catalog,
    changes: Vec<DraftChange>,
    conflicts: Vec<String>,
}

impl Definitions {
    /// Loads `text` in place of the subject's file and checks it against the policy in force.
    fn load_draft(
        &self,
        svc: &Service,
        subject: &Subject,
        file: &str,
        text: &str,
    ) -> Result<Catalog, Problems> {
        let catalog = load_catalog_with(self.dir(), file, text)?;
        let mut problems = Problems::default();
        if let Some((key, message)) = subject.missing_from(&catalog) {
            let at = self.dir().join(file);
            problems.push(crate::defs::Problem::at(&at, key, message));
        }
        check_policy(
            Some(&catalog),
            &svc.units,
            &svc.policy.current(),
            &mut problems,
        );
        if problems.is_empty() {
            Ok(catalog)
        } else {
            Err(problems)
        }
    }

    /// The database changes `catalog` would make, each destructive one with the rows of the
    /// open cycle it touches; for a code list, the codes it removes that rows hold.
    fn weigh(&self, svc: &Service, subject: &Subject, catalog: Catalog) -> ApiResult<Weighed> {
        let preview = svc.store.sync_preview(&catalog)?;
        let mut changes: Vec<DraftChange> = Vec::new();
        let additive = |description: String| DraftChange {
            destructive: false,
            description,
            rows: None,
        };
        changes.extend(
            preview
                .report
                .created_tables
                .iter()
                .map(|t| additive(format!("新建数据表 {t}"))),
        );
        changes.extend(
            preview
                .report
                .added_columns
                .iter()
                .map(|c| additive(format!("新增字段 {c}"))),
        );
        if !preview.refusals.is_empty() {
            let n = match subject {
                Subject::Table(t) => Some(
                    svc.store
                        .with_workflow(|c| rows::rows_in_open_cycle(c, &t.slug))?,
                ),
                Subject::Codes(_) => None,
            };
            changes.extend(preview.refusals.iter().map(|why| DraftChange {
                destructive: true,
                description: why.clone(),
                rows: n,
            }));
        }
        if let Subject::Codes(_) = subject {
            changes.extend(removed_codes_in_use(svc, &catalog)?);
        }
        Ok(Weighed {
            catalog,
            changes,
            conflicts: preview.conflicts,
        })
    }

    /// A stored draft with what checking it finds and what applying it would change.
    pub(super) fn view(
        &self,
        svc: &Service,
        d: Draft,
        running: &str,
        version: i64,
    ) -> ApiResult<DraftView> {
        let subject = Subject::of(svc, &d.table_code)?;
        let file = subject.file()?;
        let found = check_table_text(self.dir(), &file, &d.toml);
        let (problems, changes) = if !found.is_empty() {
            (found.0, Vec::new())
        } else {
            match self.load_draft(svc, &subject, &file, &d.toml) {
                Err(Problems(list)) => (list, Vec::new()),
                Ok(catalog) => (Vec::new(), self.weigh(svc, &subject, catalog)?.changes),
            }
        };
        Ok(DraftView {
            diff: unified(&file, running, &d.toml),
            stale: d.base_version < version,
            problems: problems
                .into_iter()
                .map(|p| DraftProblem::of(p, &self.dir().join(&file), self.dir()))
                .collect(),
            changes,
            table: d.table_code,
            toml: d.toml,
            base_version: d.base_version,
            row_version: d.row_version,
            author_name: d.author_name,
            updated_at: d.updated_at,
        })
    }

    /// Applies the draft of a table or code list (its key) with a written reason (see
    /// [`Definitions::apply_text`]); the draft is deleted once applied.
    pub fn apply_draft(
        &self,
        svc: &Service,
        who: &Access,
        key: &str,
        reason: &str,
    ) -> ApiResult<DefinitionVersion> {
        require_role(who, &["quality_admin"], ONLY_ADMINS)?;
        let subject = Subject::of(svc, key)?;
        let _one = self.one_at_a_time();
        let draft = svc
            .store
            .with_workflow(|c| rows::get_draft(c, &subject.key()))?
            .ok_or_else(|| ApiError::new(Code::NotFound, format!("{}没有草稿", subject.title())))?;
        self.apply_text(
            svc,
            who,
            &subject,
            &draft.toml,
            Some(draft.base_version),
            reason,
            "apply_definition_draft",
        )
    }

    /// Puts a table's (or code list's) text back to what it was before the applied version
    /// `id`, as a new version with a written reason.
    pub fn rollback(
        &self,
        svc: &Service,
        who: &Access,
        id: i64,
        reason: &str,
    ) -> ApiResult<DefinitionVersion> {
        require_role(who, &["quality_admin"], ONLY_ADMINS)?;
        let earlier = applied(svc, id)?;
        let subject = Subject::of(svc, &earlier.table_code)?;
        let _one = self.one_at_a_time();
        self.apply_text(
            svc,
            who,
            &subject,
            &earlier.before_toml,
            None,
            reason,
            "rollback_definition",
        )
    }

    /// Writes `text` as the subject's file and reloads (the caller holds `one_at_a_time`): refused
    /// when `base` is older than the version in force, when `check` finds problems, and when a
    /// change would lose data (rows in the open cycle, or values in a dropped column).
    #[expect(
        clippy::too_many_arguments,
        reason = "one use case's inputs, read top to bottom"
    )]
    fn apply_text(
        &self,
        svc: &Service,
        who: &Access,
        subject: &Subject,
        text: &str,
        base: Option<i64>,
        reason: &str,
        operation: &str,
    ) -> ApiResult<DefinitionVersion> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(ApiError::new(Code::BadRequest, "请写明修改表定义的原因"));
        }
        let (file, path) = self.path_of(subject)?;
        let before = std::fs::read_to_string(&path).map_err(ApiError::internal)?;
        let version = running_version(svc)?;
        if let Some(base) = base.filter(|b| *b < version) {
            return Err(stale(svc, subject, &before, base, version)?);
        }
        let catalog = self.load_draft(svc, subject, &file, text).map_err(|p| {
            ApiError::new(
                Code::BadRequest,
                format!(
                    "{}的草稿有问题，未应用（statusdata check）：\n{p}",
                    subject.title()
                ),
            )
        })?;
        let weighed = self.weigh(svc, subject, catalog)?;
        refuse_data_loss(svc, subject, &weighed)?;
        write_atomically(&path, text)?;
        let own = subject.clone();
        let allow = move |c: &mut AnyConnection, r: &SyncReport| match &own {
            Subject::Table(t) => only_empty(c, &t.code, &t.slug, r),
            Subject::Codes(_) => Ok(false),
        };
        let reloaded = match self.reload_held(svc, who, Mode::Explicit, &allow) {
            Ok(r) => r,
            Err(e) => {
                write_atomically(&path, &before)?;
                return Err(e);
            }
        };
        let actor = who.principal.staff_no.clone();
        let at = crate::service::stamp(svc.now());
        let key = subject.key();
        let row = NewApplied {
            table_code: &key,
            before_toml: &before,
            after_toml: text,
            author: &actor,
            author_name: &who.principal.name,
            at: &at,
            reason,
            definitions_version: reloaded.version,
        };
        let applied = svc.store.write(|c| {
            let applied = rows::record_applied(c, &row)?;
            if operation == "apply_definition_draft" {
                rows::delete_draft(c, &key)?;
            }
            let detail = serde_json::json!({
                "id": applied.id, "reason": reason, "definitionsVersion": reloaded.version,
                "added": reloaded.sync.added_columns, "dropped": reloaded.sync.dropped,
            });
            crate::store::audit_in(c, &actor, None, operation, Some(&key), detail)?;
            Ok::<_, ApiError>(applied)
        })?;
        Ok(applied.into())
    }
}

/// `CONFLICT` for a draft based on an older version, with the subject's change since shown.
fn stale(
    svc: &Service,
    subject: &Subject,
    now: &str,
    base: i64,
    version: i64,
) -> ApiResult<ApiError> {
    let key = subject.key();
    let since = svc.store.with_workflow(|c| rows::history(c, Some(&key)))?;
    let first = since.iter().rev().find(|a| a.definitions_version > base);
    let change = match first {
        Some(a) => format!("其间本定义的变化：\n{}", unified(&key, &a.before_toml, now)),
        None => "其间本定义未经设计器修改（变化在其他表、代码表或服务器上的文件中）".to_owned(),
    };
    Ok(ApiError::new(
        Code::Conflict,
        format!(
            "{}的草稿基于第 {base} 版表定义，现行为第 {version} 版：请在现行定义的基础上重新保存草稿后再应用。{change}",
            subject.title()
        ),
    ))
}

/// Refuses conflicts, and destructive changes that would lose a value: a dropped or retyped
/// column that holds one in any cycle, or a dropped table; for a code list, a removed code that
/// rows hold.
fn refuse_data_loss(svc: &Service, subject: &Subject, weighed: &Weighed) -> ApiResult<()> {
    let name = subject.title();
    if !weighed.conflicts.is_empty() {
        return Err(ApiError::new(
            Code::BadRequest,
            format!("{name}的修改未应用：\n{}", weighed.conflicts.join("\n")),
        ));
    }
    let destructive: Vec<&DraftChange> = weighed.changes.iter().filter(|c| c.destructive).collect();
    let Some(first) = destructive.first() else {
        return Ok(());
    };
    let reasons = destructive
        .iter()
        .map(|c| c.description.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    let table = match subject {
        Subject::Table(t) => t,
        Subject::Codes(_) => {
            return Err(ApiError::new(
                Code::BadRequest,
                format!("{name}的修改未应用：已有数据使用的代码不能删除；不再使用的代码请填写停用年份（until），保留在表中：\n{reasons}"),
            ))
        }
    };
    // A change that loses nothing goes through even on a table with rows: dropping a column no
    // row has filled (the roll-back of a field just added) keeps every value there is.
    let report = svc.store.sync_preview(&weighed.catalog)?.report;
    let empty = svc
        .store
        .with_workflow(|c| only_empty(c, &table.code, &table.slug, &report))?;
    if empty {
        return Ok(());
    }
    let rows = first.rows.unwrap_or(0);
    let why = if rows > 0 {
        format!("{name}在开放的填报周期中已有 {rows} 行，只能新增表或字段；以下修改会删除或改变已有数据，未应用：")
    } else {
        format!("{name}以下修改会删除往年周期中已有的数据，未应用：")
    };
    Err(ApiError::new(
        Code::BadRequest,
        format!("{why}\n{reasons}\n{CLI_ROUTE}"),
    ))
}

/// True when every table or column `report` drops belongs to `code` and holds no value in any
/// cycle: applying it loses nothing.
fn only_empty(
    c: &mut AnyConnection,
    code: &str,
    slug: &str,
    report: &SyncReport,
) -> Result<bool, StoreError> {
    for dropped in &report.dropped {
        let Some(field) = dropped.strip_prefix(code).and_then(|f| f.strip_prefix('.')) else {
            return Ok(false);
        };
        let field = field.trim_end_matches(" (retyped)");
        if rows::values_in_column(c, slug, field)? > 0 {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Writes `text` to `path` through a temporary file in the same folder and a rename, so that a
/// reader (or a crash) sees the old file or the new one, never half of one.
fn write_atomically(path: &Path, text: &str) -> ApiResult<()> {
    use std::io::Write;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = path.with_file_name(format!(".{name}.designer-tmp"));
    let written = std::fs::File::create(&temp).and_then(|mut f| {
        f.write_all(text.as_bytes())?;
        f.sync_all()
    });
    written
        .and_then(|()| std::fs::rename(&temp, path))
        .map_err(|e| {
            let _ = std::fs::remove_file(&temp);
            ApiError::internal(format!("写入表定义文件 {} 失败：{e}", path.display()))
        })
}
