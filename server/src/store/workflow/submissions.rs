//! Submission rows: the state of (cycle, table, unit), each step with its event and audit entry.

use diesel::prelude::*;

use crate::model::{State, Submission};
use crate::store::audit::{write_audit, AuditEntry};
use crate::store::conn::AnyConnection;
use crate::store::schema::{submission_events, submissions};
use crate::store::tx::{hold_submission, write_tx, Hold};
use crate::store::StoreError;

/// A submission as stored: state, approvals (JSON) and the last comment.
pub(crate) fn submission(state: &str, approvals: &str, comment: Option<String>) -> Submission {
    Submission {
        state: State::parse(state).unwrap_or(State::Draft),
        approvals: serde_json::from_str(approvals).unwrap_or_default(),
        comment,
    }
}

/// The submission of (cycle, table, unit); a draft when none was recorded.
pub fn get_submission(
    conn: &mut AnyConnection,
    cycle: i32,
    table: &str,
    unit: &str,
) -> Result<Submission, StoreError> {
    let found: Option<(String, String, Option<String>)> = submissions::table
        .filter(submissions::cycle.eq(cycle))
        .filter(submissions::table_code.eq(table))
        .filter(submissions::unit.eq(unit))
        .select((
            submissions::state,
            submissions::approvals,
            submissions::comment,
        ))
        .first(conn)
        .optional()?;
    Ok(found
        .map(|(state, approvals, comment)| submission(&state, &approvals, comment))
        .unwrap_or_default())
}

/// Every recorded submission of a cycle: (table, unit, submission, updated_at).
pub fn list_submissions(
    conn: &mut AnyConnection,
    cycle: i32,
) -> Result<Vec<(String, String, Submission, String)>, StoreError> {
    type Line = (String, String, String, String, Option<String>, String);
    let rows: Vec<Line> = submissions::table
        .filter(submissions::cycle.eq(cycle))
        .select((
            submissions::table_code,
            submissions::unit,
            submissions::state,
            submissions::approvals,
            submissions::comment,
            submissions::updated_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(table, unit, state, approvals, comment, at)| {
            (table, unit, submission(&state, &approvals, comment), at)
        })
        .collect())
}

/// Who took a workflow step.
pub struct Actor<'a> {
    pub staff_no: &'a str,
    pub unit: &'a str,
}

/// Records a step: the new state, an event and an audit entry, in one transaction. `change`
/// computes the new submission from the stored one, inside the transaction.
pub fn record_step<E>(
    conn: &mut AnyConnection,
    cycle: i32,
    table: &str,
    unit: &str,
    actor: Actor<'_>,
    now: &str,
    change: impl FnOnce(&Submission) -> Result<Submission, E>,
) -> Result<Result<Submission, E>, StoreError> {
    write_tx(conn, |conn| {
        // Two reviewers approving at once must both count: the step reads and writes alone.
        hold_submission(conn, cycle, table, unit, Hold::Step)?;
        let before = get_submission(conn, cycle, table, unit)?;
        // A refused step writes nothing.
        let after = match change(&before) {
            Ok(after) => after,
            Err(e) => return Ok(Err(e)),
        };
        let id = write_submission(conn, (cycle, table, unit), &after, now, actor.staff_no)?;
        diesel::insert_into(submission_events::table)
            .values((
                submission_events::submission_id.eq(id),
                submission_events::from_state.eq(before.state.as_str()),
                submission_events::to_state.eq(after.state.as_str()),
                submission_events::actor.eq(actor.staff_no),
                submission_events::actor_unit.eq(actor.unit),
                submission_events::comment.eq(after.comment.as_deref()),
                submission_events::at.eq(now),
            ))
            .execute(conn)?;
        write_audit(
            conn,
            now,
            AuditEntry {
                actor: actor.staff_no,
                cycle: Some(cycle),
                table_code: Some(table),
                row_id: None,
                operation: "workflow",
                before: Some(serde_json::json!({ "unit": unit, "state": before.state.as_str() })),
                after: Some(
                    serde_json::json!({ "unit": unit, "state": after.state.as_str(), "comment": after.comment }),
                ),
            },
        )?;
        Ok(Ok(after))
    })
}

/// Writes the submission of (cycle, table, unit), creating its row the first time; its id.
fn write_submission(
    conn: &mut AnyConnection,
    (cycle, table, unit): (i32, &str, &str),
    after: &Submission,
    now: &str,
    by: &str,
) -> Result<i64, StoreError> {
    let approvals = serde_json::to_string(&after.approvals).unwrap_or_else(|_| "[]".into());
    let values = (
        submissions::state.eq(after.state.as_str()),
        submissions::comment.eq(after.comment.as_deref()),
        submissions::approvals.eq(&approvals),
        submissions::updated_at.eq(now),
        submissions::updated_by.eq(by),
    );
    let key = submissions::table
        .filter(submissions::cycle.eq(cycle))
        .filter(submissions::table_code.eq(table))
        .filter(submissions::unit.eq(unit));
    let updated: Option<i64> = diesel::update(key)
        .set(values)
        .returning(submissions::id)
        .get_result(conn)
        .optional()?;
    if let Some(id) = updated {
        return Ok(id);
    }
    Ok(diesel::insert_into(submissions::table)
        .values((
            values,
            submissions::cycle.eq(cycle),
            submissions::table_code.eq(table),
            submissions::unit.eq(unit),
        ))
        .returning(submissions::id)
        .get_result(conn)?)
}

/// (label, count) pairs, e.g. ("submitted", 12).
pub type Counts = Vec<(String, i64)>;

/// Counts for monitoring: submissions by state, and standing findings by severity.
pub fn counts(conn: &mut AnyConnection) -> Result<(Counts, Counts), StoreError> {
    use crate::store::schema::findings;
    let states = submissions::table
        .group_by(submissions::state)
        .select((submissions::state, diesel::dsl::count_star()))
        .load(conn)?;
    let severities = findings::table
        .filter(findings::state.eq_any(vec!["open", "explained"]))
        .group_by(findings::severity)
        .select((findings::severity, diesel::dsl::count_star()))
        .load(conn)?;
    Ok((states, severities))
}
