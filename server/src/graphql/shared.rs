//! Types every table shares: scalars, filter operators, sort direction, page info.

use async_graphql::dynamic::{
    Enum, InputObject, InputValue, Object, Scalar, SchemaBuilder, TypeRef,
};

use super::resolve::field_of_parent;
use crate::defs::FieldType;

pub const DECIMAL: &str = "Decimal";
pub const DATE: &str = "Date";
pub const YEAR_MONTH: &str = "YearMonth";
pub const SORT: &str = "SortDirection";
pub const PAGE_INFO: &str = "PageInfo";

/// The GraphQL type of a field's value.
pub fn scalar_of(ty: &FieldType) -> TypeRef {
    match ty {
        FieldType::Int | FieldType::Year => TypeRef::named(TypeRef::INT),
        FieldType::Decimal { .. } => TypeRef::named(DECIMAL),
        FieldType::Date => TypeRef::named(DATE),
        FieldType::YearMonth => TypeRef::named(YEAR_MONTH),
        FieldType::Bool => TypeRef::named(TypeRef::BOOLEAN),
        FieldType::MultiEnum { .. } | FieldType::MultiRef { .. } => {
            TypeRef::named_nn_list(TypeRef::STRING)
        }
        _ => TypeRef::named(TypeRef::STRING),
    }
}

/// The filter input for a field's type.
pub fn filter_of(ty: &FieldType) -> &'static str {
    match ty {
        FieldType::Int | FieldType::Year => "IntFilter",
        FieldType::Decimal { .. } => "DecimalFilter",
        FieldType::Date => "DateFilter",
        FieldType::YearMonth => "YearMonthFilter",
        FieldType::Bool => "BooleanFilter",
        FieldType::MultiEnum { .. } | FieldType::MultiRef { .. } => "ListFilter",
        _ => "StringFilter",
    }
}

/// Registers the shared types.
pub fn register(mut b: SchemaBuilder) -> SchemaBuilder {
    // Scalars accept any string: the resolver parses them and reports a bad value in Chinese with
    // the field's label, together with the row's other problems, instead of a bare type error.
    b = b
        .register(Scalar::new(DECIMAL).description("精确小数，以字符串传递，如 \"12345678.91\""))
        .register(Scalar::new(DATE).description("日期，格式 YYYY-MM-DD"))
        .register(Scalar::new(YEAR_MONTH).description("年月，格式 YYYY-MM"));
    let ops = |name: &str, ty: &str, ordered: bool, text: bool| {
        let mut o = InputObject::new(name)
            .field(
                InputValue::new("eq", TypeRef::named(ty)).description("等于；eq: null 取为空的行"),
            )
            .field(
                InputValue::new("ne", TypeRef::named(ty))
                    .description("不等于（空值也算不等于）；ne: null 取不为空的行"),
            )
            .field(InputValue::new("in", TypeRef::named_nn_list(ty)))
            .field(InputValue::new("isNull", TypeRef::named(TypeRef::BOOLEAN)));
        if ordered {
            for op in ["lt", "lte", "gt", "gte"] {
                o = o.field(InputValue::new(op, TypeRef::named(ty)));
            }
        }
        if text {
            o = o
                .field(
                    InputValue::new("contains", TypeRef::named(TypeRef::STRING))
                        .description("包含（英文不区分大小写）"),
                )
                .field(InputValue::new(
                    "startsWith",
                    TypeRef::named(TypeRef::STRING),
                ));
        }
        o
    };
    b = b
        .register(ops("StringFilter", TypeRef::STRING, true, true))
        .register(ops("IntFilter", TypeRef::INT, true, false))
        .register(ops("IDFilter", TypeRef::ID, false, false))
        .register(ops("DecimalFilter", DECIMAL, true, false))
        .register(ops("DateFilter", DATE, true, false))
        .register(ops("YearMonthFilter", YEAR_MONTH, true, false))
        .register(
            InputObject::new("BooleanFilter")
                .field(InputValue::new("eq", TypeRef::named(TypeRef::BOOLEAN)))
                .field(InputValue::new("isNull", TypeRef::named(TypeRef::BOOLEAN))),
        )
        .register(
            InputObject::new("ListFilter")
                .description("多值字段：contains 某个代码")
                .field(InputValue::new("contains", TypeRef::named(TypeRef::STRING)))
                .field(InputValue::new("isNull", TypeRef::named(TypeRef::BOOLEAN))),
        )
        .register(Enum::new(SORT).item("ASC").item("DESC"))
        .register(page_info());
    b
}

fn page_info() -> Object {
    use super::resolve::Page;
    use async_graphql::Value as Gql;
    let cursor = |c: Option<&String>| c.cloned().map_or(Gql::Null, Gql::from);
    Object::new(PAGE_INFO)
        .description("翻页信息：前后是否还有符合条件的行，本页第一行与最后一行的游标")
        .field(field_of_parent::<Page>(
            "hasNextPage",
            TypeRef::named_nn(TypeRef::BOOLEAN),
            |p| p.has_next.into(),
        ))
        .field(field_of_parent::<Page>(
            "hasPreviousPage",
            TypeRef::named_nn(TypeRef::BOOLEAN),
            |p| p.has_previous.into(),
        ))
        .field(field_of_parent::<Page>(
            "startCursor",
            TypeRef::named(TypeRef::STRING),
            move |p| cursor(p.cursors.first()),
        ))
        .field(field_of_parent::<Page>(
            "endCursor",
            TypeRef::named(TypeRef::STRING),
            move |p| cursor(p.cursors.last()),
        ))
}
