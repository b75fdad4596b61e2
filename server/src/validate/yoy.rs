//! Year-over-year rules: a rule's formula this cycle against the previous cycle, per filling unit
//! of its table (that unit's rows of the table; other tables count whole). A change beyond the
//! rule's `max_change` percent is a finding without a row, which the unit explains.

use std::collections::BTreeSet;

use rust_decimal::Decimal;

use super::rules::RunScope;
use crate::defs::{Catalog, Rule};
use crate::model::decimal::change_percent;
use crate::store::formula::{evaluate, Only};
use crate::store::rules::{rows_per_unit, Violation};
use crate::store::{AnyConnection, StoreError};

/// A change as shown to people: `+30.0`, `-4.2`.
pub fn show_change(mut pct: Decimal) -> String {
    pct.rescale(1);
    if pct > Decimal::ZERO {
        format!("+{pct}")
    } else {
        pct.to_string()
    }
}

/// Runs one year-over-year rule over the scope's cycle against the cycle before it.
pub fn year_over_year(
    conn: &mut AnyConnection,
    catalog: &Catalog,
    rule: &Rule,
    scope: &RunScope<'_>,
) -> Result<Vec<Violation>, StoreError> {
    let (Some(check), Some(table)) = (&rule.yoy, catalog.table_by_code(&rule.table)) else {
        return Ok(Vec::new());
    };
    let units: BTreeSet<String> = match scope.fill_units.and_then(|f| f.get(&table.code)) {
        Some(units) => units.iter().cloned().collect(),
        None => {
            let mut seen = BTreeSet::new();
            for cycle in [scope.cycle, scope.cycle - 1] {
                seen.extend(
                    rows_per_unit(conn, table, cycle)?
                        .into_iter()
                        .map(|(u, _)| u),
                );
            }
            seen
        }
    };
    let mut out = Vec::new();
    for unit in units
        .iter()
        .filter(|u| scope.unit.is_none_or(|only| only == u.as_str()))
    {
        let only = Some(Only::Unit {
            slug: &table.slug,
            unit,
        });
        let Some(previous) = evaluate(conn, &check.value, scope.cycle - 1, only)? else {
            continue;
        };
        if previous.abs() < check.min_previous {
            continue;
        }
        let Some(value) = evaluate(conn, &check.value, scope.cycle, only)? else {
            continue;
        };
        let Some(pct) = change_percent(value, previous) else {
            continue;
        };
        if pct.abs() <= check.max_change {
            continue;
        }
        let values = [
            ("value".to_owned(), value.normalize().to_string()),
            ("previous".to_owned(), previous.normalize().to_string()),
            ("change".to_owned(), show_change(pct)),
        ];
        out.push(Violation {
            rule: rule.id.clone(),
            severity: rule.severity.as_str().to_owned(),
            table_code: table.code.clone(),
            unit: unit.clone(),
            row_id: None,
            row_ref: String::new(),
            field: rule.field.clone(),
            message: rule.render(&values),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_shows_its_sign_and_one_decimal() {
        assert_eq!(show_change(Decimal::new(-42, 1)), "-4.2");
        assert_eq!(show_change(Decimal::from(30)), "+30.0");
    }
}
