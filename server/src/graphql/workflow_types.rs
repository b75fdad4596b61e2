//! The GraphQL types of the workflow: a submission and a progress entry.

use async_graphql::dynamic::{Enum, Object, SchemaBuilder, TypeRef};
use async_graphql::Value as Gql;

use super::build::{opt_gql, opt_text, strings, text, with_fields};
use super::resolve::field_of_parent;
use super::workflow::SubmissionOut;
use crate::service::workflow::StepSummary;
use crate::workflow::progress::Entry;

/// The stable id of one (cycle, table, unit): the same for its `Progress` and its
/// `Submission`, so a client cache finds the entity again after a step.
pub fn entity_id(cycle: i32, table: &str, unit: &str) -> String {
    format!("{cycle}:{table}:{unit}")
}

/// Registers the workflow types.
pub fn register(b: SchemaBuilder) -> SchemaBuilder {
    let entry = with_fields::<Entry>(
        Object::new("Progress").description(
            "一张表某填报单位在一个周期的报送进度；id 为“周期:表代码:单位代码”，同一实体在 progress、myTasks 和报送操作的 Submission 中相同",
        ),
        vec![
            ("id", TypeRef::named_nn(TypeRef::ID), |e| {
                Gql::from(entity_id(e.cycle, &e.table, &e.unit))
            }),
            ("cycle", TypeRef::named_nn(TypeRef::INT), |e| Gql::from(e.cycle)),
            ("table", text(), |e| Gql::from(e.table.clone())),
            ("tableName", text(), |e| Gql::from(e.table_name.clone())),
            ("group", text(), |e| Gql::from(e.group.clone())),
            ("unit", text(), |e| Gql::from(e.unit.clone())),
            ("unitName", text(), |e| Gql::from(e.unit_name.clone())),
            ("state", text(), |e| Gql::from(e.state.as_str())),
            ("comment", opt_text(), |e| opt_gql(&e.comment)),
            ("deadline", TypeRef::named_nn(super::shared::DATE), |e| {
                Gql::from(e.deadline.to_string())
            }),
            ("overdue", TypeRef::named_nn(TypeRef::BOOLEAN), |e| {
                Gql::from(e.overdue)
            }),
        ],
    )
    .field(
        field_of_parent::<Entry>(
            "approvedBy",
            TypeRef::named_nn_list_nn(TypeRef::STRING),
            |e| strings(&e.approvals),
        )
        .description("已审核通过的审核单位（名称）；两家审核的表在两家都通过前仍为待审核"),
    )
    .field(
        field_of_parent::<Entry>("editable", TypeRef::named_nn(TypeRef::BOOLEAN), |e| {
            Gql::from(e.editable)
        })
        .description("单位现在能否修改：草稿或被退回且未过截止日期，或质量部临时开放中"),
    )
    .field(
        field_of_parent::<Entry>("openUntil", TypeRef::named(super::shared::DATE), |e| {
            e.open_until.map_or(Gql::Null, |d| Gql::from(d.to_string()))
        })
        .description("质量部临时开放的最后一天（北京时间）；未临时开放时为空"),
    )
    .field(
        field_of_parent::<Entry>("toReview", TypeRef::named_nn(TypeRef::BOOLEAN), |e| {
            Gql::from(e.to_review)
        })
        .description("是否等待本人审核：已提交、本人单位审核此表且尚未通过（含本单位自审的表）"),
    );
    let entry = with_fields::<Entry>(
        entry.field(
            field_of_parent::<Entry>("rowCount", TypeRef::named(TypeRef::INT), |e| {
                e.rows.map_or(Gql::Null, Gql::from)
            })
            .description("行数；调用者无权查看该单位的数据时为空（不是 0）"),
        ),
        vec![("lastChange", opt_text(), |e| opt_gql(&e.last_change))],
    );
    b.register(submission_type())
        .register(entry)
        .register(summary_type())
        .register(Enum::new("ReviewDecision").item("APPROVE").item("RETURN"))
}

/// `Submission`: one table of one unit after a workflow step.
fn submission_type() -> Object {
    with_fields::<SubmissionOut>(
        Object::new("Submission").description(
            "一张表某单位的报送状态；id 与同一周期、表、单位的 Progress 相同（客户端缓存按 __typename + id 区分两种类型）",
        ),
        vec![
            ("id", TypeRef::named_nn(TypeRef::ID), |s| {
                Gql::from(entity_id(s.cycle, &s.table, &s.unit))
            }),
            ("cycle", TypeRef::named_nn(TypeRef::INT), |s| Gql::from(s.cycle)),
            ("table", text(), |s| Gql::from(s.table.clone())),
            ("unit", text(), |s| Gql::from(s.unit.clone())),
            ("state", text(), |s| Gql::from(s.sub.state.as_str())),
            ("comment", opt_text(), |s| opt_gql(&s.sub.comment)),
            (
                "approvedBy",
                TypeRef::named_nn_list_nn(TypeRef::STRING),
                |s| strings(&s.sub.approvals),
            ),
            ("updatedAt", text(), |s| Gql::from(s.updated_at.clone())),
        ],
    )
}

fn summary_type() -> Object {
    let count = || TypeRef::named_nn(TypeRef::INT);
    with_fields::<StepSummary>(
        Object::new("StepSummary")
            .description("通过或验收之前看的一行摘要：行数、未处理的错误和提醒、单位的提交说明"),
        vec![
            ("table", text(), |s| Gql::from(s.table.clone())),
            ("tableName", text(), |s| Gql::from(s.table_name.clone())),
            ("unit", text(), |s| Gql::from(s.unit.clone())),
            ("unitName", text(), |s| Gql::from(s.unit_name.clone())),
            ("state", text(), |s| Gql::from(s.state.clone())),
            ("rows", count(), |s| Gql::from(s.rows)),
            ("errors", count(), |s| Gql::from(s.errors)),
            ("warnings", count(), |s| Gql::from(s.warnings)),
            ("explained", count(), |s| Gql::from(s.explained)),
            ("explanation", opt_text(), |s| opt_gql(&s.explanation)),
            ("line", text(), |s| Gql::from(s.line.clone())),
        ],
    )
}
