//! Build script: installs the pinned front-end packages (web/package-lock.json) with npm when they
//! are missing, bundles the form explorer (web/src) with esbuild (web/build.mjs: hashed names,
//! gzip and brotli copies), and puts the files the binary embeds and their table into OUT_DIR. Nothing is fetched at run time. It also stamps the binary with its
//! version and git commit (`statusdata --version`).

use std::path::{Path, PathBuf};
use std::process::Command;

/// What `npm ci` installs that the bundle needs (checked to decide whether to run it).
const INSTALLED: [&str; 6] = [
    "graphiql/graphiql.min.js",
    "graphiql/graphiql.min.css",
    "react/umd/react.production.min.js",
    "react-dom/umd/react-dom.production.min.js",
    "esbuild/package.json",
    "@decimalturn/toml-patch/package.json",
];

fn main() {
    stamp_version();
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into()));
    let web = root.join("web");
    println!("cargo:rerun-if-changed=web/package.json");
    println!("cargo:rerun-if-changed=web/package-lock.json");
    println!("cargo:rerun-if-changed=web/build.mjs");
    println!("cargo:rerun-if-changed=web/src");
    let modules = web.join("node_modules");
    if INSTALLED.iter().any(|f| !modules.join(f).is_file()) {
        npm_ci(&web);
    }
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_else(|_| "target".into()));
    let out = out_dir.join("assets");
    bundle(&web, &out);
    let table = asset_table(&out);
    let path = out_dir.join("assets.rs");
    std::fs::write(&path, table).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
}

/// Bundles web/src and copies React, ReactDOM and GraphiQL into `out`, each under a
/// content-hashed name with its `.gz` and `.br` copies, listed in `out/manifest.tsv`.
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

/// The Rust source of the embedded assets: `(name, hashed name, raw, gzip, brotli)` per file.
fn asset_table(out: &Path) -> String {
    let manifest = out.join("manifest.tsv");
    let text = std::fs::read_to_string(&manifest)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", manifest.display()));
    let mut table = String::from("&[\n");
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let (name, hashed) = line
            .split_once('\t')
            .unwrap_or_else(|| panic!("{}: bad line {line:?}", manifest.display()));
        let file = |suffix: &str| {
            format!("include_bytes!(concat!(env!(\"OUT_DIR\"), \"/assets/{hashed}{suffix}\"))")
        };
        table.push_str(&format!(
            "    ({name:?}, {hashed:?}, {}, {}, {}),\n",
            file(""),
            file(".gz"),
            file(".br")
        ));
    }
    table.push(']');
    table
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

/// Emits `STATUSDATA_VERSION` (the crate's version, or `STATUSDATA_BUILD_VERSION` when a build
/// sets it, e.g. to rehearse an upgrade) and `STATUSDATA_COMMIT` (`git rev-parse --short HEAD`, or
/// "unknown" when the source is not a git checkout or git is missing: never a build failure).
fn stamp_version() {
    println!("cargo:rerun-if-env-changed=STATUSDATA_BUILD_VERSION");
    let version = std::env::var("STATUSDATA_BUILD_VERSION")
        .ok()
        .filter(|v| !v.trim().is_empty())
        .unwrap_or_else(|| std::env::var("CARGO_PKG_VERSION").unwrap_or_else(|_| "0.0.0".into()));
    println!("cargo:rustc-env=STATUSDATA_VERSION={}", version.trim());
    let git = |args: &[&str]| -> Option<String> {
        let out = Command::new("git").args(args).output().ok()?;
        let text = String::from_utf8(out.stdout).ok()?.trim().to_owned();
        (out.status.success() && !text.is_empty()).then_some(text)
    };
    let commit = git(&["rev-parse", "--short", "HEAD"]).unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=STATUSDATA_COMMIT={commit}");
    // A new commit moves HEAD or the branch it names (a worktree keeps HEAD apart from the refs).
    let mut watched = vec![git(&["rev-parse", "--git-path", "HEAD"])];
    if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
        watched.push(git(&["rev-parse", "--git-path", &branch]));
        watched.push(git(&["rev-parse", "--git-path", "packed-refs"]));
    }
    // Only paths that exist: cargo reruns the script on every build for a missing one.
    for path in watched
        .into_iter()
        .flatten()
        .filter(|p| Path::new(p).exists())
    {
        println!("cargo:rerun-if-changed={path}");
    }
}
