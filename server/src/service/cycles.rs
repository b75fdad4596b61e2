//! Cycle use cases: installing a cycle file once (again only when the file changed, audited), and
//! opening the next cycle with last cycle's `carry_forward` rows, all or nothing.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::{require_role, ApiError, ApiResult, Code, Service};
use crate::authz::Access;
use crate::defs::CycleConfig;
use crate::store::links;
use crate::store::tx::Hold;
use crate::store::workflow::{self as wf, CycleSource};
use crate::store::{now, ops, ListQuery, Record, RowScope, WriteCtx};

/// What installing a cycle file did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Installed {
    /// The cycle was not in the database.
    New,
    /// The database holds this file's cycle already; nothing was written.
    Unchanged,
    /// The file changed since it was installed; the schedule was replaced (audited).
    Updated,
}

impl Service {
    /// Installs `file` (the cycle as its file says) unless the database already holds it. With
    /// `demo_today`, the dates move so that today is in the filling phase, once: a later start,
    /// demo or not, leaves an installed cycle's deadlines alone unless its file changed.
    pub fn install_cycle(
        &self,
        who: &Access,
        file: &CycleConfig,
        demo_today: Option<NaiveDate>,
    ) -> ApiResult<Installed> {
        let hash = file.source_hash();
        let installed = self.store.write(|conn| {
            crate::store::tx::hold_key(conn, &format!("cycle:{}", file.dates.year), Hold::Step)?;
            let existing = wf::cycle_source(conn, file.dates.year)?;
            let shift = match (&existing, demo_today) {
                (Some((_, shift)), _) => *shift,
                (None, Some(today)) => file.demo_shift(today),
                (None, None) => 0,
            };
            let source = CycleSource {
                hash: hash.clone(),
                shift_days: shift,
            };
            let outcome = match existing {
                Some((Some(old), _)) if old == hash => return Ok(Installed::Unchanged),
                // Installed before sources were recorded: keep its dates, remember the file.
                Some((None, _)) => {
                    wf::set_cycle_source(conn, file.dates.year, &source)?;
                    return Ok(Installed::Unchanged);
                }
                Some((Some(old), _)) => {
                    let detail =
                        serde_json::json!({ "year": file.dates.year, "from": old, "to": hash });
                    let actor = &who.principal.staff_no;
                    crate::store::audit_in(
                        conn,
                        actor,
                        Some(file.dates.year),
                        "cycle_update",
                        None,
                        detail,
                    )?;
                    Installed::Updated
                }
                None => Installed::New,
            };
            wf::install_cycle(conn, &file.shifted(shift), &now(), &source)?;
            Ok::<_, ApiError>(outcome)
        })?;
        self.forget_default_cycle();
        Ok(installed)
    }

    /// Opens `next` (the cycle after `from`, as its file says) with `from`'s shift of dates, and
    /// copies `from`'s rows of every `carry_forward` table in as drafts, each linked to the row it
    /// continues (`row_links`); all in one transaction,
    /// so a failed run leaves nothing and can simply run again. Returns rows copied per table.
    pub fn open_cycle(
        &self,
        who: &Access,
        next: &CycleConfig,
        from: i32,
    ) -> ApiResult<Vec<(String, usize)>> {
        require_role(who, &["sysadmin"], "只有管理员可以开启新的采集周期")?;
        let catalog = self.store.catalog().clone();
        let copied = self.store.write(|conn| {
            crate::store::tx::hold_key(conn, &format!("cycle:{}", next.dates.year), Hold::Step)?;
            // The source cycle's shift (the demo's); the file's own dates when it is not installed.
            let shift = wf::cycle_source(conn, from)?.map_or(0, |(_, shift)| shift);
            let source = CycleSource {
                hash: next.source_hash(),
                shift_days: shift,
            };
            wf::install_cycle(conn, &next.shifted(shift), &now(), &source)?;
            let mut copied = Vec::new();
            for table in catalog.tables.iter().filter(|t| t.carry_forward) {
                if ops::count_rows(conn, table, &RowScope::All, next.dates.year, None)? > 0 {
                    return Err(ApiError::new(
                        Code::Conflict,
                        format!(
                            "“{} {}”已有 {} 年的数据，未复制任何数据",
                            table.code, table.name, next.dates.year
                        ),
                    ));
                }
                let rows = ops::list_rows(conn, table, &RowScope::All, &ListQuery::all(from))?;
                let mut by_unit: BTreeMap<String, (Vec<i64>, Vec<Record>)> = BTreeMap::new();
                for r in &rows {
                    let (ids, records) = by_unit.entry(r.unit.clone()).or_default();
                    ids.push(r.id);
                    records.push(r.values.clone());
                }
                let stamp = now();
                for (unit, (old_ids, records)) in by_unit {
                    let ctx = WriteCtx {
                        cycle: next.dates.year,
                        unit,
                        actor: who.principal.staff_no.clone(),
                    };
                    let new_ids = ops::bulk_insert(conn, table, &RowScope::All, &ctx, &records)?;
                    // Each copy remembers the row it continues, so identities follow the years.
                    let pairs: Vec<(i64, i64)> = new_ids.into_iter().zip(old_ids).collect();
                    links::link_rows(conn, table, next.dates.year, from, &pairs, &stamp)?;
                }
                copied.push((table.code.clone(), rows.len()));
            }
            let detail =
                serde_json::json!({ "year": next.dates.year, "from": from, "copied": copied });
            crate::store::audit_in(
                conn,
                &who.principal.staff_no,
                Some(next.dates.year),
                "cycle_new",
                None,
                detail,
            )?;
            Ok::<_, ApiError>(copied)
        })?;
        self.forget_default_cycle();
        Ok(copied)
    }
}
