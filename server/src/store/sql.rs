//! Dynamic SQL with bound values, portable across backends: each backend's query builder writes
//! its own placeholders (`?` or `$n`). Identifiers come only from validated definitions and are
//! quoted here; values are always bound, never formatted into the text.

use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql, QueryableByName};
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::row::{NamedRow, Row};
use diesel::serialize::ToSql;
use diesel::sql_types::{BigInt, Bool, HasSqlType, Text, Untyped};
use diesel::{QueryResult, RunQueryDsl};

/// A value as SQL sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SqlValue {
    Null,
    Int(i64),
    Text(String),
    Bool(bool),
}

#[derive(Debug, Clone)]
enum Part {
    Sql(String),
    Bind(SqlValue),
}

/// A statement assembled from SQL text and bound values.
#[derive(Debug, Clone, Default)]
pub struct DynQuery {
    parts: Vec<Part>,
    /// False for statements whose shape varies with user input (filters), so that diesel's
    /// per-connection statement cache does not grow without bound.
    cacheable: bool,
}

impl DynQuery {
    /// A statement starting with `sql`, kept in the prepared-statement cache.
    pub fn new(sql: impl Into<String>) -> Self {
        DynQuery {
            parts: vec![Part::Sql(sql.into())],
            cacheable: true,
        }
    }

    /// Marks the statement as one-off: not cached.
    pub fn uncached(mut self) -> Self {
        self.cacheable = false;
        self
    }

    /// Appends SQL text.
    pub fn sql(&mut self, sql: &str) -> &mut Self {
        match self.parts.last_mut() {
            Some(Part::Sql(s)) => s.push_str(sql),
            _ => self.parts.push(Part::Sql(sql.to_owned())),
        }
        self
    }

    /// Appends a bound value.
    pub fn bind(&mut self, value: SqlValue) -> &mut Self {
        self.parts.push(Part::Bind(value));
        self
    }
}

impl QueryId for DynQuery {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl Query for DynQuery {
    type SqlType = Untyped;
}

impl<C> RunQueryDsl<C> for DynQuery {}

impl<DB> QueryFragment<DB> for DynQuery
where
    DB: Backend + HasSqlType<BigInt> + HasSqlType<Text> + HasSqlType<Bool>,
    i64: ToSql<BigInt, DB>,
    String: ToSql<Text, DB>,
    bool: ToSql<Bool, DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        if !self.cacheable {
            out.unsafe_to_cache_prepared();
        }
        for part in &self.parts {
            match part {
                Part::Sql(s) => out.push_sql(s),
                Part::Bind(SqlValue::Null) => out.push_sql("NULL"),
                Part::Bind(SqlValue::Int(i)) => out.push_bind_param::<BigInt, i64>(i)?,
                Part::Bind(SqlValue::Text(s)) => out.push_bind_param::<Text, String>(s)?,
                Part::Bind(SqlValue::Bool(b)) => out.push_bind_param::<Bool, bool>(b)?,
            }
        }
        Ok(())
    }
}

/// Quotes an identifier for both dialects (identifiers are validated; quotes are doubled anyway).
pub fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Quotes a string literal for DDL, where binds are not allowed.
pub fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// A row of unknown shape: every column selected as text (`CAST(col AS TEXT)`), by name.
///
/// Reading text works the same on both backends; PostgreSQL's binary protocol would otherwise hand
/// back raw bytes for an int8 read as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextRow(pub Vec<(String, Option<String>)>);

impl TextRow {
    /// The text of a column.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, v)| v.as_deref())
    }
}

impl<DB> QueryableByName<DB> for TextRow
where
    DB: Backend,
    String: FromSql<Text, DB>,
{
    fn build<'a>(row: &impl NamedRow<'a, DB>) -> deserialize::Result<Self> {
        let mut out = Vec::with_capacity(row.field_count());
        for i in 0..row.field_count() {
            let field = Row::get(row, i).ok_or("missing column")?;
            let name = diesel::row::Field::field_name(&field)
                .ok_or("unnamed column")?
                .to_owned();
            let value = match diesel::row::Field::value(&field) {
                None => None,
                Some(raw) => Some(<String as FromSql<Text, DB>>::from_sql(raw)?),
            };
            out.push((name, value));
        }
        Ok(TextRow(out))
    }
}
