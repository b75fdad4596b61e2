//! `prev_row(field)`: a field of the row the checked row continues in the previous cycle, found
//! through `row_links` (written by `cycle new --from`, or matched by key), so that a rule compares
//! a teacher, student or major with itself last year even when its key changed. Blank when the
//! row continues nothing (new this year): rules write `when = "prev_row(f) is not null"`.

use super::check::{each_scope, Checker};
use super::parse::PExpr;
use super::{Expr, Scope, Ty};
use crate::defs::Table;

impl Checker<'_> {
    /// Checks `prev_row(field)`: one field of the checked table, outside aggregates.
    pub(super) fn linked_call(
        &mut self,
        args: &[PExpr],
        inner: Option<&Table>,
    ) -> Result<(Expr, Ty), String> {
        if inner.is_some() {
            return Err(
                "prev_row 只能用在本行的表达式中，不能写在 count/sum/lookup 的 where 里".into(),
            );
        }
        if self.whole_table {
            return Err(
                "整表规则（host = \"table\"）没有“本行”，也就没有上一周期的行：不能用 prev_row"
                    .into(),
            );
        }
        let [PExpr::Field(name)] = args else {
            return Err("prev_row 需要 1 个参数：本表的字段名（如 prev_row(title_level)）".into());
        };
        self.column(self.row, name, Scope::Linked)
    }
}

/// True when `e` reads the previous cycle's linked row (the statement then joins it). Aggregates
/// never do: `prev_row` is refused inside them.
pub fn reads_linked(e: &Expr) -> bool {
    let mut linked = false;
    each_scope(e, &mut |s| linked |= s == Scope::Linked);
    linked
}
