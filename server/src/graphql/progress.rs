//! Progress through GraphQL: every (table, filling unit) of a cycle, the bulletin for the staff
//! chat group, and a person's to-do list.

use async_graphql::dynamic::{
    Field, FieldFuture, FieldValue, InputValue, Object, ResolverContext, TypeRef,
};
use chrono::NaiveDate;

use super::build::{service_field, service_list, service_value, string_arg};
use super::convert::{cycle_arg, opt_cycle_arg};
use super::errors::{ApiError, ApiResult, Code};
use crate::workflow::progress::{self, Entry};

/// The `cycle` argument and the `date` one (YYYY-MM-DD, `None` when absent).
fn cycle_and_date(ctx: &ResolverContext<'_>) -> ApiResult<(i32, Option<NaiveDate>)> {
    let cycle = cycle_arg(ctx)?;
    let on = match string_arg(ctx, "date") {
        Some(d) => Some(
            NaiveDate::parse_from_str(&d, "%Y-%m-%d")
                .map_err(|_| ApiError::new(Code::BadRequest, "date 应为 YYYY-MM-DD"))?,
        ),
        None => None,
    };
    Ok((cycle, on))
}

/// Adds `progress`, `bulletin` and `myTasks`; overdue is judged on the service's today.
pub fn add_queries(q: Object) -> Object {
    q.field(
        service_list(
            "progress",
            TypeRef::named_nn_list_nn("Progress"),
            cycle_arg,
            |svc, who, cycle| svc.progress_for(who, cycle, progress::today(svc.now())),
        )
        .description("每张表、每个填报单位的报送进度")
        .argument(InputValue::new("cycle", TypeRef::named_nn(TypeRef::INT))),
    )
    .field(
        service_value(
            "bulletin",
            TypeRef::named_nn(TypeRef::STRING),
            cycle_and_date,
            |svc, who, (cycle, on)| {
                let on = on.unwrap_or_else(|| progress::today(svc.now()));
                let list = svc.progress_for(who, cycle, on)?;
                let quality = svc.work_quality(cycle)?;
                Ok(progress::bulletin_with(&list, on, Some(&quality)))
            },
        )
        .description("可直接粘贴到工作群的进度通报，附各单位工作质量（未改正的错误、未说明的提醒）")
        .argument(InputValue::new("cycle", TypeRef::named_nn(TypeRef::INT)))
        .argument(InputValue::new("date", TypeRef::named(super::shared::DATE))),
    )
    .field(
        service_list(
            "myTasks",
            TypeRef::named_nn_list_nn("Progress"),
            opt_cycle_arg,
            |svc, who, given| {
                let cycle = svc.cycle_or_default(given)?;
                svc.my_tasks(who, cycle, progress::today(svc.now()))
            },
        )
        .description(
            "本人单位待填报、待审核的表（含退回意见和截止日期）；cycle 默认为最新的开放周期",
        )
        .argument(InputValue::new("cycle", TypeRef::named(TypeRef::INT))),
    )
}

/// A summary row: a unit or a table group with its counts.
struct SummaryRow {
    name: String,
    tally: progress::Tally,
}

/// Registers the summary types.
pub fn register(b: async_graphql::dynamic::SchemaBuilder) -> async_graphql::dynamic::SchemaBuilder {
    use super::resolve::field_of_parent;
    use async_graphql::Value as Gql;
    let mut row = Object::new("ProgressTally").field(field_of_parent::<SummaryRow>(
        "name",
        TypeRef::named_nn(TypeRef::STRING),
        |r| Gql::from(r.name.clone()),
    ));
    type Count = fn(&progress::Tally) -> usize;
    let counts: [(&str, Count); 5] = [
        ("expected", |t| t.expected),
        ("submitted", |t| t.submitted),
        ("approved", |t| t.approved),
        ("accepted", |t| t.accepted),
        ("overdue", |t| t.overdue),
    ];
    for (name, get) in counts {
        row = row.field(field_of_parent::<SummaryRow>(
            name,
            TypeRef::named_nn(TypeRef::INT),
            move |r| Gql::from(get(&r.tally) as i64),
        ));
    }
    let summary = Object::new("ProgressSummary")
        .field(Field::new(
            "byUnit",
            TypeRef::named_nn_list_nn("ProgressTally"),
            |ctx| summary_rows(ctx, |e| e.unit_name.clone()),
        ))
        .field(Field::new(
            "byGroup",
            TypeRef::named_nn_list_nn("ProgressTally"),
            |ctx| summary_rows(ctx, |e| e.group.clone()),
        ))
        .field(
            field_of_parent::<(Vec<Entry>, Option<f64>)>(
                "onTimeRate",
                TypeRef::named(TypeRef::FLOAT),
                |s| s.1.map_or(Gql::Null, Gql::from),
            )
            .description("截止日已过的任务中按时提交的比例（0–1）"),
        );
    b.register(row).register(summary)
}

fn summary_rows<'a>(ctx: ResolverContext<'a>, key: fn(&Entry) -> String) -> FieldFuture<'a> {
    FieldFuture::new(async move {
        let (entries, _) = ctx
            .parent_value
            .try_downcast_ref::<(Vec<Entry>, Option<f64>)>()?;
        let mut groups: std::collections::BTreeMap<String, Vec<&Entry>> =
            std::collections::BTreeMap::new();
        for e in entries {
            groups.entry(key(e)).or_default().push(e);
        }
        let rows = groups.into_iter().map(|(name, es)| {
            FieldValue::owned_any(SummaryRow {
                name,
                tally: progress::tally(es),
            })
        });
        Ok(Some(FieldValue::list(rows.collect::<Vec<_>>())))
    })
}

/// Adds `progressSummary`.
pub fn add_summary(q: Object) -> Object {
    q.field(
        service_field(
            "progressSummary",
            TypeRef::named_nn("ProgressSummary"),
            cycle_arg,
            |svc, who, cycle| {
                let on = progress::today(svc.now());
                let list = svc.progress_for(who, cycle, on)?;
                let rate = progress::on_time_rate(&list, on);
                Ok((list, rate))
            },
        )
        .description("按单位、按表组汇总的进度，及按时提交率")
        .argument(InputValue::new("cycle", TypeRef::named_nn(TypeRef::INT))),
    )
}
