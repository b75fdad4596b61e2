//! Shared helpers: the project's own files, a scratch copy to break on purpose, and the notice.

use std::path::{Path, PathBuf};

use statusdata::check::{self, Paths};
use statusdata::defs::{Problem, Problems};

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The project's own definition, units and policy paths.
pub fn project_paths() -> Paths {
    check::default_paths(&root())
}

/// A throw-away copy of table-defs/, seeds/units.toml and policies/ that a test may break.
pub struct Scratch {
    pub dir: tempfile::TempDir,
}

impl Scratch {
    pub fn new() -> Scratch {
        let dir = tempfile::tempdir().expect("temp dir");
        copy_dir(&root().join("table-defs"), &dir.path().join("table-defs"));
        copy_dir(&root().join("policies"), &dir.path().join("policies"));
        std::fs::create_dir_all(dir.path().join("seeds")).expect("seeds dir");
        std::fs::copy(
            root().join("seeds/units.toml"),
            dir.path().join("seeds/units.toml"),
        )
        .expect("copy units");
        Scratch { dir }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn paths(&self) -> Paths {
        check::default_paths(self.dir.path())
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).expect("read scratch file")
    }

    pub fn write(&self, rel: &str, text: &str) {
        std::fs::write(self.path(rel), text).expect("write scratch file");
    }

    /// Replaces the one occurrence of `from` in `rel`; panics when it is not there exactly once.
    pub fn replace(&self, rel: &str, from: &str, to: &str) {
        let text = self.read(rel);
        assert_eq!(
            text.matches(from).count(),
            1,
            "{rel} should contain {from:?} once"
        );
        self.write(rel, &text.replacen(from, to, 1));
    }

    /// Appends a `[[fields]]` block to a table file and returns its index.
    pub fn append_field(&self, rel: &str, block: &str) -> usize {
        let text = self.read(rel);
        let index = text.matches("[[fields]]").count();
        self.write(rel, &format!("{text}\n[[fields]]\n{block}\n"));
        index
    }

    /// Runs the full check and returns its problems (panics when it passes).
    pub async fn problems(&self) -> Vec<Problem> {
        match check::check_all(&self.paths()).await {
            Ok(summary) => panic!("check passed on a broken copy: {summary:?}"),
            Err(Problems(problems)) => problems,
        }
    }
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create dir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("dir entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy file");
        }
    }
}

/// One row of the notice's table list (tests/fixtures/notice-tables.csv, a copy of the notice).
#[derive(Debug, Clone)]
pub struct NoticeTable {
    pub code: String,
    pub name: String,
    pub group: String,
    pub fill_units: Vec<String>,
    pub review_units: Vec<String>,
}

/// The 90 tables as the notice assigns them.
pub fn notice() -> Vec<NoticeTable> {
    let text = std::fs::read_to_string(root().join("tests/fixtures/notice-tables.csv"))
        .expect("notice fixture");
    let units = |s: &str| s.split('、').map(str::to_owned).collect::<Vec<_>>();
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let c: Vec<&str> = line.split(',').collect();
            assert_eq!(c.len(), 8, "notice fixture row has 8 columns: {line}");
            NoticeTable {
                code: c[1].to_owned(),
                name: c[2].to_owned(),
                group: c[4].to_owned(),
                fill_units: units(c[5]),
                review_units: units(c[6]),
            }
        })
        .collect()
}

/// True when some problem is in a file whose name ends with `file` and its text mentions `needle`.
pub fn has_problem(problems: &[Problem], file: &str, needle: &str) -> bool {
    problems
        .iter()
        .any(|p| p.file.to_string_lossy().ends_with(file) && p.to_string().contains(needle))
}

/// Formats problems for assertion messages.
pub fn show(problems: &[Problem]) -> String {
    problems.iter().map(|p| format!("  {p}\n")).collect()
}

/// The project's policy in a scratch folder, so that a test may grant and revoke rights.
pub fn policy_cell() -> (
    std::sync::Arc<statusdata::authz::PolicyCell>,
    tempfile::TempDir,
) {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_dir(&root().join("policies"), dir.path());
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let policy = runtime
        .block_on(statusdata::authz::Policy::load(dir.path()))
        .expect("policy");
    (
        std::sync::Arc::new(statusdata::authz::PolicyCell::new(
            dir.path().to_path_buf(),
            policy,
        )),
        dir,
    )
}
