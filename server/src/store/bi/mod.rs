//! Read-only SQL views of the data tables for BI tools (Superset, Metabase, Excel): one view per
//! table, named after its code (`bi.t_1_5_1` on PostgreSQL, `bi_t_1_5_1` on SQLite), with
//! decimals at their scale, code labels and unit names, over a code table filled from the
//! definitions' code lists. `sync` drops them before it changes the data tables and rebuilds them
//! after, in its transaction, so a new table or field shows at once; `grant` makes a PostgreSQL
//! role that reads them and nothing else.

mod grant;
mod view;

use diesel::connection::SimpleConnection;
use diesel::RunQueryDsl;

use super::conn::AnyConnection;
use super::dialect::Dialect;
use super::sql::{ident, literal, DynQuery, SqlValue, TextRow};
use super::{Store, StoreError};
use crate::defs::Catalog;

pub use grant::{BiGrant, SQLITE_REFUSAL};
pub use view::view_name;

/// How many code rows one `INSERT` carries.
const CODES_PER_INSERT: usize = 500;

/// PostgreSQL's BI schema for the data tables' schema: `bi` beside `public`, `<schema>_bi`
/// beside any other (two statusdata databases sharing one PostgreSQL database through
/// `search_path` keep their views apart).
pub fn schema_for(data_schema: &str) -> String {
    if data_schema == "public" {
        "bi".to_owned()
    } else {
        format!("{data_schema}_bi")
    }
}

/// The BI schema of the connection's data tables (PostgreSQL).
fn schema(conn: &mut AnyConnection) -> Result<String, StoreError> {
    let rows: Vec<TextRow> =
        DynQuery::new("SELECT CAST(current_schema() AS TEXT) AS s").load(conn)?;
    let data = rows
        .first()
        .and_then(|r| r.get("s"))
        .unwrap_or("public")
        .to_owned();
    Ok(schema_for(&data))
}

/// Drops every BI view, so that the data tables under them may change (neither backend lets a
/// column or table a view reads be dropped).
pub(super) fn drop_views(conn: &mut AnyConnection) -> Result<(), StoreError> {
    let (names, prefix) = match Dialect::of(conn) {
        Dialect::Postgres => {
            let schema = schema(conn)?;
            let mut q = DynQuery::new(
                "SELECT CAST(viewname AS TEXT) AS v FROM pg_views WHERE schemaname = ",
            );
            q.bind(SqlValue::Text(schema.clone()))
                .sql(" AND viewname LIKE 't\\_%'");
            (q, format!("{}.", ident(&schema)))
        }
        Dialect::Sqlite => (
            DynQuery::new(
                "SELECT name AS v FROM sqlite_master WHERE type = 'view' AND name LIKE 'bi\\_t\\_%' ESCAPE '\\'",
            ),
            String::new(),
        ),
    };
    let views: Vec<TextRow> = names.load(conn)?;
    let ddl: String = views
        .iter()
        .filter_map(|r| r.get("v"))
        .map(|v| format!("DROP VIEW IF EXISTS {prefix}{};\n", ident(v)))
        .collect();
    if !ddl.is_empty() {
        conn.batch_execute(&ddl)?;
    }
    Ok(())
}

/// Creates the code table (refilled from the catalog's code lists) and one view per table, then
/// gives every role granted the BI schema read access to the new views (a dropped view loses its
/// grants). Expects [`drop_views`] to have run in the same transaction.
pub(super) fn rebuild(conn: &mut AnyConnection, catalog: &Catalog) -> Result<(), StoreError> {
    let dialect = Dialect::of(conn);
    let raw = match dialect {
        Dialect::Postgres => schema(conn)?,
        Dialect::Sqlite => String::new(),
    };
    let quoted = ident(&raw);
    if dialect == Dialect::Postgres {
        conn.batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS {quoted}"))?;
    }
    let place = view::Place {
        dialect,
        schema: &quoted,
    };
    fill_codes(conn, &place, catalog)?;
    for table in &catalog.tables {
        conn.batch_execute(&view::create(&place, catalog, table))?;
    }
    if dialect == Dialect::Postgres {
        grant::regrant(conn, &raw)?;
    }
    Ok(())
}

fn fill_codes(
    conn: &mut AnyConnection,
    place: &view::Place,
    catalog: &Catalog,
) -> Result<(), StoreError> {
    let codes = place.codes();
    conn.batch_execute(&format!(
        "CREATE TABLE IF NOT EXISTS {codes} (list TEXT NOT NULL, code TEXT NOT NULL, \
         name TEXT NOT NULL, PRIMARY KEY (list, code));\nDELETE FROM {codes};"
    ))?;
    if place.dialect == Dialect::Postgres {
        conn.batch_execute(&format!(
            "COMMENT ON TABLE {codes} IS '代码表：list 为代码表名（表定义字段的 codes），code 为代码，name 为名称'"
        ))?;
    }
    let rows: Vec<String> = catalog
        .code_lists
        .values()
        .flat_map(|l| {
            l.codes.iter().map(move |c| {
                format!(
                    "({}, {}, {})",
                    literal(&l.name),
                    literal(&c.code),
                    literal(&c.name)
                )
            })
        })
        .collect();
    for chunk in rows.chunks(CODES_PER_INSERT) {
        conn.batch_execute(&format!(
            "INSERT INTO {codes} (list, code, name) VALUES {}",
            chunk.join(", ")
        ))?;
    }
    Ok(())
}

impl Store {
    /// Makes `role` a PostgreSQL role that reads the BI views and nothing else, creating it when
    /// missing (`NOLOGIN`, or `LOGIN` with `password`). On SQLite, or when the database user may
    /// not create roles, the refusal says why in Chinese.
    pub fn bi_grant(
        &self,
        role: &str,
        password: Option<&str>,
    ) -> Result<Result<BiGrant, String>, StoreError> {
        let mut conn = self.conn()?;
        if Dialect::of(&conn) == Dialect::Sqlite {
            return Ok(Err(grant::SQLITE_REFUSAL.to_owned()));
        }
        let schema = schema(&mut conn)?;
        super::tx::write_tx(&mut conn, |c| grant::grant(c, &schema, role, password))
    }

    /// The BI view of the table with this code, as a query names it (`bi."t_1_5_1"` or
    /// `"bi_t_1_5_1"`).
    pub fn bi_view(&self, code: &str) -> Result<String, StoreError> {
        let table = self.table(code)?.clone();
        let mut conn = self.conn()?;
        let dialect = Dialect::of(&conn);
        let schema = match dialect {
            Dialect::Postgres => ident(&schema(&mut conn)?),
            Dialect::Sqlite => String::new(),
        };
        Ok(view::Place {
            dialect,
            schema: &schema,
        }
        .view(&table))
    }
}
