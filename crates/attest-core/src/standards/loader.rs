//! Reads standards from YAML files, strictly: unknown fields, duplicate keys, dangling references
//! and the other problems [`super::validate`] finds are errors, each reported as
//! `file:line:column: path: reason`, and every error of a folder is reported in one run.
//!
//! Reading is three passes over one file: saphyr-parser for syntax and node positions, serde_yaml
//! into a `Value` and serde_path_to_error into the model (so a deserialization error names its
//! document path), then the cross-checks.

use std::fmt;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::access::normalise_code;
use super::model::Standard;
use super::position::{Position, PositionIndex};
use super::validate::validate;

/// A standard read from a file.
#[derive(Clone, Debug, PartialEq)]
pub struct LoadedStandard {
    /// The standard.
    pub standard: Standard,
    /// The file it was read from.
    pub path: PathBuf,
    /// SHA-256 of the file's bytes, lowercase hex.
    pub content_hash: String,
}

/// One problem in one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadError {
    /// The file (or folder) at fault.
    pub file: PathBuf,
    /// Where in the file; absent when the file could not be read at all.
    pub position: Option<Position>,
    /// The document path, e.g. `outcomes[0].criteria[2].range`; empty for the file as a whole.
    pub path: String,
    /// What is wrong.
    pub reason: String,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(position) = self.position {
            write!(f, ":{}:{}", position.line, position.column)?;
        }
        if !self.path.is_empty() {
            write!(f, ": {}", self.path)?;
        }
        write!(f, ": {}", self.reason)
    }
}

/// Every problem found in a run; displayed one per line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadErrors(pub Vec<LoadError>);

impl fmt::Display for LoadErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, error) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{error}")?;
        }
        Ok(())
    }
}

impl std::error::Error for LoadErrors {}

impl LoadErrors {
    /// The errors, one per line, as they are displayed.
    pub fn lines(&self) -> Vec<String> {
        self.0.iter().map(ToString::to_string).collect()
    }
}

/// Reads and checks one standard file.
pub fn load_file(path: &Path) -> Result<LoadedStandard, LoadErrors> {
    let bytes = super::limits::read_bounded(path).map_err(|error| {
        LoadErrors(vec![whole_file(path, format!("cannot read file: {error}"))])
    })?;
    load_bytes(path, &bytes).map_err(LoadErrors)
}

/// Reads and checks every `.yaml` file of a folder (not its subfolders), sorted by code then
/// version. Other files, such as `schema.json`, are skipped.
pub fn load_dir(dir: &Path) -> Result<Vec<LoadedStandard>, LoadErrors> {
    let files = yaml_files(dir).map_err(|reason| LoadErrors(vec![whole_file(dir, reason)]))?;
    let mut loaded = Vec::new();
    let mut errors = Vec::new();
    for file in files {
        match load_file(&file) {
            Ok(standard) => loaded.push(standard),
            Err(LoadErrors(found)) => errors.extend(found),
        }
    }
    errors.extend(clashes(&loaded));
    if !errors.is_empty() {
        return Err(LoadErrors(errors));
    }
    loaded.sort_by(|a, b| {
        (&a.standard.code, a.standard.version).cmp(&(&b.standard.code, b.standard.version))
    });
    Ok(loaded)
}

/// Reads a standard from `bytes`, reporting problems against `path`.
pub fn load_bytes(path: &Path, bytes: &[u8]) -> Result<LoadedStandard, Vec<LoadError>> {
    if let Some((position, reason)) = super::limits::oversize(bytes) {
        return Err(vec![LoadError {
            file: path.to_owned(),
            position: Some(position),
            path: String::new(),
            reason,
        }]);
    }
    let content_hash = hex::encode(Sha256::digest(bytes));
    let text = std::str::from_utf8(bytes).map_err(|error| {
        let reason = format!("the file is not UTF-8 text: {error}");
        vec![whole_file(path, reason)]
    })?;
    let standard = parse(path, text)?;
    Ok(LoadedStandard {
        standard,
        path: path.to_owned(),
        content_hash,
    })
}

fn parse(path: &Path, text: &str) -> Result<Standard, Vec<LoadError>> {
    let at = |position: Position, doc_path: String, reason: String| LoadError {
        file: path.to_owned(),
        position: Some(position),
        path: doc_path,
        reason,
    };
    let index = PositionIndex::build(text).map_err(|issues| {
        issues
            .into_iter()
            .map(|issue| at(issue.position, issue.path, issue.reason))
            .collect::<Vec<_>>()
    })?;
    let value: serde_yaml::Value = serde_yaml::from_str(text).map_err(|error| {
        let position = error
            .location()
            .map_or(Position::START, |location| Position {
                line: location.line(),
                column: location.column(),
            });
        vec![at(position, String::new(), without_location(&error))]
    })?;
    let standard: Standard = serde_path_to_error::deserialize(value).map_err(|error| {
        let doc_path = document_path(error.path());
        let position = index.locate(&doc_path);
        vec![at(position, doc_path, error.into_inner().to_string())]
    })?;
    let mut errors: Vec<LoadError> = validate(&standard)
        .into_iter()
        .map(|issue| at(index.locate(&issue.path), issue.path, issue.reason))
        .collect();
    if errors.is_empty() {
        return Ok(standard);
    }
    errors.sort_by_key(|error| error.position);
    Err(errors)
}

/// serde_path_to_error's path in the form the index uses (`a.b[0].c`; the root is empty).
fn document_path(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for segment in path {
        match segment {
            Segment::Seq { index } => out.push_str(&format!("[{index}]")),
            Segment::Map { key } => push_key(&mut out, key),
            Segment::Enum { variant } => push_key(&mut out, variant),
            Segment::Unknown => push_key(&mut out, "?"),
        }
    }
    out
}

fn push_key(out: &mut String, key: &str) {
    if !out.is_empty() {
        out.push('.');
    }
    out.push_str(key);
}

/// serde_yaml's message without the position it appends (the loader prints its own).
fn without_location(error: &serde_yaml::Error) -> String {
    let message = error.to_string();
    match error.location() {
        Some(location) => {
            let suffix = format!(" at line {} column {}", location.line(), location.column());
            message.replacen(&suffix, "", 1)
        }
        None => message,
    }
}

fn whole_file(path: &Path, reason: String) -> LoadError {
    LoadError {
        file: path.to_owned(),
        position: None,
        path: String::new(),
        reason,
    }
}

fn yaml_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let entries = std::fs::read_dir(dir).map_err(|error| format!("cannot read folder: {error}"))?;
    let mut files = Vec::new();
    for entry in entries {
        let path = entry
            .map_err(|error| format!("cannot read folder: {error}"))?
            .path();
        if path.is_file() && path.extension().is_some_and(|ext| ext == "yaml") {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// Two files that claim the same (code, version), or two standards that share a code or alias:
/// `find` could not tell them apart.
fn clashes(loaded: &[LoadedStandard]) -> Vec<LoadError> {
    let mut errors = Vec::new();
    for (i, later) in loaded.iter().enumerate() {
        for earlier in &loaded[..i] {
            let (a, b) = (&earlier.standard, &later.standard);
            let Some(shared) = names(a).into_iter().find(|name| names(b).contains(name)) else {
                continue;
            };
            let same_code = normalise_code(&a.code) == normalise_code(&b.code);
            let (path, reason) = if same_code && a.version == b.version {
                let reason = format!(
                    "{} version {} is also defined in {}",
                    b.code,
                    b.version,
                    earlier.path.display()
                );
                ("code", reason)
            } else if same_code {
                continue;
            } else {
                let reason = format!(
                    "`{shared}` also names {} in {}",
                    a.code,
                    earlier.path.display()
                );
                let b_code_clashes = names(a).contains(&normalise_code(&b.code));
                (if b_code_clashes { "code" } else { "aliases" }, reason)
            };
            errors.push(LoadError {
                file: later.path.clone(),
                position: Some(locate_in(later, path)),
                path: path.to_owned(),
                reason,
            });
        }
    }
    errors
}

/// The normalised code and aliases of a standard.
fn names(standard: &Standard) -> Vec<String> {
    std::iter::once(&standard.code)
        .chain(&standard.aliases)
        .map(|name| normalise_code(name))
        .collect()
}

/// The position of `doc_path` in a file already loaded (read again: clashes are rare).
fn locate_in(loaded: &LoadedStandard, doc_path: &str) -> Position {
    std::fs::read_to_string(&loaded.path)
        .ok()
        .and_then(|text| PositionIndex::build(&text).ok())
        .map_or(Position::START, |index| index.locate(doc_path))
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALID: &str = "\
framework: TEST
code: T1
version: 1
title: Test
outcomes:
  - id: \"1\"
    title: Do it.
    criteria:
      - id: \"1.1\"
        text: Do it well.
";

    fn errors(text: &str) -> Vec<String> {
        load_bytes(Path::new("t.yaml"), text.as_bytes())
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn a_valid_file_loads_with_the_hash_of_its_bytes() {
        let loaded = load_bytes(Path::new("t.yaml"), VALID.as_bytes()).unwrap();
        assert_eq!(loaded.standard.code, "T1");
        assert_eq!(loaded.content_hash.len(), 64);
        let other = load_bytes(Path::new("t.yaml"), format!("{VALID}\n").as_bytes()).unwrap();
        assert_ne!(loaded.content_hash, other.content_hash);
    }

    #[test]
    fn an_error_inside_a_check_names_the_field_and_its_position() {
        let text = format!(
            "{VALID}rules:\n  - id: R1\n    checks:\n      - min_instances: {{mni: 2}}\n    \
             source: {{verbatim: v, locator: l, binding: binding, confidence: explicit}}\n"
        );
        assert_eq!(
            errors(&text),
            [
                "t.yaml:14:25: rules[0].checks[0].min_instances.mni: unknown field `mni`, expected one of `min`, `where`, `noun`"
            ]
        );
    }

    #[test]
    fn a_number_where_text_is_expected_is_refused() {
        let text = VALID.replace("id: \"1.1\"", "id: 1.10");
        assert_eq!(
            errors(&text),
            [
                "t.yaml:9:9: outcomes[0].criteria[0].id: invalid type: floating point `1.1`, expected a string"
            ]
        );
    }

    #[test]
    fn an_empty_file_and_bytes_that_are_not_text_are_errors() {
        assert_eq!(errors(""), ["t.yaml:1:1: missing field `framework`"]);
        let not_utf8 = load_bytes(Path::new("t.yaml"), &[0xff, 0xfe]).unwrap_err();
        assert!(
            not_utf8[0]
                .to_string()
                .starts_with("t.yaml: the file is not UTF-8 text")
        );
    }

    #[test]
    fn errors_display_one_per_line() {
        let errors = LoadErrors(vec![
            LoadError {
                file: "a.yaml".into(),
                position: Some(Position { line: 3, column: 5 }),
                path: "code".into(),
                reason: "bad".into(),
            },
            LoadError {
                file: "b".into(),
                position: None,
                path: String::new(),
                reason: "cannot read".into(),
            },
        ]);
        assert_eq!(errors.to_string(), "a.yaml:3:5: code: bad\nb: cannot read");
    }
}
