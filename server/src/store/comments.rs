//! `row_comments`: what reviewers and 质量部 write on one row of a unit's table, and the unit's
//! resolution. Each write leaves its audit row in the same transaction; the caller holds it.

use diesel::prelude::*;

use super::audit::{write_audit, AuditEntry};
use super::conn::AnyConnection;
use super::schema::{row_comments, users};
use super::StoreError;

/// One comment as stored, with its author's name.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = row_comments)]
pub struct RowComment {
    pub id: i64,
    pub cycle: i32,
    pub table_code: String,
    pub unit: String,
    pub row_id: i64,
    pub row_ref: String,
    pub author: String,
    pub author_unit: String,
    pub body: String,
    pub created_at: String,
    pub resolved_at: Option<String>,
    pub resolved_by: Option<String>,
    pub reply: Option<String>,
}

/// A comment to write.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = row_comments)]
pub struct NewComment<'a> {
    pub cycle: i32,
    pub table_code: &'a str,
    pub unit: &'a str,
    pub row_id: i64,
    pub row_ref: &'a str,
    pub author: &'a str,
    pub author_unit: &'a str,
    pub body: &'a str,
    pub created_at: &'a str,
}

/// Writes a comment and its audit row; the comment as stored.
pub fn add_comment(conn: &mut AnyConnection, c: &NewComment<'_>) -> Result<RowComment, StoreError> {
    let id: i64 = diesel::insert_into(row_comments::table)
        .values(c)
        .returning(row_comments::id)
        .get_result(conn)?;
    let detail = serde_json::json!({
        "comment": id, "unit": c.unit, "row": c.row_id, "rowRef": c.row_ref, "body": c.body
    });
    write_audit(
        conn,
        c.created_at,
        AuditEntry {
            actor: c.author,
            cycle: Some(c.cycle),
            table_code: Some(c.table_code),
            row_id: None,
            operation: "comment",
            before: None,
            after: Some(detail),
        },
    )?;
    get_comment(conn, id)?.ok_or(StoreError::NotFound {
        table: c.table_code.to_owned(),
        id,
    })
}

/// One comment.
pub fn get_comment(conn: &mut AnyConnection, id: i64) -> Result<Option<RowComment>, StoreError> {
    Ok(row_comments::table
        .find(id)
        .select(RowComment::as_select())
        .first(conn)
        .optional()?)
}

/// The comments on a unit's table (every table when `None`) in a cycle, oldest first.
pub fn list_comments(
    conn: &mut AnyConnection,
    cycle: i32,
    table_code: Option<&str>,
    unit: &str,
) -> Result<Vec<RowComment>, StoreError> {
    let mut q = row_comments::table
        .filter(row_comments::cycle.eq(cycle))
        .filter(row_comments::unit.eq(unit))
        .order(row_comments::id)
        .select(RowComment::as_select())
        .into_boxed();
    if let Some(code) = table_code {
        q = q.filter(row_comments::table_code.eq(code));
    }
    Ok(q.load(conn)?)
}

/// Marks a comment resolved by `by`, with an optional reply, and audits it. False when it was
/// resolved already (two people resolving at once: the first one's reply stays).
pub fn resolve_comment(
    conn: &mut AnyConnection,
    c: &RowComment,
    by: &str,
    reply: Option<&str>,
    at: &str,
) -> Result<bool, StoreError> {
    let changed = diesel::update(
        row_comments::table
            .filter(row_comments::id.eq(c.id))
            .filter(row_comments::resolved_at.is_null()),
    )
    .set((
        row_comments::resolved_at.eq(at),
        row_comments::resolved_by.eq(by),
        row_comments::reply.eq(reply),
    ))
    .execute(conn)?;
    if changed == 0 {
        return Ok(false);
    }
    let detail = serde_json::json!({
        "comment": c.id, "unit": c.unit, "row": c.row_id, "reply": reply
    });
    write_audit(
        conn,
        at,
        AuditEntry {
            actor: by,
            cycle: Some(c.cycle),
            table_code: Some(&c.table_code),
            row_id: None,
            operation: "comment_resolve",
            before: None,
            after: Some(detail),
        },
    )?;
    Ok(true)
}

/// The names of these staff numbers (those not found are left out).
pub fn staff_names(
    conn: &mut AnyConnection,
    staff: &[String],
) -> Result<Vec<(String, String)>, StoreError> {
    if staff.is_empty() {
        return Ok(Vec::new());
    }
    Ok(users::table
        .filter(users::staff_no.eq_any(staff))
        .select((users::staff_no, users::name))
        .load(conn)?)
}
