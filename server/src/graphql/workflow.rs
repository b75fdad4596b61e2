//! Workflow through GraphQL: submit, review, accept, reopen, lock exceptions, progress, the
//! bulletin and a person's to-do list. Checks run in the contract's order: authentication,
//! password change, rights, workflow state and deadline, input.

use std::sync::Arc;

use async_graphql::dynamic::{
    Field, FieldFuture, FieldValue, InputValue, Object, ResolverContext, TypeRef,
};
use chrono::NaiveDate;

use super::account::ServerClock;
use super::errors::{ApiError, ApiResult, Code};
use super::resolve::{req, Req};
use crate::authz::{Action, PolicyCell};
use crate::defs::{Table, Units};
use crate::store::workflow::{self as wf, Actor};
use crate::workflow::{apply, Step, Submission};

/// A submission as the API shows it.
#[derive(Clone)]
pub struct SubmissionOut {
    pub table: String,
    pub unit: String,
    pub sub: Submission,
    pub updated_at: String,
}

pub(super) fn now(ctx: &ResolverContext<'_>) -> chrono::DateTime<chrono::Utc> {
    ctx.data::<ServerClock>()
        .map_or_else(|_| chrono::Utc::now(), |c| (c.0)())
}

pub(super) fn stamp(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn args(ctx: &ResolverContext<'_>) -> ApiResult<(i32, String, String)> {
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
    let unit = ctx
        .args
        .get("unit")
        .and_then(|v| v.string().ok())
        .ok_or_else(|| bad("缺少 unit"))?
        .to_owned();
    Ok((cycle, table, unit))
}

pub(super) fn cell<'a>(
    ctx: &'a ResolverContext<'_>,
) -> ApiResult<(&'a Arc<PolicyCell>, &'a Arc<Units>)> {
    let cell = ctx
        .data::<Arc<PolicyCell>>()
        .map_err(|_| ApiError::new(Code::Internal, "未加载权限策略"))?;
    let units = ctx
        .data::<Arc<Units>>()
        .map_err(|_| ApiError::new(Code::Internal, "未加载单位"))?;
    Ok((cell, units))
}

fn role(r: &Req<'_>, roles: &[&str]) -> bool {
    r.access.principal.development
        || r.access
            .principal
            .roles
            .iter()
            .any(|x| roles.contains(&x.as_str()) || x == "sysadmin")
}

/// Runs one step and returns the submission.
async fn step<'a>(
    ctx: &ResolverContext<'a>,
    make: impl FnOnce(&Req<'_>, &Table, &str, &[String]) -> ApiResult<Step>,
) -> async_graphql::Result<FieldValue<'a>> {
    let r = req(ctx)?;
    let (cycle, code, unit) = args(ctx)?;
    let table = r.store.table(&code).map_err(ApiError::from)?.clone();
    let (cell, units) = cell(ctx)?;
    let reviewers = cell
        .current()
        .unit_codes(r.store.catalog(), units, Action::Review)
        .remove(&code)
        .unwrap_or_default();
    let step = make(&r, &table, &unit, &reviewers)?;
    let explanation = match step {
        Step::Submit => ctx
            .args
            .get("explanation")
            .and_then(|v| v.string().ok())
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .map(str::to_owned),
        _ => None,
    };
    let at = stamp(now(ctx));
    if matches!(step, Step::Submit) {
        super::gate::check_submittable(ctx, &r, &table, cycle, &unit).await?;
    }
    let (s, who, from) = (
        r.store.clone(),
        r.access.principal.staff_no.clone(),
        r.access.principal.unit.clone(),
    );
    let (c2, u2, at2) = (code.clone(), unit.clone(), at.clone());
    let result = tokio::task::spawn_blocking(move || {
        s.with_workflow(|c| {
            wf::record_step(
                c,
                cycle,
                &c2,
                &u2,
                Actor {
                    staff_no: &who,
                    unit: &from,
                },
                &at2,
                |before| {
                    apply(before, &step, &reviewers).map(|mut after| {
                        // A submission with warnings carries its explanation for the reviewers.
                        if let Some(e) = explanation {
                            after.comment = Some(format!("提交说明：{e}"));
                        }
                        after
                    })
                },
            )
        })
    })
    .await
    .map_err(|e| ApiError::new(Code::Internal, e.to_string()))?
    .map_err(ApiError::from)?;
    let sub = result.map_err(|e| ApiError::new(Code::BadRequest, e.to_string()))?;
    Ok(FieldValue::owned_any(SubmissionOut {
        table: code,
        unit,
        sub,
        updated_at: at,
    }))
}

fn key_args(f: Field) -> Field {
    f.argument(InputValue::new("cycle", TypeRef::named_nn(TypeRef::INT)))
        .argument(
            InputValue::new("table", TypeRef::named_nn(TypeRef::STRING))
                .description("表编号，如 2.1.1"),
        )
        .argument(
            InputValue::new("unit", TypeRef::named_nn(TypeRef::STRING)).description("填报单位代码"),
        )
}

/// Adds the workflow mutations.
pub fn add_mutations(m: Object) -> Object {
    let forbid = |m: &str| ApiError::new(Code::Forbidden, m.to_owned());
    m.field(
        key_args(Field::new(
            "submitTable",
            TypeRef::named_nn("Submission"),
            move |ctx| {
                FieldFuture::new(async move {
                    Ok(Some(
                        step(&ctx, |r, t, unit, _| {
                            let own =
                                r.access.principal.development || r.access.principal.unit == unit;
                            if !(own
                                && role(r, &["head", "quality_admin"])
                                && r.access.can(&t.code, Action::Fill))
                            {
                                return Err(forbid("只有本单位负责人可以提交本单位填报的表"));
                            }
                            Ok(Step::Submit)
                        })
                        .await?,
                    ))
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
                    let comment = ctx
                        .args
                        .get("comment")
                        .and_then(|v| v.string().ok())
                        .unwrap_or_default()
                        .to_owned();
                    Ok(Some(
                        step(&ctx, move |r, t, _, reviewers| {
                            let reviewer = r.access.principal.unit.clone();
                            let is_reviewer =
                                r.access.principal.development || reviewers.contains(&reviewer);
                            if !(is_reviewer
                                && role(r, &["head", "quality_admin"])
                                && r.access.can(&t.code, Action::Review))
                            {
                                return Err(forbid("只有审核单位负责人可以审核"));
                            }
                            Ok(if decision == "RETURN" {
                                Step::Return { reviewer, comment }
                            } else {
                                Step::Approve { reviewer }
                            })
                        })
                        .await?,
                    ))
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
        move |ctx| {
            FieldFuture::new(async move {
                Ok(Some(
                    step(&ctx, |r, t, _, _| {
                        if !(role(r, &["quality_admin"]) && r.access.can(&t.code, Action::Accept)) {
                            return Err(forbid("只有质量部可以验收"));
                        }
                        Ok(Step::Accept)
                    })
                    .await?,
                ))
            })
        },
    )))
    .field(
        key_args(Field::new(
            "reopenTable",
            TypeRef::named_nn("Submission"),
            move |ctx| {
                FieldFuture::new(async move {
                    let reason = ctx.args.try_get("reason")?.string()?.to_owned();
                    Ok(Some(
                        step(&ctx, move |r, t, _, _| {
                            if !(role(r, &["quality_admin"])
                                && r.access.can(&t.code, Action::Admin))
                            {
                                return Err(forbid("只有质量部可以重新打开"));
                            }
                            Ok(Step::Reopen { reason })
                        })
                        .await?,
                    ))
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
                    if !(role(&r, &["quality_admin"]) && r.access.can(&code, Action::Admin)) {
                        return Err(forbid("只有质量部可以临时开放修改").into());
                    }
                    let until = ctx.args.try_get("until")?.string()?.to_owned();
                    let day = NaiveDate::parse_from_str(&until, "%Y-%m-%d").map_err(|_| {
                        ApiError::new(Code::BadRequest, "until 应为日期 YYYY-MM-DD")
                    })?;
                    let reason = ctx.args.try_get("reason")?.string()?.trim().to_owned();
                    if reason.is_empty() {
                        return Err(ApiError::new(Code::BadRequest, "请填写原因").into());
                    }
                    // Open until the end of that day in China Standard Time.
                    let end = format!("{}T15:59:59.999Z", day);
                    let (s, by, at) = (
                        r.store.clone(),
                        r.access.principal.staff_no.clone(),
                        stamp(now(&ctx)),
                    );
                    tokio::task::spawn_blocking(move || {
                        s.with_workflow(|c| {
                            wf::grant_lock_exception(
                                c,
                                &wf::LockException {
                                    cycle,
                                    table: &code,
                                    unit: &unit,
                                    until: &end,
                                    reason: &reason,
                                    granted_by: &by,
                                },
                                &at,
                            )
                        })
                    })
                    .await?
                    .map_err(ApiError::from)?;
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
