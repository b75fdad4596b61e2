//! Mutations of each table: create, update (with `rowVersion`), delete, bulk upsert. Checks run in
//! the contract's order: rights first, then input validation (every problem of every row at once).

use std::sync::Arc;

use async_graphql::dynamic::{
    Field, FieldFuture, FieldValue, InputValue, Object, ResolverContext, TypeRef,
};
use async_graphql::Value as Gql;

use super::convert::read_record;
use super::errors::{ApiError, ApiResult, Code, InputProblem};
use super::gate::check_editable;
use super::query::parse_id;
use super::resolve::{blocking, field_of_parent, req, Req};
use crate::authz::Action;
use crate::defs::{naming, Table};
use crate::store::{Record, RowScope, WriteCtx};
use crate::validate::{check_record, CycleDates, Severity};

/// The result of a bulk upsert.
pub const BULK_RESULT: &str = "BulkUpsertResult";

/// The shared bulk result type.
pub fn bulk_result_type() -> Object {
    Object::new(BULK_RESULT)
        .field(field_of_parent::<(usize, usize)>(
            "inserted",
            TypeRef::named_nn(TypeRef::INT),
            |r| Gql::from(r.0 as i64),
        ))
        .field(field_of_parent::<(usize, usize)>(
            "updated",
            TypeRef::named_nn(TypeRef::INT),
            |r| Gql::from(r.1 as i64),
        ))
}

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
                    r.guard(&t, Action::Fill)?;
                    let id = parse_id(ctx.args.try_get("id")?.string()?)?;
                    let (scope, actor) =
                        (r.access.write_scope(), r.access.principal.staff_no.clone());
                    let (t2, s2) = (t.clone(), scope.clone());
                    let current = blocking(r.store, move |s| Ok(s.get(&t2, &s2, id)?)).await?;
                    let current = current.ok_or_else(|| {
                        ApiError::new(Code::NotFound, "记录不存在，或不在您可修改的范围内")
                    })?;
                    check_editable(&ctx, r.store, &t, current.cycle, &current.unit).await?;
                    let row =
                        blocking(r.store, move |s| Ok(s.delete(&t, &scope, id, &actor)?)).await?;
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
        .argument(InputValue::new("unit", TypeRef::named(TypeRef::STRING))),
    )
}

/// The write context: cycle and unit from the arguments or the caller.
fn write_ctx(ctx: &ResolverContext<'_>, r: &Req<'_>) -> ApiResult<WriteCtx> {
    let unit = match ctx.args.get("unit") {
        Some(v) if !v.is_null() => v
            .string()
            .map_err(|_| ApiError::new(Code::BadRequest, "unit 应为单位代码"))?
            .to_owned(),
        _ => r.access.principal.unit.clone(),
    };
    if let RowScope::Units(own) = r.access.write_scope() {
        if !own.contains(&unit) {
            return Err(ApiError::new(
                Code::Forbidden,
                format!("不能替其他单位（{unit}）填报"),
            ));
        }
    }
    Ok(WriteCtx {
        cycle: r.cycle(ctx)?,
        unit,
        actor: r.access.principal.staff_no.clone(),
    })
}

/// The installed dates of a cycle (the notice's rule when the cycle is not installed).
pub(super) async fn cycle_dates(store: &crate::store::Store, cycle: i32) -> ApiResult<CycleDates> {
    Ok(store
        .call(move |s| s.with_workflow(|c| crate::store::workflow::cycle_dates(c, cycle)))
        .await?)
}

/// Rule problems of a complete row, as input problems with GraphQL field names.
fn rule_problems(
    r: &Req<'_>,
    t: &Table,
    rec: &Record,
    dates: &CycleDates,
    row: usize,
    out: &mut Vec<InputProblem>,
) {
    for p in check_record(r.store.catalog(), t, rec, dates) {
        if p.severity == Severity::Error
            && !out
                .iter()
                .any(|o| o.row == row && o.field == naming::graphql_field(&p.field))
        {
            out.push(InputProblem {
                row,
                field: naming::graphql_field(&p.field),
                rule: p.rule.into(),
                message: p.message,
            });
        }
    }
}

async fn create<'a>(
    ctx: &ResolverContext<'a>,
    t: Arc<Table>,
) -> async_graphql::Result<FieldValue<'a>> {
    let r = req(ctx)?;
    r.guard(&t, Action::Fill)?;
    let wctx = write_ctx(ctx, &r)?;
    check_editable(ctx, r.store, &t, wctx.cycle, &wctx.unit).await?;
    let mut problems = Vec::new();
    let rec = read_record(&t, &ctx.args.try_get("input")?.object()?, 0, &mut problems);
    let dates = cycle_dates(r.store, wctx.cycle).await?;
    rule_problems(&r, &t, &rec, &dates, 0, &mut problems);
    if !problems.is_empty() {
        return Err(ApiError::invalid(&t.name, problems).into());
    }
    let scope = r.access.write_scope();
    let row = blocking(r.store, move |s| Ok(s.insert(&t, &scope, &wctx, &rec)?)).await?;
    Ok(FieldValue::owned_any(row))
}

async fn update<'a>(
    ctx: &ResolverContext<'a>,
    t: Arc<Table>,
) -> async_graphql::Result<FieldValue<'a>> {
    let r = req(ctx)?;
    r.guard(&t, Action::Fill)?;
    let id = parse_id(ctx.args.try_get("id")?.string()?)?;
    let version = ctx.args.try_get("rowVersion")?.i64()?;
    let (scope, actor) = (r.access.write_scope(), r.access.principal.staff_no.clone());
    let (t2, s2) = (t.clone(), scope.clone());
    let current = blocking(r.store, move |s| Ok(s.get(&t2, &s2, id)?)).await?;
    let current = current
        .ok_or_else(|| ApiError::new(Code::NotFound, "记录不存在，或不在您可修改的范围内"))?;
    check_editable(ctx, r.store, &t, current.cycle, &current.unit).await?;
    let mut problems = Vec::new();
    let patch = read_record(&t, &ctx.args.try_get("patch")?.object()?, 0, &mut problems);
    let mut merged = current.values.clone();
    merged.extend(patch.clone());
    let dates = cycle_dates(r.store, current.cycle).await?;
    rule_problems(&r, &t, &merged, &dates, 0, &mut problems);
    if !problems.is_empty() {
        return Err(ApiError::invalid(&t.name, problems).into());
    }
    let row = blocking(r.store, move |s| {
        Ok(s.update(&t, &scope, id, version, &patch, &actor)?)
    })
    .await?;
    Ok(FieldValue::owned_any(row))
}

async fn bulk<'a>(
    ctx: &ResolverContext<'a>,
    t: Arc<Table>,
) -> async_graphql::Result<FieldValue<'a>> {
    let r = req(ctx)?;
    r.guard(&t, Action::Fill)?;
    let wctx = write_ctx(ctx, &r)?;
    check_editable(ctx, r.store, &t, wctx.cycle, &wctx.unit).await?;
    let dates = cycle_dates(r.store, wctx.cycle).await?;
    let mut problems = Vec::new();
    let mut records = Vec::new();
    for (i, item) in ctx.args.try_get("rows")?.list()?.iter().enumerate() {
        let rec = read_record(&t, &item.object()?, i, &mut problems);
        rule_problems(&r, &t, &rec, &dates, i, &mut problems);
        records.push(rec);
    }
    if !problems.is_empty() {
        return Err(ApiError::invalid(&t.name, problems).into());
    }
    let scope = r.access.write_scope();
    let counts = blocking(r.store, move |s| {
        Ok(s.bulk_upsert(&t, &scope, &wctx, &records)?)
    })
    .await?;
    Ok(FieldValue::owned_any(counts))
}
