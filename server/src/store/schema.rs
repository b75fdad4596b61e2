//! The fixed core tables as diesel sees them, so the compiler checks the SQL written against them.
//! Types follow PostgreSQL's declarations (SQLite stores any integer in 64 bits and reads back
//! either width); `schema_parity::typed_tables_match_the_migrated_core_tables` holds these
//! against both backends' migrated databases.
//! The data tables `d_<slug>` are made from the definitions at run time and stay dynamic SQL.

mod accounts;
mod catalog;
mod review;
mod shape;
mod workflow;

pub use accounts::*;
pub use catalog::*;
pub use review::*;
pub use shape::{core_columns, ColumnShape};
pub use workflow::*;

/// Runs `$body` on the backend's own connection: for what diesel's `MultiConnection` cannot say
/// (`ON CONFLICT`, `FOR UPDATE`, several rows in one `INSERT`, a whole row `RETURNING`), each
/// backend's query builder still checks the statement.
macro_rules! per_backend {
    ($conn:expr, $c:ident => $body:expr) => {
        match $conn {
            $crate::store::AnyConnection::Sqlite($c) => $body,
            $crate::store::AnyConnection::Postgresql($c) => $body,
        }
    };
}
pub(crate) use per_backend;
