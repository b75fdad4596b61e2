//! `grantRight` and `revokeRight`: 质量部 changes who fills and reviews a table; the change is
//! checked, written to policy.csv, audited and in force for the next request.

use async_graphql::dynamic::{
    Enum, Field, FieldFuture, FieldValue, InputValue, Object, SchemaBuilder, TypeRef,
};

use super::resolve::req;
use crate::authz::Action;

/// Registers the action enum.
pub fn register(b: SchemaBuilder) -> SchemaBuilder {
    b.register(Enum::new("RightAction").item("FILL").item("REVIEW"))
}

fn change(grant: bool) -> Field {
    let name = if grant { "grantRight" } else { "revokeRight" };
    Field::new(name, TypeRef::named_nn(TypeRef::BOOLEAN), move |ctx| {
        FieldFuture::new(async move {
            let r = req(&ctx)?;
            let table = ctx.args.try_get("table")?.string()?.to_owned();
            let unit = ctx.args.try_get("unit")?.string()?.to_owned();
            let action = if ctx.args.try_get("action")?.enum_name()? == "REVIEW" {
                Action::Review
            } else {
                Action::Fill
            };
            let who = r.access.clone();
            let changed = r
                .svc
                .blocking(move |svc| svc.change_right(&who, &unit, &table, action, grant))
                .await?;
            Ok(Some(FieldValue::value(changed)))
        })
    })
    .description(if grant {
        "授予某单位（或“各院系”）对某表的填报或审核权限（质量部）"
    } else {
        "撤销某单位对某表的填报或审核权限（质量部）；不能撤销最后一个填报或审核单位"
    })
    .argument(
        InputValue::new("unit", TypeRef::named_nn(TypeRef::STRING))
            .description("单位名称或代码，或“各院系”"),
    )
    .argument(
        InputValue::new("table", TypeRef::named_nn(TypeRef::STRING))
            .description("表编号，如 2.1.1"),
    )
    .argument(InputValue::new("action", TypeRef::named_nn("RightAction")))
}

/// Adds the two mutations.
pub fn add_mutations(m: Object) -> Object {
    m.field(change(true)).field(change(false))
}
