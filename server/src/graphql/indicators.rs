//! Core data through GraphQL: `indicators(cycle)` and `coreData(cycle)` read the core indicators
//! (with last cycle's value, the change, the leaders' comments and the sign-off state);
//! `publishIndicators`, `commentIndicator`, `signOffIndicators` and `returnIndicators` are the
//! steps of the leaders' sign-off; `signoff` adds its guards (the override, resolving a comment,
//! the publish preview). Resolvers only translate: the work is in `service::indicators`.

mod signoff;

use super::convert::cycle_arg;
use async_graphql::dynamic::{InputValue, Object, ResolverContext, SchemaBuilder, TypeRef};
use async_graphql::Value as Gql;

use super::build::{
    list_of_parent as list, opt_gql as opt, opt_text, service_field, service_list, string_arg,
    strings, text, with_fields,
};
use super::errors::ApiResult;
use super::resolve::{field_of_parent, Getter};
use crate::indicators::{BreakdownValues, Item};
use crate::service::indicators::{CommentRow, CoreData, IndicatorView, SnapshotRow};

fn snap(d: &CoreData, f: fn(&SnapshotRow) -> Gql) -> Gql {
    d.snapshot.as_ref().map_or(Gql::Null, f)
}

/// Registers CoreData, Indicator, IndicatorBreakdown, IndicatorBreakdownItem, IndicatorComment.
pub fn register(b: SchemaBuilder) -> SchemaBuilder {
    let (s, os) = (text, opt_text);
    let comment = with_fields::<CommentRow>(
        Object::new("IndicatorComment").description("院领导（或质量部）对一项核心指标的批注"),
        vec![
            ("id", TypeRef::named_nn(TypeRef::ID), |c| {
                Gql::from(c.id.to_string())
            }),
            ("indicator", s(), |c| Gql::from(c.indicator.clone())),
            ("author", s(), |c| Gql::from(c.author.clone())),
            ("authorName", s(), |c| Gql::from(c.author_name.clone())),
            ("body", s(), |c| Gql::from(c.body.clone())),
            ("at", s(), |c| Gql::from(c.at.clone())),
            ("version", TypeRef::named_nn(TypeRef::INT), |c| {
                Gql::from(c.version)
            }),
            ("resolvedBy", os(), |c| opt(&c.resolved_by)),
            ("resolvedAt", os(), |c| opt(&c.resolved_at)),
        ],
    );
    let item = with_fields::<Item>(
        Object::new("IndicatorBreakdownItem")
            .description("分项中的一组：代码、名称、本年值与上年值"),
        vec![
            ("key", s(), |i| Gql::from(i.key.clone())),
            ("label", s(), |i| Gql::from(i.label.clone())),
            ("value", os(), |i| opt(&i.value)),
            ("previousValue", os(), |i| opt(&i.previous)),
        ],
    );
    let breakdown = Object::new("IndicatorBreakdown")
        .description("核心指标按院系、专业或层次的分项")
        .field(field_of_parent::<BreakdownValues>("name", s(), |b| {
            Gql::from(b.name.clone())
        }))
        .field(list::<BreakdownValues, Item>(
            "items",
            "IndicatorBreakdownItem",
            |b| &b.items,
        ));
    b.register(comment)
        .register(item)
        .register(breakdown)
        .register(indicator_type())
        .register(core_type())
        .register(signoff::preview_type())
}

fn indicator_type() -> Object {
    let (s, os) = (text, opt_text);
    type Get = fn(&IndicatorView) -> Gql;
    let fields: Vec<(&str, TypeRef, Get, &str)> = vec![
        ("id", s(), |i| Gql::from(i.computed.id.clone()), "指标编号（indicators.toml 的 id）"),
        ("name", s(), |i| Gql::from(i.computed.name.clone()), "指标名称"),
        ("unit", s(), |i| Gql::from(i.computed.unit.clone()), "计量单位"),
        ("formula", s(), |i| Gql::from(i.computed.formula.clone()), "计算公式"),
        ("source", s(), |i| Gql::from(i.computed.source.clone()), "数据来源"),
        ("definition", s(), |i| Gql::from(i.computed.definition.clone()), "统计口径"),
        ("value", os(), |i| opt(&i.computed.value), "本周期的值（十进制文本；分母为零时为空）"),
        ("previousValue", os(), |i| opt(&i.computed.previous), "上一周期的值（上一周期存在时）"),
        ("change", os(), |i| opt(&i.computed.change), "变化：本周期值 − 上一周期值"),
        ("changePercent", os(), |i| opt(&i.computed.change_percent), "变化幅度（%）"),
        ("state", s(), |i| Gql::from(i.state.clone()), "draft 未发布 | published 待审核 | returned 已退回 | signed_off 已签字 | unsigned 签字后表被重新打开"),
    ];
    let mut indicator = Object::new("Indicator")
        .description("一项核心指标：本周期值、上一周期值与变化、分项、院领导批注和审核状态");
    for (name, ty, get, doc) in fields {
        indicator =
            indicator.field(field_of_parent::<IndicatorView>(name, ty, get).description(doc));
    }
    indicator = indicator
        .field(list::<IndicatorView, BreakdownValues>(
            "breakdowns",
            "IndicatorBreakdown",
            |i| &i.computed.breakdowns,
        ))
        .field(list::<IndicatorView, CommentRow>(
            "comments",
            "IndicatorComment",
            |i| &i.comments,
        ));
    indicator
}

fn core_type() -> Object {
    let os = opt_text;
    let core_fields: Vec<(&str, TypeRef, Getter<CoreData>)> = vec![
        ("cycle", TypeRef::named_nn(TypeRef::INT), |d| {
            Gql::from(d.cycle)
        }),
        ("state", text(), |d| Gql::from(d.state.clone())),
        ("version", TypeRef::named(TypeRef::INT), |d| {
            snap(d, |s| Gql::from(s.version))
        }),
        ("publishedBy", os(), |d| {
            snap(d, |s| Gql::from(s.published_by.clone()))
        }),
        ("publishedAt", os(), |d| {
            snap(d, |s| Gql::from(s.published_at.clone()))
        }),
        ("decidedBy", os(), |d| snap(d, |s| opt(&s.decided_by))),
        ("decidedAt", os(), |d| snap(d, |s| opt(&s.decided_at))),
        ("decisionComment", os(), |d| {
            snap(d, |s| opt(&s.decision_comment))
        }),
        (
            "warnings",
            TypeRef::named_nn_list_nn(TypeRef::STRING),
            |d| strings(d.snapshot.as_ref().map_or(&[], |s| &s.warnings)),
        ),
        ("reviewStart", os(), |d| {
            d.window
                .and_then(|w| w.0)
                .map_or(Gql::Null, |x| Gql::from(x.to_string()))
        }),
        ("reviewEnd", os(), |d| {
            d.window.map_or(Gql::Null, |w| Gql::from(w.1.to_string()))
        }),
        ("overrideBy", os(), |d| snap(d, |s| opt(&s.override_by))),
        ("overrideAt", os(), |d| snap(d, |s| opt(&s.override_at))),
        ("overrideReason", os(), |d| {
            snap(d, |s| opt(&s.override_reason))
        }),
        (
            "signOffBlockers",
            TypeRef::named_nn_list_nn(TypeRef::STRING),
            |d| strings(&d.blockers),
        ),
    ];
    with_fields::<CoreData>(
        Object::new("CoreData").description(
            "一个周期的核心数据：当前快照（版本、发布人、未验收的表）、院领导审核期、审核结论和各项指标",
        ),
        core_fields,
    )
    .field(list::<CoreData, IndicatorView>(
        "indicators",
        "Indicator",
        |d| &d.indicators,
    ))
}

/// The `cycle` argument and an optional string one.
fn cycle_and(ctx: &ResolverContext<'_>, name: &str) -> ApiResult<(i32, Option<String>)> {
    Ok((cycle_arg(ctx)?, string_arg(ctx, name)))
}

/// Adds `indicators` and `coreData`.
pub fn add_queries(q: Object) -> Object {
    let cycle = || InputValue::new("cycle", TypeRef::named_nn(TypeRef::INT));
    q.field(
        service_list(
            "indicators",
            TypeRef::named_nn_list_nn("Indicator"),
            cycle_arg,
            |svc, who, cycle| Ok(svc.core_data(who, cycle)?.indicators),
        )
        .description("核心指标（质量部、院领导）：本周期值、上一周期值、变化、分项、批注与审核状态")
        .argument(cycle()),
    )
    .field(
        service_field(
            "coreData",
            TypeRef::named_nn("CoreData"),
            cycle_arg,
            |svc, who, cycle| svc.core_data(who, cycle),
        )
        .description("核心数据的当前快照：状态、版本、未验收的表（提醒）、院领导审核期与各项指标")
        .argument(cycle()),
    )
    .field(signoff::preview_query())
}

/// Adds `publishIndicators`, `commentIndicator`, `signOffIndicators` and `returnIndicators`.
pub fn add_mutations(m: Object) -> Object {
    let cycle = || InputValue::new("cycle", TypeRef::named_nn(TypeRef::INT));
    let core = || TypeRef::named_nn("CoreData");
    let comment = |ty| InputValue::new("comment", ty);
    m.field(
        service_field("publishIndicators", core(), cycle_arg, |svc, who, cycle| {
            svc.publish_indicators(who, cycle)
        })
        .description("质量部：冻结核心指标的新一版快照报院领导审核（未验收的表列为提醒）")
        .argument(cycle()),
    )
    .field(
        service_field(
            "commentIndicator",
            TypeRef::named_nn("IndicatorComment"),
            |ctx| {
                let id = string_arg(ctx, "indicator").unwrap_or_default();
                Ok((cycle_arg(ctx)?, id, string_arg(ctx, "comment")))
            },
            |svc, who, (cycle, id, text)| {
                svc.comment_indicator(who, cycle, &id, &text.unwrap_or_default())
            },
        )
        .description("院领导（或质量部答复）对一项核心指标写批注")
        .argument(cycle())
        .argument(InputValue::new(
            "indicator",
            TypeRef::named_nn(TypeRef::STRING),
        ))
        .argument(comment(TypeRef::named_nn(TypeRef::STRING))),
    )
    .field(
        service_field(
            "signOffIndicators",
            core(),
            |ctx| Ok((cycle_and(ctx, "comment")?, signoff::version_arg(ctx)?)),
            |svc, who, ((cycle, text), v)| svc.sign_off_indicators(who, cycle, text.as_deref(), v),
        )
        .description(
            "院领导：审核通过并签字（仅在院领导审核期内且没有未解决的批注时，除非质量部写明原因放行；签字后快照不可更改；其读取的表被重新打开时自动撤销签字）",
        )
        .argument(cycle())
        .argument(comment(TypeRef::named(TypeRef::STRING)))
        .argument(signoff::version_input()),
    )
    .field(
        service_field(
            "returnIndicators",
            core(),
            |ctx| Ok((cycle_and(ctx, "comment")?, signoff::version_arg(ctx)?)),
            |svc, who, ((cycle, text), v)| {
                svc.return_indicators(who, cycle, &text.unwrap_or_default(), v)
            },
        )
        .description("院领导：退回质量部并写明原因（质量部修改后重新发布）")
        .argument(cycle())
        .argument(comment(TypeRef::named_nn(TypeRef::STRING)))
        .argument(signoff::version_input()),
    )
    .field(signoff::override_mutation())
    .field(signoff::resolve_mutation())
}
