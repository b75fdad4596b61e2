//! `lookup`: the choices for a reference field (e.g. 2.3.1's 第一主编工号 → 1.4.1 工号 + 姓名), so a
//! collector can pick a row of a table they may not read. Only the key and a display name leave
//! the server; rights are those of the referencing table. No SQL here.

use std::sync::Arc;

use async_graphql::dynamic::{
    Field, FieldFuture, FieldValue, InputValue, Object, SchemaBuilder, TypeRef,
};
use async_graphql::Value as Gql;

use super::errors::{ApiError, Code};
use super::resolve::{blocking, field_of_parent, req};
use crate::authz::{Access, Action};
use crate::defs::{naming, Catalog, Field as DefField, Table};
use crate::service::names::display_field;
use crate::store::{Filter, ListQuery, Op, Order, RowScope, Value};

/// How many choices one call returns unless asked for fewer.
const DEFAULT_FIRST: i64 = 20;
/// The most choices one call returns: a dropdown, not an export.
const MAX_FIRST: i64 = 50;

/// One choice: the referenced key, its display name and the table it comes from.
#[derive(Debug, Clone)]
struct Choice {
    value: String,
    label: Option<String>,
    table: String,
}

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
                    .clamp(1, MAX_FIRST);
                let cycle = r.cycle(&ctx)?;
                let catalog = r.store.catalog().clone();
                let table = catalog.table_by_code(&code).cloned().ok_or_else(|| {
                    ApiError::new(Code::NotFound, format!("没有编号为 {code} 的数据表"))
                })?;
                // Whoever fills or reads the referencing table needs its choices; nobody else.
                if !r.access.can(&table.code, Action::Fill) {
                    r.guard(&table, Action::Read)?;
                }
                let field = table
                    .fields
                    .iter()
                    .find(|f| f.name == field_name || naming::graphql_field(&f.name) == field_name)
                    .ok_or_else(|| {
                        ApiError::new(
                            Code::NotFound,
                            format!("表 {code} 没有字段 {field_name}"),
                        )
                    })?;
                let targets = targets(&catalog, field)?;
                let ask = Ask {
                    cycle,
                    search,
                    values,
                    first,
                };
                let access = r.access.clone();
                let choices = blocking(r.store, move |store| {
                    let mut out = Vec::new();
                    for (target, key) in targets {
                        let left = ask.first - out.len() as i64;
                        if left <= 0 {
                            break;
                        }
                        let scope = scope_for(&access, &target);
                        let query = ask.query(&target, &key, left);
                        let rows = store.list(&target, &scope, &query)?;
                        let label = display_field(&target, &key);
                        out.extend(rows.into_iter().filter_map(|row| {
                            let value = text(row.values.get(&key))?;
                            let label = label.as_ref().and_then(|l| text(row.values.get(l)));
                            Some(Choice {
                                value,
                                label,
                                table: target.code.clone(),
                            })
                        }));
                    }
                    Ok(out)
                })
                .await?;
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

/// What one lookup asks for.
struct Ask {
    cycle: i32,
    search: Option<String>,
    values: Vec<String>,
    first: i64,
}

impl Ask {
    fn query(&self, target: &Table, key: &str, limit: i64) -> ListQuery {
        let label = display_field(target, key);
        let mut all = Vec::new();
        if !self.values.is_empty() {
            all.push(Filter::In {
                field: key.to_owned(),
                values: self.values.iter().cloned().map(Value::Text).collect(),
            });
        }
        if let Some(s) = &self.search {
            let mut any = vec![Filter::Compare {
                field: key.to_owned(),
                op: Op::Contains,
                value: Value::Text(s.clone()),
            }];
            if let Some(l) = &label {
                any.push(Filter::Compare {
                    field: l.clone(),
                    op: Op::Contains,
                    value: Value::Text(s.clone()),
                });
            }
            all.push(Filter::Or(any));
        }
        ListQuery {
            cycle: self.cycle,
            filter: if all.is_empty() {
                None
            } else {
                Some(Filter::And(all))
            },
            order: vec![Order {
                field: key.to_owned(),
                descending: false,
            }],
            limit: Some(limit),
            offset: 0,
        }
    }
}

/// The tables and key columns a reference field points at.
fn targets(catalog: &Catalog, field: &DefField) -> Result<Vec<(Arc<Table>, String)>, ApiError> {
    let refs = field.ty.ref_targets();
    if refs.is_empty() {
        return Err(ApiError::new(
            Code::BadRequest,
            format!("字段“{}”不是引用字段", field.label),
        ));
    }
    refs.iter()
        .map(|t| {
            catalog
                .table_by_slug(&t.table)
                .cloned()
                .map(|table| (table, t.field.clone()))
                .ok_or_else(|| {
                    ApiError::new(Code::Internal, format!("引用的表 {} 不存在", t.table))
                })
        })
        .collect()
}

/// The rows a caller may reference: a unit that keeps its own rows of the referenced table (it
/// may read it, scoped) chooses among what it reads; everyone else chooses from the whole
/// school's list, of which only key and name are returned.
fn scope_for(access: &Access, target: &Table) -> RowScope {
    if access.can(&target.code, Action::Read) {
        access.read_scope(&target.code)
    } else {
        RowScope::All
    }
}

fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::Text(s) => Some(s.clone()),
        Value::Int(i) => Some(i.to_string()),
        _ => None,
    }
}
