//! What tables a database holds, read from its own catalog: columns with their kind and the
//! foreign keys that decide the order in which rows can be written.

use diesel::RunQueryDsl;

use super::super::conn::AnyConnection;
use super::super::sql::{ident, literal, DynQuery, SqlValue, TextRow};
use super::super::StoreError;

/// Tables a copy leaves alone: the migration bookkeeping and the version of the binary that
/// migrated (each side runs its own migrations), the record of the data tables' columns, which
/// describes the target's own schema after sync, and a backup file's completion mark.
pub const NOT_COPIED: [&str; 6] = [
    "__diesel_schema_migrations",
    "statusdata_version",
    "data_tables",
    "data_columns",
    "backup_meta",
    // The BI views' code table on SQLite: refilled from the definitions at every migrate.
    "bi_codes",
];

/// How a column's values travel: every column of the schema is one of these.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Int,
    Bool,
    Text,
    /// BLOB / BYTEA (case attachments): read and written as lower-case hex text.
    Bytes,
}

/// A column and its kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    pub kind: Kind,
}

/// A table's columns and the tables its rows refer to.
#[derive(Debug, Clone)]
pub struct Shape {
    pub name: String,
    pub columns: Vec<Column>,
    /// Other tables this one's foreign keys point to.
    pub parents: Vec<String>,
    /// A foreign key to the table itself (`units.parent → units.code`): (column, referenced column).
    pub self_ref: Option<(String, String)>,
}

impl Shape {
    /// True when the table has an `id` column (paged by it, and a sequence to move on PostgreSQL).
    pub fn has_id(&self) -> bool {
        self.columns.iter().any(|c| c.name == "id")
    }
}

fn texts(conn: &mut AnyConnection, q: DynQuery) -> Result<Vec<Vec<String>>, StoreError> {
    let rows: Vec<TextRow> = q.load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            r.0.into_iter()
                .map(|(_, v)| v.unwrap_or_default())
                .collect()
        })
        .collect())
}

/// `head`, the value bound, then `tail`.
fn bound(head: &str, value: &str, tail: &str) -> DynQuery {
    let mut q = DynQuery::new(head);
    q.bind(SqlValue::Text(value.to_owned())).sql(tail);
    q
}

fn kind_of(declared: &str) -> Kind {
    let t = declared.to_ascii_uppercase();
    if t.contains("BLOB") || t.contains("BYTEA") {
        Kind::Bytes
    } else if t.contains("BOOL") {
        Kind::Bool
    } else if t.contains("INT") {
        Kind::Int
    } else {
        Kind::Text
    }
}

/// Every base table the copy moves, in an order where each table comes after those it refers to.
pub fn shapes(conn: &mut AnyConnection) -> Result<Vec<Shape>, StoreError> {
    let pg = matches!(conn, AnyConnection::Postgresql(_));
    let names = if pg {
        texts(
            conn,
            DynQuery::new(
                "SELECT CAST(table_name AS TEXT) FROM information_schema.tables \
                 WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1",
            ),
        )?
    } else {
        texts(
            conn,
            DynQuery::new(
                "SELECT name FROM sqlite_master WHERE type = 'table' \
                 AND name NOT LIKE 'sqlite_%' ORDER BY 1",
            ),
        )?
    };
    let mut out = Vec::new();
    for row in names {
        let name = row.into_iter().next().unwrap_or_default();
        if NOT_COPIED.contains(&name.as_str()) {
            continue;
        }
        let (cols, fks) = if pg {
            (
                bound(
                    "SELECT CAST(column_name AS TEXT), CAST(data_type AS TEXT) FROM information_schema.columns \
                     WHERE table_schema = current_schema() AND table_name = ",
                    &name,
                    " ORDER BY ordinal_position",
                ),
                bound(
                    "SELECT CAST(kcu.column_name AS TEXT), CAST(ccu.table_name AS TEXT), CAST(ccu.column_name AS TEXT) \
                     FROM information_schema.table_constraints tc \
                     JOIN information_schema.key_column_usage kcu \
                       ON kcu.constraint_name = tc.constraint_name AND kcu.table_schema = tc.table_schema \
                     JOIN information_schema.constraint_column_usage ccu \
                       ON ccu.constraint_name = tc.constraint_name AND ccu.table_schema = tc.table_schema \
                     WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = current_schema() \
                       AND tc.table_name = ",
                    &name,
                    "",
                ),
            )
        } else {
            (
                // Table names come from sqlite_master; quoted as literals, since a pragma
                // function's argument cannot be bound.
                DynQuery::new(format!(
                    "SELECT name, type FROM pragma_table_info({}) ORDER BY cid",
                    literal(&name)
                )),
                DynQuery::new(format!(
                    "SELECT \"from\", \"table\", \"to\" FROM pragma_foreign_key_list({})",
                    literal(&name)
                )),
            )
        };
        let columns = texts(conn, cols)?
            .into_iter()
            .map(|c| Column {
                kind: kind_of(c.get(1).map_or("", String::as_str)),
                name: c.into_iter().next().unwrap_or_default(),
            })
            .collect();
        let mut shape = Shape {
            name: name.clone(),
            columns,
            parents: Vec::new(),
            self_ref: None,
        };
        for fk in texts(conn, fks)? {
            let [from, table, to] = [0, 1, 2].map(|i| fk.get(i).cloned().unwrap_or_default());
            if table == name {
                shape.self_ref = Some((from, to));
            } else if !shape.parents.contains(&table) {
                shape.parents.push(table);
            }
        }
        out.push(shape);
    }
    order(out)
}

/// Orders tables so that every table follows the tables it refers to.
fn order(mut pending: Vec<Shape>) -> Result<Vec<Shape>, StoreError> {
    let mut done: Vec<Shape> = Vec::with_capacity(pending.len());
    while !pending.is_empty() {
        let ready = pending.iter().position(|s| {
            s.parents
                .iter()
                .all(|p| done.iter().any(|d| &d.name == p) || !pending.iter().any(|q| &q.name == p))
        });
        match ready {
            Some(i) => done.push(pending.remove(i)),
            None => {
                let names: Vec<&str> = pending.iter().map(|s| s.name.as_str()).collect();
                return Err(StoreError::Database(format!(
                    "表 {} 的外键互相引用成环，无法确定复制顺序",
                    names.join("、")
                )));
            }
        }
    }
    Ok(done)
}

/// `SELECT` of every column of a table as text, the same on both backends (booleans as 0/1,
/// bytes as lower-case hex).
pub fn select_sql(shape: &Shape, pg: bool) -> String {
    let cols: Vec<String> = shape
        .columns
        .iter()
        .map(|c| {
            let q = ident(&c.name);
            match (c.kind, pg) {
                (Kind::Bool, true) => format!("CAST(CAST({q} AS INTEGER) AS TEXT) AS {q}"),
                (Kind::Bytes, true) => format!("encode({q}, 'hex') AS {q}"),
                (Kind::Bytes, false) => format!("lower(hex({q})) AS {q}"),
                _ => format!("CAST({q} AS TEXT) AS {q}"),
            }
        })
        .collect();
    format!("SELECT {} FROM {}", cols.join(", "), ident(&shape.name))
}
