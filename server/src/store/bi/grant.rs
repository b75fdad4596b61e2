//! A PostgreSQL role that reads the BI views and nothing else, and the grants that survive the
//! views' rebuild.

use diesel::connection::SimpleConnection;
use diesel::RunQueryDsl;

use super::super::conn::AnyConnection;
use super::super::sql::{ident, literal, DynQuery, SqlValue, TextRow};
use super::super::StoreError;

/// Why `bi grant` does nothing on SQLite, and what to do instead.
pub const SQLITE_REFUSAL: &str = "当前数据库是 SQLite：SQLite 没有数据库角色与授权（角色只有 PostgreSQL 才有），无法创建只读角色。\
BI 工具请以只读方式打开数据库文件读取视图 bi_t_…（如 file:/路径/statusdata.db?mode=ro，或 SQLAlchemy 的 sqlite:///file:/路径/statusdata.db?mode=ro&uri=true），\
并只给它该文件的读权限";

/// What `bi grant` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BiGrant {
    pub role: String,
    /// The role was created now (otherwise it existed and its grants were refreshed).
    pub created: bool,
    /// The role may log in (a password was given now, or it could already).
    pub login: bool,
    /// The schema of the views.
    pub schema: String,
    /// How many views the role now reads.
    pub views: usize,
    /// Tables and views beside the data that the role can read anyway (a superuser, or grants
    /// made before): it is not the read-only role it should be.
    pub also_readable: Vec<String>,
}

/// Creates or refreshes `role` (see `Store::bi_grant`), in the caller's transaction.
pub fn grant(
    conn: &mut AnyConnection,
    schema: &str,
    role: &str,
    password: Option<&str>,
) -> Result<Result<BiGrant, String>, StoreError> {
    if !valid_role(role) {
        return Ok(Err(format!(
            "角色名“{role}”无效：须以小写字母或下划线开头，只含小写字母、数字和下划线，最长 63 个字符"
        )));
    }
    let found = texts(
        conn,
        "SELECT CAST(rolcanlogin AS TEXT) AS v FROM pg_roles WHERE rolname = ",
        role,
        "",
    )?
    .pop();
    let created = found.is_none();
    let r = ident(role);
    let login_clause = match password {
        Some(p) => format!("LOGIN PASSWORD {}", literal(p)),
        None => "NOLOGIN".to_owned(),
    };
    if created || password.is_some() {
        let may: Vec<TextRow> = DynQuery::new(
            "SELECT CAST(rolsuper OR rolcreaterole AS TEXT) AS v FROM pg_roles WHERE rolname = current_user",
        )
        .load(conn)?;
        if may.first().and_then(|r| r.get("v")) != Some("true") {
            return Ok(Err(format!(
                "当前数据库账号无权创建或修改角色（需要 CREATEROLE）：请由数据库管理员先执行 CREATE ROLE {r} NOLOGIN;（或 LOGIN PASSWORD …），再不带 --login 运行本命令授权"
            )));
        }
    }
    if created {
        conn.batch_execute(&format!("CREATE ROLE {r} {login_clause}"))?;
    } else if password.is_some() {
        conn.batch_execute(&format!("ALTER ROLE {r} {login_clause}"))?;
    }
    let s = ident(schema);
    conn.batch_execute(&format!(
        "GRANT USAGE ON SCHEMA {s} TO {r};\n\
         GRANT SELECT ON ALL TABLES IN SCHEMA {s} TO {r};\n\
         ALTER DEFAULT PRIVILEGES IN SCHEMA {s} GRANT SELECT ON TABLES TO {r};"
    ))?;
    let views = texts(
        conn,
        "SELECT CAST(viewname AS TEXT) AS v FROM pg_views WHERE schemaname = ",
        schema,
        "",
    )?
    .len();
    let mut also_readable = texts(
        conn,
        "SELECT CAST(n.nspname || '.' || c.relname AS TEXT) AS v FROM pg_class c \
         JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE c.relkind IN ('r', 'v', 'm', 'p') AND n.nspname = current_schema() \
         AND has_table_privilege(",
        role,
        ", c.oid, 'SELECT') ORDER BY 1",
    )?;
    also_readable.truncate(20);
    let login = password.is_some() || found.as_deref() == Some("true");
    Ok(Ok(BiGrant {
        role: role.to_owned(),
        created,
        login,
        schema: schema.to_owned(),
        views,
        also_readable,
    }))
}

/// Gives every role that holds USAGE on the BI schema (every role `bi grant` made) SELECT on
/// its views again: a view dropped and created anew has no grants, and default privileges only
/// cover objects the user who set them creates.
pub fn regrant(conn: &mut AnyConnection, schema: &str) -> Result<(), StoreError> {
    let roles = texts(
        conn,
        "SELECT CAST(r.rolname AS TEXT) AS v FROM pg_namespace n \
         CROSS JOIN LATERAL aclexplode(n.nspacl) a JOIN pg_roles r ON r.oid = a.grantee \
         WHERE a.privilege_type = 'USAGE' AND a.grantee <> n.nspowner AND n.nspname = ",
        schema,
        "",
    )?;
    let s = ident(schema);
    let ddl: String = roles
        .iter()
        .map(|r| {
            format!(
                "GRANT SELECT ON ALL TABLES IN SCHEMA {s} TO {};\n",
                ident(r)
            )
        })
        .collect();
    if !ddl.is_empty() {
        conn.batch_execute(&ddl)?;
    }
    Ok(())
}

/// A role name as PostgreSQL folds an unquoted one, so that it reads the same wherever typed.
fn valid_role(role: &str) -> bool {
    let mut chars = role.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && role.len() <= 63
}

/// The column `v` of each row of `head`, `value` bound, then `tail`.
fn texts(
    conn: &mut AnyConnection,
    head: &str,
    value: &str,
    tail: &str,
) -> Result<Vec<String>, StoreError> {
    let mut q = DynQuery::new(head);
    q.bind(SqlValue::Text(value.to_owned())).sql(tail);
    let rows: Vec<TextRow> = q.load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|r| r.get("v").map(str::to_owned))
        .collect())
}
