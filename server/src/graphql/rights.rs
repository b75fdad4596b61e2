//! `grantRight` and `revokeRight`: 质量部 changes who fills and reviews a table; the change is
//! checked, stored in the database as a new policy version with its audit row, and in force for
//! the next request on every instance.

use async_graphql::dynamic::{
    Enum, Field, FieldFuture, FieldValue, InputValue, Object, SchemaBuilder, TypeRef,
};

use super::resolve::{field_of_parent, req};
use crate::authz::Action;
use crate::service::overview::TableRights;
use async_graphql::Value as Gql;

/// Registers the action enum, the rights matrix type and the unit type.
pub fn register(b: SchemaBuilder) -> SchemaBuilder {
    let names = |l: &Vec<String>| Gql::List(l.iter().cloned().map(Gql::from).collect());
    let unit = Object::new("UnitInfo")
        .description("学院的一个部门或院系")
        .field(field_of_parent::<(String, String)>(
            "code",
            TypeRef::named_nn(TypeRef::STRING),
            |u| Gql::from(u.0.clone()),
        ))
        .field(field_of_parent::<(String, String)>(
            "name",
            TypeRef::named_nn(TypeRef::STRING),
            |u| Gql::from(u.1.clone()),
        ));
    b.register(Enum::new("RightAction").item("FILL").item("REVIEW"))
        .register(unit)
        .register(
            Object::new("TableRights")
                .description("一张表的填报单位与审核单位（按现行分工）")
                .field(field_of_parent::<TableRights>(
                    "table",
                    TypeRef::named_nn(TypeRef::STRING),
                    |t| Gql::from(t.table.clone()),
                ))
                .field(field_of_parent::<TableRights>(
                    "fill",
                    TypeRef::named_nn_list_nn(TypeRef::STRING),
                    move |t| names(&t.fill),
                ))
                .field(field_of_parent::<TableRights>(
                    "review",
                    TypeRef::named_nn_list_nn(TypeRef::STRING),
                    move |t| names(&t.review),
                )),
        )
}

/// Adds `rights`: the matrix of who fills and reviews every table (质量部 administers it).
pub fn add_queries(q: Object) -> Object {
    q.field(
        Field::new("rights", TypeRef::named_nn_list_nn("TableRights"), |ctx| {
            FieldFuture::new(async move {
                let r = req(&ctx)?;
                let rows = r.svc.rights_matrix().into_iter();
                Ok(Some(FieldValue::list(rows.map(FieldValue::owned_any))))
            })
        })
        .description("各表的填报单位与审核单位（按现行分工，含“各院系”展开后的院系）"),
    )
    .field(
        Field::new("units", TypeRef::named_nn_list_nn("UnitInfo"), |ctx| {
            FieldFuture::new(async move {
                let r = req(&ctx)?;
                let list = r
                    .svc
                    .units
                    .units
                    .iter()
                    .map(|u| (u.code.clone(), u.name.clone()));
                Ok(Some(FieldValue::list(list.map(FieldValue::owned_any))))
            })
        })
        .description("学院的部门与院系（代码与名称），见 seeds/units.toml"),
    )
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
