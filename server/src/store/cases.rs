//! The rows of 典型案例: `cases` (a case with its submission state and version), its
//! `case_figures` and its `case_attachments` (file contents kept in the database). Only reads and
//! writes: who may do what is the service's.

use std::collections::HashMap;

use diesel::prelude::*;

use super::audit::{write_audit, AuditEntry};
use super::conn::AnyConnection;
use super::schema::{case_attachments, case_figures, cases, per_backend};
use super::workflow::submission;
use super::StoreError;
use crate::model::{State, Submission};

mod attachments;

pub use attachments::{
    attachment_content, attachments_of, count_attachments, delete_attachment, get_attachment,
    insert_attachment,
};

/// What the audit log files case changes under (its `table_code`; `row_id` is the case's id).
pub const AUDIT_TABLE: &str = "cases";

/// A stored case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseRow {
    pub id: i64,
    pub cycle: i32,
    pub theme: String,
    /// The writing unit's code.
    pub unit: String,
    pub title: String,
    pub body: String,
    /// State, approvals and the last comment (a return's reason).
    pub sub: Submission,
    pub row_version: i64,
    pub created_at: String,
    pub created_by: String,
    pub updated_at: String,
    pub updated_by: String,
}

/// A figure quoted in a case: a core indicator by its id, or a row of a data table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Figure {
    pub indicator: Option<String>,
    pub table_code: Option<String>,
    pub row_id: Option<i64>,
    /// The linked row in words (table, name and key), as it was when linked; empty for indicators.
    pub source: String,
    pub label: String,
    pub value: String,
}

/// An attachment without its content.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = case_attachments)]
pub struct Attachment {
    pub id: i64,
    pub case_id: i64,
    pub file_name: String,
    pub media_type: String,
    pub size: i64,
    pub sha256: String,
    pub uploaded_at: String,
    pub uploaded_by: String,
}

/// A case with its figures and attachments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FullCase {
    pub case: CaseRow,
    pub figures: Vec<Figure>,
    pub attachments: Vec<Attachment>,
}

/// Which cases to list; `None` means any.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    pub cycle: i32,
    pub theme: Option<String>,
    /// Only these units (a unit sees its own).
    pub units: Option<Vec<String>>,
    pub state: Option<String>,
}

/// A new case.
#[derive(Insertable)]
#[diesel(table_name = cases)]
pub struct NewCase<'a> {
    pub cycle: i32,
    pub theme: &'a str,
    pub unit: &'a str,
    pub title: &'a str,
    pub body: &'a str,
}

/// A new attachment with its content.
pub struct NewAttachment<'a> {
    pub case_id: i64,
    pub file_name: &'a str,
    pub media_type: &'a str,
    pub sha256: &'a str,
    pub content: &'a [u8],
}

/// A case row as stored, its submission still in columns.
#[derive(Queryable, Selectable)]
#[diesel(table_name = cases)]
struct Stored {
    id: i64,
    cycle: i32,
    theme: String,
    unit: String,
    title: String,
    body: String,
    state: String,
    comment: Option<String>,
    approvals: String,
    row_version: i64,
    created_at: String,
    created_by: String,
    updated_at: String,
    updated_by: String,
}

impl From<Stored> for CaseRow {
    fn from(r: Stored) -> CaseRow {
        CaseRow {
            id: r.id,
            cycle: r.cycle,
            theme: r.theme,
            unit: r.unit,
            title: r.title,
            body: r.body,
            sub: submission(&r.state, &r.approvals, r.comment),
            row_version: r.row_version,
            created_at: r.created_at,
            created_by: r.created_by,
            updated_at: r.updated_at,
            updated_by: r.updated_by,
        }
    }
}

/// Inserts a case as a draft; its id.
pub fn insert_case(
    conn: &mut AnyConnection,
    c: &NewCase<'_>,
    at: &str,
    actor: &str,
) -> Result<i64, StoreError> {
    Ok(diesel::insert_into(cases::table)
        .values((
            c,
            cases::state.eq(State::Draft.as_str()),
            cases::approvals.eq("[]"),
            cases::row_version.eq(1),
            (
                cases::created_at.eq(at),
                cases::created_by.eq(actor),
                cases::updated_at.eq(at),
                cases::updated_by.eq(actor),
            ),
        ))
        .returning(cases::id)
        .get_result(conn)?)
}

/// One case; with `lock`, the row is held until the transaction ends (PostgreSQL `FOR UPDATE`;
/// SQLite's `IMMEDIATE` write transaction already excludes other writers).
pub fn get_case(
    conn: &mut AnyConnection,
    id: i64,
    lock: bool,
) -> Result<Option<CaseRow>, StoreError> {
    let q = cases::table.find(id);
    let found = match conn {
        AnyConnection::Postgresql(c) if lock => q
            .select(Stored::as_select())
            .for_update()
            .first(c)
            .optional()?,
        other => q.select(Stored::as_select()).first(other).optional()?,
    };
    Ok(found.map(CaseRow::from))
}

/// Cases matching the filter, by theme, unit and id.
pub fn list_cases(
    conn: &mut AnyConnection,
    filter: &CaseFilter,
) -> Result<Vec<CaseRow>, StoreError> {
    let mut q = cases::table
        .filter(cases::cycle.eq(filter.cycle))
        .select(Stored::as_select())
        .order((cases::theme, cases::unit, cases::id))
        .into_boxed();
    if let Some(theme) = &filter.theme {
        q = q.filter(cases::theme.eq(theme));
    }
    if let Some(state) = &filter.state {
        q = q.filter(cases::state.eq(state));
    }
    if let Some(units) = &filter.units {
        if units.is_empty() {
            return Ok(Vec::new());
        }
        q = q.filter(cases::unit.eq_any(units));
    }
    Ok(q.load::<Stored>(conn)?
        .into_iter()
        .map(CaseRow::from)
        .collect())
}

/// Changes theme, title and text if the case still has `row_version`; false when it has not.
pub fn update_case(
    conn: &mut AnyConnection,
    id: i64,
    row_version: i64,
    (theme, title, body): (&str, &str, &str),
    at: &str,
    actor: &str,
) -> Result<bool, StoreError> {
    let changed = diesel::update(
        cases::table
            .find(id)
            .filter(cases::row_version.eq(row_version)),
    )
    .set((
        cases::theme.eq(theme),
        cases::title.eq(title),
        cases::body.eq(body),
        cases::updated_at.eq(at),
        cases::updated_by.eq(actor),
        cases::row_version.eq(cases::row_version + 1),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

/// Records a workflow step: the new state, approvals and comment; the version moves on.
pub fn set_state(
    conn: &mut AnyConnection,
    id: i64,
    sub: &Submission,
    at: &str,
    actor: &str,
) -> Result<(), StoreError> {
    let approvals = serde_json::to_string(&sub.approvals).unwrap_or_else(|_| "[]".into());
    diesel::update(cases::table.find(id))
        .set((
            cases::state.eq(sub.state.as_str()),
            cases::approvals.eq(&approvals),
            cases::comment.eq(sub.comment.as_deref()),
            cases::updated_at.eq(at),
            cases::updated_by.eq(actor),
            cases::row_version.eq(cases::row_version + 1),
        ))
        .execute(conn)?;
    Ok(())
}

/// Moves the version on (an attachment added or removed changes the case).
pub fn touch(conn: &mut AnyConnection, id: i64, at: &str, actor: &str) -> Result<(), StoreError> {
    diesel::update(cases::table.find(id))
        .set((
            cases::updated_at.eq(at),
            cases::updated_by.eq(actor),
            cases::row_version.eq(cases::row_version + 1),
        ))
        .execute(conn)?;
    Ok(())
}

/// Deletes a case with its figures and attachments.
pub fn delete_case(conn: &mut AnyConnection, id: i64) -> Result<(), StoreError> {
    diesel::delete(case_attachments::table.filter(case_attachments::case_id.eq(id)))
        .execute(conn)?;
    diesel::delete(case_figures::table.filter(case_figures::case_id.eq(id))).execute(conn)?;
    diesel::delete(cases::table.find(id)).execute(conn)?;
    Ok(())
}

/// One figure of a case as written.
#[derive(Insertable)]
#[diesel(table_name = case_figures)]
struct FigureRow<'a> {
    case_id: i64,
    position: i32,
    indicator: Option<&'a str>,
    table_code: Option<&'a str>,
    row_id: Option<i64>,
    source: &'a str,
    label: &'a str,
    value: &'a str,
}

/// Replaces the figures of a case, in the order given.
pub fn replace_figures(
    conn: &mut AnyConnection,
    case_id: i64,
    figures: &[Figure],
) -> Result<(), StoreError> {
    diesel::delete(case_figures::table.filter(case_figures::case_id.eq(case_id))).execute(conn)?;
    let rows: Vec<FigureRow<'_>> = figures
        .iter()
        .enumerate()
        .map(|(position, f)| FigureRow {
            case_id,
            position: i32::try_from(position).unwrap_or(i32::MAX),
            indicator: f.indicator.as_deref(),
            table_code: f.table_code.as_deref(),
            row_id: f.row_id,
            source: &f.source,
            label: &f.label,
            value: &f.value,
        })
        .collect();
    if !rows.is_empty() {
        // diesel's MultiConnection inserts one row per statement; each backend, many.
        per_backend!(conn, c => diesel::insert_into(case_figures::table)
            .values(&rows)
            .execute(c)?);
    }
    Ok(())
}

/// The figures of these cases, by case id, in order.
pub fn figures_of(
    conn: &mut AnyConnection,
    ids: &[i64],
) -> Result<HashMap<i64, Vec<Figure>>, StoreError> {
    let mut out: HashMap<i64, Vec<Figure>> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    type Line = (
        i64,
        Option<String>,
        Option<String>,
        Option<i64>,
        String,
        String,
        String,
    );
    let rows: Vec<Line> = case_figures::table
        .filter(case_figures::case_id.eq_any(ids))
        .select((
            case_figures::case_id,
            case_figures::indicator,
            case_figures::table_code,
            case_figures::row_id,
            case_figures::source,
            case_figures::label,
            case_figures::value,
        ))
        .order((case_figures::case_id, case_figures::position))
        .load(conn)?;
    for (case_id, indicator, table_code, row_id, source, label, value) in rows {
        out.entry(case_id).or_default().push(Figure {
            indicator,
            table_code,
            row_id,
            source,
            label,
            value,
        });
    }
    Ok(out)
}

/// Records a change of case `id` in the audit log, inside the caller's transaction.
pub fn audit_case(
    conn: &mut AnyConnection,
    actor: &str,
    cycle: i32,
    id: i64,
    operation: &str,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> Result<(), StoreError> {
    write_audit(
        conn,
        &super::now(),
        AuditEntry {
            actor,
            cycle: Some(cycle),
            table_code: Some(AUDIT_TABLE),
            row_id: Some(id),
            operation,
            before,
            after,
        },
    )
}
