//! The rows of 典型案例: `cases` (a case with its submission state and version), its
//! `case_figures` and its `case_attachments` (file contents kept in the database). Only reads and
//! writes: who may do what is the service's.

use std::collections::HashMap;

use diesel::RunQueryDsl;

use super::audit::{write_audit, AuditEntry};
use super::conn::AnyConnection;
use super::sql::{DynQuery, SqlValue, TextRow};
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
#[derive(Debug, Clone, PartialEq, Eq)]
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

const COLUMNS: &str = "CAST(id AS TEXT) AS id, CAST(cycle AS TEXT) AS cycle, theme, unit, title, \
    body, state, comment, approvals, CAST(row_version AS TEXT) AS row_version, created_at, \
    created_by, updated_at, updated_by";

fn text(s: &str) -> SqlValue {
    SqlValue::Text(s.to_owned())
}

fn get(row: &TextRow, name: &str) -> String {
    row.get(name).unwrap_or_default().to_owned()
}

fn num<T: std::str::FromStr + Default>(row: &TextRow, name: &str) -> T {
    row.get(name)
        .and_then(|v| v.parse().ok())
        .unwrap_or_default()
}

fn decode(row: &TextRow) -> CaseRow {
    CaseRow {
        id: num(row, "id"),
        cycle: num(row, "cycle"),
        theme: get(row, "theme"),
        unit: get(row, "unit"),
        title: get(row, "title"),
        body: get(row, "body"),
        sub: Submission {
            state: State::parse(&get(row, "state")).unwrap_or(State::Draft),
            approvals: serde_json::from_str(&get(row, "approvals")).unwrap_or_default(),
            comment: row.get("comment").map(str::to_owned),
        },
        row_version: num(row, "row_version"),
        created_at: get(row, "created_at"),
        created_by: get(row, "created_by"),
        updated_at: get(row, "updated_at"),
        updated_by: get(row, "updated_by"),
    }
}

/// Inserts a case as a draft; its id.
pub fn insert_case(
    conn: &mut AnyConnection,
    c: &NewCase<'_>,
    at: &str,
    actor: &str,
) -> Result<i64, StoreError> {
    let mut q = DynQuery::new(
        "INSERT INTO cases (cycle, theme, unit, title, body, state, approvals, row_version, \
         created_at, created_by, updated_at, updated_by) VALUES (",
    );
    q.bind(SqlValue::Int(i64::from(c.cycle))).sql(", ");
    for v in [c.theme, c.unit, c.title, c.body] {
        q.bind(text(v)).sql(", ");
    }
    q.sql("'draft', '[]', 1, ");
    for (i, v) in [at, actor, at, actor].into_iter().enumerate() {
        if i > 0 {
            q.sql(", ");
        }
        q.bind(text(v));
    }
    q.sql(") RETURNING CAST(id AS TEXT) AS id");
    let rows: Vec<TextRow> = q.load(conn)?;
    rows.first()
        .and_then(|r| r.get("id"))
        .and_then(|id| id.parse().ok())
        .ok_or_else(|| StoreError::Database("insert into cases returned no id".into()))
}

/// One case; with `lock`, the row is held until the transaction ends (PostgreSQL `FOR UPDATE`;
/// SQLite's `IMMEDIATE` write transaction already excludes other writers).
pub fn get_case(
    conn: &mut AnyConnection,
    id: i64,
    lock: bool,
) -> Result<Option<CaseRow>, StoreError> {
    let mut q = DynQuery::new(format!("SELECT {COLUMNS} FROM cases WHERE id = "));
    q.bind(SqlValue::Int(id));
    if lock && matches!(conn, AnyConnection::Postgresql(_)) {
        q.sql(" FOR UPDATE");
    }
    let rows: Vec<TextRow> = q.load(conn)?;
    Ok(rows.first().map(decode))
}

/// Cases matching the filter, by theme, unit and id.
pub fn list_cases(
    conn: &mut AnyConnection,
    filter: &CaseFilter,
) -> Result<Vec<CaseRow>, StoreError> {
    let mut q = DynQuery::new(format!("SELECT {COLUMNS} FROM cases WHERE cycle = ")).uncached();
    q.bind(SqlValue::Int(i64::from(filter.cycle)));
    for (col, value) in [("theme", &filter.theme), ("state", &filter.state)] {
        if let Some(v) = value {
            q.sql(&format!(" AND {col} = ")).bind(text(v));
        }
    }
    if let Some(units) = &filter.units {
        if units.is_empty() {
            return Ok(Vec::new());
        }
        q.sql(" AND unit IN (");
        for (i, u) in units.iter().enumerate() {
            if i > 0 {
                q.sql(", ");
            }
            q.bind(text(u));
        }
        q.sql(")");
    }
    q.sql(" ORDER BY theme, unit, id");
    let rows: Vec<TextRow> = q.load(conn)?;
    Ok(rows.iter().map(decode).collect())
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
    let mut q = DynQuery::new("UPDATE cases SET theme = ");
    q.bind(text(theme)).sql(", title = ");
    q.bind(text(title)).sql(", body = ");
    q.bind(text(body)).sql(", updated_at = ");
    q.bind(text(at)).sql(", updated_by = ");
    q.bind(text(actor))
        .sql(", row_version = row_version + 1 WHERE id = ");
    q.bind(SqlValue::Int(id)).sql(" AND row_version = ");
    q.bind(SqlValue::Int(row_version));
    Ok(q.execute(conn)? == 1)
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
    let mut q = DynQuery::new("UPDATE cases SET state = ");
    q.bind(text(sub.state.as_str())).sql(", approvals = ");
    q.bind(text(&approvals)).sql(", comment = ");
    q.bind(sub.comment.as_deref().map_or(SqlValue::Null, text))
        .sql(", updated_at = ");
    q.bind(text(at)).sql(", updated_by = ");
    q.bind(text(actor))
        .sql(", row_version = row_version + 1 WHERE id = ");
    q.bind(SqlValue::Int(id));
    q.execute(conn)?;
    Ok(())
}

/// Moves the version on (an attachment added or removed changes the case).
pub fn touch(conn: &mut AnyConnection, id: i64, at: &str, actor: &str) -> Result<(), StoreError> {
    let mut q = DynQuery::new("UPDATE cases SET updated_at = ");
    q.bind(text(at)).sql(", updated_by = ");
    q.bind(text(actor))
        .sql(", row_version = row_version + 1 WHERE id = ");
    q.bind(SqlValue::Int(id));
    q.execute(conn)?;
    Ok(())
}

/// Deletes a case with its figures and attachments.
pub fn delete_case(conn: &mut AnyConnection, id: i64) -> Result<(), StoreError> {
    for table in ["case_attachments", "case_figures"] {
        let mut q = DynQuery::new(format!("DELETE FROM {table} WHERE case_id = "));
        q.bind(SqlValue::Int(id));
        q.execute(conn)?;
    }
    let mut q = DynQuery::new("DELETE FROM cases WHERE id = ");
    q.bind(SqlValue::Int(id));
    q.execute(conn)?;
    Ok(())
}

/// Replaces the figures of a case, in the order given.
pub fn replace_figures(
    conn: &mut AnyConnection,
    case_id: i64,
    figures: &[Figure],
) -> Result<(), StoreError> {
    let mut q = DynQuery::new("DELETE FROM case_figures WHERE case_id = ");
    q.bind(SqlValue::Int(case_id));
    q.execute(conn)?;
    let opt = |v: &Option<String>| v.as_deref().map_or(SqlValue::Null, text);
    for (position, f) in figures.iter().enumerate() {
        let mut q = DynQuery::new(
            "INSERT INTO case_figures (case_id, position, indicator, table_code, row_id, source, \
             label, value) VALUES (",
        );
        q.bind(SqlValue::Int(case_id)).sql(", ");
        q.bind(SqlValue::Int(i64::try_from(position).unwrap_or_default()))
            .sql(", ");
        q.bind(opt(&f.indicator)).sql(", ");
        q.bind(opt(&f.table_code)).sql(", ");
        q.bind(f.row_id.map_or(SqlValue::Null, SqlValue::Int))
            .sql(", ");
        q.bind(text(&f.source)).sql(", ");
        q.bind(text(&f.label)).sql(", ");
        q.bind(text(&f.value)).sql(")");
        q.execute(conn)?;
    }
    Ok(())
}

fn id_list(q: &mut DynQuery, ids: &[i64]) {
    q.sql(" IN (");
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            q.sql(", ");
        }
        q.bind(SqlValue::Int(*id));
    }
    q.sql(")");
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
    let mut q = DynQuery::new(
        "SELECT CAST(case_id AS TEXT) AS case_id, indicator, table_code, \
         CAST(row_id AS TEXT) AS row_id, source, label, value FROM case_figures WHERE case_id",
    )
    .uncached();
    id_list(&mut q, ids);
    q.sql(" ORDER BY case_id, position");
    let rows: Vec<TextRow> = q.load(conn)?;
    for r in &rows {
        out.entry(num(r, "case_id")).or_default().push(Figure {
            indicator: r.get("indicator").map(str::to_owned),
            table_code: r.get("table_code").map(str::to_owned),
            row_id: r.get("row_id").and_then(|v| v.parse().ok()),
            source: get(r, "source"),
            label: get(r, "label"),
            value: get(r, "value"),
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
