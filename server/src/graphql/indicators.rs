//! Core data through GraphQL: `indicators(cycle)` and `coreData(cycle)` read the core indicators
//! (with last cycle's value, the change, the leaders' comments and the sign-off state);
//! `publishIndicators`, `commentIndicator`, `signOffIndicators` and `returnIndicators` are the
//! steps of the leaders' sign-off. Resolvers only translate: the work is in `service::indicators`.

use super::convert::cycle_arg;
use async_graphql::dynamic::{
    Field, FieldFuture, FieldValue, InputValue, Object, ResolverContext, SchemaBuilder, TypeRef,
};
use async_graphql::Value as Gql;

use super::resolve::{field_of_parent, req};
use super::yoy::{fields_of, list};
use crate::authz::Access;
use crate::indicators::{BreakdownValues, Item};
use crate::service::indicators::{CommentRow, CoreData, IndicatorView, SnapshotRow};
use crate::service::{ApiResult, Service};

fn str_arg(ctx: &ResolverContext<'_>, name: &str) -> Option<String> {
    ctx.args
        .get(name)
        .and_then(|v| v.string().ok().map(str::to_owned))
}

fn opt(v: &Option<String>) -> Gql {
    v.clone().map_or(Gql::Null, Gql::from)
}

fn snap(d: &CoreData, f: fn(&SnapshotRow) -> Gql) -> Gql {
    d.snapshot.as_ref().map_or(Gql::Null, f)
}

/// Registers CoreData, Indicator, IndicatorBreakdown, IndicatorBreakdownItem, IndicatorComment.
pub fn register(b: SchemaBuilder) -> SchemaBuilder {
    b.register(comment_object())
        .register(item_object())
        .register(breakdown_object())
        .register(indicator_object())
        .register(core_object())
}

/// IndicatorComment: a leader's (or 质量部's) comment on one indicator.
fn comment_object() -> Object {
    let s = || TypeRef::named_nn(TypeRef::STRING);
    Object::new("IndicatorComment")
        .description("院领导（或质量部）对一项核心指标的批注")
        .field(field_of_parent::<CommentRow>(
            "id",
            TypeRef::named_nn(TypeRef::ID),
            |c| Gql::from(c.id.to_string()),
        ))
        .field(field_of_parent::<CommentRow>("indicator", s(), |c| {
            Gql::from(c.indicator.clone())
        }))
        .field(field_of_parent::<CommentRow>("author", s(), |c| {
            Gql::from(c.author.clone())
        }))
        .field(field_of_parent::<CommentRow>("authorName", s(), |c| {
            Gql::from(c.author_name.clone())
        }))
        .field(field_of_parent::<CommentRow>("body", s(), |c| {
            Gql::from(c.body.clone())
        }))
        .field(field_of_parent::<CommentRow>("at", s(), |c| {
            Gql::from(c.at.clone())
        }))
}

/// IndicatorBreakdownItem: one group of a breakdown.
fn item_object() -> Object {
    let s = || TypeRef::named_nn(TypeRef::STRING);
    let os = || TypeRef::named(TypeRef::STRING);
    Object::new("IndicatorBreakdownItem")
        .description("分项中的一组：代码、名称、本年值与上年值")
        .field(field_of_parent::<Item>("key", s(), |i| {
            Gql::from(i.key.clone())
        }))
        .field(field_of_parent::<Item>("label", s(), |i| {
            Gql::from(i.label.clone())
        }))
        .field(field_of_parent::<Item>("value", os(), |i| opt(&i.value)))
        .field(field_of_parent::<Item>("previousValue", os(), |i| {
            opt(&i.previous)
        }))
}

/// IndicatorBreakdown: an indicator by 院系, 专业 or 层次.
fn breakdown_object() -> Object {
    let s = || TypeRef::named_nn(TypeRef::STRING);
    Object::new("IndicatorBreakdown")
        .description("核心指标按院系、专业或层次的分项")
        .field(field_of_parent::<BreakdownValues>("name", s(), |b| {
            Gql::from(b.name.clone())
        }))
        .field(list::<BreakdownValues, Item>(
            "items",
            "IndicatorBreakdownItem",
            |b| &b.items,
        ))
}

/// Indicator: one indicator's figures, breakdowns, comments and state.
fn indicator_object() -> Object {
    let s = || TypeRef::named_nn(TypeRef::STRING);
    let os = || TypeRef::named(TypeRef::STRING);
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
    indicator
        .field(list::<IndicatorView, BreakdownValues>(
            "breakdowns",
            "IndicatorBreakdown",
            |i| &i.computed.breakdowns,
        ))
        .field(list::<IndicatorView, CommentRow>(
            "comments",
            "IndicatorComment",
            |i| &i.comments,
        ))
}

/// CoreData: a cycle's snapshot, review window, decision and indicators.
fn core_object() -> Object {
    let s = || TypeRef::named_nn(TypeRef::STRING);
    let os = || TypeRef::named(TypeRef::STRING);
    type CoreGet = fn(&CoreData) -> Gql;
    let core_fields: Vec<(&str, TypeRef, CoreGet)> = vec![
        ("cycle", TypeRef::named_nn(TypeRef::INT), |d| {
            Gql::from(d.cycle)
        }),
        ("state", s(), |d| Gql::from(d.state.clone())),
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
            |d| {
                let w = d
                    .snapshot
                    .as_ref()
                    .map(|s| s.warnings.clone())
                    .unwrap_or_default();
                Gql::List(w.into_iter().map(Gql::from).collect())
            },
        ),
        ("reviewStart", os(), |d| {
            d.window
                .and_then(|w| w.0)
                .map_or(Gql::Null, |x| Gql::from(x.to_string()))
        }),
        ("reviewEnd", os(), |d| {
            d.window.map_or(Gql::Null, |w| Gql::from(w.1.to_string()))
        }),
    ];
    let core = fields_of(
        Object::new("CoreData").description(
            "一个周期的核心数据：当前快照（版本、发布人、未验收的表）、院领导审核期、审核结论和各项指标",
        ),
        core_fields,
    );
    core.field(list::<CoreData, IndicatorView>(
        "indicators",
        "Indicator",
        |d| &d.indicators,
    ))
}

/// Adds `indicators` and `coreData`.
pub fn add_queries(q: Object) -> Object {
    let cycle = || InputValue::new("cycle", TypeRef::named_nn(TypeRef::INT));
    q.field(
        Field::new(
            "indicators",
            TypeRef::named_nn_list_nn("Indicator"),
            |ctx| {
                FieldFuture::new(async move {
                    let r = req(&ctx)?;
                    let (cycle, who) = (cycle_arg(&ctx)?, r.access.clone());
                    let data = r
                        .svc
                        .blocking(move |svc| svc.core_data(&who, cycle))
                        .await?;
                    Ok(Some(FieldValue::list(
                        data.indicators.into_iter().map(FieldValue::owned_any),
                    )))
                })
            },
        )
        .description("核心指标（质量部、院领导）：本周期值、上一周期值、变化、分项、批注与审核状态")
        .argument(cycle()),
    )
    .field(
        core_field("coreData", |svc, who, cycle, _| svc.core_data(who, cycle)).description(
            "核心数据的当前快照：状态、版本、未验收的表（提醒）、院领导审核期与各项指标",
        ),
    )
}

/// Adds `publishIndicators`, `commentIndicator`, `signOffIndicators` and `returnIndicators`.
pub fn add_mutations(m: Object) -> Object {
    let cycle = || InputValue::new("cycle", TypeRef::named_nn(TypeRef::INT));
    m.field(
        core_field("publishIndicators", |svc, who, cycle, _| {
            svc.publish_indicators(who, cycle)
        })
        .description("质量部：冻结核心指标的新一版快照报院领导审核（未验收的表列为提醒）"),
    )
    .field(
        Field::new(
            "commentIndicator",
            TypeRef::named_nn("IndicatorComment"),
            |ctx| {
                FieldFuture::new(async move {
                    let r = req(&ctx)?;
                    let (cycle, who) = (cycle_arg(&ctx)?, r.access.clone());
                    let id = str_arg(&ctx, "indicator").unwrap_or_default();
                    let text = str_arg(&ctx, "comment").unwrap_or_default();
                    let c = r
                        .svc
                        .blocking(move |svc| svc.comment_indicator(&who, cycle, &id, &text))
                        .await?;
                    Ok(Some(FieldValue::owned_any(c)))
                })
            },
        )
        .description("院领导（或质量部答复）对一项核心指标写批注")
        .argument(cycle())
        .argument(InputValue::new(
            "indicator",
            TypeRef::named_nn(TypeRef::STRING),
        ))
        .argument(InputValue::new(
            "comment",
            TypeRef::named_nn(TypeRef::STRING),
        )),
    )
    .field(
        core_field("signOffIndicators", |svc, who, cycle, comment| {
            svc.sign_off_indicators(who, cycle, comment.as_deref())
        })
        .description(
            "院领导：审核通过并签字（签字后快照不可更改；其读取的表被重新打开时自动撤销签字）",
        )
        .argument(InputValue::new("comment", TypeRef::named(TypeRef::STRING))),
    )
    .field(
        core_field("returnIndicators", |svc, who, cycle, comment| {
            svc.return_indicators(who, cycle, &comment.unwrap_or_default())
        })
        .description("院领导：退回质量部并写明原因（质量部修改后重新发布）")
        .argument(InputValue::new(
            "comment",
            TypeRef::named_nn(TypeRef::STRING),
        )),
    )
}

/// The read of the core data or a step of the sign-off: the caller, `cycle` and `comment`.
type CoreStep = fn(&Service, &Access, i32, Option<String>) -> ApiResult<CoreData>;

/// A field answering `CoreData` after `step` for the caller over `cycle` (and `comment`).
fn core_field(name: &str, step: CoreStep) -> Field {
    Field::new(name, TypeRef::named_nn("CoreData"), move |ctx| {
        FieldFuture::new(async move {
            let r = req(&ctx)?;
            let (cycle, who) = (cycle_arg(&ctx)?, r.access.clone());
            let comment = str_arg(&ctx, "comment");
            let data = r
                .svc
                .blocking(move |svc| step(svc, &who, cycle, comment))
                .await?;
            Ok(Some(FieldValue::owned_any(data)))
        })
    })
    .argument(InputValue::new("cycle", TypeRef::named_nn(TypeRef::INT)))
}
