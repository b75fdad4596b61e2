//! Cycle rows with their schedule (tasks, phases, deadlines) and where they were installed from.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use diesel::prelude::*;

use crate::defs::CycleConfig;
use crate::model::CycleDates;
use crate::store::conn::AnyConnection;
use crate::store::schema::{cycles, per_backend, schedule_tasks};
use crate::store::StoreError;

/// A date as the cycle columns store it.
fn day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn parse_day(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// Where an installed cycle came from: the hash of its cycle file and how many days its dates
/// were moved (the demo's shift; 0 for the notice's dates).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CycleSource {
    pub hash: String,
    pub shift_days: i64,
}

impl CycleSource {
    fn shift(&self) -> i32 {
        i32::try_from(self.shift_days).unwrap_or(0)
    }
}

/// The source of an installed cycle: `None` when the cycle is not installed; a hash of `None`
/// when it was installed before sources were recorded.
pub fn cycle_source(
    conn: &mut AnyConnection,
    year: i32,
) -> Result<Option<(Option<String>, i64)>, StoreError> {
    let found: Option<(Option<String>, i32)> = cycles::table
        .find(year)
        .select((cycles::source_hash, cycles::shift_days))
        .first(conn)
        .optional()?;
    Ok(found.map(|(hash, shift)| (hash, i64::from(shift))))
}

/// Records the source of a cycle installed before sources were recorded.
pub fn set_cycle_source(
    conn: &mut AnyConnection,
    year: i32,
    source: &CycleSource,
) -> Result<(), StoreError> {
    diesel::update(cycles::table.find(year))
        .set((
            cycles::source_hash.eq(&source.hash),
            cycles::shift_days.eq(source.shift()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Whether the cycle `year` is installed.
pub(crate) fn cycle_installed(conn: &mut AnyConnection, year: i32) -> Result<bool, StoreError> {
    let found: Option<i32> = cycles::table
        .find(year)
        .select(cycles::year)
        .first(conn)
        .optional()?;
    Ok(found.is_some())
}

/// A cycle row as written: its dates, whether it is open and where it came from.
#[derive(Insertable)]
#[diesel(table_name = cycles)]
pub(crate) struct CycleRow {
    year: i32,
    period_start: String,
    period_end: String,
    finance_year: i32,
    snapshot_date: String,
    is_open: bool,
    created_at: String,
    source_hash: Option<String>,
    shift_days: i32,
}

impl CycleRow {
    pub(crate) fn new(
        dates: &CycleDates,
        open: bool,
        now: &str,
        source: Option<&CycleSource>,
    ) -> Self {
        CycleRow {
            year: dates.year,
            period_start: day(dates.start),
            period_end: day(dates.end),
            finance_year: dates.finance_year,
            snapshot_date: day(dates.snapshot),
            is_open: open,
            created_at: now.to_owned(),
            source_hash: source.map(|s| s.hash.clone()),
            shift_days: source.map_or(0, CycleSource::shift),
        }
    }
}

/// Writes a cycle and replaces its schedule (tasks, phases, deadlines).
pub fn install_cycle(
    conn: &mut AnyConnection,
    c: &CycleConfig,
    now: &str,
    source: &CycleSource,
) -> Result<(), StoreError> {
    crate::store::tx::write_tx(conn, |conn| {
        diesel::delete(schedule_tasks::table.filter(schedule_tasks::cycle.eq(c.dates.year)))
            .execute(conn)?;
        write_cycle_row(conn, c, now, source)?;
        let schedule = schedule(c);
        if !schedule.is_empty() {
            // diesel's MultiConnection inserts one row per statement; each backend, many.
            per_backend!(conn, c => diesel::insert_into(schedule_tasks::table)
                .values(&schedule)
                .execute(c)?);
        }
        Ok(())
    })
}

/// Updates the dates and source of an installed cycle, or installs it open.
fn write_cycle_row(
    conn: &mut AnyConnection,
    c: &CycleConfig,
    now: &str,
    source: &CycleSource,
) -> Result<(), StoreError> {
    let dates = &c.dates;
    if cycle_installed(conn, dates.year)? {
        diesel::update(cycles::table.find(dates.year))
            .set((
                cycles::period_start.eq(day(dates.start)),
                cycles::period_end.eq(day(dates.end)),
                cycles::finance_year.eq(dates.finance_year),
                cycles::snapshot_date.eq(day(dates.snapshot)),
                cycles::source_hash.eq(&source.hash),
                cycles::shift_days.eq(source.shift()),
            ))
            .execute(conn)?;
    } else {
        diesel::insert_into(cycles::table)
            .values(CycleRow::new(dates, true, now, Some(source)))
            .execute(conn)?;
    }
    Ok(())
}

/// One line of a cycle's schedule.
#[derive(Insertable)]
#[diesel(table_name = schedule_tasks)]
struct ScheduleLine {
    cycle: i32,
    kind: &'static str,
    task_no: String,
    title: String,
    units: String,
    table_code: Option<String>,
    starts_on: Option<String>,
    ends_on: String,
}

/// The schedule of a cycle file: its tasks, then its phases, then its deadlines.
fn schedule(c: &CycleConfig) -> Vec<ScheduleLine> {
    let tasks = c.tasks.iter().map(|t| ScheduleLine {
        cycle: c.dates.year,
        kind: "task",
        task_no: t.no.clone(),
        title: t.title.clone(),
        units: serde_json::to_string(&t.units).unwrap_or_else(|_| "[]".into()),
        table_code: None,
        starts_on: Some(day(t.start)),
        ends_on: day(t.end),
    });
    let phases = c.phases.iter().map(|p| ScheduleLine {
        cycle: c.dates.year,
        kind: if p.filling {
            "filling_phase"
        } else if p.sign_off {
            "sign_off_phase"
        } else {
            "phase"
        },
        task_no: p.no.clone(),
        title: p.name.clone(),
        units: "[]".into(),
        table_code: None,
        starts_on: p.start.map(day),
        ends_on: day(p.end),
    });
    let deadlines = c.deadlines.iter().map(|(code, d)| ScheduleLine {
        cycle: c.dates.year,
        kind: "deadline",
        task_no: code.clone(),
        title: code.clone(),
        units: "[]".into(),
        table_code: Some(code.clone()),
        starts_on: None,
        ends_on: day(*d),
    });
    tasks.chain(phases).chain(deadlines).collect()
}

/// The deadlines of a cycle by table code; `None` when the cycle is not installed.
pub fn deadlines(
    conn: &mut AnyConnection,
    year: i32,
) -> Result<Option<BTreeMap<String, NaiveDate>>, StoreError> {
    if !cycle_installed(conn, year)? {
        return Ok(None);
    }
    let rows: Vec<(Option<String>, String)> = schedule_tasks::table
        .filter(schedule_tasks::kind.eq("deadline"))
        .filter(schedule_tasks::cycle.eq(year))
        .select((schedule_tasks::table_code, schedule_tasks::ends_on))
        .load(conn)?;
    Ok(Some(
        rows.into_iter()
            .filter_map(|(code, ends)| Some((code?, parse_day(&ends)?)))
            .collect(),
    ))
}

/// The dates of `cycle` as installed, or the notice's rule when it is not installed.
pub fn cycle_dates(conn: &mut AnyConnection, cycle: i32) -> Result<CycleDates, StoreError> {
    Ok(list_cycles(conn)?
        .into_iter()
        .find(|c| c.year == cycle)
        .unwrap_or_else(|| CycleDates::standard(cycle)))
}

/// The installed cycles, newest first.
pub fn list_cycles(conn: &mut AnyConnection) -> Result<Vec<CycleDates>, StoreError> {
    let rows: Vec<(i32, String, String, i32, String)> = cycles::table
        .select((
            cycles::year,
            cycles::period_start,
            cycles::period_end,
            cycles::finance_year,
            cycles::snapshot_date,
        ))
        .order(cycles::year.desc())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(year, start, end, finance_year, snapshot)| {
            Some(CycleDates {
                year,
                start: parse_day(&start)?,
                end: parse_day(&end)?,
                finance_year,
                snapshot: parse_day(&snapshot)?,
            })
        })
        .collect())
}

/// The newest open cycle, if any is installed.
pub fn newest_open_cycle(conn: &mut AnyConnection) -> Result<Option<i32>, StoreError> {
    Ok(cycles::table
        .filter(cycles::is_open.eq(true))
        .select(cycles::year)
        .order(cycles::year.desc())
        .first(conn)
        .optional()?)
}
