//! A unified line diff of two texts (`--- a/… +++ b/… @@ … @@`), three lines of context, by the
//! longest common subsequence of their lines. The definitions are a few hundred lines each, so
//! the quadratic table is small; past a bound the whole text is shown replaced.

/// The most cells of the LCS table before the diff shows the whole text replaced.
const MAX_CELLS: usize = 4_000_000;
/// Unchanged lines shown around a change.
const CONTEXT: usize = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Same,
    Removed,
    Added,
}

/// The unified diff from `before` to `after`, headed by `name`; empty when they are equal.
pub fn unified(name: &str, before: &str, after: &str) -> String {
    if before == after {
        return String::new();
    }
    let a: Vec<&str> = before.lines().collect();
    let b: Vec<&str> = after.lines().collect();
    let ops = script(&a, &b);
    let mut out = format!("--- a/{name}\n+++ b/{name}\n");
    for hunk in hunks(&ops) {
        write_hunk(&mut out, &ops[hunk.0..hunk.1], &a, &b, hunk.2, hunk.3);
    }
    out
}

/// The edit script: each step with the line index it reads in `a` or `b`.
fn script(a: &[&str], b: &[&str]) -> Vec<(Op, usize)> {
    let (n, m) = (a.len(), b.len());
    if n.saturating_mul(m) > MAX_CELLS {
        let removed = (0..n).map(|i| (Op::Removed, i));
        return removed.chain((0..m).map(|j| (Op::Added, j))).collect();
    }
    // lcs[i][j]: the longest common subsequence of a[i..] and b[j..].
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut ops) = (0, 0, Vec::with_capacity(n + m));
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            ops.push((Op::Same, i));
            i += 1;
            j += 1;
        } else if i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1]) {
            ops.push((Op::Removed, i));
            i += 1;
        } else {
            ops.push((Op::Added, j));
            j += 1;
        }
    }
    ops
}

/// The hunks: (first step, end step, first line of `a`, first line of `b`), 0-based.
fn hunks(ops: &[(Op, usize)]) -> Vec<(usize, usize, usize, usize)> {
    let changed: Vec<usize> = (0..ops.len()).filter(|&k| ops[k].0 != Op::Same).collect();
    let mut out: Vec<(usize, usize)> = Vec::new();
    for k in changed {
        let (start, end) = (k.saturating_sub(CONTEXT), (k + CONTEXT + 1).min(ops.len()));
        match out.last_mut() {
            Some(last) if start <= last.1 => last.1 = end,
            _ => out.push((start, end)),
        }
    }
    out.into_iter()
        .map(|(start, end)| {
            let (mut ia, mut ib) = (0, 0);
            for (op, _) in &ops[..start] {
                match op {
                    Op::Same => {
                        ia += 1;
                        ib += 1;
                    }
                    Op::Removed => ia += 1,
                    Op::Added => ib += 1,
                }
            }
            (start, end, ia, ib)
        })
        .collect()
}

fn write_hunk(out: &mut String, ops: &[(Op, usize)], a: &[&str], b: &[&str], ia: usize, ib: usize) {
    let na = ops.iter().filter(|(op, _)| *op != Op::Added).count();
    let nb = ops.iter().filter(|(op, _)| *op != Op::Removed).count();
    let from = |start: usize, n: usize| if n == 0 { start } else { start + 1 };
    out.push_str(&format!(
        "@@ -{},{na} +{},{nb} @@\n",
        from(ia, na),
        from(ib, nb)
    ));
    for (op, k) in ops {
        let (sign, line) = match op {
            Op::Same => (' ', a[*k]),
            Op::Removed => ('-', a[*k]),
            Op::Added => ('+', b[*k]),
        };
        out.push(sign);
        out.push_str(line);
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::unified;

    #[test]
    fn an_added_line_shows_with_its_context_and_numbers() {
        let before = "a\nb\nc\nd\ne\nf\ng\nh\n";
        let after = "a\nb\nc\nd\nX\ne\nf\ng\nh\n";
        assert_eq!(
            unified("t.toml", before, after),
            "--- a/t.toml\n+++ b/t.toml\n@@ -2,6 +2,7 @@\n b\n c\n d\n+X\n e\n f\n g\n"
        );
        assert_eq!(unified("t.toml", before, before), "");
    }

    #[test]
    fn a_changed_line_is_removed_then_added() {
        let d = unified("t", "x\ny\n", "x\nz\n");
        assert!(d.ends_with("@@ -1,2 +1,2 @@\n x\n-y\n+z\n"), "{d}");
    }
}
