//! A draft's text checked and loaded as the catalog it would make: the definitions folder copied
//! aside with the table's file replaced by the draft, then the full `load_catalog` (which also
//! re-checks the rules, 高基 figures and indicators that read the table) and the policy check a
//! reload runs.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::defs::{self, Catalog, Problem, Problems};

/// A copy of the definitions folder, removed when dropped.
struct Aside {
    dir: PathBuf,
}

impl Drop for Aside {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

fn aside(dir: &Path, file_name: &str, text: &str) -> std::io::Result<Aside> {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let name = format!(
        "statusdata-draft-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::SeqCst)
    );
    let copy = Aside {
        dir: std::env::temp_dir().join(name),
    };
    copy_dir(dir, &copy.dir)?;
    std::fs::write(copy.dir.join(file_name), text)?;
    Ok(copy)
}

/// Loads the catalog the definitions in `dir` would make with `file_name`'s text replaced by
/// `text`; the problems name the file as it lies in `dir`.
pub fn load_with(dir: &Path, file_name: &str, text: &str) -> Result<Catalog, Problems> {
    let copy = aside(dir, file_name, text).map_err(|e| {
        Problems(vec![Problem::at(
            &dir.join(file_name),
            "",
            format!("无法检查草稿：{e}"),
        )])
    })?;
    defs::load_catalog(&copy.dir).map_err(|Problems(list)| {
        Problems(
            list.into_iter()
                .map(|p| Problem {
                    file: dir.join(p.file.strip_prefix(&copy.dir).unwrap_or(&p.file)),
                    message: p
                        .message
                        .replace(&*copy.dir.to_string_lossy(), &dir.to_string_lossy()),
                    ..p
                })
                .collect(),
        )
    })
}

/// STAND-IN until helper "lines" lands `defs::check_table_text` (same signature): the merge
/// replaces this function with that one (which names a line for semantic problems too). Checks
/// one table's text in place of its file by loading the whole folder with it.
pub fn check_table_text(dir: &Path, file_name: &str, text: &str) -> Problems {
    load_with(dir, file_name, text).err().unwrap_or_default()
}

/// Makes a path inside the copy read as the instance's own (for `sync`'s reasons, which name
/// the table's file).
pub fn own_path(text: &str, catalog: &Catalog, dir: &Path, file_name: &str) -> String {
    catalog
        .tables
        .iter()
        .filter(|t| t.file.file_name().is_some_and(|n| n == file_name))
        .fold(text.to_owned(), |text, t| {
            text.replace(
                &*t.file.to_string_lossy(),
                &dir.join(file_name).to_string_lossy(),
            )
        })
}
