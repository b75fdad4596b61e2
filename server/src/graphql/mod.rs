//! The GraphQL API: at start-up the catalog becomes an async-graphql dynamic schema, split by role
//! (shared types, per-table types, queries, mutations, meta). Resolvers are thin: they read the
//! request's principal, check rights, call the service and map the result. No SQL here.

pub mod account;
mod annual;
mod build;
mod case_ops;
mod cases;
mod checks;
mod convert;
mod definitions;
mod designer;
pub mod errors;
mod grid;
mod indicators;
mod labels;

mod list;
pub mod loader;
mod lookup;
mod meta;
mod mutation;
mod my_work;
mod normalize;
mod progress;
mod quality;
mod query;
pub mod resolve;
mod review;
mod rights;
mod select;
mod shared;
mod types;
pub mod workflow;
mod workflow_types;
mod yoy;

use async_graphql::dynamic::{Object, Schema, SchemaError};

pub use resolve::ApiConfig;

use crate::defs::Catalog;

/// Query depth limit: deep enough for GraphiQL's introspection query, shallow enough to refuse
/// pathological nesting.
pub const MAX_DEPTH: usize = 16;
/// Query complexity limit (one per selected field): GraphiQL's introspection and the widest
/// table's full row fit; a flood of aliased fields does not.
pub const MAX_COMPLEXITY: usize = 300;

/// Builds the schema for the catalog, serving with `config` (printing the SDL needs none). The
/// service and the principal are attached to each request by the HTTP layer.
pub fn build_schema(catalog: &Catalog, config: Option<ApiConfig>) -> Result<Schema, SchemaError> {
    let mut query = Object::new("Query").description("查询");
    let mut mutation = Object::new("Mutation").description("修改");
    let mut b = Schema::build("Query", Some("Mutation"), None);
    b = shared::register(b);
    b = meta::register(b);
    b = grid::register(b);
    b = account::register(b);
    b = rights::register(b);
    b = workflow_types::register(b);
    b = progress::register(b);
    b = my_work::register(b);
    b = lookup::register(b);
    b = normalize::register(b);
    b = quality::register(b);
    b = checks::register(b);
    b = definitions::register(b);
    b = designer::register(b);
    b = yoy::register(b);
    b = indicators::register(b);
    b = annual::register(b);
    b = cases::register(b);
    b = review::register(b);
    for table in &catalog.tables {
        b = types::register_table(b, catalog, table);
        query = query::add_table_queries(query, table);
        mutation = mutation::add_table_mutations(mutation, table);
    }
    query = meta::add_queries(query);
    query = account::add_queries(query);
    mutation = account::add_mutations(mutation);
    mutation = rights::add_mutations(mutation);
    mutation = grid::add_mutations(mutation);
    query = rights::add_queries(query);
    mutation = workflow::add_mutations(mutation);
    query = workflow::add_queries(query);
    query = progress::add_queries(query);
    query = progress::add_summary(query);
    query = my_work::add_queries(query);
    query = lookup::add_queries(query);
    query = normalize::add_queries(query);
    query = quality::add_queries(query);
    query = checks::add_queries(query);
    mutation = quality::add_mutations(mutation);
    mutation = definitions::add_mutations(mutation);
    query = designer::add_queries(query);
    mutation = designer::add_mutations(mutation);
    query = yoy::add_queries(query);
    mutation = yoy::add_mutations(mutation);
    query = indicators::add_queries(query);
    mutation = indicators::add_mutations(mutation);
    query = annual::add_queries(query);
    mutation = annual::add_mutations(mutation);
    query = cases::add_queries(query);
    mutation = case_ops::add_mutations(mutation);
    query = review::add_queries(query);
    mutation = review::add_mutations(mutation);
    if let Some(config) = config {
        b = b.data(config);
    }
    b.register(query)
        .register(mutation)
        .limit_depth(MAX_DEPTH)
        .limit_complexity(MAX_COMPLEXITY)
        .limit_recursive_depth(32)
        // "Did you mean" compares an unknown name with every field of its type (Query has
        // hundreds): a few long unknown names cost seconds. GraphiQL completes names instead.
        .disable_suggestions()
        .extension(loader::AttachLoader)
        .finish()
}
