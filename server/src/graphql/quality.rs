//! Quality through GraphQL: 质量部 runs the rules over a cycle (`runChecks`) and accepts
//! explanations (`acceptFinding`); units read and answer their findings (`findings`,
//! `explainFinding`); `qualityReport` counts them for the work group. Resolvers stay thin: the
//! work is in `service::quality` and `service::findings`.

use super::convert::cycle_arg;
use async_graphql::dynamic::{
    Field, FieldFuture, FieldValue, InputValue, Object, ResolverContext, SchemaBuilder, TypeRef,
};
use async_graphql::Value as Gql;

use super::errors::{ApiError, ApiResult, Code};
use super::resolve::{field_of_parent, req};
use crate::service::findings::{
    Finding, FindingQuery, QualityReport, QualityRun as QualityRunRecord, RunReport, Tally,
};

fn opt_str(ctx: &ResolverContext<'_>, name: &str) -> Option<String> {
    ctx.args
        .get(name)
        .and_then(|v| v.string().ok().map(str::to_owned))
}

fn id_arg(ctx: &ResolverContext<'_>) -> ApiResult<i64> {
    ctx.args
        .get("id")
        .and_then(|v| v.string().ok().and_then(|s| s.parse().ok()))
        .ok_or_else(|| ApiError::new(Code::BadRequest, "id 应为发现的编号"))
}

/// Registers Finding, QualityRun, QualityTally and QualityReport.
pub fn register(b: SchemaBuilder) -> SchemaBuilder {
    let s = || TypeRef::named_nn(TypeRef::STRING);
    let os = || TypeRef::named(TypeRef::STRING);
    let i = || TypeRef::named_nn(TypeRef::INT);
    type Get = fn(&Finding) -> Gql;
    let fields: Vec<(&str, TypeRef, Get)> = vec![
        ("id", TypeRef::named_nn(TypeRef::ID), |f| {
            Gql::from(f.id.to_string())
        }),
        ("cycle", i(), |f| Gql::from(f.cycle)),
        ("rule", s(), |f| Gql::from(f.found.rule.clone())),
        ("severity", s(), |f| Gql::from(f.found.severity.clone())),
        ("table", s(), |f| Gql::from(f.found.table_code.clone())),
        ("unit", s(), |f| Gql::from(f.found.unit.clone())),
        ("rowId", TypeRef::named(TypeRef::ID), |f| {
            f.found
                .row_id
                .map_or(Gql::Null, |r| Gql::from(r.to_string()))
        }),
        ("rowRef", s(), |f| Gql::from(f.found.row_ref.clone())),
        ("field", os(), |f| {
            f.found.field.clone().map_or(Gql::Null, Gql::from)
        }),
        ("message", s(), |f| Gql::from(f.found.message.clone())),
        ("state", s(), |f| Gql::from(f.state.clone())),
        ("explanation", os(), |f| {
            f.explanation.clone().map_or(Gql::Null, Gql::from)
        }),
        ("explainedBy", os(), |f| {
            f.explained_by.clone().map_or(Gql::Null, Gql::from)
        }),
        ("explainedAt", os(), |f| {
            f.explained_at.clone().map_or(Gql::Null, Gql::from)
        }),
        ("acceptedBy", os(), |f| {
            f.accepted_by.clone().map_or(Gql::Null, Gql::from)
        }),
        ("acceptedAt", os(), |f| {
            f.accepted_at.clone().map_or(Gql::Null, Gql::from)
        }),
        ("createdAt", s(), |f| Gql::from(f.created_at.clone())),
        ("resolvedAt", os(), |f| {
            f.resolved_at.clone().map_or(Gql::Null, Gql::from)
        }),
    ];
    let mut finding = Object::new("Finding").description(
        "校验发现：规则、严重程度（error 错误阻止提交；warning 提醒须写说明）、表、单位、行与中文说明",
    );
    for (name, ty, get) in fields {
        finding = finding.field(field_of_parent::<Finding>(name, ty, get));
    }
    type RunGet = fn(&RunReport) -> Gql;
    let run_fields: [(&str, RunGet); 7] = [
        ("rules", |r| Gql::from(r.rules)),
        ("errors", |r| Gql::from(r.errors)),
        ("warnings", |r| Gql::from(r.warnings)),
        ("opened", |r| Gql::from(r.changes.opened)),
        ("kept", |r| Gql::from(r.changes.kept)),
        ("reopened", |r| Gql::from(r.changes.reopened)),
        ("resolved", |r| Gql::from(r.changes.resolved)),
    ];
    let mut run = Object::new("QualityRun").description("一次全院校验的结果");
    for (name, get) in run_fields {
        run = run.field(field_of_parent::<RunReport>(name, i(), get));
    }
    type TallyGet = fn(&Tally) -> Gql;
    let tally_fields: [(&str, TypeRef, TallyGet); 7] = [
        ("key", s(), |t| Gql::from(t.key.clone())),
        ("name", s(), |t| Gql::from(t.name.clone())),
        ("errors", i(), |t| Gql::from(t.errors)),
        ("warnings", i(), |t| Gql::from(t.warnings)),
        ("open", i(), |t| Gql::from(t.open)),
        ("explained", i(), |t| Gql::from(t.explained)),
        ("accepted", i(), |t| Gql::from(t.accepted)),
    ];
    let mut tally =
        Object::new("QualityTally").description("按单位、表、规则或严重程度统计的发现数");
    for (name, ty, get) in tally_fields {
        tally = tally.field(field_of_parent::<Tally>(name, ty, get));
    }
    let list = |name: &str, get: fn(&QualityReport) -> &Vec<Tally>| {
        Field::new(
            name,
            TypeRef::named_nn_list_nn("QualityTally"),
            move |ctx| {
                FieldFuture::new(async move {
                    let r = ctx.parent_value.try_downcast_ref::<QualityReport>()?;
                    Ok(Some(FieldValue::list(
                        get(r).iter().map(|t| FieldValue::borrowed_any(t)),
                    )))
                })
            },
        )
    };
    let report = Object::new("QualityReport")
        .description("质量报告：现存发现按单位、表、规则、严重程度统计，附给工作群的一段话")
        .field(field_of_parent::<QualityReport>("cycle", i(), |r| {
            Gql::from(r.cycle)
        }))
        .field(field_of_parent::<QualityReport>("summary", s(), |r| {
            Gql::from(r.summary.clone())
        }))
        .field(Field::new(
            "total",
            TypeRef::named_nn("QualityTally"),
            |ctx| {
                FieldFuture::new(async move {
                    let r = ctx.parent_value.try_downcast_ref::<QualityReport>()?;
                    Ok(Some(FieldValue::borrowed_any(&r.total)))
                })
            },
        ))
        .field(
            field_of_parent::<QualityReport>("rows", i(), |r| Gql::from(r.rows))
                .description("本年度全部数据行数"),
        )
        .field(
            field_of_parent::<QualityReport>("flaggedRows", i(), |r| Gql::from(r.flagged_rows))
                .description("有未解决发现的行数（无问题的行占比 = 1 - flaggedRows / rows）"),
        )
        .field(
            Field::new(
                "runs",
                TypeRef::named_nn_list_nn("QualityRunRecord"),
                |ctx| {
                    FieldFuture::new(async move {
                        let r = ctx.parent_value.try_downcast_ref::<QualityReport>()?;
                        Ok(Some(FieldValue::list(
                            r.runs.iter().map(|t| FieldValue::borrowed_any(t)),
                        )))
                    })
                },
            )
            .description("历次全院校验（趋势），最早的在前"),
        )
        .field(list("byUnit", |r| &r.by_unit))
        .field(list("byTable", |r| &r.by_table))
        .field(list("byRule", |r| &r.by_rule))
        .field(list("bySeverity", |r| &r.by_severity));
    type RecordGet = fn(&QualityRunRecord) -> Gql;
    let record_fields: [(&str, TypeRef, RecordGet); 8] = [
        ("scope", s(), |r| Gql::from(r.scope.clone())),
        ("startedAt", s(), |r| Gql::from(r.started_at.clone())),
        ("finishedAt", s(), |r| Gql::from(r.finished_at.clone())),
        ("rules", i(), |r| Gql::from(r.rules)),
        ("errors", i(), |r| Gql::from(r.errors)),
        ("warnings", i(), |r| Gql::from(r.warnings)),
        ("opened", i(), |r| Gql::from(r.opened)),
        ("resolved", i(), |r| Gql::from(r.resolved)),
    ];
    let mut record = Object::new("QualityRunRecord").description("一次已完成的全院校验");
    for (name, ty, get) in record_fields {
        record = record.field(field_of_parent::<QualityRunRecord>(name, ty, get));
    }
    b.register(finding)
        .register(record)
        .register(run)
        .register(tally)
        .register(report)
}

/// Adds `findings` and `qualityReport`.
pub fn add_queries(q: Object) -> Object {
    q.field(
        Field::new("findings", TypeRef::named_nn_list_nn("Finding"), |ctx| {
            FieldFuture::new(async move {
                let r = req(&ctx)?;
                let query = FindingQuery {
                    cycle: cycle_arg(&ctx)?,
                    table: opt_str(&ctx, "table"),
                    unit: opt_str(&ctx, "unit"),
                    severity: opt_str(&ctx, "severity"),
                    state: opt_str(&ctx, "state"),
                };
                let who = r.access.clone();
                let list = r.svc.blocking(move |svc| svc.findings(&who, query)).await?;
                Ok(Some(FieldValue::list(
                    list.into_iter().map(FieldValue::owned_any),
                )))
            })
        })
        .description("校验发现（本单位的；质量部、院领导、审核单位可看全部）")
        .argument(InputValue::new("cycle", TypeRef::named_nn(TypeRef::INT)))
        .argument(InputValue::new("table", TypeRef::named(TypeRef::STRING)))
        .argument(InputValue::new("unit", TypeRef::named(TypeRef::STRING)))
        .argument(InputValue::new("severity", TypeRef::named(TypeRef::STRING)))
        .argument(InputValue::new("state", TypeRef::named(TypeRef::STRING))),
    )
    .field(
        Field::new("qualityReport", TypeRef::named_nn("QualityReport"), |ctx| {
            FieldFuture::new(async move {
                let r = req(&ctx)?;
                let cycle = cycle_arg(&ctx)?;
                let who = r.access.clone();
                let report = r
                    .svc
                    .blocking(move |svc| svc.quality_report(&who, cycle))
                    .await?;
                Ok(Some(FieldValue::owned_any(report)))
            })
        })
        .description("质量报告：按单位、表、规则、严重程度统计，附一段中文小结")
        .argument(InputValue::new("cycle", TypeRef::named_nn(TypeRef::INT))),
    )
}

/// Adds `runChecks`, `explainFinding` and `acceptFinding`.
pub fn add_mutations(m: Object) -> Object {
    m.field(
        Field::new("runChecks", TypeRef::named_nn("QualityRun"), |ctx| {
            FieldFuture::new(async move {
                let r = req(&ctx)?;
                let cycle = cycle_arg(&ctx)?;
                let who = r.access.clone();
                let report = r
                    .svc
                    .blocking(move |svc| svc.run_checks(&who, cycle))
                    .await?;
                Ok(Some(FieldValue::owned_any(report)))
            })
        })
        .description("质量部：对整个周期运行全部校验规则，写入发现（已修正的自动解决，说明保留）")
        .argument(InputValue::new("cycle", TypeRef::named_nn(TypeRef::INT))),
    )
    .field(
        Field::new("explainFinding", TypeRef::named_nn("Finding"), |ctx| {
            FieldFuture::new(async move {
                let r = req(&ctx)?;
                let id = id_arg(&ctx)?;
                let text = opt_str(&ctx, "explanation").unwrap_or_default();
                let who = r.access.clone();
                let f = r
                    .svc
                    .blocking(move |svc| svc.explain_finding(&who, id, &text))
                    .await?;
                Ok(Some(FieldValue::owned_any(f)))
            })
        })
        .description("填报单位对发现写说明（提醒须说明后才能提交）")
        .argument(InputValue::new("id", TypeRef::named_nn(TypeRef::ID)))
        .argument(InputValue::new(
            "explanation",
            TypeRef::named_nn(TypeRef::STRING),
        )),
    )
    .field(
        Field::new("acceptFinding", TypeRef::named_nn("Finding"), |ctx| {
            FieldFuture::new(async move {
                let r = req(&ctx)?;
                let id = id_arg(&ctx)?;
                let who = r.access.clone();
                let f = r
                    .svc
                    .blocking(move |svc| svc.accept_finding(&who, id))
                    .await?;
                Ok(Some(FieldValue::owned_any(f)))
            })
        })
        .description("质量部认可发现（及其说明）：不再计入该单位的问题")
        .argument(InputValue::new("id", TypeRef::named_nn(TypeRef::ID))),
    )
}
