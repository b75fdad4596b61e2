//! Query fields of each table: the list (filter, order, paging, totalCount), one row by id, and
//! aggregates with group-by. Thin: read the request, check rights, call the store, map.

use std::sync::Arc;

use async_graphql::dynamic::{
    Field, FieldFuture, FieldValue, InputValue, Object, ResolverContext, TypeRef,
};
use base64::Engine;

use super::convert::read_filter;
use super::errors::{ApiError, ApiResult, Code};
use super::resolve::{blocking, req, Group, Page};
use super::types::{numeric, sortable};
use crate::authz::Action;
use crate::defs::{naming, FieldType, Table};
use crate::store::{
    AggFn, AggregateQuery, Filter, ListQuery, Measure, Order, PageQuery, PageRows, Value,
};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// Adds a table's query fields.
pub fn add_table_queries(mut query: Object, table: &Arc<Table>) -> Object {
    let slug = &table.slug;
    let t = table.clone();
    let cells = Arc::new(super::select::cells_by_name(table));
    query = query.field(
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
                .description("每页行数，默认 100，最多 1000"),
        )
        .argument(InputValue::new("offset", TypeRef::named(TypeRef::INT)))
        .argument(
            InputValue::new("after", TypeRef::named(TypeRef::STRING))
                .description("上一页的 pageInfo.endCursor"),
        ),
    );
    let t = table.clone();
    query = query.field(
        Field::new(
            naming::single_field(slug),
            TypeRef::named(naming::type_name(slug)),
            move |ctx| {
                let t = t.clone();
                FieldFuture::new(async move {
                    let r = req(&ctx)?;
                    r.guard(&t, Action::Read)?;
                    let id = parse_id(ctx.args.try_get("id")?.string().unwrap_or_default())?;
                    let scope = r.access.read_scope(&t.code);
                    let row = blocking(r.store, move |s| Ok(s.get(&t, &scope, id)?)).await?;
                    Ok(row.map(FieldValue::owned_any))
                })
            },
        )
        .description(format!("按 id 取 {} 的一行", table.name))
        .argument(InputValue::new("id", TypeRef::named_nn(TypeRef::ID))),
    );
    let t = table.clone();
    query.field(
        Field::new(
            naming::aggregate_field(slug),
            TypeRef::named_nn_list_nn(naming::aggregate_type(slug)),
            move |ctx| {
                let t = t.clone();
                FieldFuture::new(async move { Ok(Some(aggregate(&ctx, t).await?)) })
            },
        )
        .description(format!(
            "{} 的统计：计数、求和、平均、最小、最大，可按字段分组",
            table.name
        ))
        .argument(InputValue::new("cycle", TypeRef::named(TypeRef::INT)))
        .argument(InputValue::new(
            "filter",
            TypeRef::named(naming::filter_type(slug)),
        ))
        .argument(InputValue::new(
            "groupBy",
            TypeRef::named_nn_list(naming::field_enum(slug)),
        )),
    )
}

/// Parses an id argument.
pub fn parse_id(text: &str) -> ApiResult<i64> {
    text.parse()
        .map_err(|_| ApiError::new(Code::BadRequest, format!("id “{text}”不是有效的编号")))
}

fn filter_arg(ctx: &ResolverContext<'_>, t: &Table) -> ApiResult<Option<Filter>> {
    match ctx.args.get("filter") {
        Some(v) if !v.is_null() => Ok(Some(read_filter(
            t,
            &v.object()
                .map_err(|_| ApiError::new(Code::BadRequest, "filter 应为对象"))?,
        )?)),
        _ => Ok(None),
    }
}

/// The definition field behind a `…Field` enum item.
fn enum_field(t: &Table, item: &str) -> ApiResult<String> {
    match item {
        "ID" => Ok("id".into()),
        "UNIT" => Ok("unit".into()),
        "UPDATED_AT" => Ok("updated_at".into()),
        _ => t
            .fields
            .iter()
            .find(|f| super::types::enum_item(&f.name) == item)
            .map(|f| f.name.clone())
            .ok_or_else(|| ApiError::new(Code::BadRequest, format!("{} 没有字段 {item}", t.name))),
    }
}

async fn list<'a>(
    ctx: &ResolverContext<'a>,
    t: Arc<Table>,
    cells: &super::select::CellsByName,
) -> async_graphql::Result<FieldValue<'a>> {
    let r = req(ctx)?;
    r.guard(&t, Action::Read)?;
    let cycle = r.cycle(ctx)?;
    let filter = filter_arg(ctx, &t)?;
    let mut order = Vec::new();
    if let Some(list) = ctx.args.get("orderBy").filter(|v| !v.is_null()) {
        for item in list.list()?.iter() {
            let o = item.object()?;
            let field = enum_field(&t, o.try_get("field")?.enum_name()?)?;
            let descending = o
                .get("direction")
                .is_some_and(|d| d.enum_name().ok() == Some("DESC"));
            order.push(Order { field, descending });
        }
    }
    let first = ctx
        .args
        .get("first")
        .map(|v| v.i64())
        .transpose()?
        .unwrap_or(100);
    if !(0..=r.config.max_page).contains(&first) {
        return Err(ApiError::new(
            Code::BadRequest,
            format!("first 应在 0 到 {} 之间", r.config.max_page),
        )
        .into());
    }
    let mut offset = ctx
        .args
        .get("offset")
        .map(|v| v.i64())
        .transpose()?
        .unwrap_or(0)
        .max(0);
    if let Some(after) = ctx.args.get("after").filter(|v| !v.is_null()) {
        offset = decode_cursor(after.string()?)?;
    }
    let scope = r.access.read_scope(&t.code);
    let (cells, count) = super::select::selected(ctx, cells);
    let query = PageQuery {
        list: ListQuery {
            cycle,
            filter,
            order,
            limit: Some(first),
            offset,
        },
        cells,
        count,
    };
    let PageRows { rows, total } =
        blocking(r.store, move |s| Ok(s.page(&t, &scope, &query)?)).await?;
    let total = total.unwrap_or(0);
    let next = offset + rows.len() as i64;
    let has_next = next < total;
    let end_cursor = (!rows.is_empty()).then(|| B64.encode(format!("o:{next}")));
    Ok(FieldValue::owned_any(Page {
        total,
        rows,
        has_next,
        end_cursor,
    }))
}

fn decode_cursor(cursor: &str) -> ApiResult<i64> {
    B64.decode(cursor)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.strip_prefix("o:").and_then(|n| n.parse().ok()))
        .ok_or_else(|| ApiError::new(Code::BadRequest, "after 不是有效的游标"))
}

async fn aggregate<'a>(
    ctx: &ResolverContext<'a>,
    t: Arc<Table>,
) -> async_graphql::Result<FieldValue<'a>> {
    let r = req(ctx)?;
    r.guard(&t, Action::Read)?;
    let cycle = r.cycle(ctx)?;
    let filter = filter_arg(ctx, &t)?;
    let mut group_by = Vec::new();
    if let Some(list) = ctx.args.get("groupBy").filter(|v| !v.is_null()) {
        for item in list.list()?.iter() {
            let field = enum_field(&t, item.enum_name()?)?;
            if field == "id" || field == "updated_at" {
                return Err(ApiError::new(Code::BadRequest, "不能按 ID 或 UPDATED_AT 分组").into());
            }
            group_by.push(field);
        }
    }
    let mut measures = vec![Measure {
        func: AggFn::Count,
        field: None,
    }];
    let mut labels: Vec<(&'static str, String)> = Vec::new();
    for f in &t.fields {
        let ordered = numeric(f)
            || matches!(
                f.ty,
                FieldType::Date | FieldType::YearMonth | FieldType::Year
            );
        let fns: &[(&'static str, AggFn)] = if numeric(f) {
            &[
                ("sum", AggFn::Sum),
                ("avg", AggFn::Avg),
                ("min", AggFn::Min),
                ("max", AggFn::Max),
            ]
        } else if ordered && sortable(f) {
            &[("min", AggFn::Min), ("max", AggFn::Max)]
        } else {
            &[]
        };
        for (name, func) in fns {
            measures.push(Measure {
                func: *func,
                field: Some(f.name.clone()),
            });
            labels.push((name, f.name.clone()));
        }
    }
    let scope = r.access.read_scope(&t.code);
    let query = AggregateQuery {
        cycle,
        filter,
        group_by,
        measures,
    };
    let groups = blocking(r.store, move |s| Ok(s.aggregate(&t, &scope, &query)?)).await?;
    let out = groups.into_iter().map(|g| {
        let count = match g.values.first() {
            Some(Value::Int(n)) => *n,
            _ => 0,
        };
        let values = labels
            .iter()
            .cloned()
            .zip(g.values.into_iter().skip(1))
            .collect();
        FieldValue::owned_any(Group {
            key: g.group,
            count,
            values,
        })
    });
    Ok(FieldValue::list(out.collect::<Vec<_>>()))
}
