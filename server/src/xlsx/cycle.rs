//! The whole cycle as one workbook, for whoever asks (`/export/{cycle}/all.xlsx` or
//! `statusdata export`): a cover with the school, the caller and each table's acceptance, then
//! every table the caller may read, in the notice's order.

use crate::authz::{Access, Action, Policy};
use crate::defs::{Table, Units};
use crate::store::{ListQuery, RowScope, Store, StoredRow, Value};
use crate::workflow::{progress, State};

use super::export::{cycle_workbook, Cover};

/// Builds the workbook, with `note` as a warning on the cover (the core data not yet signed
/// off); `on_table` is called before each table is read (for progress bars).
#[expect(
    clippy::too_many_arguments,
    reason = "what the workbook shows, whose view, when, and the progress callback"
)]
pub fn whole_cycle(
    store: &Store,
    units: &Units,
    policy: &Policy,
    access: &Access,
    cycle: i32,
    now: chrono::DateTime<chrono::Utc>,
    note: Option<&str>,
    on_table: &mut dyn FnMut(&Table),
) -> Result<Vec<u8>, String> {
    let catalog = store.catalog().clone();
    let fill = policy.unit_codes(&catalog, units, Action::Fill);
    let entries = progress::progress(
        store,
        &catalog,
        units,
        &fill,
        cycle,
        progress::today(now),
        now,
    )
    .map_err(|e| e.to_string())?
    .unwrap_or_default();
    let school = school_name(store, cycle);
    let who = format!("{}（{}）", access.principal.name, access.principal.staff_no);
    let at = now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let cover = Cover {
        school: &school,
        cycle,
        generated_by: &who,
        generated_at: &at,
        note,
    };
    let states = |t: &Table| {
        let mine: Vec<_> = entries.iter().filter(|e| e.table == t.code).collect();
        let accepted = mine.iter().filter(|e| e.state == State::Accepted).count();
        format!("已验收 {accepted}/{}", mine.len())
    };
    let mut rows_of = |t: &Table| {
        on_table(t);
        if !access.can(&t.code, Action::Read) {
            return Ok(Vec::new());
        }
        store
            .list(t, &access.read_scope(&t.code), &ListQuery::all(cycle))
            .map_err(|e| e.to_string())
    };
    cycle_workbook(&catalog, units, &cover, &states, &mut rows_of)
}

/// The school's name from 1.1.1, or empty before it is filled.
fn school_name(store: &Store, cycle: i32) -> String {
    let rows: Vec<StoredRow> = store
        .catalog()
        .table_by_code("1.1.1")
        .and_then(|t| {
            store
                .list(
                    t,
                    &RowScope::All,
                    &ListQuery {
                        limit: Some(1),
                        ..ListQuery::all(cycle)
                    },
                )
                .ok()
        })
        .unwrap_or_default();
    match rows.first().and_then(|r| r.values.get("school_name")) {
        Some(Value::Text(s)) => s.clone(),
        _ => String::new(),
    }
}
