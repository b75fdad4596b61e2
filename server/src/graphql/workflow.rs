//! Workflow through GraphQL: submit, review, accept, reopen, lock exceptions, progress, the
//! bulletin and a person's to-do list. Checks run in the contract's order: authentication,
//! password change, rights, workflow state and deadline, input.

use async_graphql::dynamic::{Field, InputValue, Object, ResolverContext, TypeRef};
use chrono::NaiveDate;

use super::build::{return_comment, service_field, service_value, string_arg};
use super::errors::{ApiError, ApiResult, Code};
use crate::service::workflow::Request;

pub use crate::service::workflow::SubmissionOut;

fn args(ctx: &ResolverContext<'_>) -> ApiResult<(i32, String, Option<String>)> {
    let bad = |m: &str| ApiError::new(Code::BadRequest, m.to_owned());
    let cycle = ctx
        .args
        .get("cycle")
        .and_then(|v| v.i64().ok())
        .and_then(|c| i32::try_from(c).ok())
        .ok_or_else(|| bad("cycle 应为年份"))?;
    let table = ctx
        .args
        .get("table")
        .and_then(|v| v.string().ok())
        .ok_or_else(|| bad("缺少 table"))?
        .to_owned();
    Ok((cycle, table, string_arg(ctx, "unit")))
}

/// A step on the submission the key arguments name, the request read by `read`.
fn step(name: &str, read: fn(&ResolverContext<'_>) -> ApiResult<Request>) -> Field {
    let args = move |ctx: &ResolverContext<'_>| Ok((args(ctx)?, read(ctx)?));
    key_args(service_field(
        name,
        TypeRef::named_nn("Submission"),
        args,
        |svc, who, ((cycle, code, unit), request)| {
            // Submitting is for one's own unit, so it may go unnamed; every other step names
            // the unit.
            let unit = match (unit, &request) {
                (Some(u), _) => u,
                (None, Request::Submit { .. }) => who.principal.unit.clone(),
                (None, _) => return Err(ApiError::new(Code::BadRequest, "请指定单位（unit）")),
            };
            svc.take_step(who, cycle, &code, &unit, request)
        },
    ))
}

fn key_args(f: Field) -> Field {
    f.argument(InputValue::new("cycle", TypeRef::named_nn(TypeRef::INT)))
        .argument(
            InputValue::new("table", TypeRef::named_nn(TypeRef::STRING))
                .description("表编号，如 2.1.1"),
        )
        .argument(
            InputValue::new("unit", TypeRef::named(TypeRef::STRING))
                .description("填报单位的代码或名称；提交时默认为本人单位，其他操作必填"),
        )
}

/// Adds the workflow mutations.
pub fn add_mutations(m: Object) -> Object {
    m.field(
        step("submitTable", |ctx| {
            let explanation = string_arg(ctx, "explanation");
            Ok(Request::Submit { explanation })
        })
        .description("部门负责人提交本单位的表；有错误时不能提交，有提醒时须填写说明")
        .argument(InputValue::new(
            "explanation",
            TypeRef::named(TypeRef::STRING),
        )),
    )
    .field(
        step("reviewTable", |ctx| {
            Ok(match return_comment(ctx) {
                Some(comment) => Request::Return { comment },
                None => Request::Approve,
            })
        })
        .argument(InputValue::new(
            "decision",
            TypeRef::named_nn("ReviewDecision"),
        ))
        .argument(
            InputValue::new("comment", TypeRef::named(TypeRef::STRING)).description("退回时必填"),
        ),
    )
    .field(step("acceptTable", |_| Ok(Request::Accept)))
    .field(
        step("reopenTable", |ctx| {
            let reason = string_arg(ctx, "reason").unwrap_or_default();
            Ok(Request::Reopen { reason })
        })
        .argument(InputValue::new(
            "reason",
            TypeRef::named_nn(TypeRef::STRING),
        )),
    )
    .field(
        key_args(service_value(
            "grantLockException",
            TypeRef::named_nn(TypeRef::BOOLEAN),
            |ctx| {
                let (cycle, code, unit) = args(ctx)?;
                let unit =
                    unit.ok_or_else(|| ApiError::new(Code::BadRequest, "请指定单位（unit）"))?;
                let until = string_arg(ctx, "until").unwrap_or_default();
                let day = NaiveDate::parse_from_str(&until, "%Y-%m-%d")
                    .map_err(|_| ApiError::new(Code::BadRequest, "until 应为日期 YYYY-MM-DD"))?;
                let reason = string_arg(ctx, "reason").unwrap_or_default();
                Ok((cycle, code, unit, day, reason))
            },
            |svc, who, (cycle, code, unit, day, reason)| {
                svc.grant_lock_exception(who, cycle, &code, &unit, day, &reason)?;
                Ok(true)
            },
        ))
        .description("质量部临时允许某单位在截止或锁定后修改某表（至 until 当日结束）")
        .argument(InputValue::new(
            "until",
            TypeRef::named_nn(super::shared::DATE),
        ))
        .argument(InputValue::new(
            "reason",
            TypeRef::named_nn(TypeRef::STRING),
        )),
    )
}

/// Adds `stepSummary`, read before 通过 and 验收.
pub fn add_queries(q: Object) -> Object {
    q.field(key_args(
        service_field(
            "stepSummary",
            TypeRef::named_nn("StepSummary"),
            |ctx| {
                let (cycle, code, unit) = args(ctx)?;
                let unit =
                    unit.ok_or_else(|| ApiError::new(Code::BadRequest, "请指定单位（unit）"))?;
                Ok((cycle, code, unit))
            },
            |svc, who, (cycle, code, unit)| svc.step_summary(who, cycle, &code, &unit),
        )
        .description(
            "某单位某表的一行摘要（行数、未处理的错误和提醒、单位的说明），审核通过和验收之前查看",
        ),
    ))
}
