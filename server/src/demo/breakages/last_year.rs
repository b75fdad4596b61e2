//! The planted break of the rules that compare a row with its linked row last year
//! (`prev_row`, `table-defs/rules/linked-years.toml`). Last year is derived from this year after
//! the catalogue's breaks, so a break of this year's row would be last year's too: here last
//! year's row changes instead — a teacher held a higher title then than now.

use super::super::previous::Rows;
use super::super::{t, Breakage};
use crate::store::Value;

/// Gives one carried-forward teacher of `last_year` (none another family broke) a title level
/// one above this year's, and reports it as the `LINK` family's break.
pub(in crate::demo) fn plant_last_year(
    last_year: &mut Rows,
    broken: &[Breakage],
) -> Option<Breakage> {
    let rows = last_year.get_mut("1.4.1")?;
    for (unit, rec) in rows.iter_mut() {
        let Some(Value::Text(no)) = rec.get("teacher_no").cloned() else {
            continue;
        };
        let row = format!("teacher_no={}", serde_json::Value::String(no.clone()));
        if broken.iter().any(|b| b.table == "1.4.1" && b.row == row) {
            continue;
        }
        let Some(Value::Text(level)) = rec.get("title_level").cloned() else {
            continue;
        };
        let higher = match level.as_str() {
            "2" => "1",
            "3" => "2",
            "4" => "3",
            _ => continue,
        };
        rec.insert("title_level".into(), t(higher));
        return Some(Breakage {
            table: "1.4.1".into(),
            unit: unit.clone(),
            row,
            field: "title_level".into(),
            what: format!("[LINK] 工号 {no} 的专业技术职务级别去年为 {higher}，今年降为 {level}"),
        });
    }
    None
}
