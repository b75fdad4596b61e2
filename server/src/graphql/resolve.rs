//! Resolver plumbing: reading the request's service, rights and cycle; parent-value fields.

use std::sync::Arc;

use async_graphql::dynamic::{Field, FieldFuture, FieldValue, ResolverContext, TypeRef};
use async_graphql::Value as Gql;

use super::errors::{ApiError, ApiResult, Code};
use crate::authz::{Access, Action};
use crate::defs::{Catalog, Table};
use crate::model::{Record, Value};
use crate::service::page::{self, Cells};
use crate::service::read::StoredRow;
use crate::service::Service;

/// Server-wide settings the resolvers read. The default cycle is not one of them: it is the
/// newest open cycle in the database (see [`Service::cycle_or_default`]).
#[derive(Debug, Clone)]
pub struct ApiConfig {
    /// The largest page a list returns.
    pub max_page: i64,
}

impl Default for ApiConfig {
    fn default() -> Self {
        ApiConfig { max_page: 1000 }
    }
}

/// Reads a GraphQL value out of a parent object.
pub type Getter<T> = fn(&T) -> Gql;

/// A page of rows for a connection. What was not asked for is not worked out: `total` is 0
/// without `totalCount`, `cursors` empty without `edges` or a cursor of `pageInfo`, the flags
/// false without `hasNextPage`/`hasPreviousPage`.
pub struct Page {
    pub total: i64,
    pub rows: Vec<Cells>,
    /// One per row, in order, when read.
    pub cursors: Vec<String>,
    pub has_next: bool,
    pub has_previous: bool,
}

/// One Relay edge: a row and its cursor.
pub struct Edge {
    pub cursor: String,
    pub node: Cells,
}

/// One aggregate group.
pub struct Group {
    pub key: Record,
    pub count: i64,
    /// (measure, field) → value, e.g. ("sum", "total").
    pub values: std::collections::HashMap<(&'static str, String), Value>,
}

/// A field's resolved value: a null must be `None`, since async-graphql rejects `Value::Null`
/// for a list-typed field ("expects an array"), which broke every row with an empty multi-select.
fn ready<'a>(v: Gql) -> FieldFuture<'a> {
    FieldFuture::Value(match v {
        Gql::Null => None,
        v => Some(FieldValue::value(v)),
    })
}

fn failed<'a>(e: async_graphql::Error) -> FieldFuture<'a> {
    FieldFuture::new(async move { Err::<Option<FieldValue<'a>>, _>(e) })
}

/// A field that reads its value from the parent object of type `T`. The value is returned as
/// is, without a future per field.
pub fn field_of_parent<T: Send + Sync + 'static>(
    name: &str,
    ty: TypeRef,
    get: impl Fn(&T) -> Gql + Send + Sync + 'static,
) -> Field {
    Field::new(name, ty, move |ctx| {
        match ctx.parent_value.try_downcast_ref::<T>() {
            Ok(parent) => ready(get(parent)),
            Err(e) => failed(e),
        }
    })
}

/// A field of a table's row type: read from a page's [`Cells`] by position (the list) or from
/// a [`StoredRow`] (one row, a mutation's answer, a reference).
pub fn row_field(
    name: &str,
    ty: TypeRef,
    cell: usize,
    of_cell: fn(&Value) -> Gql,
    get: impl Fn(&StoredRow) -> Gql + Send + Sync + 'static,
) -> Field {
    Field::new(name, ty, move |ctx| {
        if let Some(cells) = ctx.parent_value.downcast_ref::<Cells>() {
            if cells.1.contains(&cell) {
                // Added here with its path (async-graphql's dynamic schema drops the path and the
                // key of a field whose resolver fails); the cell itself answers null.
                let e = unreadable(&ctx, cells).into_server_error(ctx.item.pos);
                ctx.add_error(ctx.set_error_path(e));
                return FieldFuture::Value(None);
            }
            return ready(of_cell(cells.get(cell)));
        }
        match ctx.parent_value.try_downcast_ref::<StoredRow>() {
            Ok(row) => ready(get(row)),
            Err(e) => failed(e),
        }
    })
}

/// The error of a cell whose stored value could not be read (the page reader logged it): at the
/// cell's path, naming the row and field, and `INTERNAL` since the data, not the request, is wrong.
fn unreadable(ctx: &ResolverContext<'_>, cells: &Cells) -> async_graphql::Error {
    let row = match cells.get(page::ID) {
        Value::Int(id) => *id,
        _ => 0,
    };
    let message = super::errors::unreadable_message(row, ctx.field().name());
    ApiError::new(Code::Internal, message).into()
}

/// The service, rights and settings of a request.
pub struct Req<'a> {
    pub svc: &'a Service,
    pub access: &'a Access,
    pub config: &'a ApiConfig,
}

/// Reads the request's context; a request without a principal is unauthenticated, and one whose
/// password must change first is refused.
pub fn req<'a>(ctx: &'a ResolverContext<'_>) -> ApiResult<Req<'a>> {
    let r = req_any(ctx)?;
    if r.access.principal.must_change_password {
        return Err(ApiError::new(
            Code::PasswordChangeRequired,
            "首次登录（或密码重置后）须先修改密码",
        ));
    }
    Ok(r)
}

/// Like [`req`], but also for a principal that must still change its password (me,
/// changePassword, logout).
pub fn req_any<'a>(ctx: &'a ResolverContext<'_>) -> ApiResult<Req<'a>> {
    let svc = ctx
        .data::<Service>()
        .map_err(|_| ApiError::new(Code::Internal, "服务器未连接数据库"))?;
    let config = ctx
        .data::<ApiConfig>()
        .map_err(|_| ApiError::new(Code::Internal, "服务器未配置"))?;
    let access = ctx
        .data::<Access>()
        .map_err(|_| ApiError::new(Code::Unauthenticated, "请先登录"))?;
    Ok(Req {
        svc,
        access,
        config,
    })
}

impl Req<'_> {
    /// Refuses unless the caller may do `action` on the table (checked before anything else).
    pub fn guard(&self, table: &Table, action: Action) -> ApiResult<()> {
        crate::service::guard(self.access, table, action)
    }

    /// The cycle argument, or the newest open cycle.
    pub fn cycle(&self, ctx: &ResolverContext<'_>) -> ApiResult<i32> {
        let given = super::convert::opt_cycle_arg(ctx)?;
        self.svc.cycle_or_default(given)
    }

    /// An optional string argument.
    pub fn opt_str<'c>(&self, ctx: &'c ResolverContext<'_>, name: &str) -> Option<&'c str> {
        ctx.args
            .get(name)
            .filter(|v| !v.is_null())
            .and_then(|v| v.string().ok())
    }
}

/// Catalog access for resolvers that need other tables.
pub fn catalog<'a>(ctx: &'a ResolverContext<'_>) -> ApiResult<&'a Arc<Catalog>> {
    Ok(req(ctx)?.svc.catalog())
}

/// A field that hands its parent object on to a nested object type.
fn pass_parent<T: Send + Sync + 'static>(name: &str, ty: TypeRef) -> Field {
    Field::new(name, ty, |ctx| {
        let parent = ctx.parent_value;
        match parent.try_downcast_ref::<T>() {
            Ok(p) => FieldFuture::Value(Some(FieldValue::borrowed_any(p))),
            Err(e) => failed(e),
        }
    })
}

/// A list field of a connection's page, its items made by `items`.
fn page_list(name: &str, ty: TypeRef, items: fn(&Page) -> Vec<FieldValue<'_>>) -> Field {
    Field::new(name, ty, move |ctx| {
        match ctx.parent_value.try_downcast_ref::<Page>() {
            Ok(page) => FieldFuture::Value(Some(FieldValue::list(items(page)))),
            Err(e) => failed(e),
        }
    })
}

/// `nodes` of a connection.
pub fn page_nodes(type_name: &str) -> Field {
    page_list("nodes", TypeRef::named_nn_list_nn(type_name), |page| {
        page.rows
            .iter()
            .map(|r| FieldValue::borrowed_any(r))
            .collect()
    })
}

/// `edges` of a connection.
pub fn page_edges(edge_type: &str) -> Field {
    page_list("edges", TypeRef::named_nn_list_nn(edge_type), |page| {
        page.rows
            .iter()
            .zip(&page.cursors)
            .map(|(r, c)| {
                FieldValue::owned_any(Edge {
                    cursor: c.clone(),
                    node: r.clone(),
                })
            })
            .collect()
    })
}

/// `node` of an edge.
pub fn edge_node(type_name: &str) -> Field {
    Field::new("node", TypeRef::named_nn(type_name), |ctx| {
        match ctx.parent_value.try_downcast_ref::<Edge>() {
            Ok(edge) => FieldFuture::Value(Some(FieldValue::borrowed_any(&edge.node))),
            Err(e) => failed(e),
        }
    })
}

/// `pageInfo` of a connection.
pub fn page_info() -> Field {
    pass_parent::<Page>("pageInfo", TypeRef::named_nn(super::shared::PAGE_INFO))
}

/// `key` of an aggregate group.
pub fn group_key(key_type: &str) -> Field {
    pass_parent::<Group>("key", TypeRef::named_nn(key_type))
}

/// `sum`, `avg`, `min` or `max` of an aggregate group.
pub fn group_self(measure: &str, type_name: &str) -> Field {
    pass_parent::<Group>(measure, TypeRef::named_nn(type_name))
}
