//! Core indicators in the database: the grouped count or sum behind each aggregate of a formula,
//! the names breakdown keys are shown with, and the published snapshots with the leaders'
//! comments. The arithmetic and the rules of the sign-off live above (`indicators`, `service`).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use diesel::RunQueryDsl;

use super::conn::AnyConnection;
use super::dialect::Dialect;
use super::formula::whole_number;
use super::rule_joins::aggregate_value;
use super::rules::{emit, Ctx};
use super::sql::{ident, template, DynQuery, SqlValue, TextRow};
use super::StoreError;
use crate::defs::naming::sql_table;
use crate::defs::rules::Agg;

/// The count or sum of `agg` over `cycle`, whole (`group` = `None`, one row keyed `None`) or by
/// the values of the column `group` (as text): the value a scaled integer, by the aggregate
/// builder of rules and formulas (a sum over no values is 0).
pub fn aggregate_values(
    conn: &mut AnyConnection,
    agg: &Agg,
    cycle: i32,
    group: Option<&str>,
) -> Result<Vec<(Option<String>, i128)>, StoreError> {
    let cx = Ctx::inner(Dialect::of(conn), cycle);
    let mut q = DynQuery::new("SELECT ");
    match group {
        Some(g) => q.sql(&format!("CAST(i.{} AS TEXT) AS g, ", ident(g))),
        None => q.sql("NULL AS g, "),
    };
    q.sql("CAST(");
    aggregate_value(&mut q, agg, &cx);
    q.sql(&format!(
        " AS TEXT) AS v FROM {} i WHERE i.cycle = ",
        ident(&sql_table(&agg.table))
    ));
    q.bind(SqlValue::Int(i64::from(cycle)));
    if let Some(f) = &agg.filter {
        q.sql(" AND ");
        emit(&mut q, f, &cx);
    }
    if group.is_some() {
        q.sql(" GROUP BY 1");
    }
    let rows: Vec<TextRow> = q.load(conn)?;
    rows.iter()
        .map(|r| {
            let text = r.get("v").unwrap_or("0");
            let v = whole_number(text).ok_or_else(|| {
                StoreError::Database(format!("{}：合计 {text} 不是整数", agg.table))
            })?;
            Ok((r.get("g").map(str::to_owned), v))
        })
        .collect()
}

/// `key → name` from a table of the cycle (the 院系 names of 1.1.3, the majors of 1.2.1).
pub fn key_names(
    conn: &mut AnyConnection,
    slug: &str,
    key: &str,
    name: &str,
    cycle: i32,
) -> Result<BTreeMap<String, String>, StoreError> {
    let mut q = DynQuery::new(format!(
        "SELECT CAST({} AS TEXT) AS k, CAST({} AS TEXT) AS n FROM {} WHERE cycle = ",
        ident(key),
        ident(name),
        ident(&sql_table(slug))
    ));
    q.bind(SqlValue::Int(i64::from(cycle)));
    let rows: Vec<TextRow> = q.load(conn)?;
    Ok(rows
        .iter()
        .filter_map(|r| Some((r.get("k")?.to_owned(), r.get("n")?.to_owned())))
        .collect())
}

/// A published snapshot of a cycle's indicators.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotRow {
    pub id: i64,
    pub cycle: i32,
    pub version: i32,
    /// `published`, `returned`, `signed_off` or `unsigned` (a table it reads was reopened).
    pub state: String,
    /// The frozen values (see `indicators::Snapshot`), as JSON.
    pub values_json: String,
    /// Tables not yet accepted when it was published.
    pub warnings: Vec<String>,
    pub published_by: String,
    pub published_at: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    pub decision_comment: Option<String>,
    /// 质量部's written override of the sign-off guards on this version: who, when, why.
    pub override_by: Option<String>,
    pub override_at: Option<String>,
    pub override_reason: Option<String>,
    /// The annual report's computed items frozen with this version (none before issue 29).
    pub report_json: Option<String>,
}

/// A leader's comment on one indicator of a snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentRow {
    pub id: i64,
    pub snapshot_id: i64,
    pub indicator: String,
    pub author: String,
    pub author_name: String,
    pub body: String,
    pub at: String,
    /// The version of the snapshot it was written on.
    pub version: i32,
    /// Who resolved it (name and staff number) and when; open while `None`.
    pub resolved_by: Option<String>,
    pub resolved_at: Option<String>,
}

fn text(s: &str) -> SqlValue {
    SqlValue::Text(s.to_owned())
}

fn int(r: &TextRow, name: &str) -> i64 {
    r.get(name).and_then(|v| v.parse().ok()).unwrap_or_default()
}

fn snapshot_of(r: &TextRow) -> SnapshotRow {
    let s = |n: &str| r.get(n).unwrap_or_default().to_owned();
    let o = |n: &str| r.get(n).map(str::to_owned);
    SnapshotRow {
        id: int(r, "id"),
        cycle: i32::try_from(int(r, "cycle")).unwrap_or_default(),
        version: i32::try_from(int(r, "version")).unwrap_or_default(),
        state: s("state"),
        values_json: s("values_json"),
        warnings: serde_json::from_str(r.get("warnings_json").unwrap_or("[]")).unwrap_or_default(),
        published_by: s("published_by"),
        published_at: s("published_at"),
        decided_by: o("decided_by"),
        decided_at: o("decided_at"),
        decision_comment: o("decision_comment"),
        override_by: o("override_by"),
        override_at: o("override_at"),
        override_reason: o("override_reason"),
        report_json: o("report_json"),
    }
}

const SNAPSHOT_COLUMNS: &str = "CAST(id AS TEXT) AS id, CAST(cycle AS TEXT) AS cycle, \
     CAST(version AS TEXT) AS version, state, values_json, warnings_json, published_by, \
     published_at, decided_by, decided_at, decision_comment, override_by, override_at, override_reason, report_json";

/// The newest snapshot of a cycle, if any was published.
pub fn current_snapshot(
    conn: &mut AnyConnection,
    cycle: i32,
) -> Result<Option<SnapshotRow>, StoreError> {
    let rows: Vec<TextRow> = template(
        &format!(
            "SELECT {SNAPSHOT_COLUMNS} FROM indicator_snapshots WHERE cycle = ? ORDER BY version DESC LIMIT 1"
        ),
        vec![SqlValue::Int(i64::from(cycle))],
    )?
    .load(conn)?;
    Ok(rows.first().map(snapshot_of))
}

/// What a new snapshot holds.
pub struct NewSnapshot<'a> {
    pub cycle: i32,
    pub values_json: &'a str,
    /// The annual report's computed items.
    pub report_json: &'a str,
    pub warnings: &'a [String],
    pub published_by: &'a str,
    pub at: &'a str,
}

/// Writes the next version of a cycle's snapshot, in state `published`.
pub fn insert_snapshot(
    conn: &mut AnyConnection,
    s: &NewSnapshot<'_>,
) -> Result<SnapshotRow, StoreError> {
    let version = current_snapshot(conn, s.cycle)?.map_or(1, |c| c.version + 1);
    let warnings = serde_json::to_string(s.warnings).unwrap_or_else(|_| "[]".into());
    template(
        "INSERT INTO indicator_snapshots (cycle, version, state, values_json, warnings_json, published_by, published_at, report_json) VALUES (?, ?, 'published', ?, ?, ?, ?, ?)",
        vec![
            SqlValue::Int(i64::from(s.cycle)),
            SqlValue::Int(i64::from(version)),
            text(s.values_json),
            text(&warnings),
            text(s.published_by),
            text(s.at),
            text(s.report_json),
        ],
    )?
    .execute(conn)?;
    current_snapshot(conn, s.cycle)?
        .ok_or_else(|| StoreError::Database("snapshot vanished after insert".into()))
}

/// Moves a snapshot from `from` to `to` with who decided, when and why; false when it was no
/// longer in `from` (someone else decided first).
pub fn decide_snapshot(
    conn: &mut AnyConnection,
    id: i64,
    from: &str,
    to: &str,
    by: &str,
    at: &str,
    comment: Option<&str>,
) -> Result<bool, StoreError> {
    let changed = template(
        "UPDATE indicator_snapshots SET state = ?, decided_by = ?, decided_at = ?, decision_comment = ? WHERE id = ? AND state = ?",
        vec![
            text(to),
            text(by),
            text(at),
            comment.map_or(SqlValue::Null, text),
            SqlValue::Int(id),
            text(from),
        ],
    )?
    .execute(conn)?;
    Ok(changed == 1)
}

/// Adds a comment to an indicator of a snapshot.
pub fn add_comment(conn: &mut AnyConnection, c: &CommentRow) -> Result<CommentRow, StoreError> {
    let rows: Vec<TextRow> = template(
        "INSERT INTO indicator_comments (snapshot_id, indicator, author, author_name, body, at) VALUES (?, ?, ?, ?, ?, ?) RETURNING CAST(id AS TEXT) AS id",
        vec![
            SqlValue::Int(c.snapshot_id),
            text(&c.indicator),
            text(&c.author),
            text(&c.author_name),
            text(&c.body),
            text(&c.at),
        ],
    )?
    .load(conn)?;
    Ok(CommentRow {
        id: rows.first().map_or(0, |r| int(r, "id")),
        ..c.clone()
    })
}

/// Every comment written on any version of a cycle's core data, oldest first.
pub fn cycle_comments(conn: &mut AnyConnection, cycle: i32) -> Result<Vec<CommentRow>, StoreError> {
    let rows: Vec<TextRow> = template(
        "SELECT CAST(c.id AS TEXT) AS id, CAST(c.snapshot_id AS TEXT) AS snapshot_id, \
         CAST(s.version AS TEXT) AS version, c.indicator, c.author, c.author_name, c.body, c.at, \
         c.resolved_by, c.resolved_at FROM indicator_comments c \
         JOIN indicator_snapshots s ON s.id = c.snapshot_id WHERE s.cycle = ? ORDER BY c.id",
        vec![SqlValue::Int(i64::from(cycle))],
    )?
    .load(conn)?;
    let s = |r: &TextRow, n: &str| r.get(n).unwrap_or_default().to_owned();
    Ok(rows
        .iter()
        .map(|r| CommentRow {
            id: int(r, "id"),
            snapshot_id: int(r, "snapshot_id"),
            indicator: s(r, "indicator"),
            author: s(r, "author"),
            author_name: s(r, "author_name"),
            body: s(r, "body"),
            at: s(r, "at"),
            version: i32::try_from(int(r, "version")).unwrap_or_default(),
            resolved_by: r.get("resolved_by").map(str::to_owned),
            resolved_at: r.get("resolved_at").map(str::to_owned),
        })
        .collect())
}

/// Marks an open comment resolved; false when it was resolved already.
pub fn resolve_comment(
    conn: &mut AnyConnection,
    id: i64,
    by: &str,
    at: &str,
) -> Result<bool, StoreError> {
    let changed = template(
        "UPDATE indicator_comments SET resolved_by = ?, resolved_at = ? WHERE id = ? AND resolved_at IS NULL",
        vec![text(by), text(at), SqlValue::Int(id)],
    )?
    .execute(conn)?;
    Ok(changed == 1)
}

/// Records 质量部's override of the sign-off guards on a snapshot still awaiting the leaders.
pub fn override_guards(
    conn: &mut AnyConnection,
    id: i64,
    by: &str,
    at: &str,
    reason: &str,
) -> Result<bool, StoreError> {
    let changed = template(
        "UPDATE indicator_snapshots SET override_by = ?, override_at = ?, override_reason = ? WHERE id = ? AND state = 'published'",
        vec![text(by), text(at), text(reason), SqlValue::Int(id)],
    )?
    .execute(conn)?;
    Ok(changed == 1)
}

/// A signed-off snapshot back to `unsigned` (its decision kept for the record); false when it
/// was not signed off.
pub fn unsign_snapshot(conn: &mut AnyConnection, id: i64) -> Result<bool, StoreError> {
    let changed = template(
        "UPDATE indicator_snapshots SET state = 'unsigned' WHERE id = ? AND state = 'signed_off'",
        vec![SqlValue::Int(id)],
    )?
    .execute(conn)?;
    Ok(changed == 1)
}

/// The 院领导审核 phase of an installed cycle (`sign_off = true` in its cycle file).
pub fn sign_off_window(
    conn: &mut AnyConnection,
    cycle: i32,
) -> Result<Option<(Option<NaiveDate>, NaiveDate)>, StoreError> {
    let rows: Vec<TextRow> = template(
        "SELECT starts_on, ends_on FROM schedule_tasks WHERE cycle = ? AND kind = 'sign_off_phase'",
        vec![SqlValue::Int(i64::from(cycle))],
    )?
    .load(conn)?;
    let day = |t: Option<&str>| t.and_then(|t| NaiveDate::parse_from_str(t, "%Y-%m-%d").ok());
    Ok(rows
        .first()
        .and_then(|r| Some((day(r.get("starts_on")), day(r.get("ends_on"))?))))
}
