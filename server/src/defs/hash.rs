//! Content hashes of the definitions: one for the whole folder (what an instance loaded) and one
//! per table (what decides whether a write to that table may go ahead on an instance whose
//! definitions differ from the database's).

use std::path::Path;

use sha2::{Digest, Sha256};

use super::Table;

fn hex(digest: impl AsRef<[u8]>) -> String {
    digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// The hash of every file under `dir` (names relative to it, and contents), in name order: the
/// same files give the same hash wherever the folder lies.
pub fn folder_hash(dir: &Path) -> std::io::Result<String> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        for entry in std::fs::read_dir(&d)? {
            let path = entry?.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    let mut h = Sha256::new();
    for f in files {
        let name = f
            .strip_prefix(dir)
            .unwrap_or(&f)
            .to_string_lossy()
            .into_owned();
        h.update(name.as_bytes());
        h.update([0]);
        h.update(std::fs::read(&f)?);
        h.update([0]);
    }
    Ok(hex(h.finalize()))
}

/// The hash of a table's definition as loaded (everything but the file it came from).
pub fn table_hash(table: &Table) -> String {
    let mut t = table.clone();
    t.file = std::path::PathBuf::new();
    hex(Sha256::digest(format!("{t:?}").as_bytes()))
}
