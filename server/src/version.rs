//! Which statusdata this is: the version and commit stamped at build time, the comparison of two
//! versions, and whether the administrator's files (`table-defs/`, `seeds/`, `policies/`) come from
//! the release this binary expects. It knows nothing of databases.
//!
//! Each of the three folders carries a `VERSION` file: the release whose files it holds. The
//! binary embeds the repository's own stamps when it is built, so after an upgrade that swapped
//! only the binary, `check` and `serve` say which folder is older and what to merge.

use std::cmp::Ordering;
use std::path::{Path, PathBuf};

/// The git commit the binary was built from ("unknown" outside a git checkout).
pub const COMMIT: &str = env!("STATUSDATA_COMMIT");

/// The version stamped at build time (the crate's, unless the build set
/// `STATUSDATA_BUILD_VERSION`).
pub const BUILT: &str = env!("STATUSDATA_VERSION");

/// `0.1.0 (commit 1a2b3c4)`, as `statusdata --version` prints it.
pub const LONG: &str = concat!(
    env!("STATUSDATA_VERSION"),
    " (commit ",
    env!("STATUSDATA_COMMIT"),
    ")"
);

/// The version this process runs as. Debug builds (the test suite) may pretend to be another
/// with `STATUSDATA_VERSION_OVERRIDE`; release builds ignore it.
pub fn current() -> String {
    #[cfg(debug_assertions)]
    if let Some(v) = std::env::var("STATUSDATA_VERSION_OVERRIDE")
        .ok()
        .filter(|v| !v.trim().is_empty())
    {
        return v.trim().to_owned();
    }
    BUILT.to_owned()
}

/// Orders two versions by their numeric parts (`0.10.0` after `0.9.2`); a pre-release or build
/// suffix after `-` or `+` is ignored.
pub fn compare(a: &str, b: &str) -> Ordering {
    let parts = |v: &str| -> Vec<u64> {
        v.trim()
            .trim_start_matches('v')
            .split(['-', '+'])
            .next()
            .unwrap_or("")
            .split('.')
            .map(|p| p.parse().unwrap_or(0))
            .collect()
    };
    let (a, b) = (parts(a), parts(b));
    let n = a.len().max(b.len());
    let at = |v: &[u64], i: usize| v.get(i).copied().unwrap_or(0);
    (0..n)
        .map(|i| at(&a, i).cmp(&at(&b, i)))
        .find(|o| o.is_ne())
        .unwrap_or(Ordering::Equal)
}

/// The stamps of the administrator's folders in the source this binary was built from.
const EXPECTED: [(&str, &str); 3] = [
    ("table-defs", include_str!("../../table-defs/VERSION")),
    ("seeds", include_str!("../../seeds/VERSION")),
    ("policies", include_str!("../../policies/VERSION")),
];

/// Warnings (in Chinese, for the administrator) when a folder's `VERSION` is missing, older or
/// newer than the one this binary was built with. `units` is the units file; its folder is the
/// seeds folder. Empty when every folder matches.
pub fn files_warnings(defs: &Path, units: &Path, policies: &Path) -> Vec<String> {
    let seeds = units.parent().map_or_else(PathBuf::new, Path::to_path_buf);
    let dirs = [defs.to_path_buf(), seeds, policies.to_path_buf()];
    let mut out = Vec::new();
    for ((name, expected), dir) in EXPECTED.iter().zip(dirs) {
        let expected = expected.trim();
        let file = dir.join("VERSION");
        let found = std::fs::read_to_string(&file).ok();
        let warning = match found.as_deref().map(str::trim) {
            None => format!(
                "{} 没有 VERSION 文件：{name}/ 不是来自发行包（或来自 0.1.0 之前的版本）；本程序需要 {expected} 版的 {name}/，请按 deploy/README.md“升级”一节与发行包比较、合并",
                file.display()
            ),
            Some(found) => match compare(found, expected) {
                Ordering::Equal => continue,
                Ordering::Less => format!(
                    "{} 是 {found} 版，比本程序需要的 {expected} 版旧：请按 deploy/README.md“升级”一节把发行包中新的 {name}/ 合并进来",
                    file.display()
                ),
                Ordering::Greater => format!(
                    "{} 是 {found} 版，比本程序（需要 {expected} 版）新：文件来自更新的发行包，请使用对应版本的程序",
                    file.display()
                ),
            },
        };
        out.push(warning);
    }
    out
}

/// A part of the program that a build may leave out: each is a cargo feature the default build
/// keeps on (`cargo build --release --no-default-features --features jemalloc` leaves both out).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Optional {
    /// The demo college generator (`seed demo`, `serve --demo`), feature `demo`.
    Demo,
    /// The benchmarks (`bench …`), feature `bench`.
    Bench,
}

impl Optional {
    /// The cargo feature that builds it.
    pub fn feature(self) -> &'static str {
        match self {
            Optional::Demo => "demo",
            Optional::Bench => "bench",
        }
    }

    /// What a build without it answers when asked for it: one line that names the commands and
    /// says how to build them in.
    pub fn missing(self) -> String {
        let (what, commands) = match self {
            Optional::Demo => ("演示学院", "`seed demo` 与 `serve --demo`"),
            Optional::Bench => ("性能测试", "`bench`"),
        };
        let feature = self.feature();
        format!(
            "此版本构建时未包含{what}（cargo 特性 {feature}），{commands} 不可用；\
             请用默认特性重新构建（cargo build --release），或在构建命令中加上 --features {feature}"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_by_their_numbers() {
        assert_eq!(compare("0.10.0", "0.9.2"), Ordering::Greater);
        assert_eq!(compare("0.1.0", "0.1.0-rc1"), Ordering::Equal);
        assert_eq!(compare("1.0", "1.0.0"), Ordering::Equal);
        assert_eq!(compare("0.0.9", "0.1.0"), Ordering::Less);
    }

    #[test]
    fn a_build_without_a_part_says_which_commands_and_how_to_build_them_in() {
        let demo = Optional::Demo.missing();
        let bench = Optional::Bench.missing();
        let parts: [(&String, &[&str]); 2] = [
            (&demo, &["seed demo", "serve --demo"]),
            (&bench, &["`bench`"]),
        ];
        for (said, commands) in parts {
            assert_eq!(said.lines().count(), 1, "{said}");
            assert!(commands.iter().all(|c| said.contains(c)), "{said}");
            assert!(said.contains("cargo build --release"), "{said}");
        }
        assert!(
            demo.contains("--features demo") && !demo.contains("bench"),
            "{demo}"
        );
        assert!(
            bench.contains("--features bench") && !bench.contains("demo"),
            "{bench}"
        );
    }
}
