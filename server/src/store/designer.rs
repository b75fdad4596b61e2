//! The online designer's rows (issue 26): one draft per table (`definition_drafts`, written
//! optimistically by `row_version`) and the history of applied drafts (`definition_history`);
//! and the two counts an apply weighs: a data table's rows in the open cycle and the values a
//! column holds.

use diesel::prelude::*;

use super::conn::AnyConnection;
use super::schema::{definition_drafts, definition_history};
use super::sql::{ident, DynQuery, SqlValue, TextRow};
use super::StoreError;
use crate::defs::naming;

/// A table's draft as stored.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = definition_drafts)]
pub struct Draft {
    pub table_code: String,
    pub toml: String,
    /// The definitions version in force when the author began.
    pub base_version: i64,
    pub author: String,
    pub author_name: String,
    pub updated_at: String,
    pub row_version: i64,
}

/// What a draft save found: the draft as now stored, or the other author's draft that stood in
/// the way (written after the caller read, or unknown to her), untouched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Saved {
    Written(Draft),
    Conflict(Draft),
    /// The draft the caller read is no longer there (applied or discarded since).
    Gone,
}

/// The table's draft, if any.
pub fn get_draft(conn: &mut AnyConnection, code: &str) -> Result<Option<Draft>, StoreError> {
    Ok(definition_drafts::table
        .find(code)
        .select(Draft::as_select())
        .first(conn)
        .optional()?)
}

/// Writes `draft` (its `row_version` ignored) over the stored one when `read` is the stored
/// one's version, or as the first draft of the table when `read` is `None` and there is none.
/// Inside a write transaction.
pub fn save_draft(
    conn: &mut AnyConnection,
    draft: &Draft,
    read: Option<i64>,
) -> Result<Saved, StoreError> {
    let code = draft.table_code.as_str();
    let stored = get_draft(conn, code)?;
    let written = match (&stored, read) {
        (None, None) => {
            let first = Draft {
                row_version: 1,
                ..draft.clone()
            };
            match diesel::insert_into(definition_drafts::table)
                .values(&first)
                .execute(conn)
            {
                Ok(n) => n,
                // Another request inserted the first draft in between (PostgreSQL).
                Err(diesel::result::Error::DatabaseError(
                    diesel::result::DatabaseErrorKind::UniqueViolation,
                    _,
                )) => 0,
                Err(e) => return Err(e.into()),
            }
        }
        (Some(_), Some(version)) => diesel::update(
            definition_drafts::table
                .filter(definition_drafts::table_code.eq(code))
                .filter(definition_drafts::row_version.eq(version)),
        )
        .set((
            definition_drafts::toml.eq(&draft.toml),
            definition_drafts::base_version.eq(draft.base_version),
            definition_drafts::author.eq(&draft.author),
            definition_drafts::author_name.eq(&draft.author_name),
            definition_drafts::updated_at.eq(&draft.updated_at),
            definition_drafts::row_version.eq(version + 1),
        ))
        .execute(conn)?,
        _ => 0,
    };
    let now = get_draft(conn, code)?;
    match now {
        Some(d) if written == 1 => Ok(Saved::Written(d)),
        Some(d) => Ok(Saved::Conflict(d)),
        None => Ok(Saved::Gone),
    }
}

/// Deletes the table's draft; true when there was one.
pub fn delete_draft(conn: &mut AnyConnection, code: &str) -> Result<bool, StoreError> {
    let n = diesel::delete(definition_drafts::table.find(code)).execute(conn)?;
    Ok(n > 0)
}

/// One applied draft as the history keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = definition_history)]
pub struct Applied {
    pub id: i64,
    pub table_code: String,
    pub before_toml: String,
    pub after_toml: String,
    pub author: String,
    pub author_name: String,
    pub at: String,
    pub reason: String,
    pub definitions_version: i64,
}

/// An applied draft to record.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = definition_history)]
pub struct NewApplied<'a> {
    pub table_code: &'a str,
    pub before_toml: &'a str,
    pub after_toml: &'a str,
    pub author: &'a str,
    pub author_name: &'a str,
    pub at: &'a str,
    pub reason: &'a str,
    pub definitions_version: i64,
}

/// Records an applied draft; the row as stored.
pub fn record_applied(
    conn: &mut AnyConnection,
    applied: &NewApplied<'_>,
) -> Result<Applied, StoreError> {
    let id: i64 = diesel::insert_into(definition_history::table)
        .values(applied)
        .returning(definition_history::id)
        .get_result(conn)?;
    applied_by_id(conn, id)?.ok_or(StoreError::NotFound {
        table: "definition_history".into(),
        id,
    })
}

/// One applied draft by id.
pub fn applied_by_id(conn: &mut AnyConnection, id: i64) -> Result<Option<Applied>, StoreError> {
    Ok(definition_history::table
        .find(id)
        .select(Applied::as_select())
        .first(conn)
        .optional()?)
}

/// The applied drafts, newest first: of one table, or of all.
pub fn history(conn: &mut AnyConnection, code: Option<&str>) -> Result<Vec<Applied>, StoreError> {
    let mut q = definition_history::table
        .select(Applied::as_select())
        .order(definition_history::id.desc())
        .into_boxed();
    if let Some(code) = code {
        q = q.filter(definition_history::table_code.eq(code.to_owned()));
    }
    Ok(q.load(conn)?)
}

fn count(conn: &mut AnyConnection, q: DynQuery) -> Result<i64, StoreError> {
    let rows: Vec<TextRow> = q.load(conn)?;
    Ok(rows
        .first()
        .and_then(|r| r.get("n"))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0))
}

/// The rows of the data table `d_<slug>` in the newest open cycle (0 without one).
pub fn rows_in_open_cycle(conn: &mut AnyConnection, slug: &str) -> Result<i64, StoreError> {
    let Some(cycle) = super::workflow::newest_open_cycle(conn)? else {
        return Ok(0);
    };
    let mut q = DynQuery::new(format!(
        "SELECT CAST(COUNT(*) AS TEXT) AS n FROM {} WHERE cycle = ",
        ident(&naming::sql_table(slug))
    ));
    q.bind(SqlValue::Int(i64::from(cycle)));
    count(conn, q)
}

/// The values (not null) the column `column` of `d_<slug>` holds in any cycle.
pub fn values_in_column(
    conn: &mut AnyConnection,
    slug: &str,
    column: &str,
) -> Result<i64, StoreError> {
    let q = DynQuery::new(format!(
        "SELECT CAST(COUNT({}) AS TEXT) AS n FROM {}",
        ident(column),
        ident(&naming::sql_table(slug))
    ));
    count(conn, q)
}

/// The rows of `d_<slug>` in any cycle whose column `column` holds one of `codes` (a
/// multi-valued column, stored as a JSON list, holding one of them among others).
pub fn rows_with_codes(
    conn: &mut AnyConnection,
    slug: &str,
    column: &str,
    multi: bool,
    codes: &[String],
) -> Result<i64, StoreError> {
    let mut q = DynQuery::new(format!(
        "SELECT CAST(COUNT(*) AS TEXT) AS n FROM {} WHERE ",
        ident(&naming::sql_table(slug))
    ));
    if multi {
        q.sql("(1 = 0");
        for code in codes {
            q.sql(&format!(" OR {} LIKE ", ident(column)));
            q.bind(SqlValue::Text(format!("%\"{code}\"%")));
        }
        q.sql(")");
    } else {
        q.sql(&format!("{} IN ", ident(column)));
        q.bind_list(codes);
    }
    count(conn, q)
}
