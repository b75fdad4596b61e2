//! Finds the line of a problem's key path (`fields[3].type`, `key[1]`, `deadlines."1.1.6"`) in
//! its file, so that every check names a line without each knowing where its key was written.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use toml_edit::{Document, Item, Table, Value};

use super::problem::line_of;
use super::Problems;

/// Gives a line to every problem that names a key but no line, reading each such file once
/// through `text_of` (the file on disk, or a draft's text in its place). A key that is not in
/// the file takes the line of its nearest parent that is; a file that does not parse, or a key
/// none of whose parents is written, leaves the problem without a line.
pub fn locate_lines(problems: &mut Problems, text_of: impl Fn(&Path) -> Option<String>) {
    let mut files: BTreeMap<PathBuf, Option<(String, Document<String>)>> = BTreeMap::new();
    for p in problems.0.iter_mut() {
        if p.line.is_some() || p.key.is_empty() {
            continue;
        }
        let parsed = files.entry(p.file.clone()).or_insert_with(|| {
            let text = text_of(&p.file)?;
            let doc = Document::parse(text.clone()).ok()?;
            Some((text, doc))
        });
        if let Some((text, doc)) = parsed {
            p.line = line_of_key(text, doc, &p.key);
        }
    }
}

/// The 1-based line where `key` (or its nearest written parent) is in the parsed `text`.
pub fn line_of_key(text: &str, doc: &Document<String>, key: &str) -> Option<usize> {
    let mut node = Node::Item(doc.as_item());
    let mut found = None;
    for step in steps(key) {
        let next = match step {
            Step::Name(name) => node.child(&name),
            Step::Index(i) => node.element(i),
        };
        let Some((span, child)) = next else { break };
        if let Some(start) = span {
            found = Some(start);
        }
        node = child;
    }
    found.map(|offset| line_of(text, offset))
}

/// One step of a key path: a key name or an array index.
#[derive(Debug, PartialEq, Eq)]
enum Step {
    Name(String),
    Index(usize),
}

/// Splits `a.b[2]."c.d"[0]` into its steps; an unreadable rest of the path is dropped, so the
/// problem falls back to the part before it.
fn steps(key: &str) -> Vec<Step> {
    let mut out = Vec::new();
    let mut rest = key;
    while !rest.is_empty() {
        rest = rest.strip_prefix('.').unwrap_or(rest);
        if let Some(quoted) = rest.strip_prefix('"') {
            let Some((name, after)) = quoted.split_once('"') else {
                break;
            };
            out.push(Step::Name(name.to_owned()));
            rest = after;
        } else if let Some(inner) = rest.strip_prefix('[') {
            let Some((index, after)) = inner.split_once(']') else {
                break;
            };
            let Ok(index) = index.trim().parse() else {
                break;
            };
            out.push(Step::Index(index));
            rest = after;
        } else {
            let end = rest.find(['.', '[']).unwrap_or(rest.len());
            if end == 0 {
                break;
            }
            out.push(Step::Name(rest[..end].to_owned()));
            rest = &rest[end..];
        }
    }
    out
}

/// Where the walk is: an item of a table, a value inside an array or inline table, or one
/// `[[header]]` table of an array of tables.
#[derive(Clone, Copy)]
enum Node<'a> {
    Item(&'a Item),
    Value(&'a Value),
    Table(&'a Table),
}

type Found<'a> = Option<(Option<usize>, Node<'a>)>;

impl<'a> Node<'a> {
    /// The named key below this node: where the key is written, and its value.
    fn child(self, name: &str) -> Found<'a> {
        let (key, item) = match self {
            Node::Item(item) => item.as_table_like()?.get_key_value(name)?,
            Node::Value(value) => value.as_inline_table()?.get_key_value(name)?,
            Node::Table(table) => table.get_key_value(name)?,
        };
        Some((key.span().map(|s| s.start), Node::Item(item)))
    }

    /// The `index`th element below this node: its `[[header]]` line, or the value itself.
    fn element(self, index: usize) -> Found<'a> {
        let array = match self {
            Node::Item(item) => {
                if let Some(tables) = item.as_array_of_tables() {
                    let table = tables.get(index)?;
                    return Some((table.span().map(|s| s.start), Node::Table(table)));
                }
                item.as_array()?
            }
            Node::Value(value) => value.as_array()?,
            Node::Table(_) => return None,
        };
        let value = array.get(index)?;
        Some((value.span().map(|s| s.start), Node::Value(value)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "code = \"1.1.6\"\nkey = [\n  \"a\",\n  \"b\",\n]\n\n[deadlines]\n\"1.1.6\" = 2027-01-01\n\n[[fields]]\nname = \"a\"\n\n[[fields]]\nname = \"b\"\nrequired_if = { field = \"a\", eq = 1 }\n";

    fn line(key: &str) -> Option<usize> {
        let doc = Document::parse(TEXT.to_owned()).expect("parses");
        line_of_key(TEXT, &doc, key)
    }

    #[test]
    fn keys_find_their_own_lines() {
        assert_eq!(line("code"), Some(1));
        assert_eq!(line("key[1]"), Some(4));
        assert_eq!(line("deadlines.\"1.1.6\""), Some(8));
        assert_eq!(line("fields[1]"), Some(13));
        assert_eq!(line("fields[1].name"), Some(14));
        assert_eq!(line("fields[1].required_if.field"), Some(15));
    }

    #[test]
    fn a_missing_key_falls_back_to_its_parent() {
        assert_eq!(line("fields[0].scale"), Some(10));
        assert_eq!(line("fields[7].name"), Some(10));
        assert_eq!(line("slug"), None);
        assert_eq!(line("key[9]"), Some(2));
    }

    #[test]
    fn paths_split_into_steps() {
        assert_eq!(
            steps("a.b[2].\"c.d\"[0]"),
            vec![
                Step::Name("a".into()),
                Step::Name("b".into()),
                Step::Index(2),
                Step::Name("c.d".into()),
                Step::Index(0),
            ]
        );
    }
}
