//! Year over year and 高基 through GraphQL: `compare(cycle, table)` (every numeric field against
//! the previous cycle), `rowHistory(table, id)` (a row's cycles through its carried-forward
//! links), `gaojiComparison(cycle)` and `setGaojiFigures(cycle, figures)`. Resolvers are thin:
//! the work is in `service::compare` and `service::gaoji`.

use async_graphql::dynamic::{
    InputObject, InputValue, Object, ResolverContext, SchemaBuilder, TypeRef,
};
use async_graphql::Value as Gql;
use rust_decimal::Decimal;

use super::build::{
    int, list_of_parent, one_of_parent, opt_gql, opt_text, service_field, service_list, string_arg,
    text, with_fields,
};
use super::convert::cycle_arg;
use super::errors::{ApiError, ApiResult, Code};
use super::resolve::field_of_parent;
use super::shared::{DATE, DECIMAL};
use crate::authz::Access;
use crate::service::compare::RowAt;
use crate::service::compare::{Comparison, FieldChange, Figures};
use crate::service::gaoji::{FigureInput, GaojiLine};
use crate::service::Service;

fn dec(d: Option<Decimal>) -> Gql {
    d.map_or(Gql::Null, |d| Gql::from(d.normalize().to_string()))
}

fn str_arg(ctx: &ResolverContext<'_>, name: &str) -> ApiResult<String> {
    string_arg(ctx, name).ok_or_else(|| ApiError::new(Code::BadRequest, format!("缺少参数 {name}")))
}

fn compare(
    svc: &Service,
    who: &Access,
    ask: (i32, Option<String>, Option<String>),
) -> ApiResult<Comparison> {
    match ask {
        (cycle, Some(t), None) => svc.compare_table(who, cycle, &t),
        (cycle, None, Some(i)) => svc.compare_indicator(who, cycle, &i),
        _ => Err(ApiError::new(
            Code::BadRequest,
            "compare 须且只须给出 table（表号）或 indicator（核心指标编号）之一",
        )),
    }
}

/// Registers FieldChange, UnitComparison, Comparison, RowAt, GaojiLine and GaojiFigureInput.
pub fn register(b: SchemaBuilder) -> SchemaBuilder {
    gaoji_types(comparison_types(b))
}

fn decimal() -> TypeRef {
    TypeRef::named(DECIMAL)
}

/// FieldChange, UnitComparison, Comparison and RowAt.
fn comparison_types(b: SchemaBuilder) -> SchemaBuilder {
    let (s, i, d) = (text, int, decimal);
    let change = with_fields::<FieldChange>(
        Object::new("FieldChange")
            .description("一个数值字段（或行数）本周期与上一周期的合计、变化量与变化百分比"),
        vec![
            ("field", s(), |f| Gql::from(f.field.clone())),
            ("label", s(), |f| Gql::from(f.label.clone())),
            ("measure", s(), |f| Gql::from(f.measure.clone())),
            ("value", d(), |f| dec(f.value)),
            ("previous", d(), |f| dec(f.previous)),
            ("change", d(), |f| dec(f.change())),
            ("changePercent", d(), |f| dec(f.change_percent())),
        ],
    );
    let unit = Object::new("UnitComparison")
        .description("一个填报单位的同比")
        .field(field_of_parent::<Figures>("unit", s(), |u| {
            Gql::from(u.code.clone())
        }))
        .field(field_of_parent::<Figures>("unitName", s(), |u| {
            Gql::from(u.name.clone())
        }))
        .field(one_of_parent::<Figures, FieldChange>(
            "rows",
            "FieldChange",
            |u| &u.rows,
        ))
        .field(list_of_parent::<Figures, FieldChange>(
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
        .field(field_of_parent::<Comparison>("table", s(), |c| {
            Gql::from(c.totals.code.clone())
        }))
        .field(field_of_parent::<Comparison>("tableName", s(), |c| {
            Gql::from(c.totals.name.clone())
        }))
        .field(one_of_parent::<Comparison, FieldChange>("rows", "FieldChange", |c| &c.totals.rows))
        .field(field_of_parent::<Comparison>("matchedByLink", i(), |c| {
            Gql::from(c.matched.by_link)
        }))
        .field(field_of_parent::<Comparison>("matchedByKey", i(), |c| {
            Gql::from(c.matched.by_key)
        }))
        .field(list_of_parent::<Comparison, FieldChange>("fields", "FieldChange", |c| &c.totals.fields))
        .field(list_of_parent::<Comparison, Figures>("units", "UnitComparison", |c| &c.units));
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

/// GaojiLine and GaojiFigureInput.
fn gaoji_types(b: SchemaBuilder) -> SchemaBuilder {
    let (s, os, d) = (text, opt_text, decimal);
    let line = with_fields::<GaojiLine>(
        Object::new("GaojiLine").description(
            "一项高基报表数据与状态数据的对照：status 为 MATCH（一致）、EXPLAINED（已知原因，如时点差异）、UNEXPLAINED（未说明，生成提醒）或 MISSING（未录入）",
        ),
        vec![
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
            opt_gql(&l.entered.as_ref().and_then(|e| e.note.clone()))
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
        ],
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
        service_field(
            "compare",
            TypeRef::named_nn("Comparison"),
            |ctx| Ok((cycle_arg(ctx)?, string_arg(ctx, "table"), string_arg(ctx, "indicator"))),
            compare,
        )
        .description("同比：一张表每个数值字段（table），或一项核心指标及其分项（indicator），本周期与上一周期的值、变化与变化百分比（填报单位只看本单位）")
        .argument(InputValue::new("cycle", int()))
        .argument(InputValue::new("table", opt_text()))
        .argument(InputValue::new("indicator", opt_text())),
    )
    .field(
        service_list(
            "rowHistory",
            TypeRef::named_nn_list_nn("RowAt"),
            |ctx| {
                let table = str_arg(ctx, "table")?;
                let id: i64 = str_arg(ctx, "id")?
                    .parse()
                    .map_err(|_| ApiError::new(Code::BadRequest, "id 应为行的编号"))?;
                Ok((table, id))
            },
            |svc, who, (table, id)| svc.row_history(who, &table, id),
        )
        .description("一行沿结转链接在各周期中的编号（从最早一年起），用于跨年追踪教师、专业、企业")
        .argument(InputValue::new("table", text()))
        .argument(InputValue::new("id", TypeRef::named_nn(TypeRef::ID))),
    )
    .field(
        service_list(
            "gaojiComparison",
            TypeRef::named_nn_list_nn("GaojiLine"),
            cycle_arg,
            |svc, who, cycle| svc.gaoji_comparison(who, cycle),
        )
        .description("高基报表数据与状态数据的对照（质量部、院领导）")
        .argument(InputValue::new("cycle", int())),
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
        service_list(
            "setGaojiFigures",
            TypeRef::named_nn_list_nn("GaojiLine"),
            |ctx| Ok((cycle_arg(ctx)?, figure_inputs(ctx)?)),
            |svc, who, (cycle, inputs)| svc.set_gaoji_figures(who, cycle, &inputs),
        )
        .description(
            "质量部录入高基报表数据（全部或全不），返回与状态数据的对照；未说明的差异成为提醒",
        )
        .argument(InputValue::new("cycle", int()))
        .argument(InputValue::new(
            "figures",
            TypeRef::named_nn_list_nn("GaojiFigureInput"),
        )),
    )
}
