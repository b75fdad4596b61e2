//! The target side of a copy: what may be copied where, emptying the target's seeded tables, and
//! writing rows in multi-row statements.

use diesel::RunQueryDsl;

use super::super::conn::AnyConnection;
use super::super::sql::{ident, literal, DynQuery, SqlValue, TextRow};
use super::super::StoreError;
use super::shape::{Kind, Shape};
use super::{versions, TableDigest};

/// Tables whose rows mean the target already holds collected data (a restore never merges).
fn holds_data(table: &str) -> bool {
    matches!(table, "users" | "cycles" | "audit_log" | "submissions") || table.starts_with("d_")
}

/// Refuses a source that ran migrations this binary does not know (a backup from a newer
/// statusdata): its rows may carry meaning the target cannot keep.
pub fn check_versions(from: &mut AnyConnection, to: &mut AnyConnection) -> Result<(), StoreError> {
    if let Some(v) = crate::store::migrate_version(from)?
        .filter(|v| crate::version::compare(v, &crate::version::current()).is_gt())
    {
        return Err(StoreError::Config(format!(
            "源数据库已由更新的 statusdata {v} 迁移，本程序是 {}：请用 {v} 或更新的程序",
            crate::version::current()
        )));
    }
    let known = versions(to)?;
    let newer: Vec<String> = versions(from)?.difference(&known).cloned().collect();
    if newer.is_empty() {
        Ok(())
    } else {
        Err(StoreError::Config(format!(
            "源数据库来自更新版本的 statusdata（迁移 {}），请先升级本程序再恢复",
            newer.join(", ")
        )))
    }
}

/// Pairs each source table with the target table it fills, in the target's order (parents
/// first, whatever foreign keys the source declares); refuses anything the target cannot hold
/// without losing data.
pub fn plan<'a>(
    source: &'a [Shape],
    dest: &'a [Shape],
) -> Result<Vec<(&'a Shape, &'a Shape)>, StoreError> {
    let mut missing = Vec::new();
    for src in source {
        let Some(dst) = dest.iter().find(|d| d.name == src.name) else {
            missing.push(format!("表 {} 在目标数据库中不存在", src.name));
            continue;
        };
        for col in &src.columns {
            if !dst.columns.iter().any(|c| c.name == col.name) {
                missing.push(format!(
                    "表 {} 的列 {} 在目标数据库中不存在",
                    src.name, col.name
                ));
            }
        }
    }
    if !missing.is_empty() {
        return Err(StoreError::Config(format!(
            "目标数据库的表定义与源数据库不一致，未复制任何数据（用与源相同的 table-defs 运行）：\n{}",
            missing.join("\n")
        )));
    }
    Ok(dest
        .iter()
        .filter_map(|dst| source.iter().find(|s| s.name == dst.name).map(|s| (s, dst)))
        .collect())
}

/// Refuses rows that differ from what a backup's mark recorded (a damaged or altered file).
pub fn matches_mark(read: &[TableDigest], mark: &[TableDigest]) -> Result<(), StoreError> {
    let differ: Vec<String> = read
        .iter()
        .filter(|d| !mark.contains(d))
        .map(|d| {
            let want = mark.iter().find(|m| m.table == d.table);
            format!(
                "表 {}：读到 {} 行，备份记录为 {} 行{}",
                d.table,
                d.rows,
                want.map_or(0, |m| m.rows),
                if want.is_some_and(|m| m.rows == d.rows) {
                    "（内容校验和不同）"
                } else {
                    ""
                }
            )
        })
        .collect();
    if differ.is_empty() && read.len() == mark.len() {
        Ok(())
    } else {
        Err(StoreError::Config(format!(
            "备份文件的内容与其完成标记记录的不一致（文件损坏或被改动），未恢复任何数据：\n{}",
            differ.join("\n")
        )))
    }
}

/// Refuses a target that already holds collected data.
pub fn refuse_unless_empty(conn: &mut AnyConnection, dest: &[Shape]) -> Result<(), StoreError> {
    for shape in dest.iter().filter(|s| holds_data(&s.name)) {
        let rows: Vec<TextRow> = DynQuery::new(format!(
            "SELECT CAST(COUNT(*) AS TEXT) AS n FROM {}",
            ident(&shape.name)
        ))
        .load(conn)?;
        let n = rows.first().and_then(|r| r.get("n")).unwrap_or("0");
        if n != "0" {
            return Err(StoreError::Config(format!(
                "目标数据库不是空的：表 {} 已有 {n} 行；只能复制或恢复到新建的空数据库",
                shape.name
            )));
        }
    }
    Ok(())
}

/// Empties every target table (children first): migrate seeded the units from the target's own
/// file, the source's are the ones that count.
pub fn clear(conn: &mut AnyConnection, dest: &[Shape]) -> Result<(), StoreError> {
    for shape in dest.iter().rev() {
        DynQuery::new(format!("DELETE FROM {}", ident(&shape.name))).execute(conn)?;
    }
    Ok(())
}

/// After rows arrive with their ids, PostgreSQL's identity sequences must continue after them.
pub fn move_sequences(conn: &mut AnyConnection, dest: &[Shape]) -> Result<(), StoreError> {
    if !matches!(conn, AnyConnection::Postgresql(_)) {
        return Ok(()); // SQLite's AUTOINCREMENT follows the largest id inserted.
    }
    for shape in dest.iter().filter(|s| s.has_id()) {
        let table = literal(&ident(&shape.name));
        DynQuery::new(format!(
            "SELECT setval(pg_get_serial_sequence({table}, 'id'), m) FROM \
             (SELECT MAX(id) AS m FROM {}) x \
             WHERE m IS NOT NULL AND pg_get_serial_sequence({table}, 'id') IS NOT NULL",
            ident(&shape.name)
        ))
        .execute(conn)?;
    }
    Ok(())
}

/// Rows on their way into one target table, written in multi-row `INSERT`s.
pub struct Batch<'a> {
    src: &'a Shape,
    kinds: Vec<Kind>,
    rows: Vec<Vec<SqlValue>>,
    per_statement: usize,
}

impl<'a> Batch<'a> {
    pub fn new(src: &'a Shape, dst: &'a Shape) -> Self {
        let kinds = src
            .columns
            .iter()
            .map(|c| {
                dst.columns
                    .iter()
                    .find(|d| d.name == c.name)
                    .map_or(c.kind, |d| d.kind)
            })
            .collect();
        // Well under SQLite's 32,766 and PostgreSQL's 65,535 bound parameters per statement.
        let per_statement = (20_000 / src.columns.len().max(1)).clamp(1, 500);
        Batch {
            src,
            kinds,
            rows: Vec::new(),
            per_statement,
        }
    }

    /// Adds a row (values as read, in the source's column order).
    pub fn push(
        &mut self,
        conn: &mut AnyConnection,
        row: &[Option<String>],
    ) -> Result<(), StoreError> {
        let mut values = Vec::with_capacity(row.len());
        for ((value, kind), col) in row.iter().zip(&self.kinds).zip(&self.src.columns) {
            values.push(match (value, kind) {
                (None, _) => SqlValue::Null,
                (Some(v), Kind::Text | Kind::Bytes) => SqlValue::Text(v.clone()),
                (Some(v), Kind::Bool) => SqlValue::Bool(matches!(v.as_str(), "1" | "t" | "true")),
                (Some(v), Kind::Int) => {
                    SqlValue::Int(v.parse().map_err(|_| StoreError::Invalid {
                        table: self.src.name.clone(),
                        field: col.name.clone(),
                        message: format!("“{v}”不是整数，无法复制"),
                    })?)
                }
            });
        }
        self.rows.push(values);
        // A table that refers to itself is written at the end, parents first.
        if self.src.self_ref.is_none() && self.rows.len() >= self.per_statement {
            self.flush(conn)?;
        }
        Ok(())
    }

    /// Writes what is left.
    pub fn finish(mut self, conn: &mut AnyConnection) -> Result<(), StoreError> {
        if let Some((col, to)) = self.src.self_ref.clone() {
            self.parents_first(&col, &to)?;
            while !self.rows.is_empty() {
                self.flush(conn)?;
            }
        }
        self.flush(conn)
    }

    fn parents_first(&mut self, col: &str, to: &str) -> Result<(), StoreError> {
        let at = |name: &str| self.src.columns.iter().position(|c| c.name == name);
        let (Some(c), Some(t)) = (at(col), at(to)) else {
            return Ok(());
        };
        let mut pending = std::mem::take(&mut self.rows);
        let mut placed: Vec<SqlValue> = Vec::new();
        while !pending.is_empty() {
            let (ready, rest): (Vec<_>, Vec<_>) = pending
                .into_iter()
                .partition(|r| r[c] == SqlValue::Null || placed.contains(&r[c]));
            if ready.is_empty() {
                return Err(StoreError::Invalid {
                    table: self.src.name.clone(),
                    field: col.to_owned(),
                    message: "行之间的上级引用构成循环，无法复制".into(),
                });
            }
            placed.extend(ready.iter().map(|r| r[t].clone()));
            self.rows.extend(ready);
            pending = rest;
        }
        Ok(())
    }

    fn flush(&mut self, conn: &mut AnyConnection) -> Result<(), StoreError> {
        if self.rows.is_empty() {
            return Ok(());
        }
        let take = self.rows.len().min(self.per_statement);
        let chunk: Vec<Vec<SqlValue>> = self.rows.drain(..take).collect();
        let cols: Vec<String> = self.src.columns.iter().map(|c| ident(&c.name)).collect();
        let mut q = DynQuery::new(format!(
            "INSERT INTO {} ({}) VALUES ",
            ident(&self.src.name),
            cols.join(", ")
        ))
        .uncached();
        // Bytes travel as hex text and are decoded by the database.
        let (unhex, close) = match conn {
            AnyConnection::Postgresql(_) => ("decode(", ", 'hex')"),
            AnyConnection::Sqlite(_) => ("unhex(", ")"),
        };
        for (i, row) in chunk.into_iter().enumerate() {
            q.sql(if i == 0 { "(" } else { ", (" });
            for (j, v) in row.into_iter().enumerate() {
                if j > 0 {
                    q.sql(", ");
                }
                let bytes = self.kinds[j] == Kind::Bytes && v != SqlValue::Null;
                if bytes {
                    q.sql(unhex);
                }
                q.bind(v);
                if bytes {
                    q.sql(close);
                }
            }
            q.sql(")");
        }
        q.execute(conn)?;
        Ok(())
    }
}
