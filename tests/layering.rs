//! One-way dependencies inside `src/http` (issue 19): the page handlers and the API handlers are
//! siblings, and what both use lives below both in `http/shared`. A page module that reached into
//! `http/api` (or `shared` into either) would tie a screen to a JSON handler's shape again, so this
//! reads the sources and names every such path.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`, depth first.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// The lines of `source` that name the sibling module `module` of `crate::http` (`api`, `pages`):
/// `crate::http::api::…`, `http::{api, …}`, `super::api` or `super::super::api` … Comments are
/// left out, so a doc may still mention the API.
fn naming(source: &str, module: &str) -> Vec<String> {
    // `use` trees may break over lines: read the code with the line breaks folded, comments gone.
    let code: Vec<&str> = source
        .lines()
        .map(|line| line.split("//").next().unwrap_or_default())
        .collect();
    let folded = code.join(" ");
    let folded: String = folded.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut hits = Vec::new();
    let direct = format!("http::{module}");
    let mut rest = folded.as_str();
    while let Some(at) = rest.find(&direct) {
        let after = &rest[at + direct.len()..];
        if !after.starts_with(|c: char| c.is_alphanumeric() || c == '_') {
            hits.push(rest[at..].chars().take(60).collect());
        }
        rest = after;
    }
    // A group under `http`: `crate::http::{api, AppState}` or `crate::http::{ api::x, … }`.
    let mut rest = folded.as_str();
    while let Some(at) = rest.find("http::{") {
        let group = &rest[at + "http::{".len()..];
        let group = group.split('}').next().unwrap_or_default();
        if group
            .split([',', '{', ' '])
            .any(|item| item == module || item.starts_with(&format!("{module}::")))
        {
            hits.push(format!("http::{{{group}}}"));
        }
        rest = &rest[at + "http::{".len()..];
    }
    // Relative paths: from `pages/x.rs` the API is `super::api`, from `pages/x/y.rs` it is
    // `super::super::api`, and so on.
    let relative = format!("super::{module}");
    let mut rest = folded.as_str();
    while let Some(at) = rest.find(&relative) {
        let after = &rest[at + relative.len()..];
        if !after.starts_with(|c: char| c.is_alphanumeric() || c == '_') {
            hits.push(rest[at..].chars().take(60).collect());
        }
        rest = after;
    }
    hits
}

fn src(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src").join(path)
}

/// The finder itself: each way of writing the path is caught, and a look-alike name is not.
#[test]
fn the_finder_names_each_way_of_importing_a_sibling() {
    for bad in [
        "use crate::http::api::path_id;",
        "use crate::http::api;",
        "let id = crate::http::api::path_id(&raw)?;",
        "use crate::http::{AppState, api};",
        "use crate::http::{\n    AppState,\n    api::enrolments::authorize,\n};",
        "use super::api::path_id;",
        "use super::super::api::enrolments;",
    ] {
        assert_eq!(naming(bad, "api").len(), 1, "not caught: {bad}");
    }
    for fine in [
        "use crate::http::shared::path_id;",
        "use crate::http::{ApiError, AppState};",
        "use crate::http::apis;",
        "/// Like `crate::http::api::path_id`, for pages.",
        "use super::super::form::Fields; // not super::api",
    ] {
        assert_eq!(naming(fine, "api"), Vec::<String>::new(), "caught: {fine}");
    }
}

/// No file under `src/http/pages` imports from `src/http/api`, and `src/http/shared` (below both)
/// imports from neither.
#[test]
fn pages_never_import_from_the_api_and_shared_helpers_from_neither() {
    let rules = [
        ("http/pages", &["api"][..]),
        ("http/shared", &["api", "pages"][..]),
    ];
    let mut broken = Vec::new();
    for (dir, forbidden) in rules {
        let files = rust_files(&src(dir));
        assert!(
            files.len() > 5,
            "only {} files under src/{dir}",
            files.len()
        );
        for file in files {
            let source = std::fs::read_to_string(&file).unwrap();
            for module in forbidden {
                for hit in naming(&source, module) {
                    broken.push(format!("{}: {hit}", file.display()));
                }
            }
        }
    }
    assert!(
        broken.is_empty(),
        "move what both use into src/http/shared:\n{}",
        broken.join("\n")
    );
}
