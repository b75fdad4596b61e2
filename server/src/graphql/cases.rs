//! 典型案例 through GraphQL: the `Case` type with its figures and attachments, the inputs, and
//! `cases`, `case`, `caseThemes`; the mutations are in `case_ops`. Attachments are uploaded by
//! HTTP (`POST /cases/{id}/attachments`, multipart field `file`), not through GraphQL: mutations
//! only come as `application/json` (the cross-site guard), which a multipart upload is not.

use async_graphql::dynamic::{
    Field, FieldFuture, FieldValue, InputObject, InputValue, Object, ResolverContext,
    SchemaBuilder, TypeRef,
};
use async_graphql::Value as Gql;

use super::errors::{ApiError, ApiResult, Code};
use super::resolve::{field_of_parent, req};
use crate::model::CASE_THEMES;
use crate::service::cases::{Attachment, CaseOut, CaseQuery, Figure};

fn s() -> TypeRef {
    TypeRef::named_nn(TypeRef::STRING)
}

fn os() -> TypeRef {
    TypeRef::named(TypeRef::STRING)
}

fn opt(v: &Option<String>) -> Gql {
    v.clone().map_or(Gql::Null, Gql::from)
}

/// Registers `Case`, `CaseFigure`, `CaseAttachment` and the inputs.
pub fn register(b: SchemaBuilder) -> SchemaBuilder {
    type FigureGet = fn(&Figure) -> Gql;
    let figure_fields: [(&str, TypeRef, FigureGet); 6] = [
        ("indicator", os(), |f| opt(&f.indicator)),
        ("table", os(), |f| opt(&f.table_code)),
        ("rowId", TypeRef::named(TypeRef::ID), |f| {
            f.row_id.map_or(Gql::Null, |r| Gql::from(r.to_string()))
        }),
        ("source", s(), |f| Gql::from(f.source.clone())),
        ("label", s(), |f| Gql::from(f.label.clone())),
        ("value", s(), |f| Gql::from(f.value.clone())),
    ];
    let mut figure = Object::new("CaseFigure")
        .description("案例引用的数据：核心指标（indicator）或数据表的一行（table、rowId，source 为该行的关键字段）");
    for (name, ty, get) in figure_fields {
        figure = figure.field(field_of_parent::<Figure>(name, ty, get));
    }
    type AttachmentGet = fn(&Attachment) -> Gql;
    let attachment_fields: [(&str, TypeRef, AttachmentGet); 8] = [
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
    ];
    let mut attachment = Object::new("CaseAttachment")
        .description("案例附件（保存在数据库中）；url 为下载地址（须登录）");
    for (name, ty, get) in attachment_fields {
        attachment = attachment.field(field_of_parent::<Attachment>(name, ty, get));
    }
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
    type Get = fn(&CaseOut) -> Gql;
    let i = || TypeRef::named_nn(TypeRef::INT);
    let fields: Vec<(&str, TypeRef, Get)> = vec![
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
    ];
    let mut case = Object::new("Case").description(
        "典型案例：周期、主题、撰写单位、标题、正文、引用的数据与附件；状态同报送（draft 填报中 → submitted 待审核 → approved 已审核 | returned 已退回 → accepted 已验收）",
    );
    for (name, ty, get) in fields {
        case = case.field(field_of_parent::<CaseOut>(name, ty, get));
    }
    case.field(Field::new(
        "figures",
        TypeRef::named_nn_list_nn("CaseFigure"),
        |ctx| {
            FieldFuture::new(async move {
                let c = ctx.parent_value.try_downcast_ref::<CaseOut>()?;
                Ok(Some(FieldValue::list(
                    c.full.figures.iter().map(|f| FieldValue::borrowed_any(f)),
                )))
            })
        },
    ))
    .field(Field::new(
        "attachments",
        TypeRef::named_nn_list_nn("CaseAttachment"),
        |ctx| {
            FieldFuture::new(async move {
                let c = ctx.parent_value.try_downcast_ref::<CaseOut>()?;
                Ok(Some(FieldValue::list(
                    c.full
                        .attachments
                        .iter()
                        .map(|a| FieldValue::borrowed_any(a)),
                )))
            })
        },
    ))
}

/// The `id` argument as a number.
pub(super) fn id_arg(ctx: &ResolverContext<'_>, name: &str) -> ApiResult<i64> {
    ctx.args
        .get(name)
        .and_then(|v| v.string().ok().and_then(|s| s.trim().parse().ok()))
        .ok_or_else(|| ApiError::new(Code::BadRequest, format!("{name} 应为编号")))
}

fn opt_arg(ctx: &ResolverContext<'_>, name: &str) -> Option<String> {
    ctx.args
        .get(name)
        .filter(|v| !v.is_null())
        .and_then(|v| v.string().ok().map(str::to_owned))
}

/// Adds `cases`, `case` and `caseThemes`.
pub fn add_queries(q: Object) -> Object {
    q.field(
        Field::new("cases", TypeRef::named_nn_list_nn("Case"), |ctx| {
            FieldFuture::new(async move {
                let r = req(&ctx)?;
                let cycle = match ctx.args.get("cycle").filter(|v| !v.is_null()) {
                    Some(v) => Some(
                        v.i64()
                            .ok()
                            .and_then(|c| i32::try_from(c).ok())
                            .ok_or_else(|| ApiError::new(Code::BadRequest, "cycle 应为年份，如 2023"))?,
                    ),
                    None => None,
                };
                let query = CaseQuery {
                    cycle,
                    theme: opt_arg(&ctx, "theme"),
                    unit: opt_arg(&ctx, "unit"),
                    state: opt_arg(&ctx, "state"),
                };
                let who = r.access.clone();
                let list = r.svc.blocking(move |svc| svc.list_cases(&who, &query)).await?;
                Ok(Some(FieldValue::list(list.into_iter().map(FieldValue::owned_any))))
            })
        })
        .description("典型案例：质量部、院领导看全部，其他单位只看本单位；可按周期（默认当前）、主题、单位、状态筛选")
        .argument(InputValue::new("cycle", TypeRef::named(TypeRef::INT)))
        .argument(InputValue::new("theme", os()))
        .argument(InputValue::new("unit", os()).description("单位代码或名称"))
        .argument(InputValue::new("state", os()).description("draft、submitted、approved、returned、accepted")),
    )
    .field(
        Field::new("case", TypeRef::named_nn("Case"), |ctx| {
            FieldFuture::new(async move {
                let r = req(&ctx)?;
                let id = id_arg(&ctx, "id")?;
                let who = r.access.clone();
                let case = r.svc.blocking(move |svc| svc.case_by_id(&who, id)).await?;
                Ok(Some(FieldValue::owned_any(case)))
            })
        })
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
