//! The audit log: every insert, update and delete leaves a row in the same transaction.

use diesel::RunQueryDsl;

use super::conn::AnyConnection;
use super::sql::{DynQuery, SqlValue};
use super::StoreError;

/// One audited change.
pub struct AuditEntry<'a> {
    pub actor: &'a str,
    pub cycle: Option<i32>,
    pub table_code: Option<&'a str>,
    pub row_id: Option<i64>,
    pub operation: &'a str,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// Writes the entry; call it inside the transaction of the change it records.
pub fn write_audit(
    conn: &mut AnyConnection,
    at: &str,
    e: AuditEntry<'_>,
) -> Result<(), StoreError> {
    let text = |s: Option<&str>| s.map_or(SqlValue::Null, |s| SqlValue::Text(s.to_owned()));
    let json =
        |v: Option<serde_json::Value>| v.map_or(SqlValue::Null, |v| SqlValue::Text(v.to_string()));
    let mut q = DynQuery::new(
        "INSERT INTO audit_log (at, actor, cycle, table_code, row_id, operation, before_json, after_json) VALUES (",
    );
    q.bind(SqlValue::Text(at.to_owned())).sql(", ");
    q.bind(SqlValue::Text(e.actor.to_owned())).sql(", ");
    q.bind(
        e.cycle
            .map_or(SqlValue::Null, |c| SqlValue::Int(i64::from(c))),
    )
    .sql(", ");
    q.bind(text(e.table_code)).sql(", ");
    q.bind(e.row_id.map_or(SqlValue::Null, SqlValue::Int))
        .sql(", ");
    q.bind(SqlValue::Text(e.operation.to_owned())).sql(", ");
    q.bind(json(e.before)).sql(", ");
    q.bind(json(e.after)).sql(")");
    q.execute(conn)?;
    Ok(())
}
