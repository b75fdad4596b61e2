//! Per-table output and input types: the row object, its connection, filter, sortable fields,
//! create/update inputs and aggregate shapes. All names come from `defs::naming`.

use async_graphql::dynamic::{
    Enum, EnumItem, InputObject, InputValue, Object, SchemaBuilder, TypeRef,
};
use async_graphql::Value as Gql;

use super::convert::to_gql;
use super::loader::ref_field;
use super::resolve::{field_of_parent, row_field, Edge, Getter, Group, Page};
use super::shared::{filter_of, scalar_of, DECIMAL, SORT};
use crate::defs::{naming, Catalog, Field, FieldType, Table};
use crate::model::Value;
use crate::service::page::SYSTEM;
use crate::service::read::StoredRow;

/// `teacher_no` → `TEACHER_NO`.
pub fn enum_item(field: &str) -> String {
    field.to_ascii_uppercase()
}

/// Numeric fields: the ones sum and avg apply to.
pub fn numeric(f: &Field) -> bool {
    matches!(f.ty, FieldType::Int | FieldType::Decimal { .. })
}

/// Fields a list may be sorted and grouped by (not lists, not long text).
pub fn sortable(f: &Field) -> bool {
    !matches!(
        f.ty,
        FieldType::MultiEnum { .. } | FieldType::MultiRef { .. } | FieldType::Text
    )
}

fn describe(f: &Field) -> String {
    let mut d = f.label.clone();
    if let Some(u) = &f.unit {
        d.push_str(&format!("（{u}）"));
    }
    if let Some(list) = f.ty.code_list() {
        d.push_str(&format!("；代码表 {list}"));
    }
    if let Some(h) = &f.help {
        d.push('。');
        d.push_str(h);
    }
    d
}

/// Registers every type of one table.
pub fn register_table(mut b: SchemaBuilder, catalog: &Catalog, table: &Table) -> SchemaBuilder {
    let slug = &table.slug;
    let type_name = naming::type_name(slug);
    let mut obj = Object::new(&type_name).description(format!("{} {}", table.code, table.name));
    let system: [(&str, TypeRef, Getter<StoredRow>); 8] = [
        ("id", TypeRef::named_nn(TypeRef::ID), |r| {
            Gql::from(r.id.to_string())
        }),
        ("cycle", TypeRef::named_nn(TypeRef::INT), |r| {
            Gql::from(r.cycle)
        }),
        ("unit", TypeRef::named_nn(TypeRef::STRING), |r| {
            Gql::from(r.unit.clone())
        }),
        ("rowVersion", TypeRef::named_nn(TypeRef::INT), |r| {
            Gql::from(r.row_version)
        }),
        ("createdAt", TypeRef::named_nn(TypeRef::STRING), |r| {
            Gql::from(r.created_at.clone())
        }),
        ("createdBy", TypeRef::named_nn(TypeRef::STRING), |r| {
            Gql::from(r.created_by.clone())
        }),
        ("updatedAt", TypeRef::named_nn(TypeRef::STRING), |r| {
            Gql::from(r.updated_at.clone())
        }),
        ("updatedBy", TypeRef::named_nn(TypeRef::STRING), |r| {
            Gql::from(r.updated_by.clone())
        }),
    ];
    for (cell, (name, ty, get)) in system.into_iter().enumerate() {
        let of_cell: fn(&Value) -> Gql = if cell == 0 {
            |v| match v {
                Value::Int(i) => Gql::from(i.to_string()),
                _ => Gql::Null,
            }
        } else {
            to_gql
        };
        obj = obj.field(row_field(name, ty, cell, of_cell, get));
    }
    obj = obj.field(super::labels::unit_name_field());
    let mut filter = InputObject::new(naming::filter_type(slug))
        .description(format!(
            "{} 的过滤条件；同一对象内的条件须同时满足；值为 null 的条件不起作用（eq、ne 除外）",
            table.name
        ))
        .field(InputValue::new("id", TypeRef::named("IDFilter")))
        .field(InputValue::new("unit", TypeRef::named("StringFilter")))
        .field(InputValue::new(
            "and",
            TypeRef::named_nn_list(naming::filter_type(slug)),
        ))
        .field(InputValue::new(
            "or",
            TypeRef::named_nn_list(naming::filter_type(slug)),
        ));
    let mut create = InputObject::new(naming::create_input(slug)).description(format!(
        "新增一行{}；必填项由服务端校验并一次列出全部问题",
        table.name
    ));
    let mut update = InputObject::new(naming::update_input(slug))
        .description(format!("修改{}的字段；未给出的字段保持不变", table.name));
    let mut fields_enum = Enum::new(naming::field_enum(slug))
        .item(EnumItem::new("ID"))
        .item(EnumItem::new("UNIT"))
        .item(EnumItem::new("UPDATED_AT"));
    let mut key = Object::new(naming::aggregate_part(slug, "Key")).field(field_of_parent::<Group>(
        "unit",
        TypeRef::named(TypeRef::STRING),
        |g| g.key.get("unit").map_or(Gql::Null, to_gql),
    ));
    for (i, f) in table.fields.iter().enumerate() {
        let gql = naming::graphql_field(&f.name);
        let name = f.name.clone();
        let cell = SYSTEM.len() + i;
        obj = obj.field(
            row_field(&gql, scalar_of(&f.ty), cell, to_gql, move |r| {
                r.values.get(&name).map_or(Gql::Null, to_gql)
            })
            .description(describe(f)),
        );
        if let Some(rf) = ref_field(catalog, table, f) {
            obj = obj.field(rf);
        }
        let list = f.ty.code_list().and_then(|l| catalog.code_list(l));
        if let Some(label) = super::labels::label_field(list, f, cell) {
            obj = obj.field(label);
        }
        filter = filter.field(
            InputValue::new(&gql, TypeRef::named(filter_of(&f.ty))).description(f.label.clone()),
        );
        create = create.field(InputValue::new(&gql, scalar_of(&f.ty)).description(describe(f)));
        update = update.field(InputValue::new(&gql, scalar_of(&f.ty)).description(f.label.clone()));
        if sortable(f) {
            fields_enum =
                fields_enum.item(EnumItem::new(enum_item(&f.name)).description(f.label.clone()));
            let name = f.name.clone();
            key = key.field(field_of_parent::<Group>(&gql, scalar_of(&f.ty), move |g| {
                g.key.get(&name).map_or(Gql::Null, to_gql)
            }));
            if let Some(label) = super::labels::key_label_field(list, f) {
                key = key.field(label);
            }
        }
    }
    let order = InputObject::new(naming::order_type(slug))
        .field(InputValue::new(
            "field",
            TypeRef::named_nn(naming::field_enum(slug)),
        ))
        .field(InputValue::new("direction", TypeRef::named(SORT)));
    let connection = Object::new(naming::connection_type(slug))
        .field(field_of_parent::<Page>(
            "totalCount",
            TypeRef::named_nn(TypeRef::INT),
            |p| Gql::from(p.total),
        ))
        .field(super::resolve::page_nodes(&type_name))
        .field(super::resolve::page_edges(&naming::edge_type(slug)))
        .field(super::resolve::page_info());
    let edge = Object::new(naming::edge_type(slug))
        .field(field_of_parent::<Edge>(
            "cursor",
            TypeRef::named_nn(TypeRef::STRING),
            |e| Gql::from(e.cursor.clone()),
        ))
        .field(super::resolve::edge_node(&type_name));
    b = b
        .register(obj)
        .register(filter)
        .register(create)
        .register(update)
        .register(fields_enum)
        .register(order)
        .register(connection)
        .register(edge)
        .register(key);
    register_aggregate(b, table)
}

fn register_aggregate(mut b: SchemaBuilder, table: &Table) -> SchemaBuilder {
    let mut group = Object::new(naming::aggregate_type(&table.slug))
        .description(format!("{} 的分组统计", table.name))
        .field(super::resolve::group_key(&naming::aggregate_part(
            &table.slug,
            "Key",
        )))
        .field(field_of_parent::<Group>(
            "count",
            TypeRef::named_nn(TypeRef::INT),
            |g| Gql::from(g.count),
        ));
    let nums: Vec<&Field> = table.fields.iter().filter(|f| numeric(f)).collect();
    let ordered: Vec<&Field> = table
        .fields
        .iter()
        .filter(|f| {
            numeric(f)
                || matches!(
                    f.ty,
                    FieldType::Date | FieldType::YearMonth | FieldType::Year
                )
        })
        .collect();
    for (measure, fields) in [
        ("sum", &nums),
        ("avg", &nums),
        ("min", &ordered),
        ("max", &ordered),
    ] {
        if fields.is_empty() {
            continue;
        }
        let name = naming::aggregate_part(&table.slug, &capitalise(measure));
        let mut o = Object::new(&name);
        for f in fields.iter() {
            let ty = match (measure, &f.ty) {
                ("avg", _) => TypeRef::named(DECIMAL),
                _ => scalar_of(&f.ty),
            };
            let key = (measure, f.name.clone());
            o = o.field(
                field_of_parent::<Group>(&naming::graphql_field(&f.name), ty, move |g| {
                    g.values.get(&key).map_or(Gql::Null, to_gql)
                })
                .description(f.label.clone()),
            );
        }
        b = b.register(o);
        group = group.field(super::resolve::group_self(measure, &name));
    }
    b.register(group)
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next().map_or_else(String::new, |f| {
        f.to_ascii_uppercase().to_string() + c.as_str()
    })
}
