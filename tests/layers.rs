//! The layers hold: the GraphQL and HTTP faces reach storage only through the service, so every
//! face gets the service's answer (rights, row scope, roles, the sign-off check).

use std::path::Path;

use crate::support::root;

/// Every `crate::store` in the `.rs` files under `dir`, as `file:line`.
fn store_imports(dir: &Path, found: &mut Vec<String>) -> anyhow::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            store_imports(&path, found)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path)?;
            for (i, line) in text.lines().enumerate() {
                if line.contains("crate::store") {
                    found.push(format!("{}:{}: {}", path.display(), i + 1, line.trim()));
                }
            }
        }
    }
    Ok(())
}

#[test]
fn graphql_and_http_do_not_import_the_store() -> anyhow::Result<()> {
    let mut found = Vec::new();
    for face in ["graphql", "http"] {
        store_imports(&root().join("server/src").join(face), &mut found)?;
    }
    assert!(
        found.is_empty(),
        "faces must go through service/, not store/:\n{}",
        found.join("\n")
    );
    Ok(())
}
