//! Query fields of each table: the list (see [`super::list`]), one row by id, and aggregates
//! with group-by. Thin: read the request, check rights, call the service, map.

use std::sync::Arc;

use async_graphql::dynamic::{
    Field, FieldFuture, FieldValue, InputValue, Object, ResolverContext, TypeRef,
};

use super::convert::read_filter;
use super::errors::{ApiError, ApiResult, Code};
use super::resolve::{req, Group};
use super::types::{numeric, sortable};
use crate::authz::Action;
use crate::defs::{naming, FieldType, Table};
use crate::model::Value;
use crate::service::read::{AggFn, AggregateQuery, Filter, Measure};

/// Adds a table's query fields.
pub fn add_table_queries(mut query: Object, table: &Arc<Table>) -> Object {
    let slug = &table.slug;
    query = query.field(super::list::list_field(table));
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
                    let who = r.access.clone();
                    let row = r.svc.blocking(move |svc| svc.get_row(&who, &t, id)).await?;
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
pub(super) fn enum_field(t: &Table, item: &str) -> ApiResult<String> {
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
    let who = r.access.clone();
    let query = AggregateQuery {
        cycle,
        filter,
        group_by,
        measures,
    };
    let groups = r
        .svc
        .blocking(move |svc| svc.aggregate(&who, &t, &query))
        .await?;
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
