//! `lookup`: the choices for a reference field (e.g. 2.3.1's 第一主编工号 → 1.4.1 工号 + 姓名), so a
//! collector can pick a row of a table they may not read. The work and the rights are in
//! `service::lookup`; this reads the arguments.

use async_graphql::dynamic::{
    Field, FieldFuture, FieldValue, InputValue, Object, SchemaBuilder, TypeRef,
};
use async_graphql::Value as Gql;

use super::resolve::{field_of_parent, req};
use crate::service::lookup::{Ask, Choice, MAX_CHOICES};

/// How many choices one call returns unless asked for fewer.
const DEFAULT_FIRST: i64 = 20;

/// Registers `LookupChoice`.
pub fn register(b: SchemaBuilder) -> SchemaBuilder {
    let choice = Object::new("LookupChoice")
        .description("引用字段的一个可选值")
        .field(
            field_of_parent::<Choice>("value", TypeRef::named_nn(TypeRef::STRING), |c| {
                Gql::from(c.value.clone())
            })
            .description("被引用表的关键字段值（填入引用字段）"),
        )
        .field(
            field_of_parent::<Choice>("label", TypeRef::named(TypeRef::STRING), |c| {
                c.label.clone().map_or(Gql::Null, Gql::from)
            })
            .description("显示名称，如教师姓名、专业名称"),
        )
        .field(
            field_of_parent::<Choice>("table", TypeRef::named_nn(TypeRef::STRING), |c| {
                Gql::from(c.table.clone())
            })
            .description("被引用表的编号"),
        );
    b.register(choice)
}

/// Adds `lookup` to the query root.
pub fn add_queries(query: Object) -> Object {
    query.field(
        Field::new("lookup", TypeRef::named_nn_list_nn("LookupChoice"), |ctx| {
            FieldFuture::new(async move {
                let r = req(&ctx)?;
                let code = ctx.args.try_get("table")?.string()?.trim().to_owned();
                let field_name = ctx.args.try_get("field")?.string()?.trim().to_owned();
                let search = ctx
                    .args
                    .get("search")
                    .and_then(|v| v.string().ok().map(|s| s.trim().to_owned()))
                    .filter(|s| !s.is_empty());
                let values: Vec<String> = match ctx.args.get("values") {
                    Some(v) if !v.is_null() => v
                        .list()?
                        .iter()
                        .filter_map(|x| x.string().ok().map(str::to_owned))
                        .collect(),
                    _ => vec![],
                };
                let first = ctx
                    .args
                    .get("first")
                    .and_then(|v| v.i64().ok())
                    .unwrap_or(DEFAULT_FIRST)
                    .clamp(1, MAX_CHOICES);
                let ask = Ask {
                    table: code,
                    field: field_name,
                    cycle: r.cycle(&ctx)?,
                    search,
                    values,
                    first,
                };
                let who = r.access.clone();
                let choices = r.svc.blocking(move |svc| svc.lookup(&who, &ask)).await?;
                Ok(Some(FieldValue::list(
                    choices.into_iter().map(FieldValue::owned_any),
                )))
            })
        })
        .description(
            "引用字段的可选值：在被引用表中按关键字段或名称搜索（填报或查看引用表的人都可调用，只返回关键字段与名称）",
        )
        .argument(
            InputValue::new("table", TypeRef::named_nn(TypeRef::STRING))
                .description("引用方的表编号，如 2.3.1"),
        )
        .argument(
            InputValue::new("field", TypeRef::named_nn(TypeRef::STRING))
                .description("引用字段名，如 chiefEditorNo"),
        )
        .argument(
            InputValue::new("search", TypeRef::named(TypeRef::STRING))
                .description("关键字段或名称中包含的文字"),
        )
        .argument(
            InputValue::new("values", TypeRef::named_nn_list(TypeRef::STRING))
                .description("只取这些关键字段值（用于显示已填值的名称）"),
        )
        .argument(
            InputValue::new("cycle", TypeRef::named(TypeRef::INT))
                .description("采集年度，默认为当前周期"),
        )
        .argument(
            InputValue::new("first", TypeRef::named(TypeRef::INT))
                .description("最多返回几项，默认 20，最多 50"),
        ),
    )
}
