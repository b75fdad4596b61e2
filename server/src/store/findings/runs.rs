//! The runs of the rules, one line each, for the quality report's trend.

use diesel::RunQueryDsl;

use super::super::conn::AnyConnection;
use super::super::sql::{DynQuery, SqlValue, TextRow};
use super::super::StoreError;
use super::text;

/// One run of the rules, for the report's trend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QualityRun {
    pub cycle: i32,
    /// `全部` or the table code the run was limited to.
    pub scope: String,
    pub actor: String,
    pub started_at: String,
    pub finished_at: String,
    pub rules: i64,
    pub errors: i64,
    pub warnings: i64,
    pub opened: i64,
    pub resolved: i64,
}

/// Records a run.
pub fn record_run(conn: &mut AnyConnection, run: &QualityRun) -> Result<(), StoreError> {
    let mut q = DynQuery::new(
        "INSERT INTO quality_runs (cycle, scope, actor, started_at, finished_at, rules, errors, \
         warnings, opened, resolved) VALUES (",
    );
    q.bind(SqlValue::Int(i64::from(run.cycle)));
    for t in [&run.scope, &run.actor, &run.started_at, &run.finished_at] {
        q.sql(", ");
        q.bind(SqlValue::Text(t.clone()));
    }
    for n in [
        run.rules,
        run.errors,
        run.warnings,
        run.opened,
        run.resolved,
    ] {
        q.sql(", ");
        q.bind(SqlValue::Int(n));
    }
    q.sql(")");
    q.execute(conn)?;
    Ok(())
}

/// The runs of a cycle, oldest first.
pub fn list_runs(conn: &mut AnyConnection, cycle: i32) -> Result<Vec<QualityRun>, StoreError> {
    let mut q = DynQuery::new(
        "SELECT CAST(cycle AS TEXT) AS cycle, scope, actor, started_at, finished_at, \
         CAST(rules AS TEXT) AS rules, CAST(errors AS TEXT) AS errors, \
         CAST(warnings AS TEXT) AS warnings, CAST(opened AS TEXT) AS opened, \
         CAST(resolved AS TEXT) AS resolved FROM quality_runs WHERE cycle = ",
    );
    q.bind(SqlValue::Int(i64::from(cycle)));
    q.sql(" ORDER BY id");
    let rows: Vec<TextRow> = q.load(conn)?;
    let n = |r: &TextRow, f: &str| r.get(f).and_then(|v| v.parse().ok()).unwrap_or(0);
    Ok(rows
        .iter()
        .map(|r| QualityRun {
            cycle: n(r, "cycle") as i32,
            scope: text(r, "scope"),
            actor: text(r, "actor"),
            started_at: text(r, "started_at"),
            finished_at: text(r, "finished_at"),
            rules: n(r, "rules"),
            errors: n(r, "errors"),
            warnings: n(r, "warnings"),
            opened: n(r, "opened"),
            resolved: n(r, "resolved"),
        })
        .collect())
}
