//! `normalizeValue`: what a typed value becomes when saved (the form shows "= 2023-05" or the
//! reason on leaving a field). The reading is `service::normalize`'s; this reads the arguments.

use async_graphql::dynamic::{
    Field, FieldFuture, FieldValue, InputValue, Object, SchemaBuilder, TypeRef,
};
use async_graphql::Value as Gql;

use super::resolve::{field_of_parent, req};
use crate::service::normalize::Normalized;

/// Registers `NormalizedValue`.
pub fn register(b: SchemaBuilder) -> SchemaBuilder {
    let opt = |v: &Option<String>| v.clone().map_or(Gql::Null, Gql::from);
    let normalized = Object::new("NormalizedValue")
        .description("一个输入值保存时的读法")
        .field(
            field_of_parent::<Normalized>("value", TypeRef::named(TypeRef::STRING), move |n| {
                opt(&n.value)
            })
            .description("保存后的值，如 2023-05；输入为空或无法识别时为空"),
        )
        .field(
            field_of_parent::<Normalized>("message", TypeRef::named(TypeRef::STRING), move |n| {
                opt(&n.message)
            })
            .description("无法识别时的原因（中文，含可接受的写法）"),
        );
    b.register(normalized)
}

/// Adds `normalizeValue` to the query root.
pub fn add_queries(query: Object) -> Object {
    query.field(
        Field::new(
            "normalizeValue",
            TypeRef::named_nn("NormalizedValue"),
            |ctx| {
                FieldFuture::new(async move {
                    let r = req(&ctx)?;
                    let code = ctx.args.try_get("table")?.string()?.trim().to_owned();
                    let field = ctx.args.try_get("field")?.string()?.trim().to_owned();
                    let text = ctx.args.try_get("text")?.string()?.to_owned();
                    let who = r.access.clone();
                    let n = r
                        .svc
                        .blocking(move |svc| svc.normalize_value(&who, &code, &field, &text))
                        .await?;
                    Ok(Some(FieldValue::owned_any(n)))
                })
            },
        )
        .description(
            "按保存时的规则读一个输入值（如 2023.5 → 2023-05），不保存；填报或查看该表的人可调用",
        )
        .argument(
            InputValue::new("table", TypeRef::named_nn(TypeRef::STRING))
                .description("表编号，如 2.3.1"),
        )
        .argument(
            InputValue::new("field", TypeRef::named_nn(TypeRef::STRING))
                .description("字段名，如 pubYm"),
        )
        .argument(
            InputValue::new("text", TypeRef::named_nn(TypeRef::STRING))
                .description("输入的文字，如 2023.5、202305、2023年5月"),
        ),
    )
}
