//! Moving a whole database: every table's rows from one database into another (`copy`, and
//! `backup`/`restore` through an SQLite file), and a per-table digest (row count and an
//! order-free checksum) that proves two databases hold the same rows.
//!
//! The source is read in one snapshot (PostgreSQL `REPEATABLE READ`, an SQLite read
//! transaction), so a copy taken while the service writes is consistent. The target is written in
//! one transaction and compared with the source's digest before it commits: a copy lands whole
//! and checked, or not at all. Backup files are written and marked complete in `backup`.

mod backup;
mod shape;
mod write;

use std::collections::BTreeSet;

use diesel::connection::SimpleConnection;
use diesel::RunQueryDsl;
use sha2::{Digest as _, Sha256};

use super::conn::AnyConnection;
use super::sql::{ident, DynQuery, SqlValue, TextRow};
use super::{tx, Store, StoreError};
pub use backup::{
    backup_state, incomplete, partial_path, restorable, BackupMeta, BackupState, META,
};
pub use shape::NOT_COPIED;
use shape::{select_sql, Shape};

/// One table's rows, summarised: how many, and a checksum of their contents in any order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableDigest {
    pub table: String,
    pub rows: u64,
    pub checksum: String,
}

/// What receives each row a copy reads (values as text, in the table's column order).
type RowSink<'a> = dyn FnMut(&[Option<String>]) -> Result<(), StoreError> + 'a;

/// Rows read per statement when a table is paged by its id.
const PAGE: i64 = 5000;

impl Store {
    /// The digest of every copied table (see [`NOT_COPIED`]), read in one snapshot, by table
    /// name.
    pub fn digest(&self) -> Result<Vec<TableDigest>, StoreError> {
        let mut conn = self.conn()?;
        let shapes = shape::shapes(&mut conn)?;
        let mut digests = snapshot(&mut conn, |c| {
            shapes
                .iter()
                .map(|s| read_table(c, s, &mut |_| Ok(())))
                .collect::<Result<Vec<_>, _>>()
        })?;
        digests.sort_by(|a, b| a.table.cmp(&b.table));
        Ok(digests)
    }

    /// Copies every row of this database into `target`, which must be migrated and hold no
    /// collected data. With `expected` (a backup's mark), the rows read must be the ones the
    /// backup recorded. Returns the digest both sides were checked to share, by table name.
    pub fn copy_into(
        &self,
        target: &Store,
        expected: Option<&[TableDigest]>,
    ) -> Result<Vec<TableDigest>, StoreError> {
        let mut from = self.conn()?;
        let mut to = target.conn()?;
        write::check_versions(&mut from, &mut to)?;
        let source = shape::shapes(&mut from)?;
        let dest = shape::shapes(&mut to)?;
        let plan = write::plan(&source, &dest)?;
        snapshot(&mut from, |from| {
            tx::write_tx(&mut to, |to| {
                write::refuse_unless_empty(to, &dest)?;
                write::clear(to, &dest)?;
                let mut digests = Vec::with_capacity(plan.len());
                for (src, dst) in &plan {
                    let mut rows = write::Batch::new(src, dst);
                    let digest = read_table(from, src, &mut |row| rows.push(to, row))?;
                    rows.finish(to)?;
                    digests.push(digest);
                }
                if let Some(expected) = expected {
                    write::matches_mark(&digests, expected)?;
                }
                write::move_sequences(to, &dest)?;
                for ((src, _), want) in plan.iter().zip(&digests) {
                    let got = read_table(to, src, &mut |_| Ok(()))?;
                    if &got != want {
                        return Err(StoreError::Database(format!(
                            "表 {} 复制后校验不一致（源 {} 行，目标 {} 行），已回滚",
                            src.name, want.rows, got.rows
                        )));
                    }
                }
                Ok(digests)
            })
        })
        .map(|mut digests| {
            digests.sort_by(|a, b| a.table.cmp(&b.table));
            digests
        })
    }
}

/// Runs `f` inside one read snapshot of `conn`.
fn snapshot<T>(
    conn: &mut AnyConnection,
    f: impl FnOnce(&mut AnyConnection) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    let begin = match conn {
        AnyConnection::Postgresql(_) => "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
        AnyConnection::Sqlite(_) => "BEGIN",
    };
    conn.batch_execute(begin)?;
    let result = f(conn);
    let end = if result.is_ok() { "COMMIT" } else { "ROLLBACK" };
    let closed = conn.batch_execute(end);
    let value = result?;
    closed?;
    Ok(value)
}

/// Reads every row of a table (by its id in pages where it has one), hands each to `each` and
/// returns the table's digest.
fn read_table(
    conn: &mut AnyConnection,
    shape: &Shape,
    each: &mut RowSink<'_>,
) -> Result<TableDigest, StoreError> {
    let pg = matches!(conn, AnyConnection::Postgresql(_));
    let select = select_sql(shape, pg);
    let mut hashes: Vec<[u8; 32]> = Vec::new();
    let mut last: Option<i64> = None;
    let id_at = shape.columns.iter().position(|c| c.name == "id");
    // Qualified: the bare name would mean the text alias of the select list (text order).
    let id = format!("{}.{}", ident(&shape.name), ident("id"));
    loop {
        let mut q = DynQuery::new(select.clone());
        if let Some(after) = last {
            q.sql(" WHERE ").sql(&id).sql(" > ");
            q.bind(SqlValue::Int(after));
        }
        if id_at.is_some() {
            q.sql(" ORDER BY ").sql(&id);
            q.sql(&format!(" LIMIT {PAGE}"));
        }
        let rows: Vec<TextRow> = q.load(conn)?;
        let n = rows.len();
        for row in rows {
            let values: Vec<Option<String>> = row.0.into_iter().map(|(_, v)| v).collect();
            hashes.push(row_hash(&values));
            each(&values)?;
            if let Some(i) = id_at {
                last = values
                    .get(i)
                    .cloned()
                    .flatten()
                    .and_then(|v| v.parse().ok());
            }
        }
        if id_at.is_none() || n < PAGE as usize {
            break;
        }
    }
    hashes.sort_unstable();
    let mut all = Sha256::new();
    for h in &hashes {
        all.update(h);
    }
    Ok(TableDigest {
        table: shape.name.clone(),
        rows: hashes.len() as u64,
        checksum: hex(&all.finalize()),
    })
}

fn row_hash(values: &[Option<String>]) -> [u8; 32] {
    let mut h = Sha256::new();
    for v in values {
        match v {
            None => h.update(b"N"),
            Some(text) => {
                h.update(format!("V{}:", text.len()).as_bytes());
                h.update(text.as_bytes());
            }
        }
    }
    h.finalize().into()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The core migrations a database has run.
fn versions(conn: &mut AnyConnection) -> Result<BTreeSet<String>, StoreError> {
    let rows: Vec<TextRow> =
        DynQuery::new("SELECT CAST(version AS TEXT) AS version FROM __diesel_schema_migrations")
            .load(conn)?;
    Ok(rows
        .iter()
        .filter_map(|r| r.get("version").map(str::to_owned))
        .collect())
}
