//! Nesting depth of GraphQL and JSON text, counted in one pass without recursion: the parsers
//! that come after recurse once per level, so the depth must be known before they run.

/// The deepest nesting of `{`, `[` and `(` in a GraphQL document, strings and comments skipped.
/// `None` as soon as `max` is exceeded, so a hostile document is not scanned to its end.
pub fn query_depth(text: &str, max: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let (mut depth, mut deepest, mut i) = (0usize, 0usize, 0usize);
    while i < bytes.len() {
        match bytes[i] {
            b'{' | b'[' | b'(' => {
                depth += 1;
                deepest = deepest.max(depth);
                if depth > max {
                    return None;
                }
            }
            b'}' | b']' | b')' => depth = depth.saturating_sub(1),
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'"' if bytes[i..].starts_with(b"\"\"\"") => {
                i += 3;
                while i < bytes.len() && !bytes[i..].starts_with(b"\"\"\"") {
                    i += if bytes[i..].starts_with(b"\\\"\"\"") {
                        4
                    } else {
                        1
                    };
                }
                i += 2;
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            _ => {}
        }
        i += 1;
    }
    Some(deepest)
}

/// The deepest nesting of `{` and `[` in JSON text, strings skipped; `None` past `max`.
pub fn json_depth(bytes: &[u8], max: usize) -> Option<usize> {
    let (mut depth, mut deepest, mut i) = (0usize, 0usize, 0usize);
    while i < bytes.len() {
        match bytes[i] {
            b'{' | b'[' => {
                depth += 1;
                deepest = deepest.max(depth);
                if depth > max {
                    return None;
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            _ => {}
        }
        i += 1;
    }
    Some(deepest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_counts_brackets_outside_strings_and_comments() {
        assert_eq!(query_depth("{ a(x: [1, [2]]) { b } }", 10), Some(4));
        assert_eq!(query_depth("{ a(x: \"[[[[[\") # {{{{{\n }", 10), Some(2));
        assert_eq!(
            query_depth("{ a(x: \"\"\" {{{ \\\"\"\" [[[ \"\"\") }", 10),
            Some(2)
        );
        assert!(query_depth(&"[".repeat(100_000), 64).is_none());
    }

    #[test]
    fn json_depth_skips_escaped_quotes() {
        assert_eq!(json_depth(br#"{"a": "\"[[[", "b": [[1]]}"#, 10), Some(3));
        assert!(json_depth(&b"[".repeat(1000), 64).is_none());
    }
}
