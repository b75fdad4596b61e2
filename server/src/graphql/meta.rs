//! Fields about the service itself: `catalog` (every table's GraphQL names and fields),
//! `codeList`, `cycles` and `me`.

use std::sync::Arc;

use async_graphql::dynamic::{
    Field, FieldFuture, FieldValue, InputValue, Object, SchemaBuilder, TypeRef,
};
use async_graphql::Value as Gql;

use super::resolve::{catalog, field_of_parent, req, Getter};
use crate::defs::{naming, CodeList, Field as DefField, Table};

fn s(v: impl Into<String>) -> Gql {
    Gql::from(v.into())
}

fn opt(v: Option<String>) -> Gql {
    v.map_or(Gql::Null, Gql::from)
}

fn strings(v: &[String]) -> Gql {
    Gql::List(v.iter().cloned().map(Gql::from).collect())
}

/// Registers the catalog, code list, cycle and me types.
pub fn register(b: SchemaBuilder) -> SchemaBuilder {
    let str_nn = || TypeRef::named_nn(TypeRef::STRING);
    let str_opt = || TypeRef::named(TypeRef::STRING);
    let tables: [(&str, Getter<Arc<Table>>); 17] = [
        ("code", |t| s(&t.code)),
        ("slug", |t| s(&t.slug)),
        ("name", |t| s(&t.name)),
        ("group", |t| s(&t.group)),
        ("kind", |t| s(format!("{:?}", t.kind).to_lowercase())),
        ("period", |t| {
            s(match t.period {
                crate::defs::Period::AcademicYear => "academic_year",
                crate::defs::Period::CalendarYear => "calendar_year",
                crate::defs::Period::Snapshot => "snapshot",
            })
        }),
        ("scope", |t| s(format!("{:?}", t.scope).to_lowercase())),
        ("help", |t| opt(t.help.clone())),
        ("typeName", |t| s(naming::type_name(&t.slug))),
        ("listField", |t| s(naming::list_field(&t.slug))),
        ("singleField", |t| s(naming::single_field(&t.slug))),
        ("aggregateField", |t| s(naming::aggregate_field(&t.slug))),
        ("createMutation", |t| s(naming::create_mutation(&t.slug))),
        ("updateMutation", |t| s(naming::update_mutation(&t.slug))),
        ("deleteMutation", |t| s(naming::delete_mutation(&t.slug))),
        ("bulkUpsertMutation", |t| {
            s(naming::bulk_upsert_mutation(&t.slug))
        }),
        ("key", |t| {
            Gql::List(
                t.key
                    .iter()
                    .map(|k| Gql::from(naming::graphql_field(k)))
                    .collect(),
            )
        }),
    ];
    let mut table = Object::new("CatalogTable").description("一张采集表及其 GraphQL 名称");
    for (name, get) in tables {
        let ty = match name {
            "help" => str_opt(),
            "key" => TypeRef::named_nn_list_nn(TypeRef::STRING),
            _ => str_nn(),
        };
        table = table.field(field_of_parent::<Arc<Table>>(name, ty, get));
    }
    table = table.field(Field::new(
        "fields",
        TypeRef::named_nn_list_nn("CatalogField"),
        |ctx| {
            FieldFuture::new(async move {
                let t = ctx.parent_value.try_downcast_ref::<Arc<Table>>()?;
                Ok(Some(FieldValue::list(
                    t.fields.iter().map(|f| FieldValue::borrowed_any(f)),
                )))
            })
        },
    ));
    let fields: [(&str, TypeRef, Getter<DefField>); 14] = [
        ("name", str_nn(), |f| s(naming::graphql_field(&f.name))),
        ("column", str_nn(), |f| s(&f.name)),
        ("label", str_nn(), |f| s(&f.label)),
        ("type", str_nn(), |f| s(f.ty.name())),
        ("required", TypeRef::named_nn(TypeRef::BOOLEAN), |f| {
            Gql::from(f.required)
        }),
        ("codes", str_opt(), |f| {
            opt(f.ty.code_list().map(str::to_owned))
        }),
        ("ref", str_opt(), |f| {
            let r: Vec<String> =
                f.ty.ref_targets()
                    .iter()
                    .map(|r| format!("{}.{}", r.table, r.field))
                    .collect();
            if r.is_empty() {
                Gql::Null
            } else {
                Gql::from(r.join("|"))
            }
        }),
        ("unit", str_opt(), |f| opt(f.unit.clone())),
        ("help", str_opt(), |f| opt(f.help.clone())),
        ("pattern", str_opt(), |f| {
            opt(f.pattern.as_ref().map(|p| p.as_str().to_owned()))
        }),
        ("min", str_opt(), |f| opt(f.min.map(|d| d.to_string()))),
        ("max", str_opt(), |f| opt(f.max.map(|d| d.to_string()))),
        ("maxLen", TypeRef::named(TypeRef::INT), |f| {
            f.max_len.map_or(Gql::Null, Gql::from)
        }),
        // The explorer checks check digits as the user types; it needs the format's name.
        ("format", str_opt(), |f| {
            opt(f.format.map(|x| format!("{x:?}").to_lowercase()))
        }),
    ];
    let mut field = Object::new("CatalogField").description("表的一个字段");
    for (name, ty, get) in fields {
        field = field.field(field_of_parent::<DefField>(name, ty, get));
    }
    let catalog_obj = Object::new("Catalog").field(Field::new(
        "tables",
        TypeRef::named_nn_list_nn("CatalogTable"),
        |ctx| {
            FieldFuture::new(async move {
                let c = catalog(&ctx)?;
                Ok(Some(FieldValue::list(
                    c.tables.iter().map(|t| FieldValue::owned_any(t.clone())),
                )))
            })
        },
    ));
    let code = Object::new("Code")
        .field(field_of_parent::<crate::defs::Code>(
            "code",
            str_nn(),
            |c| s(&c.code),
        ))
        .field(field_of_parent::<crate::defs::Code>(
            "name",
            str_nn(),
            |c| s(&c.name),
        ))
        .field(field_of_parent::<crate::defs::Code>(
            "group",
            str_opt(),
            |c| opt(c.group.clone()),
        ))
        .field(field_of_parent::<crate::defs::Code>(
            "note",
            str_opt(),
            |c| opt(c.note.clone()),
        ));
    let list = Object::new("CodeList")
        .field(field_of_parent::<Arc<CodeList>>("name", str_nn(), |l| {
            s(&l.name)
        }))
        .field(field_of_parent::<Arc<CodeList>>("label", str_nn(), |l| {
            s(&l.label)
        }))
        .field(field_of_parent::<Arc<CodeList>>("source", str_nn(), |l| {
            s(&l.source)
        }))
        .field(field_of_parent::<Arc<CodeList>>(
            "complete",
            TypeRef::named_nn(TypeRef::BOOLEAN),
            |l| Gql::from(l.complete),
        ))
        .field(Field::new(
            "codes",
            TypeRef::named_nn_list_nn("Code"),
            |ctx| {
                FieldFuture::new(async move {
                    let l = ctx.parent_value.try_downcast_ref::<Arc<CodeList>>()?;
                    Ok(Some(FieldValue::list(
                        l.codes.iter().map(|c| FieldValue::borrowed_any(c)),
                    )))
                })
            },
        ));
    type Dates = crate::validate::CycleDates;
    let day = |d: chrono::NaiveDate| s(d.format("%Y-%m-%d").to_string());
    let cycle = Object::new("Cycle")
        .description("采集周期：学年、财务自然年与统计时点")
        .field(field_of_parent::<Dates>(
            "year",
            TypeRef::named_nn(TypeRef::INT),
            |c| Gql::from(c.year),
        ))
        .field(field_of_parent::<Dates>(
            "periodStart",
            str_nn(),
            move |c| day(c.start),
        ))
        .field(field_of_parent::<Dates>("periodEnd", str_nn(), move |c| {
            day(c.end)
        }))
        .field(field_of_parent::<Dates>(
            "financeYear",
            TypeRef::named_nn(TypeRef::INT),
            |c| Gql::from(c.finance_year),
        ))
        .field(field_of_parent::<Dates>(
            "snapshotDate",
            str_nn(),
            move |c| day(c.snapshot),
        ));
    let me = Object::new("Me")
        .field(field_of_parent::<crate::authz::Principal>(
            "staffNo",
            str_nn(),
            |p| s(&p.staff_no),
        ))
        .field(field_of_parent::<crate::authz::Principal>(
            "name",
            str_nn(),
            |p| s(&p.name),
        ))
        .field(field_of_parent::<crate::authz::Principal>(
            "unit",
            str_nn(),
            |p| s(&p.unit),
        ))
        .field(field_of_parent::<crate::authz::Principal>(
            "roles",
            TypeRef::named_nn_list_nn(TypeRef::STRING),
            |p| strings(&p.roles),
        ))
        .field(field_of_parent::<crate::authz::Principal>(
            "mustChangePassword",
            TypeRef::named_nn(TypeRef::BOOLEAN),
            |p| Gql::from(p.must_change_password),
        ));
    b.register(table)
        .register(field)
        .register(catalog_obj)
        .register(code)
        .register(list)
        .register(cycle)
        .register(me)
}

/// Adds `catalog`, `codeList`, `cycles` and `me` to the query root.
pub fn add_queries(query: Object) -> Object {
    query
        .field(
            Field::new("catalog", TypeRef::named_nn("Catalog"), |_| {
                FieldFuture::new(async move { Ok(Some(FieldValue::owned_any(()))) })
            })
            .description("全部采集表、字段及其 GraphQL 名称"),
        )
        .field(
            Field::new("codeList", TypeRef::named("CodeList"), |ctx| {
                FieldFuture::new(async move {
                    let name = ctx.args.try_get("name")?.string()?.to_owned();
                    Ok(catalog(&ctx)?
                        .code_list(&name)
                        .cloned()
                        .map(FieldValue::owned_any))
                })
            })
            .description("一个代码表（下拉选项）")
            .argument(InputValue::new("name", TypeRef::named_nn(TypeRef::STRING))),
        )
        .field(Field::new(
            "cycles",
            TypeRef::named_nn_list_nn("Cycle"),
            |ctx| {
                FieldFuture::new(async move {
                    let r = req(&ctx)?;
                    let cycles = r.svc.blocking(|svc| svc.cycles()).await?;
                    Ok(Some(FieldValue::list(
                        cycles.into_iter().map(FieldValue::owned_any),
                    )))
                })
            },
        ))
        .field(Field::new("me", TypeRef::named_nn("Me"), |ctx| {
            FieldFuture::new(async move {
                let r = super::resolve::req_any(&ctx)?;
                Ok(Some(FieldValue::owned_any(r.access.principal.clone())))
            })
        }))
}
