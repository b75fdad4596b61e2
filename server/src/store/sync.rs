//! Keeps the data tables `d_<slug>` in step with the definitions: creates missing tables and
//! columns, and refuses (unless allowed) changes that would lose data: a dropped, renamed or
//! retyped field, or a whole table that is no longer defined.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use diesel::connection::SimpleConnection;
use diesel::prelude::*;

use super::conn::AnyConnection;
use super::dialect::Dialect;
use super::schema::{data_columns, data_tables};
use super::sql::{ident, literal};
use super::StoreError;
use crate::defs::{naming, Catalog, Field, FieldType, Table};

/// What a sync did (or, when refused, would do).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncReport {
    pub created_tables: Vec<String>,
    pub added_columns: Vec<String>,
    pub rekeyed_tables: Vec<String>,
    pub dropped: Vec<String>,
}

impl SyncReport {
    /// True when the database already matched the definitions.
    pub fn is_empty(&self) -> bool {
        self.created_tables.is_empty()
            && self.added_columns.is_empty()
            && self.rekeyed_tables.is_empty()
            && self.dropped.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Column {
    ty: String,
    scale: Option<u32>,
}

#[derive(Debug, Default)]
struct Recorded {
    code: String,
    key: String,
    columns: BTreeMap<String, Column>,
}

/// The changes a sync would make, computed before anything is touched.
#[derive(Debug, Default)]
pub struct Plan {
    ddl: Vec<String>,
    report: SyncReport,
    /// Why each destructive change is refused unless allowed.
    pub refusals: Vec<String>,
    /// Changes refused even when destructive ones are allowed (also in `refusals`): a new key
    /// that stored rows share.
    pub conflicts: Vec<String>,
    changed: Vec<String>,
}

impl Plan {
    /// What applying the plan would do (the dropped tables and columns among it).
    pub fn report(&self) -> &SyncReport {
        &self.report
    }

    /// True when the database already matches the catalog.
    pub fn is_empty(&self) -> bool {
        self.ddl.is_empty() && self.refusals.is_empty()
    }
}

/// Compares the recorded data tables with the catalog.
pub fn plan(conn: &mut AnyConnection, catalog: &Catalog) -> Result<Plan, StoreError> {
    let dialect = Dialect::of(conn);
    let mut recorded = load_recorded(conn)?;
    let mut p = Plan::default();
    for table in &catalog.tables {
        let before = p.ddl.len();
        match recorded.remove(&table.slug) {
            None => {
                p.ddl.extend(create_table(dialect, table));
                p.report.created_tables.push(table.code.clone());
            }
            Some(rec) => {
                diff_table(dialect, table, &rec, &mut p);
                // A key field added just now is blank in every stored row and clashes nowhere.
                let stored = table.key.iter().all(|k| rec.columns.contains_key(k));
                if stored && p.report.rekeyed_tables.last() == Some(&table.code) {
                    if let Some(why) = super::rekey::clash(conn, table)? {
                        p.refusals.push(why.clone());
                        p.conflicts.push(why);
                    }
                }
            }
        }
        if p.ddl.len() > before {
            p.changed.push(table.slug.clone());
        }
    }
    for (slug, rec) in recorded {
        p.refusals.push(format!(
            "表 {}（数据表 d_{slug}）已不在表定义中，但数据表仍有数据：请恢复其定义；确需删除时先备份，再运行 `statusdata migrate --allow-destructive` 删除该表及其数据",
            rec.code
        ));
        p.ddl
            .push(format!("DROP TABLE {}", ident(&naming::sql_table(&slug))));
        p.ddl.push(format!(
            "DELETE FROM data_columns WHERE table_slug = {}",
            literal(&slug)
        ));
        p.ddl.push(format!(
            "DELETE FROM data_tables WHERE slug = {}",
            literal(&slug)
        ));
        p.report.dropped.push(format!("table {}", rec.code));
    }
    Ok(p)
}

/// Applies a plan in one transaction and records what the tables now hold; the BI views are
/// rebuilt in it.
pub fn apply(
    conn: &mut AnyConnection,
    catalog: &Catalog,
    plan: Plan,
) -> Result<SyncReport, StoreError> {
    let now = super::now();
    super::tx::write_tx(conn, |conn| {
        // The views read the data tables, so they go first and come back over the new shape.
        super::bi::drop_views(conn)?;
        for stmt in &plan.ddl {
            conn.batch_execute(stmt)?;
        }
        for table in catalog
            .tables
            .iter()
            .filter(|t| plan.changed.contains(&t.slug))
        {
            record_table(conn, table, &now)?;
        }
        super::bi::rebuild(conn, catalog)?;
        Ok(plan.report)
    })
}

/// Copies the SQLite database aside (a consistent copy, WAL included) and returns the copy's path.
pub fn backup_sqlite(conn: &mut AnyConnection, path: &Path) -> Result<PathBuf, StoreError> {
    let stamp = chrono::Utc::now().format("%Y%m%d-%H%M%S");
    let name = format!(
        "{}.before-migrate-{stamp}.db",
        path.file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("statusdata")
    );
    let target = path.with_file_name(name);
    conn.batch_execute(&format!(
        "VACUUM INTO {}",
        literal(&target.to_string_lossy())
    ))?;
    Ok(target)
}

/// The statements that add `field`'s column to the table, with its index when it has one.
fn add_column(dialect: Dialect, table: &Table, field: &Field, ddl: &mut Vec<String>) {
    let sql_table = ident(&naming::sql_table(&table.slug));
    ddl.push(format!(
        "ALTER TABLE {sql_table} ADD COLUMN {} {}",
        ident(&field.name),
        dialect.column_type(&field.ty)
    ));
    ddl.extend(column_index(table, &field.name, &field.ty));
}

fn diff_table(dialect: Dialect, table: &Table, rec: &Recorded, p: &mut Plan) {
    let (ddl, report, refusals) = (&mut p.ddl, &mut p.report, &mut p.refusals);
    let sql_table = ident(&naming::sql_table(&table.slug));
    let mut rekey = rec.key != key_columns(table).join(",");
    for field in &table.fields {
        let wanted = column_of(&field.ty);
        match rec.columns.get(&field.name) {
            None => {
                add_column(dialect, table, field, ddl);
                report
                    .added_columns
                    .push(format!("{}.{}", table.code, field.name));
            }
            Some(have) if !same_storage(have, &wanted) => {
                refusals.push(format!(
                    "表 {} 的字段“{}”类型由 {} 改为 {}，已存的值无法保留：请在 {} 中恢复原类型或改为新增一个字段；确需更改时先备份，再运行 `statusdata migrate --allow-destructive` 清空该列",
                    table.code, field.name, describe(have), describe(&wanted), table.file.display()
                ));
                rekey |= table.key.contains(&field.name);
                drop_index_for(table, &field.name, ddl);
                ddl.push(format!(
                    "ALTER TABLE {sql_table} DROP COLUMN {}",
                    ident(&field.name)
                ));
                add_column(dialect, table, field, ddl);
                report
                    .dropped
                    .push(format!("{}.{} (retyped)", table.code, field.name));
            }
            Some(_) => {}
        }
    }
    for (name, _) in rec.columns.iter().filter(|(n, _)| table.field(n).is_none()) {
        refusals.push(format!(
            "表 {} 的字段“{name}”被删除或改名，但该列仍有数据：请在 {} 中恢复该字段；确需删除时先备份，再运行 `statusdata migrate --allow-destructive` 删除该列",
            table.code,
            table.file.display()
        ));
        rekey |= rec.key.split(',').any(|k| k == name);
        drop_index_for(table, name, ddl);
        ddl.push(format!(
            "ALTER TABLE {sql_table} DROP COLUMN {}",
            ident(name)
        ));
        report.dropped.push(format!("{}.{name}", table.code));
    }
    if rekey {
        // Dropped before the columns change (SQLite cannot drop an indexed column), rebuilt after.
        ddl.insert(
            0,
            format!(
                "DROP INDEX IF EXISTS {}",
                ident(&naming::key_index(&table.slug))
            ),
        );
        ddl.push(key_index(table));
        report.rekeyed_tables.push(table.code.clone());
    }
}

fn drop_index_for(table: &Table, field: &str, ddl: &mut Vec<String>) {
    ddl.push(format!(
        "DROP INDEX IF EXISTS {}",
        ident(&naming::column_index(&table.slug, field))
    ));
}

fn create_table(dialect: Dialect, table: &Table) -> Vec<String> {
    let mut cols = vec![
        dialect.id_column().to_owned(),
        "cycle INTEGER NOT NULL".to_owned(),
        "unit TEXT NOT NULL REFERENCES units(code)".to_owned(),
        "row_version BIGINT NOT NULL DEFAULT 1".to_owned(),
        "created_at TEXT NOT NULL".to_owned(),
        "created_by TEXT NOT NULL".to_owned(),
        "updated_at TEXT NOT NULL".to_owned(),
        "updated_by TEXT NOT NULL".to_owned(),
    ];
    cols.extend(
        table
            .fields
            .iter()
            .map(|f| format!("{} {}", ident(&f.name), dialect.column_type(&f.ty))),
    );
    let mut ddl = vec![format!(
        "CREATE TABLE {} (\n  {}\n)",
        ident(&naming::sql_table(&table.slug)),
        cols.join(",\n  ")
    )];
    ddl.push(key_index(table));
    for f in &table.fields {
        ddl.extend(column_index(table, &f.name, &f.ty));
    }
    ddl
}

/// The unique index: one row per key within a cycle and unit (or one row at all, for single tables).
fn key_index(table: &Table) -> String {
    let cols: Vec<String> = key_columns(table).iter().map(|c| ident(c)).collect();
    format!(
        "CREATE UNIQUE INDEX {} ON {} ({})",
        ident(&naming::key_index(&table.slug)),
        ident(&naming::sql_table(&table.slug)),
        cols.join(", ")
    )
}

fn key_columns(table: &Table) -> Vec<String> {
    ["cycle", "unit"]
        .into_iter()
        .map(str::to_owned)
        .chain(table.key.iter().cloned())
        .collect()
}

/// References are what lists filter and join on most, so each single reference gets an index.
fn column_index(table: &Table, field: &str, ty: &FieldType) -> Option<String> {
    let FieldType::Ref { .. } = ty else {
        return None;
    };
    if table.key.first().is_some_and(|k| k == field) {
        return None;
    }
    Some(format!(
        "CREATE INDEX {} ON {} (cycle, {})",
        ident(&naming::column_index(&table.slug, field)),
        ident(&naming::sql_table(&table.slug)),
        ident(field)
    ))
}

fn column_of(ty: &FieldType) -> Column {
    let scale = match ty {
        FieldType::Decimal { scale } => Some(*scale),
        _ => None,
    };
    Column {
        ty: ty.name().to_owned(),
        scale,
    }
}

/// A single reference is stored as the plain text of the key it names, so a field may turn from
/// `ref` into `string` (or back) and keep its values: only the reference check changes.
fn same_storage(have: &Column, wanted: &Column) -> bool {
    let text = |t: &str| matches!(t, "ref" | "string");
    have == wanted || (text(&have.ty) && text(&wanted.ty))
}

fn describe(c: &Column) -> String {
    match c.scale {
        Some(s) => format!("{}(scale {s})", c.ty),
        None => c.ty.clone(),
    }
}

fn load_recorded(conn: &mut AnyConnection) -> Result<BTreeMap<String, Recorded>, StoreError> {
    let tables: Vec<(String, String, String)> = data_tables::table
        .select((
            data_tables::slug,
            data_tables::code,
            data_tables::key_columns,
        ))
        .load(conn)?;
    let mut out: BTreeMap<String, Recorded> = tables
        .into_iter()
        .map(|(slug, code, key)| {
            let columns = BTreeMap::new();
            (slug, Recorded { code, key, columns })
        })
        .collect();
    let cols: Vec<(String, String, String, Option<i32>)> = data_columns::table
        .select((
            data_columns::table_slug,
            data_columns::column_name,
            data_columns::field_type,
            data_columns::scale,
        ))
        .load(conn)?;
    for (slug, name, ty, scale) in cols {
        if let Some(rec) = out.get_mut(&slug) {
            let scale = scale.and_then(|s| u32::try_from(s).ok());
            rec.columns.insert(name, Column { ty, scale });
        }
    }
    Ok(out)
}

fn record_table(conn: &mut AnyConnection, table: &Table, now: &str) -> Result<(), StoreError> {
    diesel::delete(data_columns::table.filter(data_columns::table_slug.eq(&table.slug)))
        .execute(conn)?;
    diesel::delete(data_tables::table.find(&table.slug)).execute(conn)?;
    diesel::insert_into(data_tables::table)
        .values((
            data_tables::slug.eq(&table.slug),
            data_tables::code.eq(&table.code),
            data_tables::name.eq(&table.name),
            data_tables::key_columns.eq(key_columns(table).join(",")),
            data_tables::synced_at.eq(now),
        ))
        .execute(conn)?;
    for (position, field) in table.fields.iter().enumerate() {
        let col = column_of(&field.ty);
        diesel::insert_into(data_columns::table)
            .values((
                data_columns::table_slug.eq(&table.slug),
                data_columns::column_name.eq(&field.name),
                data_columns::field_type.eq(col.ty),
                data_columns::scale.eq(col.scale.and_then(|s| i32::try_from(s).ok())),
                data_columns::position.eq(i32::try_from(position).unwrap_or(i32::MAX)),
            ))
            .execute(conn)?;
    }
    Ok(())
}
