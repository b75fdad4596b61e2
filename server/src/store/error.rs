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
    #[error("{table}：{field}：{message}")]
    Invalid {
        table: String,
        field: String,
        message: String,
    },
    /// A stored value does not read as its field's type (another tool wrote it).
    #[error("{table}：id 为 {row} 的行，列 {field}：{message}")]
    Unreadable {
        table: String,
        row: i64,
        field: String,
        message: String,
    },
    /// No row with this id in the caller's scope.
    #[error("{table}：没有 id 为 {id} 的行")]
    NotFound { table: String, id: i64 },
    /// The row changed since the caller read it.
    #[error("{table}：id 为 {id} 的行已被他人修改（现为第 {current} 版，你读到的是第 {given} 版），请重新读取后再试")]
    Conflict {
        table: String,
        id: i64,
        given: i64,
        current: i64,
    },
    /// A row with the same natural key exists in this cycle and unit.
    #[error("{table}：本周期本部门已有键相同的行（{detail}）")]
    Duplicate { table: String, detail: String },
    /// A unique index of a core table refused a write (two requests doing the same thing at
    /// once, as a rule); the driver's text is for the log only.
    #[error("{table}：违反唯一约束（{detail}）")]
    Unique { table: String, detail: String },
    /// One row of a bulk insert failed; nothing was written.
    #[error("第 {index} 行：{source}")]
    BulkRow {
        index: usize,
        source: Box<StoreError>,
    },
    /// The definitions would drop or retype data; `migrate --allow-destructive` is needed.
    #[error("拒绝会删除或改变已有数据的结构变更（确认后加 --allow-destructive）：\n{}", .0.join("\n"))]
    Destructive(Vec<String>),
    /// A migration failed.
    #[error("数据库迁移失败：{0}")]
    Migration(String),
    /// The request's time budget ran out (or the request was cancelled) and its database work
    /// was stopped.
    #[error("请求的时间预算已用完，数据库操作已中断")]
    Interrupted,
    /// Any other database error.
    #[error("数据库出错：{0}")]
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
        StoreError::Database(format!("没有可用的数据库连接（{e}）"))
    }
}
