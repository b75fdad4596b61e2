//! A GraphQL response in a stable order: every object's keys in the order the query selected
//! them, and the errors by path. async-graphql's dynamic schema inserts an object's fields in the
//! order their resolvers finish (and errors as they happen), so two identical calls could answer
//! with different bytes, which breaks caches, diffs and clients that compare answers.

use std::collections::HashSet;

use async_graphql::indexmap::IndexMap;
use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, Selection, SelectionSet,
};
use async_graphql::{Name, Response, Value};

/// Puts `response`'s data in the order of `query`'s selections (of `operation`) and sorts its
/// errors by path. A query that does not parse is left as is.
pub fn order_response(query: &str, operation: Option<&str>, response: &mut Response) {
    response
        .errors
        .sort_by_cached_key(|e| format!("{:?}", e.path));
    if !matches!(response.data, Value::Object(_)) {
        return;
    }
    let Ok(doc) = async_graphql::parser::parse_query(query) else {
        return;
    };
    let set = match (&doc.operations, operation) {
        (DocumentOperations::Single(op), _) => &op.node.selection_set.node,
        (DocumentOperations::Multiple(ops), Some(name)) => match ops.get(name) {
            Some(op) => &op.node.selection_set.node,
            None => return,
        },
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => match ops.values().next() {
            Some(op) => &op.node.selection_set.node,
            None => return,
        },
        _ => return,
    };
    order(&mut response.data, &[set], &doc);
}

/// The response keys an object's selection sets name, in first-seen order, each with the
/// selection sets of its value. Each fragment is followed once, so a fragment spread many times
/// costs once.
fn plan<'a>(
    sets: &[&'a SelectionSet],
    doc: &'a ExecutableDocument,
) -> IndexMap<&'a str, Vec<&'a SelectionSet>> {
    fn collect<'a>(
        set: &'a SelectionSet,
        doc: &'a ExecutableDocument,
        keys: &mut IndexMap<&'a str, Vec<&'a SelectionSet>>,
        seen: &mut HashSet<&'a str>,
    ) {
        for item in &set.items {
            match &item.node {
                Selection::Field(f) => {
                    let key = f.node.response_key().node.as_str();
                    keys.entry(key)
                        .or_default()
                        .push(&f.node.selection_set.node);
                }
                Selection::FragmentSpread(s) => {
                    let name = s.node.fragment_name.node.as_str();
                    if seen.insert(name) {
                        if let Some(fragment) = doc.fragments.get(&s.node.fragment_name.node) {
                            collect(&fragment.node.selection_set.node, doc, keys, seen);
                        }
                    }
                }
                Selection::InlineFragment(i) => {
                    collect(&i.node.selection_set.node, doc, keys, seen);
                }
            }
        }
    }
    let mut keys = IndexMap::new();
    let mut seen = HashSet::new();
    for set in sets {
        collect(set, doc, &mut keys, &mut seen);
    }
    keys
}

/// Orders a value (an object, or a list of them) by its selection sets.
fn order(value: &mut Value, sets: &[&SelectionSet], doc: &ExecutableDocument) {
    match value {
        Value::List(items)
            if items
                .iter()
                .any(|v| matches!(v, Value::Object(_) | Value::List(_))) =>
        {
            let keys = plan(sets, doc);
            for item in items {
                apply(item, &keys, doc);
            }
        }
        Value::Object(_) => apply(value, &plan(sets, doc), doc),
        _ => {}
    }
}

fn apply(value: &mut Value, keys: &IndexMap<&str, Vec<&SelectionSet>>, doc: &ExecutableDocument) {
    match value {
        Value::List(items) => {
            for item in items {
                apply(item, keys, doc);
            }
        }
        Value::Object(map) => {
            let mut old: IndexMap<Name, Value> = std::mem::take(map);
            for (key, sets) in keys {
                if let Some((name, mut v)) = old.shift_remove_entry(*key) {
                    order(&mut v, sets, doc);
                    map.insert(name, v);
                }
            }
            map.extend(old);
        }
        _ => {}
    }
}
