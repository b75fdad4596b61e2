//! The previous cycle's linked row in a rule's statement (`prev_row(field)`): the checked row `t`
//! is joined, through its `row_links` entry, with the row it continues (alias `lp`). A row that
//! continues nothing gets blanks, so `prev_row` is blank for a new teacher or student.

use super::sql::{ident, DynQuery, SqlValue};
use crate::defs::naming::sql_table;
use crate::defs::rules::reads_linked;
use crate::defs::{Rule, Table};

/// The alias of the linked row.
pub(super) const ALIAS: &str = "lp";

/// Joins the linked row when the rule reads it (a row has at most one link per table).
pub(super) fn join_linked(q: &mut DynQuery, table: &Table, rule: &Rule) {
    let reads = rule
        .when
        .iter()
        .chain([&rule.check])
        .chain(rule.placeholders.iter().map(|p| &p.expr))
        .any(reads_linked);
    if !reads {
        return;
    }
    q.sql(" LEFT JOIN row_links lk ON lk.table_code = ");
    q.bind(SqlValue::Text(table.code.clone()));
    q.sql(&format!(
        " AND lk.row_id = t.id LEFT JOIN {} {ALIAS} ON {ALIAS}.id = lk.prev_id",
        ident(&sql_table(&table.slug))
    ));
}
