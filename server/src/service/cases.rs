//! 典型案例 use cases: a unit with filling duties writes cases of a cycle under one of the notice's
//! seven themes, quoting figures (core indicators or rows it may read) and attaching files; the
//! case then goes the way of a table, through the same state machine (`model::apply`): the
//! unit's collector (or head) submits, a head of the unit reviews, 质量部 accepts or returns it
//! with a reason. Only a draft or a returned case can change. Every change is checked and written
//! with its audit row in one transaction, the case's row held (`FOR UPDATE` on PostgreSQL,
//! `IMMEDIATE` on SQLite) so that two edits or an edit and a step never interleave.
//!
//! Who sees what: 质量部, leaders, BI tokens and administrators every case; anyone else only the
//! cases of their own unit (another unit's case is `NOT_FOUND`, as rows out of scope are).

mod attachments;
mod figures;
mod steps;

pub use attachments::{check_file, size_text, Attachment, AttachmentLimits};
pub use figures::{Figure, FigureInput};

use super::files::known_cycle;
use super::{has_role, stamp, ApiError, ApiResult, Code, InputProblem, Service};
use crate::authz::{Access, Action};
use crate::model::{State, CASE_THEMES};
use crate::store::cases::{self as cs, CaseFilter, CaseRow, FullCase, NewCase};
use crate::store::AnyConnection;

/// The longest title, in characters.
pub const MAX_TITLE: usize = 100;
/// The longest text, in characters.
pub const MAX_TEXT: usize = 20_000;

/// What a caller writes into a case; `None` keeps what an update finds.
#[derive(Debug, Clone, Default)]
pub struct CaseInput {
    pub theme: Option<String>,
    pub title: Option<String>,
    pub text: Option<String>,
    pub figures: Option<Vec<FigureInput>>,
}

/// Which cases to list.
#[derive(Debug, Clone, Default)]
pub struct CaseQuery {
    pub cycle: Option<i32>,
    pub theme: Option<String>,
    /// A unit's code, name or alias.
    pub unit: Option<String>,
    pub state: Option<String>,
}

/// A workflow step on a case.
#[derive(Debug, Clone)]
pub enum CaseRequest {
    /// The writing unit submits.
    Submit,
    /// A head of the writing unit approves.
    Approve,
    /// A head of the writing unit returns it, saying why.
    Return { comment: String },
    /// 质量部 accepts an approved case.
    Accept,
    /// 质量部 returns a submitted, approved or accepted case, saying why.
    ReturnByQuality { reason: String },
}

/// A case as the faces show it.
#[derive(Debug, Clone)]
pub struct CaseOut {
    pub full: FullCase,
    pub unit_name: String,
}

fn forbid(message: &str) -> ApiError {
    ApiError::new(Code::Forbidden, message.to_owned())
}

fn not_found(id: i64) -> ApiError {
    ApiError::new(
        Code::NotFound,
        format!("没有编号为 {id} 的典型案例，或不在您可查看的范围内"),
    )
}

/// Whether the caller reads every unit's cases.
fn sees_all(who: &Access) -> bool {
    who.principal.development
        || who
            .principal
            .roles
            .iter()
            .any(|r| matches!(r.as_str(), "quality_admin" | "leader" | "bi" | "sysadmin"))
}

fn visible(who: &Access, case: &CaseRow) -> bool {
    sees_all(who) || (!who.principal.unit.is_empty() && who.principal.unit == case.unit)
}

/// Reads a case the caller may see, holding it until the transaction ends when `lock`.
fn load(conn: &mut AnyConnection, who: &Access, id: i64, lock: bool) -> ApiResult<CaseRow> {
    cs::get_case(conn, id, lock)?
        .filter(|c| visible(who, c))
        .ok_or_else(|| not_found(id))
}

/// The case as JSON for the audit log (without attachments' contents).
fn audit_json(case: &CaseRow) -> serde_json::Value {
    serde_json::json!({
        "unit": case.unit, "theme": case.theme, "title": case.title, "text": case.body,
        "state": case.sub.state.as_str(), "rowVersion": case.row_version,
    })
}

impl Service {
    /// Whether the caller writes cases for `unit`: its own unit, when that unit fills some table
    /// and the account may fill (collector, head, 质量部).
    fn writes_cases(&self, who: &Access, unit: &str) -> bool {
        let p = &who.principal;
        if p.development {
            return true;
        }
        !p.unit.is_empty()
            && p.unit == unit
            && has_role(who, &["collector", "head", "quality_admin"])
            && self
                .store
                .catalog()
                .tables
                .iter()
                .any(|t| who.can(&t.code, Action::Fill))
    }

    /// Refuses an edit of `case` unless the caller writes for its unit and it is a draft or
    /// returned (rights first, then state).
    fn check_editable(&self, who: &Access, case: &CaseRow) -> ApiResult<()> {
        if !self.writes_cases(who, &case.unit) {
            return Err(forbid(
                "只有撰写单位（有填报任务的部门）可以修改本单位的典型案例",
            ));
        }
        if !case.sub.state.editable() {
            return Err(ApiError::new(
                Code::Locked,
                format!(
                    "典型案例“{}”当前为“{}”，不能修改；如需修改请等待退回",
                    case.title,
                    case.sub.state.label()
                ),
            ));
        }
        Ok(())
    }

    fn out(&self, full: FullCase) -> CaseOut {
        let unit_name = self
            .units
            .by_code(&full.case.unit)
            .map(|u| u.name.clone())
            .unwrap_or_else(|| full.case.unit.clone());
        CaseOut { full, unit_name }
    }

    fn with_parts(&self, conn: &mut AnyConnection, cases: Vec<CaseRow>) -> ApiResult<Vec<CaseOut>> {
        let ids: Vec<i64> = cases.iter().map(|c| c.id).collect();
        let mut figures = cs::figures_of(conn, &ids)?;
        let mut attachments = cs::attachments_of(conn, &ids)?;
        Ok(cases
            .into_iter()
            .map(|case| {
                let full = FullCase {
                    figures: figures.remove(&case.id).unwrap_or_default(),
                    attachments: attachments.remove(&case.id).unwrap_or_default(),
                    case,
                };
                self.out(full)
            })
            .collect())
    }

    /// One case the caller may see.
    pub fn case_by_id(&self, who: &Access, id: i64) -> ApiResult<CaseOut> {
        self.store.with_workflow(|conn| {
            let case = load(conn, who, id, false)?;
            self.with_parts(conn, vec![case])?
                .pop()
                .ok_or_else(|| not_found(id))
        })
    }

    /// The cases the caller may see, by cycle (default: the open one), theme, unit and state.
    pub fn list_cases(&self, who: &Access, query: &CaseQuery) -> ApiResult<Vec<CaseOut>> {
        let cycle = self.cycle_or_default(query.cycle)?;
        if let Some(s) = query.state.as_deref().filter(|s| !s.trim().is_empty()) {
            if State::parse(s.trim()).is_none() {
                return Err(ApiError::new(
                    Code::BadRequest,
                    format!(
                        "state 应为 draft、submitted、approved、returned 或 accepted（收到“{s}”）"
                    ),
                ));
            }
        }
        let asked = query
            .unit
            .as_deref()
            .map(|u| self.unit_code(u))
            .transpose()?;
        let units = match (sees_all(who), asked) {
            (true, asked) => asked.map(|u| vec![u]),
            (false, Some(u)) if u != who.principal.unit => Some(Vec::new()),
            (false, _) => Some(vec![who.principal.unit.clone()]),
        };
        let filter = CaseFilter {
            cycle,
            theme: query.theme.clone().filter(|t| !t.trim().is_empty()),
            units,
            state: query
                .state
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
        };
        self.store.with_workflow(|conn| {
            let cases = cs::list_cases(conn, &filter)?;
            self.with_parts(conn, cases)
        })
    }

    /// Writes a new draft case for the caller's unit in `cycle` (default: the open one).
    pub fn create_case(
        &self,
        who: &Access,
        cycle: Option<i32>,
        input: &CaseInput,
    ) -> ApiResult<CaseOut> {
        let unit = who.principal.unit.clone();
        if unit.is_empty() || !self.writes_cases(who, &unit) {
            return Err(forbid("只有有填报任务的部门可以撰写本单位的典型案例"));
        }
        let cycle = self.cycle_or_default(cycle)?;
        let (at, actor) = (stamp(self.now()), who.principal.staff_no.clone());
        let id = self.store.write(|conn| {
            known_cycle(conn, cycle)?;
            let mut problems = Vec::new();
            let (theme, title, text) = check_fields(input, None, &mut problems);
            let figures = match &input.figures {
                Some(f) => self.resolve_figures(conn, who, cycle, f, &mut problems)?,
                None => Vec::new(),
            };
            if !problems.is_empty() {
                return Err(ApiError::invalid("典型案例", problems));
            }
            let new = NewCase {
                cycle,
                theme: &theme,
                unit: &unit,
                title: &title,
                body: &text,
            };
            let id = cs::insert_case(conn, &new, &at, &actor)?;
            cs::replace_figures(conn, id, &figures)?;
            let after = serde_json::json!({ "unit": unit, "theme": theme, "title": title, "text": text, "figures": figures.len() });
            cs::audit_case(conn, &actor, cycle, id, "case.create", None, Some(after))?;
            Ok::<_, ApiError>(id)
        })?;
        self.case_by_id(who, id)
    }

    /// Changes a draft or returned case that still has `row_version` (else `CONFLICT`).
    pub fn update_case(
        &self,
        who: &Access,
        id: i64,
        row_version: i64,
        input: &CaseInput,
    ) -> ApiResult<CaseOut> {
        let (at, actor) = (stamp(self.now()), who.principal.staff_no.clone());
        self.store.write(|conn| {
            let case = load(conn, who, id, true)?;
            self.check_editable(who, &case)?;
            let conflict = || {
                ApiError::new(
                    Code::Conflict,
                    format!("该案例已被他人修改（当前版本 {}，您提交的版本 {row_version}），请刷新后重试", case.row_version),
                )
            };
            if case.row_version != row_version {
                return Err(conflict());
            }
            let mut problems = Vec::new();
            let (theme, title, text) = check_fields(input, Some(&case), &mut problems);
            let figures = match &input.figures {
                Some(f) => Some(self.resolve_figures(conn, who, case.cycle, f, &mut problems)?),
                None => None,
            };
            if !problems.is_empty() {
                return Err(ApiError::invalid("典型案例", problems));
            }
            if !cs::update_case(conn, id, row_version, (&theme, &title, &text), &at, &actor)? {
                return Err(conflict());
            }
            if let Some(figures) = &figures {
                cs::replace_figures(conn, id, figures)?;
            }
            let after = serde_json::json!({ "theme": theme, "title": title, "text": text, "figures": figures.map(|f| f.len()) });
            cs::audit_case(conn, &actor, case.cycle, id, "case.update", Some(audit_json(&case)), Some(after))?;
            Ok::<_, ApiError>(())
        })?;
        self.case_by_id(who, id)
    }

    /// Deletes a draft or returned case with its figures and attachments.
    pub fn delete_case(&self, who: &Access, id: i64) -> ApiResult<i64> {
        let actor = who.principal.staff_no.clone();
        self.store.write(|conn| {
            let case = load(conn, who, id, true)?;
            self.check_editable(who, &case)?;
            cs::delete_case(conn, id)?;
            cs::audit_case(
                conn,
                &actor,
                case.cycle,
                id,
                "case.delete",
                Some(audit_json(&case)),
                None,
            )?;
            Ok::<_, ApiError>(id)
        })
    }

    /// The accepted cases of `cycle` the caller may see, for the annual report's document.
    pub fn accepted_cases(&self, who: &Access, cycle: i32) -> ApiResult<Vec<CaseOut>> {
        self.store.with_workflow(|c| known_cycle(c, cycle))?;
        let query = CaseQuery {
            cycle: Some(cycle),
            state: Some(State::Accepted.as_str().to_owned()),
            ..CaseQuery::default()
        };
        self.list_cases(who, &query)
    }
}

/// Theme, title and text after `input` (over `current` for an update), each checked; problems
/// are added to `out` naming the field in Chinese.
fn check_fields(
    input: &CaseInput,
    current: Option<&CaseRow>,
    out: &mut Vec<InputProblem>,
) -> (String, String, String) {
    let pick = |given: &Option<String>, old: Option<&String>| {
        given
            .as_deref()
            .map(|s| s.trim().to_owned())
            .or_else(|| old.cloned())
            .unwrap_or_default()
    };
    let theme = pick(&input.theme, current.map(|c| &c.theme));
    let title = pick(&input.title, current.map(|c| &c.title));
    let text = pick(&input.text, current.map(|c| &c.body));
    let mut problem = |field: &str, rule: &str, message: String| {
        out.push(InputProblem {
            row: 0,
            field: field.to_owned(),
            rule: rule.to_owned(),
            message,
        });
    };
    if !CASE_THEMES.contains(&theme.as_str()) {
        problem(
            "theme",
            "enum",
            format!(
                "主题：应为 {} 之一（收到“{theme}”）",
                CASE_THEMES.join("、")
            ),
        );
    }
    for (field, label, value, max, multiline) in [
        ("title", "标题", &title, MAX_TITLE, false),
        ("text", "正文", &text, MAX_TEXT, true),
    ] {
        if value.is_empty() {
            problem(field, "required", format!("{label}：不能为空"));
        } else if value.chars().count() > max {
            problem(field, "max_len", format!("{label}：不能超过 {max} 字"));
        } else if let Some(at) = value
            .chars()
            .position(|c| c.is_control() && !(multiline && matches!(c, '\t' | '\n' | '\r')))
        {
            problem(
                field,
                "control",
                format!("{label}：第 {} 个字是不可见的控制字符，请删除", at + 1),
            );
        }
    }
    (theme, title, text.replace("\r\n", "\n"))
}
