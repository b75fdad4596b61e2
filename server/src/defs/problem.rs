//! The one shape of a definition problem: which file, where in it, and what is wrong.

use std::fmt;
use std::path::{Path, PathBuf};

/// One inconsistency found while loading or checking definitions, code lists, units or policies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file the problem is in.
    pub file: PathBuf,
    /// The 1-based line, when the parser or the checker knows it.
    pub line: Option<usize>,
    /// The key path inside the file, e.g. `fields[3].type`; empty for whole-file problems.
    pub key: String,
    /// What is wrong and, where it helps, what would be right.
    pub message: String,
}

impl Problem {
    /// A problem at a key of a file.
    pub fn at(file: &Path, key: impl Into<String>, message: impl Into<String>) -> Self {
        Problem {
            file: file.to_path_buf(),
            line: None,
            key: key.into(),
            message: message.into(),
        }
    }

    /// The same problem, located at a line.
    pub fn on_line(mut self, line: usize) -> Self {
        self.line = Some(line);
        self
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if !self.key.is_empty() {
            write!(f, ": {}", self.key)?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Every problem found in one pass; loading fails with all of them, not just the first.
#[derive(Debug, Default)]
pub struct Problems(pub Vec<Problem>);

impl Problems {
    /// Records a problem.
    pub fn push(&mut self, problem: Problem) {
        self.0.push(problem);
    }

    /// True when nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for p in &self.0 {
            writeln!(f, "{p}")?;
        }
        write!(f, "共发现 {} 处问题", self.0.len())
    }
}

impl std::error::Error for Problems {}

/// Turns a byte offset of `text` into a 1-based line number.
pub fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .map_or(1, |head| head.matches('\n').count() + 1)
}

/// Why a file or folder could not be read, in Chinese (the operating system's own text is English).
pub fn io_reason(e: &std::io::Error) -> String {
    use std::io::ErrorKind;
    match e.kind() {
        ErrorKind::NotFound => "文件或文件夹不存在".into(),
        ErrorKind::PermissionDenied => "没有读取权限".into(),
        ErrorKind::InvalidData => "内容不是 UTF-8 文本".into(),
        ErrorKind::IsADirectory => "这是文件夹，不是文件".into(),
        ErrorKind::NotADirectory => "这是文件，不是文件夹".into(),
        kind => format!("读取出错（{kind:?}）"),
    }
}
