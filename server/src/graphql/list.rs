//! A table's list field: filter, order, offset and keyset paging (`first`/`after`,
//! `last`/`before`), `totalCount`, `nodes`, Relay `edges` and `pageInfo`. Thin: read the
//! arguments, check rights, call the service, map.

use std::sync::Arc;

use async_graphql::dynamic::{
    Field, FieldFuture, FieldValue, InputValue, ResolverContext, TypeRef,
};
use base64::Engine;
use serde::{Deserialize, Serialize};

use super::convert::read_filter;
use super::errors::{ApiError, ApiResult, Code};
use super::resolve::{req, Page};
use super::select::CellsByName;
use crate::authz::Action;
use crate::defs::{naming, Table};
use crate::service::page::{Key, PageQuery, PageRows, Paging};
use crate::service::read::{ListQuery, Order};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// The most terms one `orderBy` may list: each adds a term to every keyset condition.
pub const MAX_ORDER: usize = 8;

/// The list field of a table.
pub fn list_field(table: &Arc<Table>) -> Field {
    let slug = &table.slug;
    let t = table.clone();
    let cells = Arc::new(super::select::cells_by_name(table));
    Field::new(
        naming::list_field(slug),
        TypeRef::named_nn(naming::connection_type(slug)),
        move |ctx| {
            let (t, cells) = (t.clone(), cells.clone());
            FieldFuture::new(async move { Ok(Some(list(&ctx, t, &cells).await?)) })
        },
    )
    .description(format!("{} {}", table.code, table.name))
    .argument(
        InputValue::new("cycle", TypeRef::named(TypeRef::INT))
            .description("采集年度，默认为当前周期"),
    )
    .argument(InputValue::new(
        "filter",
        TypeRef::named(naming::filter_type(slug)),
    ))
    .argument(InputValue::new(
        "orderBy",
        TypeRef::named_nn_list(naming::order_type(slug)),
    ))
    .argument(
        InputValue::new("first", TypeRef::named(TypeRef::INT))
            .description("从前往后取的行数（默认 100，最多 1000）；可与 after、offset 同用"),
    )
    .argument(
        InputValue::new("offset", TypeRef::named(TypeRef::INT))
            .description("跳过的行数，用于跳到某一页；不能与 after、before、last 同用"),
    )
    .argument(
        InputValue::new("after", TypeRef::named(TypeRef::STRING))
            .description("只取此游标之后的行（上一页的 pageInfo.endCursor）"),
    )
    .argument(
        InputValue::new("last", TypeRef::named(TypeRef::INT))
            .description("从后往前取的行数（最多 1000），与 before 同用向前翻页"),
    )
    .argument(
        InputValue::new("before", TypeRef::named(TypeRef::STRING))
            .description("只取此游标之前的行（下一页的 pageInfo.startCursor）"),
    )
}

/// What a cursor holds: the ordering it belongs to and the row's position in it.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Cursor {
    o: String,
    k: Key,
}

/// The ordering as a cursor names it: a cursor of another ordering is refused.
fn order_signature(order: &[Order]) -> String {
    let terms: Vec<String> = order
        .iter()
        .map(|o| format!("{}{}", if o.descending { "-" } else { "+" }, o.field))
        .collect();
    terms.join(",")
}

fn encode_cursor(signature: &str, key: Key) -> String {
    let c = Cursor {
        o: signature.to_owned(),
        k: key,
    };
    B64.encode(serde_json::to_vec(&c).unwrap_or_default())
}

fn decode_cursor(arg: &str, text: &str, signature: &str) -> ApiResult<Key> {
    let bad = |why: &str| {
        ApiError::new(
            Code::BadRequest,
            format!("{arg} 不是有效的游标（{why}）；请使用本查询返回的 cursor、startCursor 或 endCursor"),
        )
    };
    let bytes = B64.decode(text).map_err(|_| bad("无法解码"))?;
    let c: Cursor = serde_json::from_slice(&bytes).map_err(|_| bad("内容无效"))?;
    if c.o != signature {
        return Err(bad("与本次查询的排序不符"));
    }
    Ok(c.k)
}

fn int_arg(ctx: &ResolverContext<'_>, name: &str) -> ApiResult<Option<i64>> {
    match ctx.args.get(name).filter(|v| !v.is_null()) {
        None => Ok(None),
        Some(v) => v
            .i64()
            .map(Some)
            .map_err(|_| ApiError::new(Code::BadRequest, format!("{name} 应为整数"))),
    }
}

/// The order terms of `orderBy`.
fn order_arg(ctx: &ResolverContext<'_>, t: &Table) -> ApiResult<Vec<Order>> {
    let mut order = Vec::new();
    let Some(list) = ctx.args.get("orderBy").filter(|v| !v.is_null()) else {
        return Ok(order);
    };
    let bad = || ApiError::new(Code::BadRequest, "orderBy 应为排序条件的列表");
    let list = list.list().map_err(|_| bad())?;
    if list.len() > MAX_ORDER {
        return Err(ApiError::new(
            Code::BadRequest,
            format!(
                "orderBy 列出了 {} 个排序字段，最多 {MAX_ORDER} 个",
                list.len()
            ),
        ));
    }
    for item in list.iter() {
        let o = item.object().map_err(|_| bad())?;
        let field = o.get("field").ok_or_else(bad)?;
        let field = super::query::enum_field(t, field.enum_name().map_err(|_| bad())?)?;
        let descending = o
            .get("direction")
            .is_some_and(|d| d.enum_name().ok() == Some("DESC"));
        order.push(Order { field, descending });
    }
    Ok(order)
}

/// Reads the paging arguments into (limit, offset, paging) and refuses the combinations that
/// have no single meaning.
fn paging_arg(
    ctx: &ResolverContext<'_>,
    max_page: i64,
    signature: &str,
) -> ApiResult<(i64, i64, Paging)> {
    let bad = |m: String| ApiError::new(Code::BadRequest, m);
    let first = int_arg(ctx, "first")?;
    let last = int_arg(ctx, "last")?;
    let offset = int_arg(ctx, "offset")?.unwrap_or(0);
    let cursor = |name: &str| -> ApiResult<Option<Key>> {
        match ctx.args.get(name).filter(|v| !v.is_null()) {
            None => Ok(None),
            Some(v) => {
                let text = v
                    .string()
                    .map_err(|_| bad(format!("{name} 应为游标字符串")))?;
                decode_cursor(name, text, signature).map(Some)
            }
        }
    };
    let after = cursor("after")?;
    let before = cursor("before")?;
    if first.is_some() && last.is_some() {
        return Err(bad("first 与 last 不能同时使用".into()));
    }
    for (name, n) in [("first", first), ("last", last)] {
        if n.is_some_and(|n| !(0..=max_page).contains(&n)) {
            return Err(bad(format!("{name} 应在 0 到 {max_page} 之间")));
        }
    }
    if offset < 0 {
        return Err(bad(format!("offset 不能为负数（收到 {offset}）")));
    }
    if offset > 0 && (after.is_some() || before.is_some() || last.is_some()) {
        return Err(bad(
            "offset 只能与 first 同用，不能与 after、before、last 同用".into(),
        ));
    }
    let paging = Paging {
        after,
        before,
        from_end: last.is_some(),
        info: false,
        keys: false,
    };
    Ok((last.or(first).unwrap_or(100), offset, paging))
}

async fn list<'a>(
    ctx: &ResolverContext<'a>,
    t: Arc<Table>,
    cells: &CellsByName,
) -> async_graphql::Result<FieldValue<'a>> {
    let r = req(ctx)?;
    r.guard(&t, Action::Read)?;
    let cycle = r.cycle(ctx)?;
    let filter = match ctx.args.get("filter").filter(|v| !v.is_null()) {
        Some(v) => Some(read_filter(
            &t,
            &v.object()
                .map_err(|_| ApiError::new(Code::BadRequest, "filter 应为对象"))?,
        )?),
        None => None,
    };
    let order = order_arg(ctx, &t)?;
    let signature = order_signature(&order);
    let (limit, offset, mut paging) = paging_arg(ctx, r.config.max_page, &signature)?;
    let wanted = super::select::selected(ctx, cells);
    paging.info = wanted.info;
    paging.keys = wanted.keys;
    let who = r.access.clone();
    let query = PageQuery {
        list: ListQuery {
            cycle,
            filter,
            order,
            limit: Some(limit),
            offset,
        },
        cells: wanted.cells,
        count: wanted.count,
        paging,
    };
    let PageRows {
        rows,
        total,
        keys,
        has_next,
        has_previous,
    } = r
        .svc
        .blocking(move |svc| svc.page(&who, &t, &query))
        .await?;
    let cursors = keys
        .into_iter()
        .map(|k| encode_cursor(&signature, k))
        .collect();
    Ok(FieldValue::owned_any(Page {
        total: total.unwrap_or(0),
        rows,
        cursors,
        has_next,
        has_previous,
    }))
}
