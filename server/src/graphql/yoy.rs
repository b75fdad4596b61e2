//! Year over year and 高基 through GraphQL: `compare(cycle, table)` (every numeric field against
//! the previous cycle), `rowHistory(table, id)` (a row's cycles through its carried-forward
//! links), `gaojiComparison(cycle)` and `setGaojiFigures(cycle, figures)`. Resolvers are thin:
//! the work is in `service::compare` and `service::gaoji`.

use async_graphql::dynamic::{
    Field, FieldFuture, FieldValue, InputObject, InputValue, Object, ResolverContext,
    SchemaBuilder, TypeRef,
};
use async_graphql::Value as Gql;
use rust_decimal::Decimal;

use super::errors::{ApiError, ApiResult, Code};
use super::resolve::{field_of_parent, req};
use super::shared::{DATE, DECIMAL};
use crate::service::compare::RowAt;
use crate::service::compare::{Comparison, FieldChange, UnitComparison};
use crate::service::gaoji::{FigureInput, GaojiLine};

fn dec(d: Option<Decimal>) -> Gql {
    d.map_or(Gql::Null, |d| Gql::from(d.normalize().to_string()))
}

fn int_arg(ctx: &ResolverContext<'_>, name: &str) -> ApiResult<i32> {
    ctx.args
        .get(name)
        .and_then(|v| v.i64().ok())
        .and_then(|c| i32::try_from(c).ok())
        .ok_or_else(|| ApiError::new(Code::BadRequest, format!("{name} 应为年份，如 2023")))
}

fn str_arg(ctx: &ResolverContext<'_>, name: &str) -> ApiResult<String> {
    ctx.args
        .get(name)
        .and_then(|v| v.string().ok().map(str::to_owned))
        .ok_or_else(|| ApiError::new(Code::BadRequest, format!("缺少参数 {name}")))
}

/// Fields of an object over its parent `T`: `(name, type, getter)`.
pub(super) type Fields<'a, T> = Vec<(&'a str, TypeRef, fn(&T) -> Gql)>;

/// `object` with one field per `(name, type, getter)` over its parent `T`.
pub(super) fn fields_of<T: Send + Sync + 'static>(object: Object, fields: Fields<'_, T>) -> Object {
    fields.into_iter().fold(object, |o, (name, ty, get)| {
        o.field(field_of_parent::<T>(name, ty, get))
    })
}

/// A list field over a parent `T`, whose items are `U`s borrowed from it.
pub(super) fn list<T: Send + Sync + 'static, U: Send + Sync + 'static>(
    name: &str,
    ty: &str,
    get: fn(&T) -> &Vec<U>,
) -> Field {
    Field::new(name, TypeRef::named_nn_list_nn(ty), move |ctx| {
        FieldFuture::new(async move {
            let parent = ctx.parent_value.try_downcast_ref::<T>()?;
            Ok(Some(FieldValue::list(
                get(parent).iter().map(|x| FieldValue::borrowed_any(x)),
            )))
        })
    })
}

fn one<T: Send + Sync + 'static, U: Send + Sync + 'static>(
    name: &str,
    ty: &str,
    get: fn(&T) -> &U,
) -> Field {
    Field::new(name, TypeRef::named_nn(ty), move |ctx| {
        FieldFuture::new(async move {
            let parent = ctx.parent_value.try_downcast_ref::<T>()?;
            Ok(Some(FieldValue::borrowed_any(get(parent))))
        })
    })
}

/// Registers FieldChange, UnitComparison, Comparison, RowAt, GaojiLine and GaojiFigureInput.
pub fn register(b: SchemaBuilder) -> SchemaBuilder {
    gaoji_objects(compare_objects(b))
}

/// FieldChange, UnitComparison, Comparison and RowAt: a table against the previous cycle.
fn compare_objects(b: SchemaBuilder) -> SchemaBuilder {
    let s = || TypeRef::named_nn(TypeRef::STRING);
    let i = || TypeRef::named_nn(TypeRef::INT);
    let d = || TypeRef::named(DECIMAL);
    type FGet = fn(&FieldChange) -> Gql;
    let fc: Vec<(&str, TypeRef, FGet)> = vec![
        ("field", s(), |f| Gql::from(f.field.clone())),
        ("label", s(), |f| Gql::from(f.label.clone())),
        ("measure", s(), |f| Gql::from(f.measure.clone())),
        ("value", d(), |f| dec(f.value)),
        ("previous", d(), |f| dec(f.previous)),
        ("change", d(), |f| dec(f.change())),
        ("changePercent", d(), |f| dec(f.change_percent())),
    ];
    let change = fields_of(
        Object::new("FieldChange")
            .description("一个数值字段（或行数）本周期与上一周期的合计、变化量与变化百分比"),
        fc,
    );
    let unit = Object::new("UnitComparison")
        .description("一个填报单位的同比")
        .field(field_of_parent::<UnitComparison>("unit", s(), |u| {
            Gql::from(u.unit.clone())
        }))
        .field(field_of_parent::<UnitComparison>("unitName", s(), |u| {
            Gql::from(u.unit_name.clone())
        }))
        .field(one::<UnitComparison, FieldChange>(
            "rows",
            "FieldChange",
            |u| &u.rows,
        ))
        .field(list::<UnitComparison, FieldChange>(
            "fields",
            "FieldChange",
            |u| &u.fields,
        ));
    let comparison = Object::new("Comparison")
        .description(
            "一张表与上一周期的比较：行数、每个数值字段的合计（多个单位填报的表另按单位），以及本周期有多少行延续上年的行（结转链接或关键字段）",
        )
        .field(field_of_parent::<Comparison>("cycle", i(), |c| Gql::from(c.cycle)))
        .field(field_of_parent::<Comparison>("previousCycle", i(), |c| {
            Gql::from(c.previous_cycle)
        }))
        .field(field_of_parent::<Comparison>("table", s(), |c| Gql::from(c.table.clone())))
        .field(field_of_parent::<Comparison>("tableName", s(), |c| {
            Gql::from(c.table_name.clone())
        }))
        .field(one::<Comparison, FieldChange>("rows", "FieldChange", |c| &c.rows))
        .field(field_of_parent::<Comparison>("matchedByLink", i(), |c| {
            Gql::from(c.matched.by_link)
        }))
        .field(field_of_parent::<Comparison>("matchedByKey", i(), |c| {
            Gql::from(c.matched.by_key)
        }))
        .field(list::<Comparison, FieldChange>("fields", "FieldChange", |c| &c.fields))
        .field(list::<Comparison, UnitComparison>("units", "UnitComparison", |c| &c.units));
    let row_at = Object::new("RowAt")
        .description("一行在某一周期中的编号（沿结转链接追溯）")
        .field(field_of_parent::<RowAt>("cycle", i(), |r| {
            Gql::from(r.cycle)
        }))
        .field(field_of_parent::<RowAt>(
            "id",
            TypeRef::named_nn(TypeRef::ID),
            |r| Gql::from(r.id.to_string()),
        ));
    b.register(change)
        .register(unit)
        .register(comparison)
        .register(row_at)
}

/// GaojiLine and GaojiFigureInput: the 高基 figures against the collection.
fn gaoji_objects(b: SchemaBuilder) -> SchemaBuilder {
    let s = || TypeRef::named_nn(TypeRef::STRING);
    let os = || TypeRef::named(TypeRef::STRING);
    let d = || TypeRef::named(DECIMAL);
    type GGet = fn(&GaojiLine) -> Gql;
    let gl: Vec<(&str, TypeRef, GGet)> = vec![
        ("item", s(), |l| Gql::from(l.figure.id.clone())),
        ("name", s(), |l| Gql::from(l.figure.name.clone())),
        ("source", s(), |l| Gql::from(l.figure.source.clone())),
        ("measure", s(), |l| Gql::from(l.figure.measure.clone())),
        ("table", s(), |l| Gql::from(l.figure.table.clone())),
        ("formula", s(), |l| Gql::from(l.figure.formula.text.clone())),
        ("gaoji", d(), |l| dec(l.entered.as_ref().map(|e| e.value))),
        ("gaojiAsOf", TypeRef::named(DATE), |l| {
            l.entered
                .as_ref()
                .map_or(Gql::Null, |e| Gql::from(e.as_of.to_string()))
        }),
        ("note", os(), |l| {
            l.entered
                .as_ref()
                .and_then(|e| e.note.clone())
                .map_or(Gql::Null, Gql::from)
        }),
        ("collected", d(), |l| dec(l.collected)),
        ("collectedAsOf", TypeRef::named_nn(DATE), |l| {
            Gql::from(l.collected_as_of.to_string())
        }),
        ("difference", d(), |l| dec(l.difference())),
        ("differencePercent", d(), |l| dec(l.difference_percent())),
        ("tolerance", TypeRef::named_nn(DECIMAL), |l| {
            Gql::from(l.figure.tolerance.normalize().to_string())
        }),
        ("status", s(), |l| Gql::from(l.status.as_str())),
        ("explanation", os(), |l| {
            l.explanation()
                .map_or(Gql::Null, |e| Gql::from(e.to_owned()))
        }),
    ];
    let line = fields_of(
        Object::new("GaojiLine").description(
            "一项高基报表数据与状态数据的对照：status 为 MATCH（一致）、EXPLAINED（已知原因，如时点差异）、UNEXPLAINED（未说明，生成提醒）或 MISSING（未录入）",
        ),
        gl,
    );
    let input = InputObject::new("GaojiFigureInput")
        .description("一项高基报表数据：编号（见 table-defs/reference/gaoji.toml）、数值、时点（默认学年初 9月1日）、备注")
        .field(InputValue::new("item", TypeRef::named_nn(TypeRef::STRING)))
        .field(InputValue::new("value", TypeRef::named_nn(DECIMAL)))
        .field(InputValue::new("asOf", TypeRef::named(DATE)))
        .field(InputValue::new("note", TypeRef::named(TypeRef::STRING)));
    b.register(line).register(input)
}

/// Adds `compare`, `rowHistory` and `gaojiComparison`.
pub fn add_queries(q: Object) -> Object {
    q.field(
        Field::new("compare", TypeRef::named_nn("Comparison"), |ctx| {
            FieldFuture::new(async move {
                let r = req(&ctx)?;
                let cycle = int_arg(&ctx, "cycle")?;
                let arg = |name: &str| {
                    ctx.args
                        .get(name)
                        .and_then(|v| v.string().ok())
                        .map(str::to_owned)
                };
                let (table, indicator) = (arg("table"), arg("indicator"));
                let who = r.access.clone();
                let c = r
                    .svc
                    .blocking(move |svc| match (table, indicator) {
                        (Some(t), None) => svc.compare_table(&who, cycle, &t),
                        (None, Some(i)) => svc.compare_indicator(&who, cycle, &i),
                        _ => Err(ApiError::new(
                            Code::BadRequest,
                            "compare 须且只须给出 table（表号）或 indicator（核心指标编号）之一",
                        )),
                    })
                    .await?;
                Ok(Some(FieldValue::owned_any(c)))
            })
        })
        .description("同比：一张表每个数值字段（table），或一项核心指标及其分项（indicator），本周期与上一周期的值、变化与变化百分比（填报单位只看本单位）")
        .argument(InputValue::new("cycle", TypeRef::named_nn(TypeRef::INT)))
        .argument(InputValue::new("table", TypeRef::named(TypeRef::STRING)))
        .argument(InputValue::new("indicator", TypeRef::named(TypeRef::STRING))),
    )
    .field(
        Field::new("rowHistory", TypeRef::named_nn_list_nn("RowAt"), |ctx| {
            FieldFuture::new(async move {
                let r = req(&ctx)?;
                let table = str_arg(&ctx, "table")?;
                let id: i64 = str_arg(&ctx, "id")?
                    .parse()
                    .map_err(|_| ApiError::new(Code::BadRequest, "id 应为行的编号"))?;
                let who = r.access.clone();
                let steps = r
                    .svc
                    .blocking(move |svc| svc.row_history(&who, &table, id))
                    .await?;
                Ok(Some(FieldValue::list(steps.into_iter().map(FieldValue::owned_any))))
            })
        })
        .description("一行沿结转链接在各周期中的编号（从最早一年起），用于跨年追踪教师、专业、企业")
        .argument(InputValue::new("table", TypeRef::named_nn(TypeRef::STRING)))
        .argument(InputValue::new("id", TypeRef::named_nn(TypeRef::ID))),
    )
    .field(
        Field::new("gaojiComparison", TypeRef::named_nn_list_nn("GaojiLine"), |ctx| {
            FieldFuture::new(async move {
                let r = req(&ctx)?;
                let cycle = int_arg(&ctx, "cycle")?;
                let who = r.access.clone();
                let lines = r
                    .svc
                    .blocking(move |svc| svc.gaoji_comparison(&who, cycle))
                    .await?;
                Ok(Some(FieldValue::list(lines.into_iter().map(FieldValue::owned_any))))
            })
        })
        .description("高基报表数据与状态数据的对照（质量部、院领导）")
        .argument(InputValue::new("cycle", TypeRef::named_nn(TypeRef::INT))),
    )
}

fn figure_inputs(ctx: &ResolverContext<'_>) -> ApiResult<Vec<FigureInput>> {
    let bad = |m: &str| ApiError::new(Code::BadRequest, m.to_owned());
    let list = ctx
        .args
        .get("figures")
        .and_then(|v| v.list().ok())
        .ok_or_else(|| bad("figures 应为列表"))?;
    let mut out = Vec::new();
    for v in list.iter() {
        let o = v.object().map_err(|_| bad("figures 的每一项应为对象"))?;
        let text = |k: &str| o.get(k).and_then(|v| v.string().ok().map(str::to_owned));
        let item = text("item").ok_or_else(|| bad("缺少 item"))?;
        let value: Decimal = text("value")
            .and_then(|t| t.trim().parse().ok())
            .ok_or_else(|| bad(&format!("{item}：value 应为数字，如 \"12345.67\"")))?;
        let as_of = match text("asOf") {
            Some(t) => Some(
                chrono::NaiveDate::parse_from_str(t.trim(), "%Y-%m-%d")
                    .map_err(|_| bad(&format!("{item}：asOf 应为 YYYY-MM-DD")))?,
            ),
            None => None,
        };
        out.push(FigureInput {
            item,
            value,
            as_of,
            note: text("note"),
        });
    }
    Ok(out)
}

/// Adds `setGaojiFigures`.
pub fn add_mutations(m: Object) -> Object {
    m.field(
        Field::new(
            "setGaojiFigures",
            TypeRef::named_nn_list_nn("GaojiLine"),
            |ctx| {
                FieldFuture::new(async move {
                    let r = req(&ctx)?;
                    let cycle = int_arg(&ctx, "cycle")?;
                    let inputs = figure_inputs(&ctx)?;
                    let who = r.access.clone();
                    let lines = r
                        .svc
                        .blocking(move |svc| svc.set_gaoji_figures(&who, cycle, &inputs))
                        .await?;
                    Ok(Some(FieldValue::list(
                        lines.into_iter().map(FieldValue::owned_any),
                    )))
                })
            },
        )
        .description(
            "质量部录入高基报表数据（全部或全不），返回与状态数据的对照；未说明的差异成为提醒",
        )
        .argument(InputValue::new("cycle", TypeRef::named_nn(TypeRef::INT)))
        .argument(InputValue::new(
            "figures",
            TypeRef::named_nn_list_nn("GaojiFigureInput"),
        )),
    )
}
