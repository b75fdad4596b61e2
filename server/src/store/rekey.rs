//! A key change on a table that holds rows: the new unique index can only be built when no two
//! rows of a unit and cycle share the new key. A key that drops a field (1.2.1 from 专业代码 +
//! 专业方向 to 专业代码) may merge rows that were distinct; no flag can decide which row to
//! keep, so the migration names the clashing rows and the administrator merges them first.

use diesel::RunQueryDsl;

use super::conn::AnyConnection;
use super::sql::{ident, DynQuery, TextRow};
use super::StoreError;
use crate::defs::{naming, Table};

/// How many clashing keys a refusal names.
const SHOWN: usize = 5;

/// Why `table`'s stored rows cannot take its (new) key, or `None` when they can.
pub(super) fn clash(conn: &mut AnyConnection, table: &Table) -> Result<Option<String>, StoreError> {
    if table.key.is_empty() {
        return Ok(None);
    }
    let cols: Vec<String> = ["cycle", "unit"]
        .into_iter()
        .chain(table.key.iter().map(String::as_str))
        .map(ident)
        .collect();
    let shown: Vec<String> = cols
        .iter()
        .enumerate()
        .map(|(i, c)| format!("CAST({c} AS TEXT) AS k{i}"))
        .collect();
    // A blank key field never clashes in a unique index (NULLs are distinct), so neither here.
    let filled: Vec<String> = cols.iter().map(|c| format!("{c} IS NOT NULL")).collect();
    let sql = format!(
        "SELECT {}, CAST(COUNT(*) AS TEXT) AS n FROM {} WHERE {} GROUP BY {} HAVING COUNT(*) > 1 ORDER BY {} LIMIT {}",
        shown.join(", "),
        ident(&naming::sql_table(&table.slug)),
        filled.join(" AND "),
        cols.join(", "),
        cols.join(", "),
        SHOWN + 1
    );
    let rows: Vec<TextRow> = DynQuery::new(sql).load(conn)?;
    if rows.is_empty() {
        return Ok(None);
    }
    let mut named: Vec<String> = rows
        .iter()
        .take(SHOWN)
        .map(|r| {
            let key: Vec<String> = ["cycle", "unit"]
                .into_iter()
                .chain(table.key.iter().map(String::as_str))
                .enumerate()
                .map(|(i, name)| format!("{name}={}", r.get(&format!("k{i}")).unwrap_or("")))
                .collect();
            format!("{} ({} rows)", key.join(", "), r.get("n").unwrap_or("?"))
        })
        .collect();
    if rows.len() > SHOWN {
        named.push("…".into());
    }
    Ok(Some(format!(
        "table {} changes its key to ({}) but stored rows share a new key: {}; merge or delete those rows (or restore the old key in {}) and run migrate again; --allow-destructive does not help, since no row can be chosen for you",
        table.code,
        table.key.join(", "),
        named.join("; "),
        table.file.display()
    )))
}
