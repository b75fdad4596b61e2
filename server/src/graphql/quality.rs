//! Quality through GraphQL: 质量部 runs the rules over a cycle (`runChecks`) and accepts
//! explanations (`acceptFinding`); units read and answer their findings (`findings`,
//! `explainFinding`); `qualityReport` counts them for the work group. Resolvers stay thin: the
//! work is in `service::quality` and `service::findings`.

use super::convert::cycle_arg;
use async_graphql::dynamic::{InputValue, Object, ResolverContext, SchemaBuilder, TypeRef};
use async_graphql::Value as Gql;

use super::build::{
    id_arg, int, list_of_parent, one_of_parent, opt_gql, opt_text, service_field, service_list,
    string_arg, text, with_fields,
};
use super::errors::ApiResult;
use super::resolve::field_of_parent;
use crate::service::findings::{
    Finding, FindingQuery, QualityReport, QualityRun as QualityRunRecord, RunReport, Tally,
};

fn finding_id(ctx: &ResolverContext<'_>) -> ApiResult<i64> {
    id_arg(ctx, "id", "发现的编号")
}

/// Registers Finding, QualityRun, QualityTally, QualityReport and QualityRunRecord.
pub fn register(b: SchemaBuilder) -> SchemaBuilder {
    b.register(finding_type())
        .register(record_type())
        .register(run_type())
        .register(tally_type())
        .register(report_type())
}

fn finding_type() -> Object {
    let (s, os, i) = (text, opt_text, int);
    with_fields::<Finding>(
        Object::new("Finding").description("校验发现：规则、严重程度（error 错误阻止提交；warning 提醒须写说明）、表、单位、行与中文说明"),
        vec![
            ("id", TypeRef::named_nn(TypeRef::ID), |f| {
                Gql::from(f.id.to_string())
            }),
            ("cycle", i(), |f| Gql::from(f.cycle)),
            ("rule", s(), |f| Gql::from(f.found.rule.clone())),
            ("severity", s(), |f| Gql::from(f.found.severity.clone())),
            ("table", s(), |f| Gql::from(f.found.table_code.clone())),
            ("unit", s(), |f| Gql::from(f.found.unit.clone())),
            ("rowId", TypeRef::named(TypeRef::ID), |f| {
                f.found.row_id.map_or(Gql::Null, |r| Gql::from(r.to_string()))
            }),
            ("rowRef", s(), |f| Gql::from(f.found.row_ref.clone())),
            ("field", os(), |f| opt_gql(&f.found.field)),
            ("message", s(), |f| Gql::from(f.found.message.clone())),
            ("state", s(), |f| Gql::from(f.state.clone())),
            ("explanation", os(), |f| opt_gql(&f.explanation)),
            ("explainedBy", os(), |f| opt_gql(&f.explained_by)),
            ("explainedAt", os(), |f| opt_gql(&f.explained_at)),
            ("acceptedBy", os(), |f| opt_gql(&f.accepted_by)),
            ("acceptedAt", os(), |f| opt_gql(&f.accepted_at)),
            ("createdAt", s(), |f| Gql::from(f.created_at.clone())),
            ("resolvedAt", os(), |f| opt_gql(&f.resolved_at)),
        ],
    )
}

fn run_type() -> Object {
    let i = int;
    with_fields::<RunReport>(
        Object::new("QualityRun").description("一次全院校验的结果"),
        vec![
            ("rules", i(), |r| Gql::from(r.rules)),
            ("errors", i(), |r| Gql::from(r.errors)),
            ("warnings", i(), |r| Gql::from(r.warnings)),
            ("opened", i(), |r| Gql::from(r.changes.opened)),
            ("kept", i(), |r| Gql::from(r.changes.kept)),
            ("reopened", i(), |r| Gql::from(r.changes.reopened)),
            ("resolved", i(), |r| Gql::from(r.changes.resolved)),
        ],
    )
}

fn tally_type() -> Object {
    let (s, i) = (text, int);
    with_fields::<Tally>(
        Object::new("QualityTally").description("按单位、表、规则或严重程度统计的发现数"),
        vec![
            ("key", s(), |t| Gql::from(t.key.clone())),
            ("name", s(), |t| Gql::from(t.name.clone())),
            ("errors", i(), |t| Gql::from(t.errors)),
            ("warnings", i(), |t| Gql::from(t.warnings)),
            ("open", i(), |t| Gql::from(t.open)),
            ("explained", i(), |t| Gql::from(t.explained)),
            ("accepted", i(), |t| Gql::from(t.accepted)),
        ],
    )
}

fn report_type() -> Object {
    let (s, i) = (text, int);
    let list = |name: &str, get: fn(&QualityReport) -> &Vec<Tally>| {
        list_of_parent::<QualityReport, Tally>(name, "QualityTally", get)
    };
    Object::new("QualityReport")
        .description("质量报告：现存发现按单位、表、规则、严重程度统计，附给工作群的一段话")
        .field(field_of_parent::<QualityReport>("cycle", i(), |r| {
            Gql::from(r.cycle)
        }))
        .field(field_of_parent::<QualityReport>("summary", s(), |r| {
            Gql::from(r.summary.clone())
        }))
        .field(one_of_parent::<QualityReport, Tally>(
            "total",
            "QualityTally",
            |r| &r.total,
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
            list_of_parent::<QualityReport, QualityRunRecord>("runs", "QualityRunRecord", |r| {
                &r.runs
            })
            .description("历次全院校验（趋势），最早的在前"),
        )
        .field(list("byUnit", |r| &r.by_unit))
        .field(list("byTable", |r| &r.by_table))
        .field(list("byRule", |r| &r.by_rule))
        .field(list("bySeverity", |r| &r.by_severity))
}

fn record_type() -> Object {
    let (s, i) = (text, int);
    with_fields::<QualityRunRecord>(
        Object::new("QualityRunRecord").description("一次已完成的全院校验"),
        vec![
            ("scope", s(), |r| Gql::from(r.scope.clone())),
            ("startedAt", s(), |r| Gql::from(r.started_at.clone())),
            ("finishedAt", s(), |r| Gql::from(r.finished_at.clone())),
            ("rules", i(), |r| Gql::from(r.rules)),
            ("errors", i(), |r| Gql::from(r.errors)),
            ("warnings", i(), |r| Gql::from(r.warnings)),
            ("opened", i(), |r| Gql::from(r.opened)),
            ("resolved", i(), |r| Gql::from(r.resolved)),
        ],
    )
}

fn finding_query(ctx: &ResolverContext<'_>) -> ApiResult<FindingQuery> {
    Ok(FindingQuery {
        cycle: cycle_arg(ctx)?,
        table: string_arg(ctx, "table"),
        unit: string_arg(ctx, "unit"),
        severity: string_arg(ctx, "severity"),
        state: string_arg(ctx, "state"),
    })
}

/// Adds `findings` and `qualityReport`.
pub fn add_queries(q: Object) -> Object {
    q.field(
        service_list(
            "findings",
            TypeRef::named_nn_list_nn("Finding"),
            finding_query,
            |svc, who, query| svc.findings(who, query),
        )
        .description("校验发现（本单位的；质量部、院领导、审核单位可看全部）")
        .argument(InputValue::new("cycle", int()))
        .argument(InputValue::new("table", opt_text()))
        .argument(InputValue::new("unit", opt_text()))
        .argument(InputValue::new("severity", opt_text()))
        .argument(InputValue::new("state", opt_text())),
    )
    .field(
        service_field(
            "qualityReport",
            TypeRef::named_nn("QualityReport"),
            cycle_arg,
            |svc, who, cycle| svc.quality_report(who, cycle),
        )
        .description("质量报告：按单位、表、规则、严重程度统计，附一段中文小结")
        .argument(InputValue::new("cycle", int())),
    )
}

/// Adds `runChecks`, `explainFinding` and `acceptFinding`.
pub fn add_mutations(m: Object) -> Object {
    m.field(
        service_field(
            "runChecks",
            TypeRef::named_nn("QualityRun"),
            cycle_arg,
            |svc, who, cycle| svc.run_checks(who, cycle),
        )
        .description("质量部：对整个周期运行全部校验规则，写入发现（已修正的自动解决，说明保留）")
        .argument(InputValue::new("cycle", int())),
    )
    .field(
        service_field(
            "explainFinding",
            TypeRef::named_nn("Finding"),
            |ctx| {
                let text = string_arg(ctx, "explanation").unwrap_or_default();
                Ok((finding_id(ctx)?, text))
            },
            |svc, who, (id, text)| svc.explain_finding(who, id, &text),
        )
        .description("填报单位对发现写说明（提醒须说明后才能提交）")
        .argument(InputValue::new("id", TypeRef::named_nn(TypeRef::ID)))
        .argument(InputValue::new("explanation", text())),
    )
    .field(
        service_field(
            "acceptFinding",
            TypeRef::named_nn("Finding"),
            finding_id,
            |svc, who, id| svc.accept_finding(who, id),
        )
        .description("质量部认可发现（及其说明）：不再计入该单位的问题")
        .argument(InputValue::new("id", TypeRef::named_nn(TypeRef::ID))),
    )
}
