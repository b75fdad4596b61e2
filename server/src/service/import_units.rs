//! Which unit each imported row belongs to: the one the import is for, or the 填报单位 the row
//! names (a file exported by 质量部 holds every unit's rows). Each unit a row names passes the
//! same unit check as a single-unit import ([`Service::write_ctx`]); the store then checks each
//! unit's state and deadline in the one transaction (`import::store_import`).

use std::collections::BTreeMap;

use super::import::{Batch, WriteCtx};
use super::{ApiError, Code, Service};
use crate::authz::Access;
use crate::store::Record;
use crate::xlsx::import::{ImportProblem, Parsed};

impl Service {
    /// The parsed rows grouped by unit, in unit order (so that two imports take the units' locks
    /// in one order); rows without a 填报单位 go to `ctx`'s unit. A row naming an unknown unit,
    /// or one the caller may not fill for, is a problem of that row: such a file writes nothing.
    /// A file without rows is one empty batch for `ctx`'s unit (a replace that empties it).
    pub fn import_batches(
        &self,
        who: &Access,
        ctx: &WriteCtx,
        parsed: &Parsed,
    ) -> (Vec<Batch>, Vec<ImportProblem>) {
        let mut by_unit: BTreeMap<String, Vec<(usize, Record)>> = BTreeMap::new();
        let mut checked: BTreeMap<&str, Result<String, ApiError>> = BTreeMap::new();
        let mut problems = Vec::new();
        for (at, record) in &parsed.rows {
            let unit = match parsed.units.get(at) {
                None => Ok(ctx.unit.clone()),
                Some(given) => checked
                    .entry(given.as_str())
                    .or_insert_with(|| {
                        self.write_ctx(who, Some(ctx.cycle), Some(given))
                            .map(|c| c.unit)
                    })
                    .clone(),
            };
            match unit {
                Ok(unit) => by_unit.entry(unit).or_default().push((*at, record.clone())),
                Err(e) => problems.push(self.unit_problem(who, *at, &parsed.units[at], &e)),
            }
        }
        if by_unit.is_empty() && problems.is_empty() {
            by_unit.insert(ctx.unit.clone(), Vec::new());
        }
        let batches = by_unit
            .into_iter()
            .map(|(unit, rows)| Batch {
                ctx: WriteCtx {
                    unit,
                    ..ctx.clone()
                },
                rows,
            })
            .collect();
        (batches, problems)
    }

    /// The problem of row `at`, whose 填报单位 `given` was refused with `e`.
    fn unit_problem(&self, who: &Access, at: usize, given: &str, e: &ApiError) -> ImportProblem {
        let message = if e.code == Code::Forbidden {
            format!(
                "第 {at} 行的填报单位是“{}”，不是您可以填报的单位：只能导入本单位（{}）的数据，请删除这一行或清空填报单位",
                self.unit_shown(given),
                self.unit_shown(&who.principal.unit)
            )
        } else {
            format!("第 {at} 行的填报单位“{given}”：{}", e.message)
        };
        ImportProblem {
            row: at,
            field: crate::xlsx::UNIT_KEY.into(),
            rule: "unit".into(),
            message,
        }
    }

    /// A unit as people read it: "name（code）", or as given when no unit has that code or name.
    pub(super) fn unit_shown(&self, given: &str) -> String {
        match self.unit_code(given) {
            Ok(code) => format!(
                "{}（{code}）",
                crate::xlsx::flat::unit_name(&self.units, &code)
            ),
            Err(_) => given.to_owned(),
        }
    }
}
