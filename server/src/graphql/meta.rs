//! Fields about the service itself: `catalog` (every table's GraphQL names and fields),
//! `codeList`, `cycles` and `me`.

use std::sync::Arc;

use async_graphql::dynamic::{
    Field, FieldFuture, FieldValue, InputValue, Object, SchemaBuilder, TypeRef,
};
use async_graphql::Value as Gql;

use super::build::{int, list_of_parent, service_list, strings, with_fields};
use super::resolve::catalog;
use crate::defs::{naming, CodeList, Field as DefField, Table};

fn s(v: impl Into<String>) -> Gql {
    Gql::from(v.into())
}

fn opt(v: Option<String>) -> Gql {
    v.map_or(Gql::Null, Gql::from)
}

fn str_nn() -> TypeRef {
    TypeRef::named_nn(TypeRef::STRING)
}

fn str_opt() -> TypeRef {
    TypeRef::named(TypeRef::STRING)
}

/// Registers the catalog, code list, cycle and me types.
pub fn register(b: SchemaBuilder) -> SchemaBuilder {
    let catalog_obj = Object::new("Catalog")
        .field(Field::new(
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
        ))
        .field(
            Field::new(
                "indicators",
                TypeRef::named_nn_list_nn("CatalogIndicator"),
                |ctx| {
                    FieldFuture::new(async move {
                        let c = catalog(&ctx)?;
                        Ok(Some(FieldValue::list(
                            c.indicators
                                .iter()
                                .map(|i| FieldValue::owned_any(i.clone())),
                        )))
                    })
                },
            )
            .description("核心指标的编号、名称与单位（不计算数值）：引用指标时选择用"),
        )
        .field(
            Field::new("codeLists", TypeRef::named_nn_list_nn("CodeList"), |ctx| {
                FieldFuture::new(async move {
                    let c = catalog(&ctx)?;
                    Ok(Some(FieldValue::list(
                        c.code_lists
                            .values()
                            .map(|l| FieldValue::owned_any(l.clone())),
                    )))
                })
            })
            .description(
                "全部代码表（按名称排序），含只经 include 引用的目录（如 majors_gz_2021）",
            ),
        );
    b.register(table_type())
        .register(indicator_type())
        .register(field_type())
        .register(catalog_obj)
        .register(code_type())
        .register(code_list_type())
        .register(cycle_type())
        .register(me_type())
}

/// `CatalogTable`: a table and its GraphQL names.
fn table_type() -> Object {
    with_fields::<Arc<Table>>(
        Object::new("CatalogTable").description("一张采集表及其 GraphQL 名称"),
        vec![
            ("code", str_nn(), |t| s(&t.code)),
            ("slug", str_nn(), |t| s(&t.slug)),
            ("name", str_nn(), |t| s(&t.name)),
            ("group", str_nn(), |t| s(&t.group)),
            ("kind", str_nn(), |t| {
                s(format!("{:?}", t.kind).to_lowercase())
            }),
            ("period", str_nn(), |t| {
                s(match t.period {
                    crate::defs::Period::AcademicYear => "academic_year",
                    crate::defs::Period::CalendarYear => "calendar_year",
                    crate::defs::Period::Snapshot => "snapshot",
                })
            }),
            ("scope", str_nn(), |t| {
                s(format!("{:?}", t.scope).to_lowercase())
            }),
            ("help", str_opt(), |t| opt(t.help.clone())),
            ("typeName", str_nn(), |t| s(naming::type_name(&t.slug))),
            ("listField", str_nn(), |t| s(naming::list_field(&t.slug))),
            ("singleField", str_nn(), |t| {
                s(naming::single_field(&t.slug))
            }),
            ("aggregateField", str_nn(), |t| {
                s(naming::aggregate_field(&t.slug))
            }),
            ("createMutation", str_nn(), |t| {
                s(naming::create_mutation(&t.slug))
            }),
            ("updateMutation", str_nn(), |t| {
                s(naming::update_mutation(&t.slug))
            }),
            ("deleteMutation", str_nn(), |t| {
                s(naming::delete_mutation(&t.slug))
            }),
            ("bulkUpsertMutation", str_nn(), |t| {
                s(naming::bulk_upsert_mutation(&t.slug))
            }),
            ("key", TypeRef::named_nn_list_nn(TypeRef::STRING), |t| {
                Gql::List(
                    t.key
                        .iter()
                        .map(|k| Gql::from(naming::graphql_field(k)))
                        .collect(),
                )
            }),
        ],
    )
    .field(list_of_parent::<Arc<Table>, DefField>(
        "fields",
        "CatalogField",
        |t| &t.fields,
    ))
}

/// `CatalogField`: one field of a table.
fn field_type() -> Object {
    with_fields::<DefField>(
        Object::new("CatalogField").description("表的一个字段"),
        vec![
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
        ],
    )
}

/// `CatalogIndicator`: a core indicator by its id, name and unit.
fn indicator_type() -> Object {
    with_fields::<Arc<crate::defs::Indicator>>(
        Object::new("CatalogIndicator").description("一项核心指标（indicators.toml）"),
        vec![
            ("id", str_nn(), |i| s(&i.id)),
            ("name", str_nn(), |i| s(&i.name)),
            ("unit", str_nn(), |i| s(&i.unit)),
        ],
    )
}

fn code_type() -> Object {
    with_fields::<crate::defs::Code>(
        Object::new("Code"),
        vec![
            ("code", str_nn(), |c| s(&c.code)),
            ("name", str_nn(), |c| s(&c.name)),
            ("group", str_opt(), |c| opt(c.group.clone())),
            ("note", str_opt(), |c| opt(c.note.clone())),
        ],
    )
}

fn code_list_type() -> Object {
    with_fields::<Arc<CodeList>>(
        Object::new("CodeList"),
        vec![
            ("name", str_nn(), |l| s(&l.name)),
            ("label", str_nn(), |l| s(&l.label)),
            ("source", str_nn(), |l| s(&l.source)),
            ("complete", TypeRef::named_nn(TypeRef::BOOLEAN), |l| {
                Gql::from(l.complete)
            }),
        ],
    )
    .field(list_of_parent::<Arc<CodeList>, crate::defs::Code>(
        "codes",
        "Code",
        |l| &l.codes,
    ))
}

fn day(d: chrono::NaiveDate) -> Gql {
    s(d.format("%Y-%m-%d").to_string())
}

fn cycle_type() -> Object {
    with_fields::<crate::validate::CycleDates>(
        Object::new("Cycle").description("采集周期：学年、财务自然年与统计时点"),
        vec![
            ("year", int(), |c| Gql::from(c.year)),
            ("periodStart", str_nn(), |c| day(c.start)),
            ("periodEnd", str_nn(), |c| day(c.end)),
            ("financeYear", int(), |c| Gql::from(c.finance_year)),
            ("snapshotDate", str_nn(), |c| day(c.snapshot)),
        ],
    )
}

fn me_type() -> Object {
    with_fields::<crate::authz::Principal>(
        Object::new("Me"),
        vec![
            ("staffNo", str_nn(), |p| s(&p.staff_no)),
            ("name", str_nn(), |p| s(&p.name)),
            ("unit", str_nn(), |p| s(&p.unit)),
            ("roles", TypeRef::named_nn_list_nn(TypeRef::STRING), |p| {
                strings(&p.roles)
            }),
            (
                "mustChangePassword",
                TypeRef::named_nn(TypeRef::BOOLEAN),
                |p| Gql::from(p.must_change_password),
            ),
        ],
    )
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
        .field(service_list(
            "cycles",
            TypeRef::named_nn_list_nn("Cycle"),
            |_| Ok(()),
            |svc, _, ()| svc.cycles(),
        ))
        .field(Field::new("me", TypeRef::named_nn("Me"), |ctx| {
            FieldFuture::new(async move {
                let r = super::resolve::req_any(&ctx)?;
                Ok(Some(FieldValue::owned_any(r.access.principal.clone())))
            })
        }))
}
