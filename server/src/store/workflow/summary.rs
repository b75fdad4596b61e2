//! What a reviewer or 质量部 reads before 通过 or 验收: the unit's last 提交说明 (a later 通过
//! clears the submission's comment, the events keep it).

use diesel::RunQueryDsl;

use super::super::conn::AnyConnection;
use super::super::sql::{template, SqlValue, TextRow};
use super::super::StoreError;

/// The comment of the latest step into `submitted` of (cycle, table, unit), when it had one.
pub fn last_submit_comment(
    conn: &mut AnyConnection,
    cycle: i32,
    table: &str,
    unit: &str,
) -> Result<Option<String>, StoreError> {
    let rows: Vec<TextRow> = template(
        "SELECT e.comment AS comment FROM submission_events e \
         JOIN submissions s ON s.id = e.submission_id \
         WHERE s.cycle = ? AND s.table_code = ? AND s.unit = ? AND e.to_state = 'submitted' \
         ORDER BY e.id DESC LIMIT 1",
        vec![
            SqlValue::Int(i64::from(cycle)),
            SqlValue::Text(table.to_owned()),
            SqlValue::Text(unit.to_owned()),
        ],
    )?
    .load(conn)?;
    Ok(rows
        .first()
        .and_then(|r| r.get("comment"))
        .map(str::to_owned))
}
