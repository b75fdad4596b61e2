//! The audit log: every insert, update and delete leaves a row in the same transaction.

use diesel::RunQueryDsl;

use super::conn::AnyConnection;
use super::sql::{DynQuery, SqlValue, TextRow};
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

/// One entry of the audit log, as read back.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditRecord {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub cycle: Option<i32>,
    pub table_code: Option<String>,
    pub row_id: Option<i64>,
    pub operation: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// The history of a table (or of one of its rows), oldest first.
pub fn read_audit(
    conn: &mut AnyConnection,
    table_code: &str,
    row_id: Option<i64>,
) -> Result<Vec<AuditRecord>, StoreError> {
    let mut q = DynQuery::new(
        "SELECT CAST(id AS TEXT) AS id, at, actor, CAST(cycle AS TEXT) AS cycle, table_code, \
         CAST(row_id AS TEXT) AS row_id, operation, before_json, after_json \
         FROM audit_log WHERE table_code = ",
    );
    q.bind(SqlValue::Text(table_code.to_owned()));
    if let Some(id) = row_id {
        q.sql(" AND row_id = ").bind(SqlValue::Int(id));
    }
    q.sql(" ORDER BY id");
    let rows: Vec<TextRow> = q.load(conn)?;
    let json = |t: Option<&str>| t.and_then(|t| serde_json::from_str(t).ok());
    Ok(rows
        .iter()
        .map(|r| AuditRecord {
            id: r.get("id").and_then(|t| t.parse().ok()).unwrap_or_default(),
            at: r.get("at").unwrap_or_default().to_owned(),
            actor: r.get("actor").unwrap_or_default().to_owned(),
            cycle: r.get("cycle").and_then(|t| t.parse().ok()),
            table_code: r.get("table_code").map(str::to_owned),
            row_id: r.get("row_id").and_then(|t| t.parse().ok()),
            operation: r.get("operation").unwrap_or_default().to_owned(),
            before: json(r.get("before_json")),
            after: json(r.get("after_json")),
        })
        .collect())
}
