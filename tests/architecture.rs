//! The picture stays true: reads `server/src` as text and fails when a face (`graphql/`, `http/`,
//! `cmd/`, but not `bench/`) imports storage, when storage imports a use case or a face, when the
//! rules and shapes or the plain data import a use case or a face, and when a file is over 400
//! lines or a function over 80. An exception names itself, with why, in `ARCHITECTURE.md`'s
//! `## Exceptions`; one that no longer occurs fails the test too, so the list only shrinks.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::support::root;

const FACES: [&str; 3] = ["graphql", "http", "cmd"];
const USE_CASES: &str = "service";
const STORAGE: &str = "store";
const MAX_FILE_LINES: usize = 400;
const MAX_FN_LINES: usize = 80;

/// True when a module of `from` may not name module `to`.
fn forbidden(from: &str, to: &str) -> bool {
    let face_or_service = to == USE_CASES || FACES.contains(&to);
    // The rules and shapes, and below them the plain data and the definitions.
    let rule_or_data = matches!(
        from,
        "authz" | "auth" | "workflow" | "validate" | "xlsx" | "indicators" | "model" | "defs"
    );
    (FACES.contains(&from) && to == STORAGE)
        || (from == STORAGE && face_or_service)
        || (rule_or_data && face_or_service)
}

/// One source file: its path under `server/src` and its module path (`graphql/list.rs` is
/// `["graphql", "list"]`; `lib.rs` and `main.rs` are the crate roots, `[]`).
struct Source {
    rel: String,
    module: Vec<String>,
    text: String,
}

impl Source {
    /// The top module the file belongs to (`graphql`, `store`, … or `lib`/`main`).
    fn top(&self) -> &str {
        let first = self.rel.split('/').next().unwrap_or_default();
        first.strip_suffix(".rs").unwrap_or(first)
    }
}

fn sources() -> Vec<Source> {
    fn walk(dir: &Path, base: &Path, out: &mut Vec<Source>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .expect("read server/src")
            .map(|e| e.expect("dir entry").path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(&path, base, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path.strip_prefix(base).expect("under server/src");
                let rel = rel.to_string_lossy().replace('\\', "/");
                let mut module: Vec<String> = rel
                    .trim_end_matches(".rs")
                    .split('/')
                    .map(str::to_owned)
                    .collect();
                if module.last().is_some_and(|m| m == "mod")
                    || module == ["lib"]
                    || module == ["main"]
                {
                    module.pop();
                }
                let text = std::fs::read_to_string(&path).expect("read source");
                out.push(Source { rel, module, text });
            }
        }
    }
    let base = root().join("server/src");
    let mut out = Vec::new();
    walk(&base, &base, &mut out);
    assert!(out.len() > 50, "server/src has its sources");
    out
}

/// A token of code (comments and literals dropped) with its line.
#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Path,
    Punct(char),
}

/// Rust source as tokens: identifiers, `::` and the punctuation that matters here, with the line
/// each is on. Comments, strings and characters are skipped (so `'{'` opens no block).
fn tokens(text: &str) -> Vec<(Tok, usize)> {
    let c: Vec<char> = text.chars().collect();
    let (mut i, mut line, mut out) = (0, 1, Vec::new());
    // Skips to just after `end` starting at `from`, counting lines; returns the new index.
    let skip = |from: usize, end: &str, line: &mut usize| -> usize {
        let end: Vec<char> = end.chars().collect();
        let mut j = from;
        while j < c.len() && c[j..].iter().take(end.len()).ne(end.iter()) {
            if c[j] == '\n' {
                *line += 1;
            }
            // An escape never ends a string or character (raw strings have none).
            let escaped = c[j] == '\\' && (end == ['"'] || end == ['\'']);
            j += if escaped { 2 } else { 1 };
        }
        (j + end.len()).min(c.len())
    };
    while i < c.len() {
        let ch = c[i];
        let next = c.get(i + 1).copied().unwrap_or(' ');
        if ch == '\n' {
            line += 1;
            i += 1;
        } else if ch == '/' && next == '/' {
            while i < c.len() && c[i] != '\n' {
                i += 1;
            }
        } else if ch == '/' && next == '*' {
            i = skip(i + 2, "*/", &mut line);
        } else if ch == '"' {
            i = skip(i + 1, "\"", &mut line);
        } else if ch == '\'' {
            // A character literal ('x', '\n', '\u{..}') or a lifetime ('a).
            if next == '\\' || c.get(i + 2) == Some(&'\'') {
                i = skip(i + 1, "'", &mut line);
            } else {
                i += 1;
            }
        } else if ch.is_alphabetic() || ch == '_' {
            let start = i;
            while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                i += 1;
            }
            let word: String = c[start..i].iter().collect();
            let raw_start = matches!(word.as_str(), "r" | "br" | "b" | "rb");
            if raw_start && matches!(c.get(i), Some('"') | Some('#')) {
                let hashes = c[i..].iter().take_while(|&&h| h == '#').count();
                if c.get(i + hashes) == Some(&'"') {
                    let end = format!("\"{}", "#".repeat(hashes));
                    i = skip(i + hashes + 1, &end, &mut line);
                    continue;
                }
            }
            out.push((Tok::Ident(word), line));
        } else if ch == ':' && next == ':' {
            out.push((Tok::Path, line));
            i += 2;
        } else {
            if "{}(),;[]".contains(ch) {
                out.push((Tok::Punct(ch), line));
            }
            i += 1;
        }
    }
    out
}

/// Reads the path tree starting at `toks[i]` (`crate::{a::b, c}`), appending each full path;
/// returns the index after it.
fn path_tree(
    toks: &[(Tok, usize)],
    mut i: usize,
    prefix: &[String],
    out: &mut Vec<Vec<String>>,
) -> usize {
    let mut segs = prefix.to_vec();
    while let Some((tok, _)) = toks.get(i) {
        match tok {
            Tok::Punct('{') => {
                i += 1;
                while let Some((t, _)) = toks.get(i) {
                    match t {
                        Tok::Punct('}') => return i + 1,
                        Tok::Punct(',') => i += 1,
                        _ => i = path_tree(toks, i, &segs, out),
                    }
                }
                return i;
            }
            Tok::Ident(word) => {
                segs.push(word.clone());
                i += 1;
                if toks.get(i).map(|t| &t.0) == Some(&Tok::Path) {
                    i += 1;
                    continue;
                }
                break;
            }
            _ => break,
        }
    }
    out.push(segs);
    i
}

/// The other top modules of the crate that a file names by path (`use crate::store::…`,
/// `super::super::store`, `statusdata::store`, inside `use` groups too).
fn named_modules(src: &Source, toks: &[(Tok, usize)], tops: &BTreeSet<String>) -> BTreeSet<String> {
    let mut paths = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        let root_word = matches!(&toks[i].0, Tok::Ident(w) if ["crate", "super", "self", "statusdata"].contains(&w.as_str()));
        let starts = root_word
            && toks.get(i + 1).map(|t| &t.0) == Some(&Tok::Path)
            && (i == 0 || toks[i - 1].0 != Tok::Path);
        if starts {
            i = path_tree(toks, i, &[], &mut paths);
        } else {
            i += 1;
        }
    }
    let mut out = BTreeSet::new();
    for path in paths {
        let (mut module, mut rest) = (src.module.clone(), path.as_slice());
        if matches!(
            rest.first().map(String::as_str),
            Some("crate" | "statusdata")
        ) {
            module.clear();
            rest = &rest[1..];
        }
        while let Some(first) = rest
            .first()
            .map(String::as_str)
            .filter(|w| *w == "super" || *w == "self")
        {
            if first == "super" {
                module.pop();
            }
            rest = &rest[1..];
        }
        let target = module.first().or(rest.first());
        if let Some(t) = target.filter(|t| tops.contains(*t) && t.as_str() != src.top()) {
            out.insert(t.clone());
        }
    }
    out
}

/// Every function with a body: (name, first line, lines from `fn` to its closing brace).
fn functions(toks: &[(Tok, usize)]) -> Vec<(String, usize, usize)> {
    let mut out = Vec::new();
    for (i, (tok, line)) in toks.iter().enumerate() {
        let Some((Tok::Ident(name), _)) = toks.get(i + 1) else {
            continue;
        };
        if *tok != Tok::Ident("fn".into()) {
            continue;
        }
        // The body is the first `{` outside the signature's brackets; a `;` first means none.
        let (mut j, mut depth) = (i + 2, 0i32);
        while let Some((t, _)) = toks.get(j) {
            match t {
                Tok::Punct('(' | '[') => depth += 1,
                Tok::Punct(')' | ']') => depth -= 1,
                Tok::Punct('{' | ';') if depth == 0 => break,
                _ => {}
            }
            j += 1;
        }
        if toks.get(j).map(|t| &t.0) != Some(&Tok::Punct('{')) {
            continue;
        }
        let mut braces = 0;
        for (t, end) in &toks[j..] {
            match t {
                Tok::Punct('{') => braces += 1,
                Tok::Punct('}') => {
                    braces -= 1;
                    if braces == 0 {
                        out.push((name.clone(), *line, end - line + 1));
                        break;
                    }
                }
                _ => {}
            }
        }
    }
    out
}

/// Today's violations, keyed as in `## Exceptions` (`graphql/list.rs -> store`,
/// `store/mod.rs`, `graphql/meta.rs::build`), each with what was found.
fn violations() -> BTreeMap<String, String> {
    let sources = sources();
    let tops: BTreeSet<String> = sources.iter().map(|s| s.top().to_owned()).collect();
    let mut out = BTreeMap::new();
    for src in &sources {
        let toks = tokens(&src.text);
        for to in named_modules(src, &toks, &tops) {
            if forbidden(src.top(), &to) {
                let why = format!("{} imports {to}", src.top());
                out.insert(format!("{} -> {to}", src.rel), why);
            }
        }
        let lines = src.text.lines().count();
        if lines > MAX_FILE_LINES {
            out.insert(
                src.rel.clone(),
                format!("{lines} lines (at most {MAX_FILE_LINES})"),
            );
        }
        for (name, line, len) in functions(&toks) {
            if len > MAX_FN_LINES {
                let what = format!("{len} lines from line {line} (at most {MAX_FN_LINES})");
                out.insert(format!("{}::{name}", src.rel), what);
            }
        }
    }
    out
}

/// The keys listed in `ARCHITECTURE.md` under `## Exceptions`: lines "- `KEY`: why".
fn exceptions() -> BTreeSet<String> {
    let text = std::fs::read_to_string(root().join("ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    let section = text
        .split("\n## ")
        .find(|s| s.starts_with("Exceptions"))
        .expect("ARCHITECTURE.md has a `## Exceptions` section");
    let mut out = BTreeSet::new();
    for line in section.lines().filter(|l| l.starts_with("- `")) {
        let rest = &line[3..];
        let (key, why) = rest.split_once('`').expect("- `KEY`: why");
        let why = why.trim_start_matches([':', ' ', '—', '-']).trim();
        assert!(
            why.len() >= 8,
            "ARCHITECTURE.md exception `{key}` says why: {line}"
        );
        assert!(out.insert(key.to_owned()), "`{key}` is listed twice");
    }
    out
}

#[test]
fn layers_and_sizes_hold_except_where_architecture_md_says_why() {
    let found = violations();
    let listed = exceptions();
    let new: Vec<String> = found
        .iter()
        .filter(|(k, _)| !listed.contains(*k))
        .map(|(k, what)| format!("  - `{k}`: {what}\n"))
        .collect();
    let gone: Vec<String> = listed
        .iter()
        .filter(|k| !found.contains_key(*k))
        .map(|k| format!("  - `{k}`\n"))
        .collect();
    assert!(
        new.is_empty() && gone.is_empty(),
        "\nNew violations (fix them, or list them with why under `## Exceptions` in ARCHITECTURE.md):\n{}\
         \nListed under `## Exceptions` but no longer found (remove the line):\n{}",
        new.concat(),
        gone.concat()
    );
}

#[test]
fn the_scanner_sees_grouped_relative_and_nested_imports() {
    let src = |rel: &str, module: &[&str], text: &str| Source {
        rel: rel.into(),
        module: module.iter().map(|m| (*m).to_owned()).collect(),
        text: text.into(),
    };
    let tops: BTreeSet<String> = ["graphql", "store", "service", "defs"]
        .map(String::from)
        .into();
    let named = |s: &Source| named_modules(s, &tokens(&s.text), &tops);
    let grouped = src(
        "graphql/a.rs",
        &["graphql", "a"],
        "use crate::{defs, store::{Rows, X}};",
    );
    assert_eq!(named(&grouped), ["defs", "store"].map(String::from).into());
    let relative = src(
        "graphql/mod.rs",
        &["graphql"],
        "fn f() { super::store::open(); }",
    );
    assert_eq!(named(&relative), ["store"].map(String::from).into());
    let inner = src(
        "graphql/a.rs",
        &["graphql", "a"],
        "use super::resolve; // crate::store\n",
    );
    assert!(named(&inner).is_empty(), "{:?}", named(&inner));
    let quoted = src(
        "graphql/a.rs",
        &["graphql", "a"],
        "const S: &str = \"crate::store\"; fn g() -> char { '{' }",
    );
    assert!(named(&quoted).is_empty());
    let fns = functions(&tokens("fn a() {\n let c = '}';\n}\ntrait T { fn b(&self); }\nfn c() -> impl Fn(u8) {\n |_| {}\n}\n"));
    assert_eq!(fns, vec![("a".into(), 1, 3), ("c".into(), 5, 3)]);
    assert!(
        forbidden("graphql", "store") && forbidden("store", "service") && forbidden("xlsx", "http")
    );
    assert!(!forbidden("service", "store") && !forbidden("graphql", "service"));
}
