//! The one error type of the use cases, with the contract's stable codes (CONTRACT.md) that
//! GraphQL puts in `extensions.code` and the HTTP file routes in their JSON report. Store errors
//! become these here and nowhere else; database text never reaches a user.

use crate::store::StoreError;

/// The stable error codes clients switch on (CONTRACT.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    Unauthenticated,
    Forbidden,
    PasswordChangeRequired,
    ValidationFailed,
    Conflict,
    Locked,
    DeadlinePassed,
    NotFound,
    BadRequest,
    /// The request costs more than its caller's budget (size, time, or heavy work in flight).
    TooComplex,
    Internal,
}

impl Code {
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Unauthenticated => "UNAUTHENTICATED",
            Code::Forbidden => "FORBIDDEN",
            Code::PasswordChangeRequired => "PASSWORD_CHANGE_REQUIRED",
            Code::ValidationFailed => "VALIDATION_FAILED",
            Code::Conflict => "CONFLICT",
            Code::Locked => "LOCKED",
            Code::DeadlinePassed => "DEADLINE_PASSED",
            Code::NotFound => "NOT_FOUND",
            Code::BadRequest => "BAD_REQUEST",
            Code::TooComplex => "TOO_COMPLEX",
            Code::Internal => "INTERNAL",
        }
    }
}

/// One problem of one input row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputProblem {
    /// The row's index in a bulk request (0 for single-row mutations).
    pub row: usize,
    /// The GraphQL field name.
    pub field: String,
    pub rule: String,
    /// Chinese, naming the field by its label.
    pub message: String,
}

/// An error a client can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub code: Code,
    pub message: String,
    pub problems: Vec<InputProblem>,
}

impl ApiError {
    pub fn new(code: Code, message: impl Into<String>) -> ApiError {
        ApiError {
            code,
            message: message.into(),
            problems: Vec::new(),
        }
    }

    /// A validation failure listing every problem.
    pub fn invalid(table_name: &str, problems: Vec<InputProblem>) -> ApiError {
        let message = format!("{table_name}：有 {} 处填写不符合要求", problems.len());
        ApiError {
            code: Code::ValidationFailed,
            message,
            problems,
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { .. } => {
                ApiError::new(Code::NotFound, "记录不存在，或不在您可访问的范围内")
            }
            StoreError::Conflict { given, current, .. } => ApiError::new(
                Code::Conflict,
                format!(
                    "该记录已被他人修改（当前版本 {current}，您提交的版本 {given}），请刷新后重试"
                ),
            ),
            StoreError::Duplicate { ref detail, .. } => {
                let message = format!("同一周期、同一单位下已有相同关键字段的记录（{detail}）");
                ApiError {
                    code: Code::ValidationFailed,
                    message: message.clone(),
                    problems: vec![InputProblem {
                        row: 0,
                        field: String::new(),
                        rule: "unique".into(),
                        message,
                    }],
                }
            }
            StoreError::Unreadable {
                ref table,
                row,
                ref field,
                ..
            } => {
                tracing::error!(table = %table, row, column = %field, error = %e, "库中的值无法按字段类型读取");
                ApiError::new(Code::Internal, unreadable_message(row, field))
            }
            StoreError::Unique { table, detail } => {
                tracing::warn!(table = %table, error = %detail, "唯一约束拒绝了写入");
                ApiError::new(Code::Conflict, DUPLICATE_MESSAGE)
            }
            StoreError::BulkRow { index, source } => {
                let mut inner = ApiError::from(*source);
                for p in &mut inner.problems {
                    p.row = index;
                }
                inner.message = format!("第 {} 行：{}", index + 1, inner.message);
                inner
            }
            StoreError::Invalid { field, message, .. } => ApiError {
                code: Code::BadRequest,
                message: message.clone(),
                problems: vec![InputProblem {
                    row: 0,
                    field,
                    rule: "field".into(),
                    message,
                }],
            },
            StoreError::Interrupted => ApiError::new(
                Code::TooComplex,
                "请求超过处理时限，已取消；请缩小查询范围（减少字段、行数或别名）后重试",
            ),
            other => {
                tracing::error!(error = %other, "数据库操作出错");
                ApiError::new(Code::Internal, INTERNAL_MESSAGE)
            }
        }
    }
}

/// At most this many problems travel in an answer (GraphQL's `extensions.problems`, an import's
/// report); `problemCount` tells how many there were in all.
pub const MAX_PROBLEMS: usize = 100;

impl ApiError {
    /// The problems an answer carries: the first [`MAX_PROBLEMS`].
    pub fn shown_problems(&self) -> &[InputProblem] {
        &self.problems[..self.problems.len().min(MAX_PROBLEMS)]
    }
}

/// Shorthand for resolver results.
pub type ApiResult<T> = Result<T, ApiError>;

impl Code {
    /// The HTTP status the file routes answer with for this code.
    pub fn http_status(self) -> u16 {
        match self {
            Code::Unauthenticated => 401,
            Code::Forbidden | Code::PasswordChangeRequired => 403,
            Code::Locked | Code::DeadlinePassed => 423,
            Code::NotFound => 404,
            Code::ValidationFailed | Code::Conflict => 422,
            Code::BadRequest | Code::TooComplex => 400,
            Code::Internal => 500,
        }
    }
}

impl ApiError {
    /// An unexpected failure: the detail goes to the log, the user sees a generic message.
    pub fn internal(detail: impl std::fmt::Display) -> ApiError {
        tracing::error!(error = %detail, "内部错误");
        ApiError::new(Code::Internal, INTERNAL_MESSAGE)
    }
}

/// What a user sees of a stored value that cannot be read: where it is, not what it holds.
pub fn unreadable_message(row: i64, field: &str) -> String {
    format!("第 {row} 号记录的字段 {field} 存储的值无法读取（已记录），请联系管理员")
}

/// What a user sees when a unique index outside a table's natural key refuses a write.
pub const DUPLICATE_MESSAGE: &str = "已有相同的记录（可能有人刚刚做了同样的操作），请刷新后重试";

/// What a user sees of an unexpected failure.
pub const INTERNAL_MESSAGE: &str = "服务器内部错误，请稍后重试或联系管理员";
