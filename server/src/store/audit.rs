//! The audit log: every insert, update and delete leaves a row in the same transaction.

use diesel::prelude::*;

use super::conn::AnyConnection;
use super::schema::audit_log;
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
    write_audits(conn, at, vec![e])
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

/// An audit row as stored, its JSON still text.
#[derive(Queryable, Selectable)]
#[diesel(table_name = audit_log)]
struct Stored {
    id: i64,
    at: String,
    actor: String,
    cycle: Option<i32>,
    table_code: Option<String>,
    row_id: Option<i64>,
    operation: String,
    before_json: Option<String>,
    after_json: Option<String>,
}

/// The history of a table (or of one of its rows), oldest first.
pub fn read_audit(
    conn: &mut AnyConnection,
    table_code: &str,
    row_id: Option<i64>,
) -> Result<Vec<AuditRecord>, StoreError> {
    let mut q = audit_log::table
        .filter(audit_log::table_code.eq(table_code))
        .select(Stored::as_select())
        .order(audit_log::id)
        .into_boxed();
    if let Some(id) = row_id {
        q = q.filter(audit_log::row_id.eq(id));
    }
    Ok(q.load::<Stored>(conn)?.into_iter().map(record).collect())
}

fn record(r: Stored) -> AuditRecord {
    let json = |t: Option<String>| t.and_then(|t| serde_json::from_str(&t).ok());
    AuditRecord {
        id: r.id,
        at: r.at,
        actor: r.actor,
        cycle: r.cycle,
        table_code: r.table_code,
        row_id: r.row_id,
        operation: r.operation,
        before: json(r.before_json),
        after: json(r.after_json),
    }
}

/// The entries of these operations in a cycle's table (any cycle and table when `None`) after
/// entry `after_id`, oldest first.
pub fn read_operations(
    conn: &mut AnyConnection,
    scope: (Option<i32>, Option<&str>),
    operations: &[&str],
    after_id: i64,
) -> Result<Vec<AuditRecord>, StoreError> {
    let mut q = audit_log::table
        .filter(audit_log::operation.eq_any(operations))
        .filter(audit_log::id.gt(after_id))
        .select(Stored::as_select())
        .order(audit_log::id)
        .into_boxed();
    if let Some(cycle) = scope.0 {
        q = q.filter(audit_log::cycle.eq(cycle));
    }
    if let Some(code) = scope.1 {
        q = q.filter(audit_log::table_code.eq(code));
    }
    Ok(q.load::<Stored>(conn)?.into_iter().map(record).collect())
}

/// Writes many entries at one time in multi-row statements (chunked under the backends'
/// bound-parameter limits), in the order given: the same rows as [`write_audit`] once each.
pub fn write_audits(
    conn: &mut AnyConnection,
    at: &str,
    entries: Vec<AuditEntry<'_>>,
) -> Result<(), StoreError> {
    const PER_ROW: usize = 8;
    let per = super::insert_many::rows_per_statement(conn, PER_ROW);
    let mut entries = entries.into_iter().peekable();
    while entries.peek().is_some() {
        let rows: Vec<_> = entries
            .by_ref()
            .take(per)
            .map(|e| {
                (
                    audit_log::at.eq(at),
                    audit_log::actor.eq(e.actor),
                    audit_log::cycle.eq(e.cycle),
                    audit_log::table_code.eq(e.table_code),
                    audit_log::row_id.eq(e.row_id),
                    audit_log::operation.eq(e.operation),
                    audit_log::before_json.eq(e.before.map(|v| v.to_string())),
                    audit_log::after_json.eq(e.after.map(|v| v.to_string())),
                )
            })
            .collect();
        // On each backend's own connection: diesel's multi-connection backend has no batch
        // insert, both of the backends it wraps do.
        let insert = diesel::insert_into(audit_log::table).values(rows);
        match conn {
            AnyConnection::Sqlite(c) => insert.execute(c)?,
            AnyConnection::Postgresql(c) => insert.execute(c)?,
        };
    }
    Ok(())
}
