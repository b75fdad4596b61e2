//! `rowChecks`: what would stop a unit's submission of a table, asked while filling (the page
//! asks after each save). The work is `service::checks`; this only reads arguments.

use async_graphql::dynamic::{
    Field, FieldFuture, FieldValue, InputValue, Object, SchemaBuilder, TypeRef,
};
use async_graphql::Value as Gql;

use super::errors::{ApiError, Code};
use super::resolve::{field_of_parent, req};
use crate::service::checks::RowCheck;

/// Registers `RowCheck`.
pub fn register(b: SchemaBuilder) -> SchemaBuilder {
    type Get = fn(&RowCheck) -> Gql;
    let s = || TypeRef::named_nn(TypeRef::STRING);
    let fields: [(&str, TypeRef, Get, &str); 7] = [
        (
            "rowId",
            TypeRef::named(TypeRef::ID),
            |c| c.row_id.map_or(Gql::Null, |r| Gql::from(r.to_string())),
            "行的 id（用于打开该行）",
        ),
        (
            "rowRef",
            s(),
            |c| Gql::from(c.row_ref.clone()),
            "行的关键字段，如 ISBN=9787…",
        ),
        ("rule", s(), |c| Gql::from(c.rule.clone()), "规则编号"),
        (
            "severity",
            s(),
            |c| Gql::from(c.severity.clone()),
            "error 错误（提交前须改正）或 warning 提醒（提交时须说明）",
        ),
        (
            "field",
            s(),
            |c| Gql::from(c.field.clone()),
            "字段名（GraphQL），规则不指字段时为空",
        ),
        ("label", s(), |c| Gql::from(c.label.clone()), "字段的中文名"),
        ("message", s(), |c| Gql::from(c.message.clone()), "中文说明"),
    ];
    let mut check = Object::new("RowCheck")
        .description("提交前检查：一行违反的记录规则或引用规则，或与被引用行不一致的名称");
    for (name, ty, get, doc) in fields {
        check = check.field(field_of_parent::<RowCheck>(name, ty, get).description(doc));
    }
    b.register(check)
}

/// Adds `rowChecks`.
pub fn add_queries(q: Object) -> Object {
    q.field(
        Field::new("rowChecks", TypeRef::named_nn_list_nn("RowCheck"), |ctx| {
            FieldFuture::new(async move {
                let r = req(&ctx)?;
                let table = ctx.args.try_get("table")?.string()?.trim().to_owned();
                let cycle = match ctx.args.get("cycle") {
                    Some(v) if !v.is_null() => Some(i32::try_from(v.i64()?).map_err(|_| {
                        ApiError::new(Code::BadRequest, "cycle 应为年份")
                    })?),
                    _ => None,
                };
                let unit = ctx
                    .args
                    .get("unit")
                    .and_then(|v| v.string().ok().map(str::to_owned));
                let ids = match ctx.args.get("ids") {
                    Some(v) if !v.is_null() => Some(
                        v.list()?
                            .iter()
                            .map(|x| {
                                x.string().ok().and_then(|s| s.parse::<i64>().ok()).ok_or_else(
                                    || ApiError::new(Code::BadRequest, "ids 应为行的 id"),
                                )
                            })
                            .collect::<Result<Vec<_>, _>>()?,
                    ),
                    _ => None,
                };
                let who = r.access.clone();
                let checks = r
                    .svc
                    .blocking(move |svc| {
                        svc.check_rows(&who, &table, cycle, unit.as_deref(), ids)
                    })
                    .await?;
                Ok(Some(FieldValue::list(
                    checks.into_iter().map(FieldValue::owned_any),
                )))
            })
        })
        .description(
            "提交前检查（不写入任何数据）：本单位该表的行（或指定的行）违反的记录规则、引用规则，以及与被引用行不一致的名称。错误须在提交前改正，提醒须在提交时说明",
        )
        .argument(InputValue::new("table", TypeRef::named_nn(TypeRef::STRING)).description("表编号，如 2.3.1"))
        .argument(InputValue::new("cycle", TypeRef::named(TypeRef::INT)).description("采集年度，默认为当前周期"))
        .argument(InputValue::new("unit", TypeRef::named(TypeRef::STRING)).description("单位，默认为本单位"))
        .argument(InputValue::new("ids", TypeRef::named_nn_list(TypeRef::ID)).description("只查这些行（默认本单位该表的全部行）")),
    )
}
