//! GraphQL's side of the service errors: the code goes to `extensions.code`, and for
//! validation every problem to `extensions.problems`.

use async_graphql::{ErrorExtensions, Value as GqlValue};

pub use crate::service::error::{unreadable_message, ApiError, ApiResult, Code, InputProblem};

impl From<ApiError> for async_graphql::Error {
    fn from(e: ApiError) -> Self {
        async_graphql::Error::new(e.message.clone()).extend_with(|_, ext| {
            ext.set("code", e.code.as_str());
            if !e.problems.is_empty() {
                let list: Vec<GqlValue> = e
                    .shown_problems()
                    .iter()
                    .map(|p| {
                        let mut m = async_graphql::indexmap::IndexMap::new();
                        m.insert(
                            async_graphql::Name::new("row"),
                            GqlValue::from(p.row as i64),
                        );
                        m.insert(
                            async_graphql::Name::new("field"),
                            GqlValue::from(p.field.clone()),
                        );
                        m.insert(
                            async_graphql::Name::new("rule"),
                            GqlValue::from(p.rule.clone()),
                        );
                        m.insert(
                            async_graphql::Name::new("message"),
                            GqlValue::from(p.message.clone()),
                        );
                        GqlValue::Object(m)
                    })
                    .collect();
                ext.set("problems", GqlValue::List(list));
                ext.set("problemCount", e.problems.len() as i64);
            }
        })
    }
}
