//! The store's errors. Database errors become these in one place (`From<diesel::result::Error>`),
//! so callers never match on diesel's types.

use diesel::result::{DatabaseErrorKind, Error as DieselError};

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database URL or connection settings are unusable.
    #[error("{0}")]
    Config(String),
    /// A value does not fit its field, or a name is not a field of the table.
    #[error("{table}: {field}: {message}")]
    Invalid {
        table: String,
        field: String,
        message: String,
    },
    /// A stored value does not read as its field's type (another tool wrote it).
    #[error("{table}: row {row}: column {field}: {message}")]
    Unreadable {
        table: String,
        row: i64,
        field: String,
        message: String,
    },
    /// No row with this id in the caller's scope.
    #[error("{table}: no row {id}")]
    NotFound { table: String, id: i64 },
    /// The row changed since the caller read it.
    #[error("{table}: row {id} was changed by someone else (version {current}, yours {given}); reload it and try again")]
    Conflict {
        table: String,
        id: i64,
        given: i64,
        current: i64,
    },
    /// A row with the same natural key exists in this cycle and unit.
    #[error("{table}: a row with the same key already exists ({detail})")]
    Duplicate { table: String, detail: String },
    /// A unique index of a core table refused a write (two requests doing the same thing at
    /// once, as a rule); the driver's text is for the log only.
    #[error("{table}: unique violation: {detail}")]
    Unique { table: String, detail: String },
    /// One row of a bulk insert failed; nothing was written.
    #[error("row {index}: {source}")]
    BulkRow {
        index: usize,
        source: Box<StoreError>,
    },
    /// The definitions would drop or retype data; `migrate --allow-destructive` is needed.
    #[error("refusing destructive schema changes:\n{}", .0.join("\n"))]
    Destructive(Vec<String>),
    /// A migration failed.
    #[error("migration failed: {0}")]
    Migration(String),
    /// The request's time budget ran out (or the request was cancelled) and its database work
    /// was stopped.
    #[error("the request's time budget is spent; its database work was interrupted")]
    Interrupted,
    /// Any other database error.
    #[error("database error: {0}")]
    Database(String),
}

impl From<DieselError> for StoreError {
    fn from(e: DieselError) -> Self {
        match &e {
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                StoreError::Unique {
                    table: info.table_name().unwrap_or("").to_owned(),
                    detail: info.message().to_owned(),
                }
            }
            DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, info) => {
                StoreError::Invalid {
                    table: info.table_name().unwrap_or("").to_owned(),
                    field: "unit".into(),
                    message: "单位不存在（不在 seeds/units.toml 中）".into(),
                }
            }
            // SQLite's progress handler or PostgreSQL's statement_timeout stopped the statement.
            _ if super::budget::spent() => StoreError::Interrupted,
            _ => {
                super::conn::mark_suspect();
                StoreError::Database(e.to_string())
            }
        }
    }
}

impl From<diesel::r2d2::PoolError> for StoreError {
    fn from(e: diesel::r2d2::PoolError) -> Self {
        StoreError::Database(format!("no database connection: {e}"))
    }
}
