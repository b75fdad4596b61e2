//! Workflow through GraphQL: submit, review, accept, reopen, lock exceptions, progress, the
//! bulletin and a person's to-do list. Checks run in the contract's order: authentication,
//! password change, rights, workflow state and deadline, input.

use async_graphql::dynamic::{
    Field, FieldFuture, FieldValue, InputValue, Object, ResolverContext, TypeRef,
};
use chrono::NaiveDate;

use super::errors::{ApiError, ApiResult, Code};
use super::resolve::req;
use crate::service::workflow::Request;

pub use crate::service::workflow::SubmissionOut;

pub(super) fn now(ctx: &ResolverContext<'_>) -> chrono::DateTime<chrono::Utc> {
    ctx.data::<crate::service::Service>()
        .map_or_else(|_| chrono::Utc::now(), |s| s.now())
}

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

/// Runs one step and returns the submission.
async fn step<'a>(
    ctx: &ResolverContext<'a>,
    request: Request,
) -> async_graphql::Result<FieldValue<'a>> {
    let r = req(ctx)?;
    let (cycle, code, unit) = args(ctx)?;
    // Submitting is for one's own unit, so it may go unnamed; every other step names the unit.
    let unit = match (unit, &request) {
        (Some(u), _) => u,
        (None, Request::Submit { .. }) => r.access.principal.unit.clone(),
        (None, _) => return Err(ApiError::new(Code::BadRequest, "请指定单位（unit）").into()),
    };
    let who = r.access.clone();
    let out = r
        .svc
        .blocking(move |svc| svc.take_step(&who, cycle, &code, &unit, request))
        .await?;
    Ok(FieldValue::owned_any(out))
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

fn string_arg(ctx: &ResolverContext<'_>, name: &str) -> Option<String> {
    ctx.args
        .get(name)
        .filter(|v| !v.is_null())
        .and_then(|v| v.string().ok())
        .map(str::to_owned)
}

/// Adds the workflow mutations.
pub fn add_mutations(m: Object) -> Object {
    m.field(
        key_args(Field::new(
            "submitTable",
            TypeRef::named_nn("Submission"),
            move |ctx| {
                FieldFuture::new(async move {
                    let explanation = string_arg(&ctx, "explanation");
                    Ok(Some(step(&ctx, Request::Submit { explanation }).await?))
                })
            },
        ))
        .description("部门负责人提交本单位的表；有错误时不能提交，有提醒时须填写说明")
        .argument(InputValue::new(
            "explanation",
            TypeRef::named(TypeRef::STRING),
        )),
    )
    .field(
        key_args(Field::new(
            "reviewTable",
            TypeRef::named_nn("Submission"),
            move |ctx| {
                FieldFuture::new(async move {
                    let decision = ctx.args.try_get("decision")?.enum_name()?.to_owned();
                    let request = if decision == "RETURN" {
                        let comment = string_arg(&ctx, "comment").unwrap_or_default();
                        Request::Return { comment }
                    } else {
                        Request::Approve
                    };
                    Ok(Some(step(&ctx, request).await?))
                })
            },
        ))
        .argument(InputValue::new(
            "decision",
            TypeRef::named_nn("ReviewDecision"),
        ))
        .argument(
            InputValue::new("comment", TypeRef::named(TypeRef::STRING)).description("退回时必填"),
        ),
    )
    .field(key_args(Field::new(
        "acceptTable",
        TypeRef::named_nn("Submission"),
        move |ctx| FieldFuture::new(async move { Ok(Some(step(&ctx, Request::Accept).await?)) }),
    )))
    .field(
        key_args(Field::new(
            "reopenTable",
            TypeRef::named_nn("Submission"),
            move |ctx| {
                FieldFuture::new(async move {
                    let reason = ctx.args.try_get("reason")?.string()?.to_owned();
                    Ok(Some(step(&ctx, Request::Reopen { reason }).await?))
                })
            },
        ))
        .argument(InputValue::new(
            "reason",
            TypeRef::named_nn(TypeRef::STRING),
        )),
    )
    .field(
        key_args(Field::new(
            "grantLockException",
            TypeRef::named_nn(TypeRef::BOOLEAN),
            move |ctx| {
                FieldFuture::new(async move {
                    let r = req(&ctx)?;
                    let (cycle, code, unit) = args(&ctx)?;
                    let unit =
                        unit.ok_or_else(|| ApiError::new(Code::BadRequest, "请指定单位（unit）"))?;
                    let until = ctx.args.try_get("until")?.string()?.to_owned();
                    let day = NaiveDate::parse_from_str(&until, "%Y-%m-%d").map_err(|_| {
                        ApiError::new(Code::BadRequest, "until 应为日期 YYYY-MM-DD")
                    })?;
                    let reason = ctx.args.try_get("reason")?.string()?.to_owned();
                    let who = r.access.clone();
                    r.svc
                        .blocking(move |svc| {
                            svc.grant_lock_exception(&who, cycle, &code, &unit, day, &reason)
                        })
                        .await?;
                    Ok(Some(FieldValue::value(true)))
                })
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
