//! The annual quality report's data tables through GraphQL: `annualReport(cycle)` (质量部 and
//! leaders) and `setAnnualReportItem` (质量部 enters a survey or outside figure). Resolvers only
//! translate: the work is in `service::annual`.

use async_graphql::dynamic::{InputValue, Object, ResolverContext, SchemaBuilder, TypeRef};
use async_graphql::Value as Gql;

use super::build::{
    list_of_parent as list, opt_gql as opt, opt_text, service_field, string_arg, text, with_fields,
};
use super::convert::cycle_arg;
use super::errors::ApiResult;
use super::resolve::{field_of_parent, Getter};
use crate::indicators::BreakdownValues;
use crate::service::annual::ExternalValue;
use crate::service::annual::{AnnualReport, ExternalInput, ReportFigure, ReportTableFigures};
use crate::service::indicators::CommentRow;

/// Registers AnnualReport, AnnualReportTable and AnnualReportItem.
pub fn register(b: SchemaBuilder) -> SchemaBuilder {
    b.register(item_type())
        .register(
            Object::new("AnnualReportTable")
                .description("质量年度报告的一张附表（计分卡、资源表…）")
                .field(field_of_parent::<ReportTableFigures>("id", text(), |t| {
                    Gql::from(t.id.clone())
                }))
                .field(field_of_parent::<ReportTableFigures>("name", text(), |t| {
                    Gql::from(t.name.clone())
                }))
                .field(list::<ReportTableFigures, ReportFigure>(
                    "items",
                    "AnnualReportItem",
                    |t| &t.items,
                )),
        )
        .register(report_type())
}

fn report_type() -> Object {
    let fields: Vec<(&str, TypeRef, Getter<AnnualReport>)> = vec![
        ("cycle", TypeRef::named_nn(TypeRef::INT), |r| {
            Gql::from(r.cycle)
        }),
        ("template", text(), |r| Gql::from(r.template.clone())),
        ("state", text(), |r| Gql::from(r.state.clone())),
        ("stateText", text(), |r| Gql::from(r.state_text.clone())),
        ("signedOff", TypeRef::named_nn(TypeRef::BOOLEAN), |r| {
            Gql::from(r.signed_off())
        }),
    ];
    with_fields::<AnnualReport>(
        Object::new("AnnualReport").description(
            "一个周期的质量年度报告数据表：所依模板、核心数据的审核状态（state 同 coreData）与各表",
        ),
        fields,
    )
    .field(list::<AnnualReport, ReportTableFigures>(
        "tables",
        "AnnualReportTable",
        |r| &r.tables,
    ))
    .field(
        list::<AnnualReport, CommentRow>("comments", "IndicatorComment", |r| &r.comments)
            .description("院领导（或质量部答复）对各计算项的批注（indicator 为项的编号）；用 commentIndicator 批注，未解决的批注同样阻止签字"),
    )
}

type ItemField = (
    &'static str,
    TypeRef,
    fn(&ReportFigure) -> Gql,
    &'static str,
);

/// The item's plain fields with their docs.
fn item_fields() -> Vec<ItemField> {
    let (s, os) = (text, opt_text);
    vec![
        (
            "id",
            s(),
            |f| Gql::from(f.id.clone()),
            "项的编号（report/annual.toml 的 id）",
        ),
        ("name", s(), |f| Gql::from(f.name.clone()), "指标名称"),
        ("unit", s(), |f| Gql::from(f.unit.clone()), "计量单位"),
        (
            "value",
            os(),
            |f| opt(&f.value),
            "本周期的值（十进制文本；分母为零或尚未录入时为空）",
        ),
        ("previous", os(), |f| opt(&f.previous), "上一周期的值"),
        (
            "change",
            os(),
            |f| opt(&f.change),
            "变化：本周期值 − 上一周期值",
        ),
        (
            "changePercent",
            os(),
            |f| opt(&f.change_percent),
            "变化幅度（%）",
        ),
        (
            "formula",
            os(),
            |f| opt(&f.formula),
            "计算公式（录入项为空）",
        ),
        (
            "definition",
            s(),
            |f| Gql::from(f.definition.clone()),
            "统计口径",
        ),
        (
            "source",
            s(),
            |f| Gql::from(f.source.clone()),
            "数据来源：所读的表，或录入时写明的来源",
        ),
        (
            "external",
            TypeRef::named_nn(TypeRef::BOOLEAN),
            |f| Gql::from(f.external),
            "是否由质量部录入（调查或外部统计）",
        ),
        (
            "enteredByRole",
            os(),
            |f| opt(&f.entered_by_role),
            "录入项由谁录入（质量部）",
        ),
        (
            "enteredBy",
            os(),
            |f| entered(f, |e| &e.entered_by_name),
            "录入人",
        ),
        (
            "enteredAt",
            os(),
            |f| entered(f, |e| &e.entered_at),
            "录入时间",
        ),
        (
            "date",
            os(),
            |f| entered(f, |e| &e.source_date),
            "录入数据的日期（如调查截止日）",
        ),
    ]
}

fn item_type() -> Object {
    let mut o = Object::new("AnnualReportItem")
        .description("质量年度报告的一项：本周期值、上一周期值与变化、公式或录入来源、分项");
    for (name, ty, get, doc) in item_fields() {
        o = o.field(field_of_parent::<ReportFigure>(name, ty, get).description(doc));
    }
    o.field(list::<ReportFigure, BreakdownValues>(
        "breakdowns",
        "IndicatorBreakdown",
        |f| &f.breakdowns,
    ))
}

/// A field of the entered value, when there is one.
fn entered(f: &ReportFigure, g: fn(&ExternalValue) -> &String) -> Gql {
    f.entered
        .as_ref()
        .map_or(Gql::Null, |e| Gql::from(g(e).clone()))
}

/// Adds `annualReport`.
pub fn add_queries(q: Object) -> Object {
    q.field(
        service_field(
            "annualReport",
            TypeRef::named_nn("AnnualReport"),
            cycle_arg,
            |svc, who, cycle| svc.annual_report(who, cycle),
        )
        .description("质量年度报告数据表（质量部、院领导）：计算项与质量部录入项的本年、上年与变化")
        .argument(InputValue::new("cycle", TypeRef::named_nn(TypeRef::INT))),
    )
}

type SetArgs = (i32, [String; 4]);

fn set_args(ctx: &ResolverContext<'_>) -> ApiResult<SetArgs> {
    let arg = |n| string_arg(ctx, n).unwrap_or_default();
    Ok((
        cycle_arg(ctx)?,
        [arg("item"), arg("value"), arg("source"), arg("date")],
    ))
}

/// Adds `setAnnualReportItem`.
pub fn add_mutations(m: Object) -> Object {
    let nn = || TypeRef::named_nn(TypeRef::STRING);
    m.field(
        service_field(
            "setAnnualReportItem",
            TypeRef::named_nn("AnnualReportItem"),
            set_args,
            |svc, who, (cycle, [item, value, source, date])| {
                let input = ExternalInput {
                    item: &item,
                    value: &value,
                    source: &source,
                    date: &date,
                };
                svc.set_annual_report_item(who, cycle, &input)
            },
        )
        .description("质量部：录入质量年度报告的调查或外部统计数据（值可带单位，须在范围内；写明来源与日期 YYYY-MM-DD）")
        .argument(InputValue::new("cycle", TypeRef::named_nn(TypeRef::INT)))
        .argument(InputValue::new("item", nn()))
        .argument(InputValue::new("value", nn()))
        .argument(InputValue::new("source", nn()))
        .argument(InputValue::new("date", nn())),
    )
}
