//! What the designer edits: a table's definition file or a code list (`codes/<name>.toml`). Both
//! share the drafts and the history, keyed by the table's code (`1.1.7`) or by `codes/<name>`.
//! A code list changes no column, so what an apply of one weighs is the codes it removes that
//! rows already hold: refused, naming the tables and rows (retiring with `until` is the way).

use std::sync::Arc;

use super::{DraftChange, DraftProblem};
use crate::defs::{Catalog, CodeList, FieldType, Table};
use crate::service::{ApiError, ApiResult, Code, Service};
use crate::store::designer as rows;

/// How a code list's key in the drafts and history begins.
pub const CODES_PREFIX: &str = "codes/";

/// A table or a code list, as the designer edits it.
#[derive(Debug, Clone)]
pub(super) enum Subject {
    Table(Arc<Table>),
    Codes(Arc<CodeList>),
}

impl Subject {
    /// The table with code `key`, or the code list `codes/<name>`; `NOT_FOUND` otherwise.
    pub(super) fn of(svc: &Service, key: &str) -> ApiResult<Subject> {
        match key.trim().strip_prefix(CODES_PREFIX) {
            Some(name) => svc
                .catalog()
                .code_list(name)
                .cloned()
                .map(Subject::Codes)
                .ok_or_else(|| ApiError::new(Code::NotFound, format!("没有名为“{name}”的代码表"))),
            None => svc.table(key).map(Subject::Table),
        }
    }

    /// The key of its draft and history rows: `1.1.7` or `codes/majors`.
    pub(super) fn key(&self) -> String {
        match self {
            Subject::Table(t) => t.code.clone(),
            Subject::Codes(l) => format!("{CODES_PREFIX}{}", l.name),
        }
    }

    /// The table's name or the list's label.
    pub(super) fn name(&self) -> &str {
        match self {
            Subject::Table(t) => &t.name,
            Subject::Codes(l) => &l.label,
        }
    }

    /// How messages name it: “1.1.7 学校获奖情况” or 代码表“majors 专业”.
    pub(super) fn title(&self) -> String {
        match self {
            Subject::Table(t) => format!("“{} {}”", t.code, t.name),
            Subject::Codes(l) => format!("代码表“{} {}”", l.name, l.label),
        }
    }

    /// Its file, relative to the definitions folder.
    pub(super) fn file(&self) -> ApiResult<String> {
        match self {
            Subject::Table(t) => t
                .file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .ok_or_else(|| ApiError::internal(format!("{} 没有定义文件", t.code))),
            Subject::Codes(l) => Ok(format!("{CODES_PREFIX}{}.toml", l.name)),
        }
    }

    /// The problem when `catalog` (loaded with the draft) no longer has it: the designer
    /// neither renames a table's code nor a list's name. `(key, message)`.
    pub(super) fn missing_from(&self, catalog: &Catalog) -> Option<(&'static str, String)> {
        match self {
            Subject::Table(t) => catalog.table_by_code(&t.code).is_none().then(|| {
                let why = format!("表编号须仍为 {}：设计器不改表编号", t.code);
                ("code", why)
            }),
            Subject::Codes(l) => catalog.code_list(&l.name).is_none().then(|| {
                let why = format!("代码表名须仍为 {}：设计器不改代码表名", l.name);
                ("name", why)
            }),
        }
    }
}

/// The codes `catalog` removes from the lists in force that rows of any cycle hold: one
/// destructive change per field using them, naming the table, the field and the rows.
pub(super) fn removed_codes_in_use(
    svc: &Service,
    catalog: &Catalog,
) -> ApiResult<Vec<DraftChange>> {
    let running = svc.catalog();
    let mut changes = Vec::new();
    for (name, before) in &running.code_lists {
        let after = catalog.code_list(name);
        let removed: Vec<String> = before
            .codes
            .iter()
            .filter(|c| after.is_none_or(|a| a.get(&c.code).is_none()))
            .map(|c| c.code.clone())
            .collect();
        if removed.is_empty() {
            continue;
        }
        for table in &running.tables {
            for field in &table.fields {
                if field.ty.code_list() != Some(name.as_str()) {
                    continue;
                }
                let multi = matches!(field.ty, FieldType::MultiEnum { .. });
                let n = svc.store.with_workflow(|c| {
                    rows::rows_with_codes(c, &table.slug, &field.name, multi, &removed)
                })?;
                if n > 0 {
                    changes.push(DraftChange {
                        destructive: true,
                        description: format!(
                            "删除代码表“{name} {}”的代码 {}：“{} {}”的“{}”已有 {n} 行使用",
                            before.label,
                            removed.join("、"),
                            table.code,
                            table.name,
                            field.label
                        ),
                        rows: Some(n),
                    });
                }
            }
        }
    }
    Ok(changes)
}

impl DraftProblem {
    /// A problem `check` found with the draft of `own` (a file of the folder `dir`): one in
    /// another file (a table using the list, a rule) names that file and its line in the message.
    pub(super) fn of(
        p: crate::defs::Problem,
        own: &std::path::Path,
        dir: &std::path::Path,
    ) -> Self {
        let line = p.line.and_then(|l| i64::try_from(l).ok());
        if p.file == own || p.file == dir {
            return DraftProblem {
                line,
                key: p.key,
                message: p.message,
            };
        }
        let other = p
            .file
            .strip_prefix(dir)
            .unwrap_or(&p.file)
            .display()
            .to_string();
        let at = line.map_or(String::new(), |l| format!("第 {l} 行 "));
        DraftProblem {
            line: None,
            key: String::new(),
            message: format!("{other} {at}{}：{}", p.key, p.message),
        }
    }
}
