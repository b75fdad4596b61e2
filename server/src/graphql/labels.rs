//! Names beside codes on a table's row type: `xLabel` for each code field `x` (the code list's
//! name of the code, a list of names for a multi-select) and `unitName` for the row's unit, so a
//! client shows 中文 names without a `codeList` query per field (an aggregate's group key has
//! them too). The names come from the catalog
//! and the units the schema was built for: nothing is read per row.

use std::sync::Arc;

use async_graphql::dynamic::{Field, FieldFuture, FieldValue, TypeRef};
use async_graphql::Value as Gql;

use super::resolve::{field_of_parent, Group};
use crate::defs::{naming, CodeList, FieldType};
use crate::model::Value;
use crate::service::page::{self, Cells};
use crate::service::read::StoredRow;
use crate::service::Service;

/// The GraphQL name of a code field's label (`teacherTitleLabel`).
pub fn label_name(field: &str) -> String {
    format!("{}Label", naming::graphql_field(field))
}

/// The value of one field of a parent row: a page's cell, or a stored row's value (`None`
/// while the page could not read the cell: the value field reports that).
fn value_of<'a>(parent: &'a FieldValue<'_>, cell: usize, name: &str) -> Option<&'a Value> {
    if let Some(cells) = parent.downcast_ref::<Cells>() {
        if cells.1.contains(&cell) {
            return None;
        }
        return Some(cells.get(cell));
    }
    parent
        .downcast_ref::<StoredRow>()
        .map(|r| r.values.get(name).unwrap_or(&Value::Null))
}

/// A code's name in `list`; a code the list lacks shows as itself (the checks report it).
fn name_of(list: &CodeList, code: &str) -> Gql {
    Gql::from(list.get(code).map_or(code, |c| c.name.as_str()))
}

/// `xLabel` of a code field (`None` for other fields or an unknown list).
pub fn label_field(
    list: Option<&Arc<CodeList>>,
    f: &crate::defs::Field,
    cell: usize,
) -> Option<Field> {
    let list = list?.clone();
    let multi = matches!(f.ty, FieldType::MultiEnum { .. });
    let ty = if multi {
        TypeRef::named_list(TypeRef::STRING)
    } else {
        TypeRef::named(TypeRef::STRING)
    };
    let (name, list_name) = (f.name.clone(), list.name.clone());
    let field = Field::new(label_name(&f.name), ty, move |ctx| {
        let label = match value_of(ctx.parent_value, cell, &name) {
            Some(Value::Text(code)) => Some(name_of(&list, code)),
            Some(Value::List(codes)) if !codes.is_empty() => {
                Some(Gql::List(codes.iter().map(|c| name_of(&list, c)).collect()))
            }
            _ => None,
        };
        FieldFuture::Value(label.map(FieldValue::value))
    });
    let what = if multi { "各代码" } else { "代码" };
    Some(field.description(format!(
        "{}的名称（{what}在代码表 {} 中的名称；不在代码表中的代码原样返回；未填时为空）",
        f.label, list_name
    )))
}

/// `xLabel` of an aggregate group's key, for a single-code field it is grouped by.
pub fn key_label_field(list: Option<&Arc<CodeList>>, f: &crate::defs::Field) -> Option<Field> {
    let list = list?.clone();
    let name = f.name.clone();
    let description = format!("{}的名称（代码表 {}）", f.label, list.name);
    let field = field_of_parent::<Group>(
        &label_name(&f.name),
        TypeRef::named(TypeRef::STRING),
        move |g| match g.key.get(&name) {
            Some(Value::Text(code)) => name_of(&list, code),
            _ => Gql::Null,
        },
    );
    Some(field.description(description))
}

/// `unitName`: the name of the row's unit (its code when the units file lacks it).
pub fn unit_name_field() -> Field {
    Field::new("unitName", TypeRef::named_nn(TypeRef::STRING), |ctx| {
        let unit = match ctx.parent_value.downcast_ref::<Cells>() {
            Some(cells) => match cells.get(page::UNIT) {
                Value::Text(u) => u.as_str(),
                _ => "",
            },
            None => ctx
                .parent_value
                .downcast_ref::<StoredRow>()
                .map_or("", |r| r.unit.as_str()),
        };
        let name = ctx
            .data::<Service>()
            .ok()
            .and_then(|svc| svc.units.by_code(unit))
            .map_or(unit, |u| u.name.as_str());
        FieldFuture::Value(Some(FieldValue::value(Gql::from(name))))
    })
    .description("填报单位的名称")
}
