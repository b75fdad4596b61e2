//! Look-ahead for the list fields: which columns of a page the request selects, and whether it
//! needs the count, so that the page reads nothing else.

use std::collections::HashMap;

use async_graphql::dynamic::ResolverContext;

use crate::defs::{naming, FieldType, Table};
use crate::service::page::{CYCLE, SYSTEM, UNIT};

/// The GraphQL field names of a table's row type → the cells they read.
pub type CellsByName = HashMap<String, Vec<usize>>;

const SYSTEM_NAMES: [&str; 8] = [
    "id",
    "cycle",
    "unit",
    "rowVersion",
    "createdAt",
    "createdBy",
    "updatedAt",
    "updatedBy",
];

/// Built once per table with the schema.
pub fn cells_by_name(table: &Table) -> CellsByName {
    debug_assert_eq!(SYSTEM_NAMES.len(), SYSTEM.len());
    let mut map: CellsByName = SYSTEM_NAMES
        .iter()
        .enumerate()
        .map(|(i, n)| ((*n).to_owned(), vec![i]))
        .collect();
    map.insert("unitName".to_owned(), vec![UNIT]);
    for (i, f) in table.fields.iter().enumerate() {
        let cell = SYSTEM.len() + i;
        let gql = naming::graphql_field(&f.name);
        if matches!(f.ty, FieldType::Ref { .. }) {
            // The referenced row is looked up by key within the referencing row's cycle and unit.
            map.insert(format!("{gql}Row"), vec![cell, CYCLE, UNIT]);
        }
        if f.ty.code_list().is_some() {
            map.insert(super::labels::label_name(&f.name), vec![cell]);
        }
        map.insert(gql, vec![cell]);
    }
    map
}

/// What a list request reads: the cells its `nodes` (and `edges { node }`) select, whether it
/// needs the count (`totalCount`), the rows around the page (`hasNextPage`,
/// `hasPreviousPage`) and each row's key (`edges`, `startCursor`, `endCursor`).
pub struct Wanted {
    pub cells: Vec<usize>,
    pub count: bool,
    pub info: bool,
    pub keys: bool,
}

/// Looks ahead into the list's selection. A name it does not know (a field added to the row
/// type later) reads every cell: reading too much is slower, reading too little would be wrong.
pub fn selected(ctx: &ResolverContext<'_>, by_name: &CellsByName) -> Wanted {
    let here = ctx.look_ahead();
    let info = here.field("pageInfo");
    let edges = here.field("edges");
    let mut wanted = Wanted {
        cells: Vec::new(),
        count: here.field("totalCount").exists(),
        info: info.field("hasNextPage").exists() || info.field("hasPreviousPage").exists(),
        keys: edges.exists()
            || info.field("startCursor").exists()
            || info.field("endCursor").exists(),
    };
    let rows = here
        .field("nodes")
        .selection_fields()
        .into_iter()
        .chain(edges.field("node").selection_fields());
    for nodes in rows {
        for f in nodes.selection_set() {
            match by_name.get(f.name()) {
                Some(c) => wanted.cells.extend_from_slice(c),
                None if f.name() == "__typename" => {}
                None => {
                    wanted.cells = by_name.values().flatten().copied().collect();
                    return wanted;
                }
            }
        }
    }
    wanted
}
