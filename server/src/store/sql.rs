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

use super::StoreError;

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

    /// Keeps the statement prepared per connection if its shape (text with placeholders) is one
    /// of the first [`MAX_SHAPES`] the process has seen; later shapes run uncached, so that
    /// clients sending ever new filters cannot grow the per-connection caches without bound.
    pub fn cached_by_shape(mut self) -> Self {
        self.cacheable = shapes::admit(&self.parts);
        self
    }

    /// The same statement with `sql` before it (`EXPLAIN …`), uncached.
    pub fn prefixed(&self, sql: &str) -> Self {
        let mut parts = vec![Part::Sql(sql.to_owned())];
        parts.extend(self.parts.iter().cloned());
        DynQuery {
            parts,
            cacheable: false,
        }
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

    /// Appends `(…)`, one bound text a value, for `IN`; `(NULL)` when there are none, which
    /// matches nothing.
    pub fn bind_list(&mut self, values: &[String]) -> &mut Self {
        self.sql("(");
        if values.is_empty() {
            self.sql("NULL");
        }
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                self.sql(", ");
            }
            self.bind(SqlValue::Text(v.clone()));
        }
        self.sql(")")
    }
}

/// How many statement shapes are kept prepared (per connection, by diesel's statement cache).
pub const MAX_SHAPES: usize = 512;

mod shapes {
    use std::collections::HashSet;
    use std::hash::{DefaultHasher, Hash, Hasher};
    use std::sync::{LazyLock, Mutex};

    use super::{Part, SqlValue, MAX_SHAPES};

    static SEEN: LazyLock<Mutex<HashSet<u64>>> = LazyLock::new(|| Mutex::new(HashSet::new()));

    /// True when the statement's shape is (now) one of the admitted ones.
    pub(super) fn admit(parts: &[Part]) -> bool {
        let mut h = DefaultHasher::new();
        for p in parts {
            match p {
                Part::Sql(s) => s.hash(&mut h),
                // NULL is written into the text; other binds differ by their SQL type only.
                Part::Bind(SqlValue::Null) => 0u8.hash(&mut h),
                Part::Bind(SqlValue::Int(_)) => 1u8.hash(&mut h),
                Part::Bind(SqlValue::Text(_)) => 2u8.hash(&mut h),
                Part::Bind(SqlValue::Bool(_)) => 3u8.hash(&mut h),
            }
        }
        let key = h.finish();
        let Ok(mut seen) = SEEN.lock() else {
            return false;
        };
        if seen.contains(&key) {
            return true;
        }
        if seen.len() < MAX_SHAPES {
            seen.insert(key);
            return true;
        }
        false
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

/// A statement from SQL text with `?` placeholders and their values, in order. A placeholder
/// without a value is refused, naming it, and so is a value without a placeholder: a missing
/// value must never reach the database as NULL.
pub fn template(sql: &str, binds: Vec<SqlValue>) -> Result<DynQuery, StoreError> {
    let given = binds.len();
    let mut values = binds.into_iter();
    let mut q = DynQuery::new("");
    for (i, part) in sql.split('?').enumerate() {
        if i > 0 {
            let value = values.next().ok_or_else(|| {
                StoreError::Database(format!(
                    "SQL 模板缺少第 {i} 个参数（只给了 {given} 个）：{sql}"
                ))
            })?;
            q.bind(value);
        }
        q.sql(part);
    }
    if values.next().is_some() {
        let wanted = sql.matches('?').count();
        return Err(StoreError::Database(format!(
            "SQL 模板只有 {wanted} 个参数，却给了 {given} 个：{sql}"
        )));
    }
    Ok(q)
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

/// A row read by position, every column as text: no names looked up, no map built. The select
/// list decides what each position means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PosRow(pub Vec<Option<String>>);

impl<DB> QueryableByName<DB> for PosRow
where
    DB: Backend,
    String: FromSql<Text, DB>,
{
    fn build<'a>(row: &impl NamedRow<'a, DB>) -> deserialize::Result<Self> {
        let n = row.field_count();
        let mut out = Vec::with_capacity(n);
        for i in 0..n {
            let field = Row::get(row, i).ok_or("missing column")?;
            out.push(match diesel::row::Field::value(&field) {
                None => None,
                Some(raw) => Some(<String as FromSql<Text, DB>>::from_sql(raw)?),
            });
        }
        Ok(PosRow(out))
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

#[cfg(test)]
mod tests {
    use super::{template, Part, SqlValue};

    #[test]
    fn a_template_refuses_a_missing_value_and_names_it() {
        let sql = "UPDATE t SET a = ?, b = ? WHERE id = ?";
        let err = template(sql, vec![SqlValue::Int(1), SqlValue::Int(2)])
            .expect_err("the third value is missing")
            .to_string();
        assert!(err.contains("第 3 个参数"), "{err}");
        assert!(err.contains(sql), "{err}");
    }

    #[test]
    fn a_template_refuses_a_value_without_a_placeholder() {
        let err = template("SELECT ?", vec![SqlValue::Int(1), SqlValue::Null])
            .expect_err("one value too many")
            .to_string();
        assert!(err.contains("只有 1 个参数，却给了 2 个"), "{err}");
    }

    #[test]
    fn a_template_binds_each_value_in_order() {
        let q = template("a = ? AND b = ?", vec![SqlValue::Int(1), SqlValue::Null])
            .expect("two placeholders, two values");
        let shape: Vec<String> = q
            .parts
            .iter()
            .map(|p| match p {
                Part::Sql(s) => s.clone(),
                Part::Bind(v) => format!("{v:?}"),
            })
            .collect();
        assert_eq!(shape, ["a = ", "Int(1)", " AND b = ", "Null", ""]);
    }
}
