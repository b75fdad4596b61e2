//! The GraphQL types of the workflow: a submission and a progress entry.

use async_graphql::dynamic::{Enum, Object, SchemaBuilder, TypeRef};
use async_graphql::Value as Gql;

use super::resolve::field_of_parent;
use super::workflow::SubmissionOut;
use crate::workflow::progress::Entry;

/// Registers the workflow types.
pub fn register(b: SchemaBuilder) -> SchemaBuilder {
    let sub = Object::new("Submission")
        .description("一张表某单位的报送状态")
        .field(field_of_parent::<SubmissionOut>(
            "table",
            TypeRef::named_nn(TypeRef::STRING),
            |s| Gql::from(s.table.clone()),
        ))
        .field(field_of_parent::<SubmissionOut>(
            "unit",
            TypeRef::named_nn(TypeRef::STRING),
            |s| Gql::from(s.unit.clone()),
        ))
        .field(field_of_parent::<SubmissionOut>(
            "state",
            TypeRef::named_nn(TypeRef::STRING),
            |s| Gql::from(s.sub.state.as_str()),
        ))
        .field(field_of_parent::<SubmissionOut>(
            "comment",
            TypeRef::named(TypeRef::STRING),
            |s| s.sub.comment.clone().map_or(Gql::Null, Gql::from),
        ))
        .field(field_of_parent::<SubmissionOut>(
            "approvedBy",
            TypeRef::named_nn_list_nn(TypeRef::STRING),
            |s| Gql::List(s.sub.approvals.iter().cloned().map(Gql::from).collect()),
        ))
        .field(field_of_parent::<SubmissionOut>(
            "updatedAt",
            TypeRef::named_nn(TypeRef::STRING),
            |s| Gql::from(s.updated_at.clone()),
        ));
    let entry = Object::new("Progress")
        .field(field_of_parent::<Entry>(
            "table",
            TypeRef::named_nn(TypeRef::STRING),
            |e| Gql::from(e.table.clone()),
        ))
        .field(field_of_parent::<Entry>(
            "tableName",
            TypeRef::named_nn(TypeRef::STRING),
            |e| Gql::from(e.table_name.clone()),
        ))
        .field(field_of_parent::<Entry>(
            "group",
            TypeRef::named_nn(TypeRef::STRING),
            |e| Gql::from(e.group.clone()),
        ))
        .field(field_of_parent::<Entry>(
            "unit",
            TypeRef::named_nn(TypeRef::STRING),
            |e| Gql::from(e.unit.clone()),
        ))
        .field(field_of_parent::<Entry>(
            "unitName",
            TypeRef::named_nn(TypeRef::STRING),
            |e| Gql::from(e.unit_name.clone()),
        ))
        .field(field_of_parent::<Entry>(
            "state",
            TypeRef::named_nn(TypeRef::STRING),
            |e| Gql::from(e.state.as_str()),
        ))
        .field(field_of_parent::<Entry>(
            "comment",
            TypeRef::named(TypeRef::STRING),
            |e| e.comment.clone().map_or(Gql::Null, Gql::from),
        ))
        .field(field_of_parent::<Entry>(
            "deadline",
            TypeRef::named_nn(super::shared::DATE),
            |e| Gql::from(e.deadline.to_string()),
        ))
        .field(field_of_parent::<Entry>(
            "overdue",
            TypeRef::named_nn(TypeRef::BOOLEAN),
            |e| Gql::from(e.overdue),
        ))
        .field(
            field_of_parent::<Entry>(
                "approvedBy",
                TypeRef::named_nn_list_nn(TypeRef::STRING),
                |e| Gql::List(e.approvals.iter().cloned().map(Gql::from).collect()),
            )
            .description("已审核通过的审核单位（名称）；两家审核的表在两家都通过前仍为待审核"),
        )
        .field(field_of_parent::<Entry>(
            "rowCount",
            TypeRef::named_nn(TypeRef::INT),
            |e| Gql::from(e.rows),
        ))
        .field(field_of_parent::<Entry>(
            "lastChange",
            TypeRef::named(TypeRef::STRING),
            |e| e.last_change.clone().map_or(Gql::Null, Gql::from),
        ));
    b.register(sub)
        .register(entry)
        .register(Enum::new("ReviewDecision").item("APPROVE").item("RETURN"))
}
