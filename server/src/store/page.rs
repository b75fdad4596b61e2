//! The list read path of the API: only the columns a request selects, read by position, the page
//! and its count in one statement, prepared once per shape; keyset windows (`after`/`before`)
//! and whether rows lie beyond the page on either side.

use diesel::RunQueryDsl;

use super::conn::AnyConnection;
use super::dialect::Dialect;
use super::filter::push_order_dir;
use super::keyset::{self, Key, Kind};
use super::rows::{list_where, ListQuery};
use super::sql::{ident, DynQuery, PosRow, SqlValue};
use super::value::{decode, Value};
use super::{RowScope, StoreError};
use crate::defs::{naming, FieldType, Table};

/// The system columns, in cell order: a page's cell `i < SYSTEM.len()` is `SYSTEM[i]`, cell
/// `SYSTEM.len() + j` is the table's field `j`.
pub const SYSTEM: [&str; 8] = naming::SYSTEM_COLUMNS;
/// Cell of `id`, `cycle` and `unit`.
pub const ID: usize = 0;
pub const CYCLE: usize = 1;
pub const UNIT: usize = 2;

/// A row as a page reads it: one slot per system column and per field, in cell order; slots that
/// were not selected are `Null`. The second list holds the slots whose stored value could not be
/// read (logged; `Null` in the first list), so that the row's other cells still show.
#[derive(Debug, Clone, PartialEq)]
pub struct Cells(pub Vec<Value>, pub Vec<usize>);

impl Cells {
    /// The value in a slot (`Null` when absent).
    pub fn get(&self, cell: usize) -> &Value {
        static NULL: Value = Value::Null;
        self.0.get(cell).unwrap_or(&NULL)
    }
}

/// What a page reads.
#[derive(Debug, Clone)]
pub struct PageQuery {
    pub list: ListQuery,
    /// Cells to read (see [`SYSTEM`]); unknown cells are ignored.
    pub cells: Vec<usize>,
    /// Also count every matching row (cursors aside: the count of the whole filtered list).
    pub count: bool,
    pub paging: Paging,
}

/// The keyset window of a page and what to learn about its surroundings.
#[derive(Debug, Clone, Default)]
pub struct Paging {
    /// Only rows after this position.
    pub after: Option<Key>,
    /// Only rows before this position.
    pub before: Option<Key>,
    /// The page is the last `limit` rows of the window (and `offset` counts from its end).
    pub from_end: bool,
    /// Work out whether matching rows lie before and after the page.
    pub info: bool,
    /// Read each row's position, for its cursor.
    pub keys: bool,
}

/// A page and, when asked for, the number of matching rows.
#[derive(Debug, Clone, PartialEq)]
pub struct PageRows {
    pub rows: Vec<Cells>,
    pub total: Option<i64>,
    /// Each row's position when [`Paging::keys`] asked for them (else empty).
    pub keys: Vec<Key>,
    /// A matching row comes after the page's last row (after its window's place when empty);
    /// only worked out with [`Paging::info`].
    pub has_next: bool,
    /// A matching row comes before the page's first row.
    pub has_previous: bool,
}

/// True for columns stored as integers or booleans: PostgreSQL hands them back in binary, so
/// they are cast to text there; SQLite converts any column to text itself.
fn non_text(table: &Table, cell: usize) -> bool {
    match cell {
        0 | 1 | 3 => true,
        c if c < SYSTEM.len() => false,
        c => table.fields.get(c - SYSTEM.len()).is_some_and(|f| {
            matches!(
                f.ty,
                FieldType::Int | FieldType::Year | FieldType::Decimal { .. } | FieldType::Bool
            )
        }),
    }
}

fn column(table: &Table, cell: usize) -> Option<&str> {
    SYSTEM.get(cell).copied().or_else(|| {
        table
            .fields
            .get(cell - SYSTEM.len())
            .map(|f| f.name.as_str())
    })
}

fn select_cell(dialect: Dialect, table: &Table, name: &str, col: &str, cell: usize) -> String {
    let col = format!("{name}.{}", ident(col));
    match dialect {
        Dialect::Postgres if non_text(table, cell) => format!("CAST({col} AS TEXT)"),
        _ => col,
    }
}

/// What a page statement's columns hold, in select-list order after the cells.
struct Layout {
    cells: Vec<usize>,
    /// The kinds of the order columns read for each row's key (then its id), when keys are read.
    keys: Option<Vec<Kind>>,
}

/// The page's statement and its layout.
fn statement(
    dialect: Dialect,
    table: &Table,
    scope: &RowScope,
    query: &PageQuery,
) -> Result<(DynQuery, Layout), StoreError> {
    let name = ident(&naming::sql_table(&table.slug));
    let mut cells: Vec<usize> = query
        .cells
        .iter()
        .copied()
        .filter(|c| column(table, *c).is_some())
        .collect();
    if cells.is_empty() {
        // A page that selects nothing still needs a column: its rows are counted.
        cells.push(ID);
    }
    cells.sort_unstable();
    cells.dedup();
    let mut select: Vec<String> = cells
        .iter()
        .filter_map(|c| Some(select_cell(dialect, table, &name, column(table, *c)?, *c)))
        .collect();
    let list = &query.list;
    let paging = &query.paging;
    let keys = if paging.keys || paging.info {
        let mut kinds = Vec::with_capacity(list.order.len());
        for o in &list.order {
            let kind = keyset::kind(table, &o.field)?;
            let col = ident(&o.field);
            select.push(match (dialect, kind) {
                (Dialect::Postgres, Kind::Int | Kind::Bool) => {
                    format!("CAST({name}.{col} AS TEXT)")
                }
                _ => format!("{name}.{col}"),
            });
            kinds.push(kind);
        }
        select.push(select_cell(dialect, table, &name, "id", ID));
        Some(kinds)
    } else {
        None
    };
    let mut q = DynQuery::new("SELECT ");
    q.sql(&select.join(", "));
    if query.count {
        // A count subquery, not `count(*) OVER ()`: the page keeps its early-exit index walk.
        // Riding on the page's rows, it is lost when the page is empty (see `read_page`).
        q.sql(", (SELECT CAST(COUNT(*) AS TEXT) FROM ");
        q.sql(&name);
        list_where(&mut q, dialect, table, scope, list)?;
        q.sql(")");
    }
    q.sql(" FROM ");
    q.sql(&name);
    keyset::window(&mut q, dialect, table, scope, query)?;
    push_order_dir(&mut q, table, &list.order, paging.from_end)?;
    q.sql(" LIMIT ");
    // One row more than the page tells whether another follows it.
    let extra = i64::from(paging.info);
    match (list.limit, dialect) {
        (Some(n), _) => q.bind(SqlValue::Int(n.max(0).saturating_add(extra))),
        (None, Dialect::Sqlite) => q.bind(SqlValue::Int(-1)),
        (None, Dialect::Postgres) => q.sql("ALL"),
    };
    q.sql(" OFFSET ");
    q.bind(SqlValue::Int(list.offset.max(0)));
    Ok((q, Layout { cells, keys }))
}

/// The database's plan for a page's statement, one line per row of `EXPLAIN` (`EXPLAIN QUERY
/// PLAN` on SQLite): what the index tests look at.
pub fn explain_page(
    conn: &mut AnyConnection,
    table: &Table,
    scope: &RowScope,
    query: &PageQuery,
) -> Result<Vec<String>, StoreError> {
    let dialect = Dialect::of(conn);
    let (q, _) = statement(dialect, table, scope, query)?;
    let prefix = match dialect {
        Dialect::Sqlite => "EXPLAIN QUERY PLAN ",
        Dialect::Postgres => "EXPLAIN ",
    };
    let rows: Vec<PosRow> = q.prefixed(prefix).load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|PosRow(cols)| cols.into_iter().last().flatten())
        .collect())
}

/// Reads one page (and its count, its rows' keys and what lies beyond it) within the scope.
pub fn read_page(
    conn: &mut AnyConnection,
    table: &Table,
    scope: &RowScope,
    query: &PageQuery,
) -> Result<PageRows, StoreError> {
    let (q, layout) = statement(Dialect::of(conn), table, scope, query)?;
    let list = &query.list;
    let paging = &query.paging;
    let skip = list.limit == Some(0) && !paging.info;
    let raw: Vec<PosRow> = if skip {
        Vec::new()
    } else {
        q.cached_by_shape().load(conn)?
    };
    let mut total = None;
    let mut rows = Vec::with_capacity(raw.len());
    let mut keys = Vec::new();
    for PosRow(texts) in raw {
        let mut texts = texts.into_iter();
        rows.push(read_row(table, &layout, &mut texts, &mut keys)?);
        if query.count {
            total = texts.next().flatten().and_then(|n| n.parse().ok());
        }
    }
    let more = list.limit.is_some_and(|n| rows.len() as i64 > n.max(0));
    if let Some(n) = list.limit.filter(|_| more) {
        let n = usize::try_from(n.max(0)).unwrap_or(0);
        rows.truncate(n);
        keys.truncate(n);
    }
    if paging.from_end {
        rows.reverse();
        keys.reverse();
    }
    if query.count && total.is_none() {
        // No row came back to carry the count. A first page that could hold rows and holds none
        // means none match; any other empty page (`first: 0`, an offset past the end, a
        // window past a cursor) counts on its own.
        let whole = list.offset <= 0 && paging.after.is_none() && paging.before.is_none();
        total = Some(if whole && !skip {
            0
        } else {
            super::rows::count_rows(conn, table, scope, list.cycle, list.filter.as_ref())?
        });
    }
    if !paging.keys {
        keys.clear();
    }
    let (mut has_next, mut has_previous) = (false, false);
    if paging.info {
        let (ahead, behind) = keyset::beyond(conn, table, scope, query, !rows.is_empty())?;
        (has_next, has_previous) = if paging.from_end {
            (behind, more || ahead)
        } else {
            (more || ahead, behind)
        };
    }
    Ok(PageRows {
        rows,
        total,
        keys,
        has_next,
        has_previous,
    })
}

/// Logs the cells of a row that could not be read, with the row's id; returns their slots.
fn unreadable(out: &[Value], broken: Vec<(usize, StoreError)>) -> Vec<usize> {
    let row = match out.get(ID) {
        Some(Value::Int(id)) => *id,
        _ => 0,
    };
    broken
        .into_iter()
        .map(|(cell, e)| {
            if let StoreError::Unreadable {
                table,
                field,
                message,
                ..
            } = e
            {
                tracing::error!(table = %table, row, column = %field, error = %message, "库中的值无法按字段类型读取，该单元格显示为错误");
            }
            cell
        })
        .collect()
}

/// Reads a row's cells, and its key when the layout reads keys, off the front of its texts.
fn read_row(
    table: &Table,
    layout: &Layout,
    texts: &mut impl Iterator<Item = Option<String>>,
    keys: &mut Vec<Key>,
) -> Result<Cells, StoreError> {
    let mut out = vec![Value::Null; SYSTEM.len() + table.fields.len()];
    let mut broken = Vec::new();
    for c in &layout.cells {
        match decode_cell(table, *c, texts.next().flatten()) {
            Ok(v) => out[*c] = v,
            Err(e) => broken.push((*c, e)),
        }
    }
    let broken = unreadable(&out, broken);
    if let Some(kinds) = &layout.keys {
        let values = kinds
            .iter()
            .map(|k| keyset::read_value(*k, texts.next().flatten()))
            .collect();
        let id = texts.next().flatten().and_then(|t| t.parse().ok());
        keys.push(Key {
            values,
            id: id.unwrap_or_default(),
        });
    }
    Ok(Cells(out, broken))
}

fn decode_cell(table: &Table, cell: usize, text: Option<String>) -> Result<Value, StoreError> {
    let broken = |field: &str, message: String| StoreError::Unreadable {
        table: table.code.clone(),
        row: 0,
        field: field.to_owned(),
        message,
    };
    if cell < SYSTEM.len() {
        let name = SYSTEM[cell];
        return match (non_text(table, cell), text) {
            (_, None) => Ok(Value::Null),
            (true, Some(t)) => t
                .parse()
                .map(Value::Int)
                .map_err(|_| broken(name, format!("stored value {t:?} is not a number"))),
            (false, Some(t)) => Ok(Value::Text(t)),
        };
    }
    let f = &table.fields[cell - SYSTEM.len()];
    match (&f.ty, text) {
        // Text needs no parsing: move the string instead of copying it.
        (
            FieldType::String | FieldType::Text | FieldType::Enum { .. } | FieldType::Ref { .. },
            Some(t),
        ) => Ok(Value::Text(t)),
        (_, text) => decode(f, text.as_deref()).map_err(|m| broken(&f.name, m)),
    }
}
