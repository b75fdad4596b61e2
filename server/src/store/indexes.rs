//! Indexes for the lists' filters and statistics for the planner.
//!
//! Every key field, reference, code-list field and field marked `index = true` gets an index on
//! (cycle, field, unit), created additively (`IF NOT EXISTS`) by every sync. The field comes
//! before the unit because the widest readers (reviewers, 质量部, BI tokens) filter on the field
//! without naming a unit; a unit-scoped reader's `unit IN (…)` is then the index's third column.
//! A reference created before this kept its older (cycle, field) index under the same name.

use diesel::connection::SimpleConnection;

use super::conn::AnyConnection;
use super::sql::ident;
use super::StoreError;
use crate::defs::{naming, Catalog, Field, FieldType, Table};

/// True for the fields that get an index.
pub fn indexed(table: &Table, f: &Field) -> bool {
    f.index
        || table.key.contains(&f.name)
        || matches!(f.ty, FieldType::Ref { .. } | FieldType::Enum { .. })
}

/// Creates the missing indexes of every data table; returns how many statements ran.
pub fn ensure_indexes(conn: &mut AnyConnection, catalog: &Catalog) -> Result<usize, StoreError> {
    let mut ddl = String::new();
    let mut n = 0;
    for table in &catalog.tables {
        let t = ident(&naming::sql_table(&table.slug));
        for f in table.fields.iter().filter(|f| indexed(table, f)) {
            ddl.push_str(&format!(
                "CREATE INDEX IF NOT EXISTS {} ON {t} (cycle, {}, unit);\n",
                ident(&naming::column_index(&table.slug, &f.name)),
                ident(&f.name)
            ));
            n += 1;
        }
    }
    if n > 0 {
        conn.batch_execute(&ddl)?;
    }
    Ok(n)
}

/// Refreshes the planner's statistics where the database does not do it itself: SQLite never
/// runs ANALYZE on its own, and without it picks the key index's `cycle` prefix and sorts every
/// match. `PRAGMA optimize` analyses only the tables whose statistics are stale or missing.
/// PostgreSQL's autovacuum analyses by itself.
pub fn optimize(conn: &mut AnyConnection) -> Result<(), StoreError> {
    if let AnyConnection::Sqlite(c) = conn {
        c.batch_execute("PRAGMA analysis_limit = 1000; PRAGMA optimize = 0x10002;")?;
    }
    Ok(())
}

/// Refreshes the statistics of one data table (or of all) at once, after a bulk change (a seed,
/// an import) that `PRAGMA optimize`'s growth test may not catch.
pub fn analyze(conn: &mut AnyConnection, table: Option<&Table>) -> Result<(), StoreError> {
    let target = table.map_or_else(String::new, |t| ident(&naming::sql_table(&t.slug)));
    match conn {
        AnyConnection::Sqlite(c) => {
            c.batch_execute(&format!("PRAGMA analysis_limit = 1000; ANALYZE {target};"))?
        }
        AnyConnection::Postgresql(c) => c.batch_execute(&format!("ANALYZE {target}"))?,
    }
    Ok(())
}
