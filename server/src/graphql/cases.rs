//! 典型案例 through GraphQL: the `Case` type with its figures and attachments, the inputs, and
//! `cases`, `case`, `caseThemes`; the mutations are in `case_ops`. Attachments are uploaded by
//! HTTP (`POST /cases/{id}/attachments`, multipart field `file`), not through GraphQL: mutations
//! only come as `application/json` (the cross-site guard), which a multipart upload is not.

use async_graphql::dynamic::{
    Field, FieldFuture, FieldValue, InputObject, InputValue, Object, ResolverContext,
    SchemaBuilder, TypeRef,
};
use async_graphql::Value as Gql;

use super::build::{
    int, list_of_parent, opt_gql as opt, opt_text as os, service_field, service_list, string_arg,
    text as s, with_fields,
};

use super::errors::ApiResult;
use crate::model::CASE_THEMES;
use crate::service::cases::{Attachment, CaseOut, CaseQuery, Figure};

/// Registers `Case`, `CaseFigure`, `CaseAttachment` and the inputs.
pub fn register(b: SchemaBuilder) -> SchemaBuilder {
    let figure = with_fields::<Figure>(
        Object::new("CaseFigure")
        .description("案例引用的数据：核心指标（indicator）或数据表的一行（table、rowId，source 为该行的关键字段）"),
        vec![
            ("indicator", os(), |f| opt(&f.indicator)),
            ("table", os(), |f| opt(&f.table_code)),
            ("rowId", TypeRef::named(TypeRef::ID), |f| {
                f.row_id.map_or(Gql::Null, |r| Gql::from(r.to_string()))
            }),
            ("source", s(), |f| Gql::from(f.source.clone())),
            ("label", s(), |f| Gql::from(f.label.clone())),
            ("value", s(), |f| Gql::from(f.value.clone())),
        ],
    );
    let attachment = with_fields::<Attachment>(
        Object::new("CaseAttachment")
            .description("案例附件（保存在数据库中）；url 为下载地址（须登录）"),
        vec![
            ("id", TypeRef::named_nn(TypeRef::ID), |a| {
                Gql::from(a.id.to_string())
            }),
            ("fileName", s(), |a| Gql::from(a.file_name.clone())),
            ("mediaType", s(), |a| Gql::from(a.media_type.clone())),
            ("size", TypeRef::named_nn(TypeRef::INT), |a| {
                Gql::from(a.size)
            }),
            ("sha256", s(), |a| Gql::from(a.sha256.clone())),
            ("uploadedAt", s(), |a| Gql::from(a.uploaded_at.clone())),
            ("uploadedBy", s(), |a| Gql::from(a.uploaded_by.clone())),
            ("url", s(), |a| {
                Gql::from(format!("/cases/attachments/{}", a.id))
            }),
        ],
    );
    b.register(figure)
        .register(attachment)
        .register(case_type())
        .register(
            InputObject::new("CaseFigureInput")
                .description(
                    "引用一项核心指标（indicator），或本人可查看的数据表的一行（table、rowId）",
                )
                .field(
                    InputValue::new("indicator", os())
                        .description("核心指标编号，如 student_teacher_ratio"),
                )
                .field(InputValue::new("table", os()).description("数据表编号，如 1.5.1"))
                .field(InputValue::new("rowId", TypeRef::named(TypeRef::ID)))
                .field(
                    InputValue::new("label", os()).description("名称，如“双师型教师比例”（必填）"),
                )
                .field(InputValue::new("value", os()).description("案例中引用的数值，如“68.5%”")),
        )
        .register(
            InputObject::new("CaseInput")
                .description("案例内容；修改时省略的项保持不变，给出 figures 则整体替换")
                .field(
                    InputValue::new("theme", os())
                        .description(format!("主题：{}", CASE_THEMES.join("、"))),
                )
                .field(InputValue::new("title", os()))
                .field(InputValue::new("text", os()).description("正文，分段用换行"))
                .field(InputValue::new(
                    "figures",
                    TypeRef::named_nn_list("CaseFigureInput"),
                )),
        )
}

fn case_type() -> Object {
    let i = int;
    let case = with_fields::<CaseOut>(
        Object::new("Case").description(
        "典型案例：周期、主题、撰写单位、标题、正文、引用的数据与附件；状态同报送（draft 填报中 → submitted 待审核 → approved 已审核 | returned 已退回 → accepted 已验收）",
    ),
        vec![
            ("id", TypeRef::named_nn(TypeRef::ID), |c| {
                Gql::from(c.full.case.id.to_string())
            }),
            ("cycle", i(), |c| Gql::from(c.full.case.cycle)),
            ("theme", s(), |c| Gql::from(c.full.case.theme.clone())),
            ("unit", s(), |c| Gql::from(c.full.case.unit.clone())),
            ("unitName", s(), |c| Gql::from(c.unit_name.clone())),
            ("title", s(), |c| Gql::from(c.full.case.title.clone())),
            ("text", s(), |c| Gql::from(c.full.case.body.clone())),
            ("state", s(), |c| Gql::from(c.full.case.sub.state.as_str())),
            ("comment", os(), |c| opt(&c.full.case.sub.comment)),
            (
                "approvedBy",
                TypeRef::named_nn_list_nn(TypeRef::STRING),
                |c| {
                    Gql::List(
                        c.full
                            .case
                            .sub
                            .approvals
                            .iter()
                            .cloned()
                            .map(Gql::from)
                            .collect(),
                    )
                },
            ),
            ("rowVersion", i(), |c| Gql::from(c.full.case.row_version)),
            ("createdAt", s(), |c| {
                Gql::from(c.full.case.created_at.clone())
            }),
            ("createdBy", s(), |c| {
                Gql::from(c.full.case.created_by.clone())
            }),
            ("updatedAt", s(), |c| {
                Gql::from(c.full.case.updated_at.clone())
            }),
            ("updatedBy", s(), |c| {
                Gql::from(c.full.case.updated_by.clone())
            }),
            ("uploadUrl", s(), |c| {
                Gql::from(format!("/cases/{}/attachments", c.full.case.id))
            }),
        ],
    );
    case.field(list_of_parent::<CaseOut, Figure>(
        "figures",
        "CaseFigure",
        |c| &c.full.figures,
    ))
    .field(list_of_parent::<CaseOut, Attachment>(
        "attachments",
        "CaseAttachment",
        |c| &c.full.attachments,
    ))
}

/// The `id` argument as a number.
pub(super) fn id_arg(ctx: &ResolverContext<'_>, name: &str) -> ApiResult<i64> {
    super::build::id_arg(ctx, name, "编号")
}

fn case_query(ctx: &ResolverContext<'_>) -> ApiResult<CaseQuery> {
    Ok(CaseQuery {
        cycle: super::convert::opt_cycle_arg(ctx)?,
        theme: string_arg(ctx, "theme"),
        unit: string_arg(ctx, "unit"),
        state: string_arg(ctx, "state"),
    })
}

/// Adds `cases`, `case` and `caseThemes`.
pub fn add_queries(q: Object) -> Object {
    q.field(
        service_list("cases", TypeRef::named_nn_list_nn("Case"), case_query, |svc, who, query| {
            svc.list_cases(who, &query)
        })
        .description("典型案例：质量部、院领导看全部，其他单位只看本单位；可按周期（默认当前）、主题、单位、状态筛选")
        .argument(InputValue::new("cycle", TypeRef::named(TypeRef::INT)))
        .argument(InputValue::new("theme", os()))
        .argument(InputValue::new("unit", os()).description("单位代码或名称"))
        .argument(InputValue::new("state", os()).description("draft、submitted、approved、returned、accepted")),
    )
    .field(
        service_field(
            "case",
            TypeRef::named_nn("Case"),
            |ctx| id_arg(ctx, "id"),
            |svc, who, id| svc.case_by_id(who, id),
        )
        .description("一个典型案例（不可查看时为 NOT_FOUND）")
        .argument(InputValue::new("id", TypeRef::named_nn(TypeRef::ID))),
    )
    .field(
        Field::new("caseThemes", TypeRef::named_nn_list_nn(TypeRef::STRING), |_| {
            FieldFuture::new(async move {
                Ok(Some(FieldValue::list(CASE_THEMES.iter().map(|t| FieldValue::value(*t)))))
            })
        })
        .description("典型案例的七个主题（通知第 5 条）"),
    )
}
