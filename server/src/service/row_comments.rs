//! Comments on rows: a reviewing unit's head or 质量部 writes one on a row of a unit's table;
//! the unit reads it beside the row and marks it resolved with an optional reply ("已改为本科").
//! One reply that closes the comment, not a chat: an office wants each point settled and the
//! answer kept; a reviewer who is not satisfied writes a new comment. Every write is audited.

use super::review_help::row_label;
use super::{has_role, ApiError, ApiResult, Code, Service};
use crate::authz::{Access, Action};
use crate::defs::Table;
use crate::store::comments::{self as store, NewComment, RowComment};
use crate::store::RowScope;

/// The longest comment or reply, in characters.
const MAX_TEXT: usize = 1000;

/// A comment as its readers see it: people and units by name.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CommentOut {
    pub id: i64,
    pub table: String,
    pub unit: String,
    pub unit_name: String,
    pub row_id: i64,
    pub row_ref: String,
    pub author_name: String,
    pub author_unit_name: String,
    pub body: String,
    pub created_at: String,
    pub resolved_at: Option<String>,
    pub resolved_by_name: Option<String>,
    pub reply: Option<String>,
}

impl Service {
    /// The comments on `unit`'s rows of `table` (of every table when `None`: the unit's own
    /// people and 质量部 only), oldest first.
    pub fn row_comments(
        &self,
        who: &Access,
        cycle: i32,
        table: Option<&str>,
        unit: &str,
    ) -> ApiResult<Vec<CommentOut>> {
        let unit = self.unit_code(unit)?;
        let table = table.map(|t| self.table(t)).transpose()?;
        match &table {
            Some(t) => self.may_read_sheet(who, t, &unit)?,
            None if who.principal.unit == unit || has_role(who, &["quality_admin"]) => {}
            None => {
                return Err(ApiError::new(
                    Code::Forbidden,
                    "只能查看本单位收到的审核意见",
                ))
            }
        }
        let code = table.as_ref().map(|t| t.code.as_str());
        let list = self
            .store
            .with_workflow(|conn| store::list_comments(conn, cycle, code, &unit))?;
        self.shown(list)
    }

    /// Writes a comment on row `row_id` of `unit`'s `table`: a head of a unit that reviews the
    /// table, or 质量部.
    pub fn add_row_comment(
        &self,
        who: &Access,
        cycle: i32,
        (table, unit, row_id): (&str, &str, i64),
        body: &str,
    ) -> ApiResult<CommentOut> {
        let table = self.table(table)?;
        let unit = self.unit_code(unit)?;
        if !self.may_comment(who, &table) {
            return Err(ApiError::new(
                Code::Forbidden,
                format!(
                    "只有“{} {}”的审核部门负责人或质量部可以写审核意见",
                    table.code, table.name
                ),
            ));
        }
        let body = text(body, "意见")?.ok_or_else(|| bad("请填写意见"))?;
        let scope = RowScope::Units(vec![unit.clone()]);
        let row = self
            .store
            .get(&table, &scope, row_id)?
            .filter(|r| r.cycle == cycle)
            .ok_or_else(|| {
                ApiError::new(
                    Code::NotFound,
                    format!(
                        "“{} {}”中没有第 {row_id} 号行（可能已删除）",
                        table.code, table.name
                    ),
                )
            })?;
        let row_ref = row_label(self.catalog(), &table, Some(&row.to_json()));
        let at = super::stamp(self.now());
        let new = NewComment {
            cycle,
            table_code: &table.code,
            unit: &unit,
            row_id,
            row_ref: &row_ref,
            author: &who.principal.staff_no,
            author_unit: &who.principal.unit,
            body: &body,
            created_at: &at,
        };
        let stored = self.store.write(|conn| {
            super::files::known_cycle(conn, cycle)?;
            Ok::<_, ApiError>(store::add_comment(conn, &new)?)
        })?;
        Ok(self.shown(vec![stored])?.remove(0))
    }

    /// Marks a comment resolved, with an optional reply: the commented unit's collectors and
    /// head, the author, or 质量部. `CONFLICT` when someone resolved it already.
    pub fn resolve_row_comment(
        &self,
        who: &Access,
        id: i64,
        reply: Option<&str>,
    ) -> ApiResult<CommentOut> {
        let reply = reply.map(|r| text(r, "答复")).transpose()?.flatten();
        let at = super::stamp(self.now());
        let done = self.store.write(|conn| {
            let c = store::get_comment(conn, id)?.ok_or_else(|| {
                ApiError::new(Code::NotFound, format!("没有编号为 {id} 的审核意见"))
            })?;
            let table = self.table(&c.table_code)?;
            let own = who.principal.unit == c.unit && who.can(&table.code, Action::Fill);
            let allowed = own
                || who.principal.staff_no == c.author
                || (has_role(who, &["quality_admin"]) && who.can(&table.code, Action::Accept));
            if !allowed {
                return Err(ApiError::new(
                    Code::Forbidden,
                    "只有被提意见的单位、意见人或质量部可以处理这条意见",
                ));
            }
            if !store::resolve_comment(conn, &c, &who.principal.staff_no, reply.as_deref(), &at)? {
                return Err(ApiError::new(
                    Code::Conflict,
                    "这条意见已被标为已解决（请刷新）",
                ));
            }
            Ok(store::get_comment(conn, id)?.unwrap_or(c))
        })?;
        Ok(self.shown(vec![done])?.remove(0))
    }

    /// A head of a reviewing unit of the table, or 质量部.
    fn may_comment(&self, who: &Access, table: &Table) -> bool {
        if has_role(who, &["quality_admin"]) && who.can(&table.code, Action::Accept) {
            return true;
        }
        let reviewers = self
            .policy
            .current()
            .unit_codes(self.catalog(), &self.units, Action::Review)
            .remove(&table.code)
            .unwrap_or_default();
        (who.principal.development || reviewers.contains(&who.principal.unit))
            && who.can(&table.code, Action::Review)
    }

    /// Names people and units.
    fn shown(&self, list: Vec<RowComment>) -> ApiResult<Vec<CommentOut>> {
        let mut staff: Vec<String> = list.iter().map(|c| c.author.clone()).collect();
        staff.extend(list.iter().filter_map(|c| c.resolved_by.clone()));
        staff.sort();
        staff.dedup();
        let names: std::collections::HashMap<String, String> = self
            .store
            .with_workflow(|conn| store::staff_names(conn, &staff))?
            .into_iter()
            .collect();
        let person = |no: &str| names.get(no).cloned().unwrap_or_else(|| no.to_owned());
        let unit = |code: &str| {
            self.units
                .by_code(code)
                .map_or_else(|| code.to_owned(), |u| u.name.clone())
        };
        Ok(list
            .into_iter()
            .map(|c| CommentOut {
                id: c.id,
                unit_name: unit(&c.unit),
                author_name: person(&c.author),
                author_unit_name: unit(&c.author_unit),
                resolved_by_name: c.resolved_by.as_deref().map(person),
                table: c.table_code,
                unit: c.unit,
                row_id: c.row_id,
                row_ref: c.row_ref,
                body: c.body,
                created_at: c.created_at,
                resolved_at: c.resolved_at,
                reply: c.reply,
            })
            .collect())
    }
}

fn bad(message: &str) -> ApiError {
    ApiError::new(Code::BadRequest, message.to_owned())
}

/// A trimmed text, None when empty; too long is refused naming what it is.
fn text(given: &str, what: &str) -> ApiResult<Option<String>> {
    let t = given.trim();
    if t.chars().count() > MAX_TEXT {
        return Err(bad(&format!("{what}不能超过 {MAX_TEXT} 字")));
    }
    Ok((!t.is_empty()).then(|| t.to_owned()))
}
