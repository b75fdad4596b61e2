//! The guards of the sign-off through GraphQL: `publishPreview` (what publishing now leaves
//! behind), `overrideSignOff` (质量部 lets the leaders sign outside 院领导审核期 or over open
//! comments, with a reason) and `resolveIndicatorComment`.

use async_graphql::dynamic::{Field, InputValue, Object, ResolverContext, TypeRef};
use async_graphql::Value as Gql;

use super::super::build::{
    id_arg, list_of_parent as list, opt_text, service_field, string_arg, strings, with_fields,
};
use super::super::convert::cycle_arg;
use super::super::errors::{ApiError, ApiResult, Code};
use crate::service::indicators::{CommentRow, PublishPreview};

/// The optional `version` argument: the snapshot version the caller saw.
pub fn version_arg(ctx: &ResolverContext<'_>) -> ApiResult<Option<i32>> {
    match ctx.args.get("version") {
        Some(v) if !v.is_null() => v
            .i64()
            .ok()
            .and_then(|n| i32::try_from(n).ok())
            .map(Some)
            .ok_or_else(|| ApiError::new(Code::BadRequest, "version 应为版本号")),
        _ => Ok(None),
    }
}

pub fn version_input() -> InputValue {
    InputValue::new("version", TypeRef::named(TypeRef::INT))
        .description("页面上看到的快照版本；质量部已发布新版时拒绝，请刷新后再审核")
}

fn cycle() -> InputValue {
    InputValue::new("cycle", TypeRef::named_nn(TypeRef::INT))
}

/// The `PublishPreview` type.
pub fn preview_type() -> Object {
    with_fields::<PublishPreview>(
        Object::new("PublishPreview").description(
            "发布核心数据之前：发布后留下的问题（未验收的表、未解决的批注、被替代的版本）",
        ),
        vec![
            ("cycle", TypeRef::named_nn(TypeRef::INT), |p| {
                Gql::from(p.cycle)
            }),
            ("nextVersion", TypeRef::named_nn(TypeRef::INT), |p| {
                Gql::from(p.next_version)
            }),
            ("refusal", opt_text(), |p| {
                p.refusal.clone().map_or(Gql::Null, Gql::from)
            }),
            (
                "unaccepted",
                TypeRef::named_nn_list_nn(TypeRef::STRING),
                |p| strings(&p.unaccepted),
            ),
            ("notes", TypeRef::named_nn_list_nn(TypeRef::STRING), |p| {
                strings(&p.notes)
            }),
        ],
    )
    .field(list::<PublishPreview, CommentRow>(
        "openComments",
        "IndicatorComment",
        |p| &p.open_comments,
    ))
}

pub fn preview_query() -> Field {
    service_field(
        "publishPreview",
        TypeRef::named_nn("PublishPreview"),
        cycle_arg,
        |svc, who, cycle| svc.publish_preview(who, cycle),
    )
    .description(
        "质量部发布核心数据之前：尚未验收的表、未解决的批注和将被替代的版本（不改变任何数据）",
    )
    .argument(cycle())
}

pub fn override_mutation() -> Field {
    service_field(
        "overrideSignOff",
        TypeRef::named_nn("CoreData"),
        |ctx| {
            let reason = string_arg(ctx, "reason").unwrap_or_default();
            Ok((cycle_arg(ctx)?, reason, version_arg(ctx)?))
        },
        |svc, who, (cycle, reason, v)| svc.override_sign_off(who, cycle, &reason, v),
    )
    .description("质量部：写明原因，允许院领导在审核期外或有未解决的批注时签字当前版本（记入审计，快照上显示放行人、时间和原因）")
    .argument(cycle())
    .argument(InputValue::new("reason", TypeRef::named_nn(TypeRef::STRING)))
    .argument(version_input())
}

pub fn resolve_mutation() -> Field {
    service_field(
        "resolveIndicatorComment",
        TypeRef::named_nn("IndicatorComment"),
        |ctx| Ok((cycle_arg(ctx)?, id_arg(ctx, "id", "批注编号")?)),
        |svc, who, (cycle, id)| svc.resolve_indicator_comment(who, cycle, id),
    )
    .description("批注人或质量部：把一条核心数据批注标记为已解决（院领导签字前须解决全部批注）")
    .argument(cycle())
    .argument(InputValue::new("id", TypeRef::named_nn(TypeRef::ID)))
}
