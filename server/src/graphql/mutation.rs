//! Mutations of each table: create, update (with `rowVersion`), delete, bulk upsert. The input is
//! read here (every problem of every row at once); the service checks rights, state, deadline
//! and rules in the contract's order and writes.

use std::sync::Arc;

use async_graphql::dynamic::{
    Field, FieldFuture, FieldValue, InputValue, Object, ResolverContext, TypeRef,
};
use async_graphql::Value as Gql;

use super::convert::read_record;
use super::errors::ApiResult;
use super::query::parse_id;
use super::resolve::{req, Req};
use crate::defs::{naming, Table};
use crate::service::grid::Pasted;
use crate::service::rows::Input;

pub use super::grid::BULK_RESULT;

/// Adds a table's mutation fields.
pub fn add_table_mutations(mut m: Object, table: &Arc<Table>) -> Object {
    let slug = &table.slug;
    let ty = naming::type_name(slug);
    let t = table.clone();
    m = m.field(
        Field::new(
            naming::create_mutation(slug),
            TypeRef::named_nn(&ty),
            move |ctx| {
                let t = t.clone();
                FieldFuture::new(async move { Ok(Some(create(&ctx, t).await?)) })
            },
        )
        .description(format!("新增一行{}", table.name))
        .argument(InputValue::new(
            "input",
            TypeRef::named_nn(naming::create_input(slug)),
        ))
        .argument(InputValue::new("cycle", TypeRef::named(TypeRef::INT)))
        .argument(
            InputValue::new("unit", TypeRef::named(TypeRef::STRING))
                .description("所属单位代码，默认为本人单位"),
        ),
    );
    let t = table.clone();
    m = m.field(
        Field::new(
            naming::update_mutation(slug),
            TypeRef::named_nn(&ty),
            move |ctx| {
                let t = t.clone();
                FieldFuture::new(async move { Ok(Some(update(&ctx, t).await?)) })
            },
        )
        .description(format!(
            "修改{}的一行；rowVersion 须为读取时的版本，否则返回 CONFLICT",
            table.name
        ))
        .argument(InputValue::new("id", TypeRef::named_nn(TypeRef::ID)))
        .argument(InputValue::new(
            "rowVersion",
            TypeRef::named_nn(TypeRef::INT),
        ))
        .argument(InputValue::new(
            "patch",
            TypeRef::named_nn(naming::update_input(slug)),
        )),
    );
    let t = table.clone();
    m = m.field(
        Field::new(
            naming::delete_mutation(slug),
            TypeRef::named_nn(TypeRef::ID),
            move |ctx| {
                let t = t.clone();
                FieldFuture::new(async move {
                    let r = req(&ctx)?;
                    let id = parse_id(ctx.args.try_get("id")?.string()?)?;
                    let who = r.access.clone();
                    let row = r
                        .svc
                        .blocking(move |svc| svc.delete_row(&who, &t, id))
                        .await?;
                    Ok(Some(FieldValue::value(Gql::from(row.id.to_string()))))
                })
            },
        )
        .description(format!("删除{}的一行", table.name))
        .argument(InputValue::new("id", TypeRef::named_nn(TypeRef::ID))),
    );
    let t = table.clone();
    m.field(
        Field::new(
            naming::bulk_upsert_mutation(slug),
            TypeRef::named_nn(BULK_RESULT),
            move |ctx| {
                let t = t.clone();
                FieldFuture::new(async move { Ok(Some(bulk(&ctx, t).await?)) })
            },
        )
        .description(format!(
            "批量写入{}：按关键字段已有的行更新，没有的新增；全部成功或全部不写",
            table.name
        ))
        .argument(InputValue::new(
            "rows",
            TypeRef::named_nn_list_nn(naming::create_input(slug)),
        ))
        .argument(InputValue::new("cycle", TypeRef::named(TypeRef::INT)))
        .argument(InputValue::new("unit", TypeRef::named(TypeRef::STRING)))
        .argument(super::grid::mode_argument()),
    )
}

/// The `cycle` and `unit` arguments of a create or bulk mutation.
fn target(ctx: &ResolverContext<'_>, r: &Req<'_>) -> ApiResult<(Option<i32>, Option<String>)> {
    let cycle = match ctx.args.get("cycle") {
        Some(v) if !v.is_null() => Some(r.cycle(ctx)?),
        _ => None,
    };
    Ok((cycle, r.opt_str(ctx, "unit").map(str::to_owned)))
}

async fn create<'a>(
    ctx: &ResolverContext<'a>,
    t: Arc<Table>,
) -> async_graphql::Result<FieldValue<'a>> {
    let r = req(ctx)?;
    let (cycle, unit) = target(ctx, &r)?;
    let mut problems = Vec::new();
    let record = read_record(&t, &ctx.args.try_get("input")?.object()?, 0, &mut problems);
    let input = Input { record, problems };
    let who = r.access.clone();
    let row = r
        .svc
        .blocking(move |svc| svc.create_row(&who, &t, cycle, unit.as_deref(), input))
        .await?;
    Ok(FieldValue::owned_any(row))
}

async fn update<'a>(
    ctx: &ResolverContext<'a>,
    t: Arc<Table>,
) -> async_graphql::Result<FieldValue<'a>> {
    let r = req(ctx)?;
    let id = parse_id(ctx.args.try_get("id")?.string()?)?;
    let version = ctx.args.try_get("rowVersion")?.i64()?;
    let mut problems = Vec::new();
    let record = read_record(&t, &ctx.args.try_get("patch")?.object()?, 0, &mut problems);
    let patch = Input { record, problems };
    let who = r.access.clone();
    let row = r
        .svc
        .blocking(move |svc| svc.update_row(&who, &t, id, version, patch))
        .await?;
    Ok(FieldValue::owned_any(row))
}

async fn bulk<'a>(
    ctx: &ResolverContext<'a>,
    t: Arc<Table>,
) -> async_graphql::Result<FieldValue<'a>> {
    let r = req(ctx)?;
    let (cycle, unit) = target(ctx, &r)?;
    let mut rows = Vec::new();
    for (i, item) in ctx.args.try_get("rows")?.list()?.iter().enumerate() {
        let mut problems = Vec::new();
        let record = read_record(&t, &item.object()?, i, &mut problems);
        rows.push(Input { record, problems });
    }
    let who = r.access.clone();
    let mode = super::grid::mode_of(ctx)?;
    let done = r
        .svc
        .blocking(move |svc| match mode {
            Some(mode) => svc.paste_rows(&who, &t, cycle, unit.as_deref(), rows, mode),
            None => svc.bulk_upsert(&who, &t, cycle, unit.as_deref(), rows).map(
                |(inserted, updated)| Pasted {
                    inserted,
                    updated,
                    ..Pasted::default()
                },
            ),
        })
        .await?;
    Ok(FieldValue::owned_any(done))
}
