//! The size and cost of a GraphQL document, known before async-graphql validates or runs it:
//! names no longer than a limit (checked on the text, before parsing), then on the parsed
//! document the number of operations, fragments, arguments, variables and aliases of one field,
//! the selections after fragment expansion and an estimate of the work. Fragments are never
//! expanded: each fragment's size and cost are computed once and reused wherever it is spread
//! (22 fragments each spreading the next twice are 22 sums, not 2^22 fields), and a fragment
//! that spreads itself is refused.

use std::collections::HashMap;

use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, Field, OperationType, Selection, SelectionSet,
};
use async_graphql::Value;
use serde_json::Value as Json;

/// How large a document may be; see README, “限制”.
#[derive(Debug, Clone)]
pub struct DocumentLimits {
    /// The longest name (field, alias, argument, variable, fragment) or number, in characters.
    pub max_name: usize,
    /// Selected fields, counted after fragment expansion.
    pub max_selections: u64,
    /// Fragment definitions in one document.
    pub max_fragments: usize,
    /// Operations in one document.
    pub max_operations: usize,
    /// Times one field may be selected in one selection set (aliases of it included).
    pub max_aliases: usize,
    /// Arguments of one field, and variables of one operation.
    pub max_arguments: usize,
}

impl Default for DocumentLimits {
    fn default() -> Self {
        DocumentLimits {
            max_name: 128,
            max_selections: 2_000,
            max_fragments: 64,
            max_operations: 16,
            max_aliases: 16,
            max_arguments: 32,
        }
    }
}

/// The rows a list field returns when `first` is not given, and the most it may ask for (the
/// list resolvers refuse more).
const DEFAULT_PAGE: u64 = 100;
const MAX_PAGE: u64 = 1_000;

/// The estimated work of a field beyond its own value, in the unit of the whole estimate: one
/// field of one row. Measured on the demo college (a debug build, `serve --demo`): a 1,000-row
/// page of the widest table (40 fields) takes about as long as 7 `bulletin`s, so `bulletin`
/// weighs about 6,000; the others are scaled from their timings the same way.
fn weight(name: &str) -> u64 {
    match name {
        "runChecks" => 40_000,
        // An apply or a rollback of the designer writes a file and reloads, as a reload does.
        "reloadDefinitions" | "applyDefinitionDraft" | "rollbackDefinition" => 20_000,
        "progress" | "indicators" | "coreData" | "compare" | "publishIndicators"
        | "signOffIndicators" | "returnIndicators" => 10_000,
        "bulletin" | "myTasks" | "progressSummary" | "findings" | "qualityReport" | "rowChecks" => {
            6_000
        }
        // A draft's check loads and checks the whole definitions folder, as a reload does
        // before it writes: heavy, so one administrator runs a few at a time.
        "saveDefinitionDraft" | "saveCodeListDraft" | "tableDefinition" | "codeListDefinition" => {
            6_000
        }
        // The whole schema (90 tables' types): seconds in a debug build, heavy for anyone.
        "__schema" => 5_000,
        "catalog" | "gaojiComparison" | "setGaojiFigures" | "login" | "changePassword" => 2_000,
        "cases" | "rowHistory" | "rights" | "units" | "myWork" => 500,
        n if n.starts_with("bulkUpsert") => 2_000,
        n if n.ends_with("Aggregate") => 1_000,
        _ => 0,
    }
}

/// What the guard learnt of one document.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Analysis {
    /// The estimated work (README, “限制”).
    pub cost: u64,
    /// Whether the operation that runs is a mutation.
    pub mutation: bool,
}

/// A document over a limit, with the Chinese message to answer with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// Not a document this service reads (a name too long).
    Malformed(String),
    /// Too large or too costly to run.
    TooLarge(String),
}

/// The longest run of name characters outside strings and comments, scanning no further than
/// past `max`: `Err` with the run's start as soon as one is longer.
pub fn check_names(text: &str, max: usize) -> Result<(), Refused> {
    let bytes = text.as_bytes();
    let (mut i, mut run) = (0usize, 0usize);
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii_alphanumeric() || b == b'_' {
            run += 1;
            if run > max {
                return Err(Refused::Malformed(format!(
                    "名称过长：超过 {max} 个字符，已拒绝"
                )));
            }
            i += 1;
            continue;
        }
        run = 0;
        i = match b {
            b'#' => bytes[i..]
                .iter()
                .position(|&c| c == b'\n')
                .map_or(bytes.len(), |p| i + p),
            b'"' => skip_string(bytes, i),
            _ => i,
        } + 1;
    }
    Ok(())
}

/// The index of the closing quote of the string starting at `i` (or the end).
fn skip_string(bytes: &[u8], mut i: usize) -> usize {
    if bytes[i..].starts_with(b"\"\"\"") {
        i += 3;
        while i < bytes.len() && !bytes[i..].starts_with(b"\"\"\"") {
            i += if bytes[i..].starts_with(b"\\\"\"\"") {
                4
            } else {
                1
            };
        }
        return (i + 2).min(bytes.len());
    }
    i += 1;
    while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
        i += if bytes[i] == b'\\' { 2 } else { 1 };
    }
    i
}

/// Checks `query` against `limits` and estimates its cost. A document that does not parse is
/// left to async-graphql, which reports it (its depth and names are known to be safe).
pub fn analyse(
    query: &str,
    operation: Option<&str>,
    variables: Option<&Json>,
    limits: &DocumentLimits,
) -> Result<Analysis, Refused> {
    check_names(query, limits.max_name)?;
    let Ok(doc) = async_graphql::parser::parse_query(query) else {
        return Ok(Analysis::default());
    };
    let operations: Vec<_> = doc.operations.iter().collect();
    if operations.len() > limits.max_operations {
        return Err(Refused::TooLarge(format!(
            "一个请求中的操作过多（{} 个），上限为 {} 个",
            operations.len(),
            limits.max_operations
        )));
    }
    if doc.fragments.len() > limits.max_fragments {
        return Err(Refused::TooLarge(format!(
            "片段（fragment）过多（{} 个），上限为 {} 个",
            doc.fragments.len(),
            limits.max_fragments
        )));
    }
    let mut sizes = Sizes {
        doc: &doc,
        limits,
        variables,
        memo: HashMap::new(),
    };
    let mut analysis = Analysis {
        cost: 0,
        mutation: is_mutation(&doc, operation),
    };
    for (_, op) in operations {
        if op.node.variable_definitions.len() > limits.max_arguments {
            return Err(Refused::TooLarge(format!(
                "变量过多（{} 个），上限为 {} 个",
                op.node.variable_definitions.len(),
                limits.max_arguments
            )));
        }
        let size = sizes.of_set(&op.node.selection_set.node)?;
        if size.selections > limits.max_selections {
            return Err(Refused::TooLarge(format!(
                "选择的字段过多：展开片段后共 {} 个，上限为 {} 个",
                size.selections, limits.max_selections
            )));
        }
        analysis.cost = analysis.cost.saturating_add(size.total(DEFAULT_PAGE));
    }
    Ok(analysis)
}

/// Whether the operation a request runs is a mutation.
fn is_mutation(doc: &ExecutableDocument, operation: Option<&str>) -> bool {
    match &doc.operations {
        DocumentOperations::Single(op) => op.node.ty == OperationType::Mutation,
        DocumentOperations::Multiple(ops) => match operation {
            Some(name) => ops
                .iter()
                .any(|(n, op)| n.as_str() == name && op.node.ty == OperationType::Mutation),
            // Without a name async-graphql refuses a multi-operation document; the guard treats
            // the mutations in it as run.
            None => ops.values().any(|op| op.node.ty == OperationType::Mutation),
        },
    }
}

/// The size of a selection set: fields after expansion, the cost outside list rows, and the
/// cost of one row (the `nodes`/`edges` under a list field, multiplied by its page).
#[derive(Debug, Clone, Copy, Default)]
struct Size {
    selections: u64,
    base: u64,
    per_row: u64,
}

impl Size {
    fn add(&mut self, other: Size) {
        self.selections = self.selections.saturating_add(other.selections);
        self.base = self.base.saturating_add(other.base);
        self.per_row = self.per_row.saturating_add(other.per_row);
    }

    /// The cost of this set under a list of `page` rows.
    fn total(&self, page: u64) -> u64 {
        self.base.saturating_add(self.per_row.saturating_mul(page))
    }
}

/// A fragment being sized (to find cycles) or its size.
#[derive(Debug, Clone, Copy)]
enum Memo {
    Visiting,
    Done(Size),
}

struct Sizes<'a> {
    doc: &'a ExecutableDocument,
    limits: &'a DocumentLimits,
    variables: Option<&'a Json>,
    memo: HashMap<&'a str, Memo>,
}

impl<'a> Sizes<'a> {
    fn of_set(&mut self, set: &'a SelectionSet) -> Result<Size, Refused> {
        let mut size = Size::default();
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for item in &set.items {
            match &item.node {
                Selection::Field(f) => {
                    let f = &f.node;
                    let n = seen.entry(f.name.node.as_str()).or_default();
                    *n += 1;
                    if *n > self.limits.max_aliases {
                        return Err(Refused::TooLarge(format!(
                            "同一字段 {} 在一处被选择（含别名）超过 {} 次，已拒绝",
                            f.name.node, self.limits.max_aliases
                        )));
                    }
                    if f.arguments.len() > self.limits.max_arguments {
                        return Err(Refused::TooLarge(format!(
                            "字段 {} 的参数过多（{} 个），上限为 {} 个",
                            f.name.node,
                            f.arguments.len(),
                            self.limits.max_arguments
                        )));
                    }
                    let children = self.of_set(&f.selection_set.node)?;
                    size.add(self.of_field(f, children));
                }
                Selection::InlineFragment(i) => size.add(self.of_set(&i.node.selection_set.node)?),
                Selection::FragmentSpread(s) => {
                    size.add(self.of_fragment(s.node.fragment_name.node.as_str())?);
                }
            }
        }
        Ok(size)
    }

    fn of_field(&self, f: &Field, c: Size) -> Size {
        let name = f.name.node.as_str();
        let own = 1 + weight(name);
        let selections = c.selections.saturating_add(1);
        if name == "nodes" || name == "edges" {
            // One row of the enclosing list: multiplied by its page there.
            return Size {
                selections,
                base: 0,
                per_row: own.saturating_add(c.total(DEFAULT_PAGE)),
            };
        }
        let page = self.page(f);
        Size {
            selections,
            base: own.saturating_add(c.total(page)),
            per_row: 0,
        }
    }

    /// The rows a field asks for (`first`, a literal or a variable), `DEFAULT_PAGE` without it.
    fn page(&self, f: &Field) -> u64 {
        let Some((_, value)) = f.arguments.iter().find(|(n, _)| n.node.as_str() == "first") else {
            return DEFAULT_PAGE;
        };
        let given = value.node.clone().into_const_with(|name| {
            let json = self.variables.and_then(|vars| vars.get(name.as_str()));
            Ok::<_, ()>(
                json.and_then(|j| Value::from_json(j.clone()).ok())
                    .unwrap_or_default(),
            )
        });
        let n = match given {
            Ok(Value::Number(n)) => n.as_i64(),
            _ => None,
        };
        n.map_or(DEFAULT_PAGE, |n| n.clamp(0, MAX_PAGE as i64) as u64)
    }

    fn of_fragment(&mut self, name: &'a str) -> Result<Size, Refused> {
        match self.memo.get(name) {
            Some(Memo::Done(size)) => return Ok(*size),
            Some(Memo::Visiting) => {
                return Err(Refused::TooLarge(format!(
                    "片段 {name} 直接或间接引用了自身，已拒绝"
                )));
            }
            None => {}
        }
        let Some((key, fragment)) = self.doc.fragments.get_key_value(name) else {
            // An unknown fragment: async-graphql reports it.
            return Ok(Size::default());
        };
        self.memo.insert(key.as_str(), Memo::Visiting);
        let size = self.of_set(&fragment.node.selection_set.node)?;
        self.memo.insert(key.as_str(), Memo::Done(size));
        Ok(size)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cost(q: &str) -> Result<u64, String> {
        analyse(q, None, None, &DocumentLimits::default())
            .map(|a| a.cost)
            .map_err(|r| format!("{r:?}"))
    }

    #[test]
    fn fragments_are_sized_once_and_fan_out_is_counted() {
        let mut q = String::from("query { ...F0 }\n");
        for i in 0..22 {
            q.push_str(&format!(
                "fragment F{i} on Query {{ ...F{} ...F{} }}\n",
                i + 1,
                i + 1
            ));
        }
        q.push_str("fragment F22 on Query { __typename }");
        let refused = cost(&q).expect_err("4 million fields");
        assert!(refused.contains("选择的字段过多"), "{refused}");
    }

    #[test]
    fn a_fragment_cycle_is_refused() {
        let q = "{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }";
        assert!(cost(q).expect_err("cycle").contains("引用了自身"));
    }

    #[test]
    fn pages_multiply_row_cost() {
        let small = cost("{ students(first: 10) { totalCount nodes { id name } } }");
        let large = cost("{ students(first: 1000) { totalCount nodes { id name } } }");
        assert_eq!(small, Ok(1 + 1 + 10 * 3));
        assert_eq!(large, Ok(1 + 1 + 1000 * 3));
    }

    #[test]
    fn long_names_are_refused_and_strings_are_not_names() {
        assert!(check_names(&format!("{{ {} }}", "x".repeat(129)), 128).is_err());
        assert!(check_names(&format!("{{ a(s: \"{}\") }}", "x".repeat(5000)), 128).is_ok());
        assert!(check_names(&format!("{{ a # {}\n }}", "x".repeat(5000)), 128).is_ok());
    }
}
