//! Build script: installs the pinned front-end packages (web/package-lock.json) with npm when they
//! are missing, bundles the form explorer (web/src) with esbuild, and puts the files the binary
//! embeds into OUT_DIR. Nothing is fetched at run time.

use std::path::{Path, PathBuf};
use std::process::Command;

const ASSETS: [(&str, &str); 4] = [
    ("graphiql/graphiql.min.js", "graphiql.min.js"),
    ("graphiql/graphiql.min.css", "graphiql.min.css"),
    (
        "react/umd/react.production.min.js",
        "react.production.min.js",
    ),
    (
        "react-dom/umd/react-dom.production.min.js",
        "react-dom.production.min.js",
    ),
];

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into()));
    let web = root.join("web");
    println!("cargo:rerun-if-changed=web/package.json");
    println!("cargo:rerun-if-changed=web/package-lock.json");
    println!("cargo:rerun-if-changed=web/build.mjs");
    println!("cargo:rerun-if-changed=web/src");
    let modules = web.join("node_modules");
    let bundler = modules.join("esbuild/package.json");
    if ASSETS.iter().any(|(from, _)| !modules.join(from).is_file()) || !bundler.is_file() {
        npm_ci(&web);
    }
    let out =
        PathBuf::from(std::env::var("OUT_DIR").unwrap_or_else(|_| "target".into())).join("assets");
    std::fs::create_dir_all(&out)
        .unwrap_or_else(|e| panic!("cannot create {}: {e}", out.display()));
    for (from, to) in ASSETS {
        let src = modules.join(from);
        std::fs::copy(&src, out.join(to))
            .unwrap_or_else(|e| panic!("cannot copy {}: {e}", src.display()));
    }
    bundle(&web, &out);
}

/// Bundles web/src into `explorer.js` and `explorer.css` in `out`.
fn bundle(web: &Path, out: &Path) {
    let status = Command::new("node")
        .arg("build.mjs")
        .arg(out)
        .current_dir(web)
        .status();
    match status {
        Ok(s) if s.success() => {}
        Ok(s) => panic!(
            "bundling the form explorer (node build.mjs in {}) failed ({s}); see the esbuild errors above",
            web.display()
        ),
        Err(e) => panic!("node is needed to bundle the form explorer (web/src): {e}"),
    }
}

fn npm_ci(web: &Path) {
    let status = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(web)
        .status();
    match status {
        Ok(s) if s.success() => {}
        Ok(s) => panic!("`npm ci` in {} failed ({s}); the web assets (GraphiQL, React) cannot be built", web.display()),
        Err(e) => panic!(
            "npm is needed once to install the pinned web assets (web/package-lock.json): {e}. Install Node.js and npm, then build again"
        ),
    }
}
