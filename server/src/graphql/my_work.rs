//! `myWork`: what awaits the caller (the counts behind 我的任务's summary and the navigation's
//! badges), a plain object without an id.

use async_graphql::dynamic::{InputValue, Object, SchemaBuilder, TypeRef};
use async_graphql::Value as Gql;

use super::build::service_field;
use super::convert::opt_cycle_arg;
use super::resolve::field_of_parent;
use crate::service::my_work::MyWork;

/// Registers the `MyWork` type.
pub fn register(b: SchemaBuilder) -> SchemaBuilder {
    type Count = fn(&MyWork) -> usize;
    let counts: [(&str, &str, Count); 3] = [
        (
            "returned",
            "本单位被退回、待修改后重新提交的表数",
            |w| w.returned,
        ),
        (
            "toReview",
            "本单位审核、已提交待审核的表数",
            |w| w.to_review,
        ),
        (
            "toAccept",
            "各审核部门已通过、待质量部验收的表数",
            |w| w.to_accept,
        ),
    ];
    let mut work = Object::new("MyWork").description("等待本人处理的事项（按本人的角色计数）");
    for (name, description, get) in counts {
        work = work.field(
            field_of_parent::<MyWork>(name, TypeRef::named_nn(TypeRef::INT), move |w| {
                Gql::from(get(w) as i64)
            })
            .description(description),
        );
    }
    work = work.field(
        field_of_parent::<MyWork>("toSignOff", TypeRef::named_nn(TypeRef::BOOLEAN), |w| {
            Gql::from(w.to_sign_off)
        })
        .description("核心数据已由质量部发布、待院领导签字"),
    );
    b.register(work)
}

/// Adds `myWork`.
pub fn add_queries(q: Object) -> Object {
    q.field(
        service_field(
            "myWork",
            TypeRef::named_nn("MyWork"),
            opt_cycle_arg,
            |svc, who, given| {
                let cycle = svc.cycle_or_default(given)?;
                svc.my_work(who, cycle)
            },
        )
        .description("等待本人处理的事项：被退回、待审核、待验收的表数，核心数据是否待签字；cycle 默认为最新的开放周期")
        .argument(InputValue::new("cycle", TypeRef::named(TypeRef::INT))),
    )
}
