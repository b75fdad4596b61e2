//! The 典型案例 mutations: create, update, delete, the workflow steps (submit, review, accept,
//! return) and removing an attachment. Thin: read the arguments, call `service::cases`.

use async_graphql::dynamic::{Field, InputValue, Object, ObjectAccessor, ResolverContext, TypeRef};

use super::build::{return_comment, service_field, service_value, string_arg};
use super::cases::id_arg;
use super::errors::{ApiError, ApiResult, Code};
use crate::authz::Access;
use crate::service::cases::{CaseInput, CaseOut, CaseRequest, FigureInput};
use crate::service::Service;

fn text(o: &ObjectAccessor<'_>, name: &str) -> Option<String> {
    o.get(name)
        .filter(|v| !v.is_null())
        .and_then(|v| v.string().ok().map(str::to_owned))
}

fn input(ctx: &ResolverContext<'_>, name: &str) -> ApiResult<CaseInput> {
    let bad = |m: &str| ApiError::new(Code::BadRequest, m.to_owned());
    let o = ctx
        .args
        .get(name)
        .and_then(|v| v.object().ok())
        .ok_or_else(|| bad("缺少案例内容"))?;
    let figures = match o.get("figures").filter(|v| !v.is_null()) {
        None => None,
        Some(list) => {
            let list = list.list().map_err(|_| bad("figures 应为列表"))?;
            let mut out = Vec::new();
            for item in list.iter() {
                let f = item.object().map_err(|_| bad("figures 的每一项应为对象"))?;
                out.push(FigureInput {
                    indicator: text(&f, "indicator"),
                    table: text(&f, "table"),
                    row_id: text(&f, "rowId"),
                    label: text(&f, "label"),
                    value: text(&f, "value"),
                });
            }
            Some(out)
        }
    };
    Ok(CaseInput {
        theme: text(&o, "theme"),
        title: text(&o, "title"),
        text: text(&o, "text"),
        figures,
    })
}

/// What a case mutation runs on a blocking thread, once its arguments are read.
type Job = Box<dyn FnOnce(&Service, &Access) -> ApiResult<CaseOut> + Send>;

/// A mutation answering with the case after the job `read` makes of its arguments.
fn case_mutation(name: &str, read: fn(&ResolverContext<'_>) -> ApiResult<Job>) -> Field {
    service_field(name, TypeRef::named_nn("Case"), read, |svc, who, job| {
        job(svc, who)
    })
}

/// A workflow step on the case `id`, the request read by `read`.
fn step(name: &str, read: fn(&ResolverContext<'_>) -> ApiResult<CaseRequest>) -> Field {
    let args = move |ctx: &ResolverContext<'_>| Ok((id_arg(ctx, "id")?, read(ctx)?));
    service_field(
        name,
        TypeRef::named_nn("Case"),
        args,
        |svc, who, (id, request)| svc.case_step(who, id, request),
    )
    .argument(InputValue::new("id", TypeRef::named_nn(TypeRef::ID)))
}

/// Adds the case mutations: writing a case, then its steps.
pub fn add_mutations(m: Object) -> Object {
    step_mutations(edit_mutations(m))
}

/// Adds `createCase`, `updateCase` and `deleteCase`.
fn edit_mutations(m: Object) -> Object {
    m.field(
        case_mutation("createCase", |ctx| {
            let cycle = super::convert::opt_cycle_arg(ctx)?;
            let input = input(ctx, "input")?;
            Ok(Box::new(move |svc, who| {
                svc.create_case(who, cycle, &input)
            }))
        })
        .description("为本单位撰写典型案例（草稿）；周期默认为当前周期")
        .argument(InputValue::new("cycle", TypeRef::named(TypeRef::INT)))
        .argument(InputValue::new("input", TypeRef::named_nn("CaseInput"))),
    )
    .field(
        case_mutation("updateCase", |ctx| {
            let id = id_arg(ctx, "id")?;
            let version = ctx
                .args
                .get("rowVersion")
                .and_then(|v| v.i64().ok())
                .ok_or_else(|| ApiError::new(Code::BadRequest, "rowVersion 应为整数"))?;
            let patch = input(ctx, "patch")?;
            Ok(Box::new(move |svc, who| {
                svc.update_case(who, id, version, &patch)
            }))
        })
        .description("修改填报中或已退回的案例；rowVersion 与当前版本不符时为 CONFLICT")
        .argument(InputValue::new("id", TypeRef::named_nn(TypeRef::ID)))
        .argument(InputValue::new(
            "rowVersion",
            TypeRef::named_nn(TypeRef::INT),
        ))
        .argument(InputValue::new("patch", TypeRef::named_nn("CaseInput"))),
    )
    .field(
        service_value(
            "deleteCase",
            TypeRef::named_nn(TypeRef::ID),
            |ctx| id_arg(ctx, "id"),
            |svc, who, id| Ok(svc.delete_case(who, id)?.to_string()),
        )
        .description("删除填报中或已退回的案例及其附件")
        .argument(InputValue::new("id", TypeRef::named_nn(TypeRef::ID))),
    )
}

/// Adds the case's workflow steps and removing an attachment.
fn step_mutations(m: Object) -> Object {
    m.field(
        step("submitCase", |_| Ok(CaseRequest::Submit))
            .description("撰写单位提交案例，由本单位负责人审核"),
    )
    .field(
        step("reviewCase", |ctx| {
            Ok(match return_comment(ctx) {
                Some(comment) => CaseRequest::Return { comment },
                None => CaseRequest::Approve,
            })
        })
        .description("撰写单位负责人审核：通过（APPROVE）或退回（RETURN，须写原因）")
        .argument(InputValue::new(
            "decision",
            TypeRef::named_nn("ReviewDecision"),
        ))
        .argument(
            InputValue::new("comment", TypeRef::named(TypeRef::STRING)).description("退回时必填"),
        ),
    )
    .field(
        step("acceptCase", |_| Ok(CaseRequest::Accept))
            .description("质量部验收已审核的案例；验收后不能修改"),
    )
    .field(
        step("returnCase", |ctx| {
            let reason = string_arg(ctx, "reason").unwrap_or_default();
            Ok(CaseRequest::ReturnByQuality { reason })
        })
        .description("质量部写明原因退回案例（待审核、已审核或已验收的），撰写单位修改后重新提交")
        .argument(InputValue::new(
            "reason",
            TypeRef::named_nn(TypeRef::STRING),
        )),
    )
    .field(
        case_mutation("deleteCaseAttachment", |ctx| {
            let id = id_arg(ctx, "id")?;
            Ok(Box::new(move |svc, who| {
                svc.delete_case_attachment(who, id)
            }))
        })
        .description(
            "删除案例的一个附件（案例须为填报中或已退回）；上传附件用 POST /cases/{id}/attachments",
        )
        .argument(InputValue::new("id", TypeRef::named_nn(TypeRef::ID))),
    )
}
