//! The first steps of the CASE import: the package's JSON, its keys, its `CFDocument`, its
//! rubrics (reported, not imported) and its `CFItems`, each with its place in the file.

use serde_json::Value;

use super::super::KNOWN_KEYS;
use super::super::format::{Document, Item, Package, Placed, json_reason, offset_of};
use crate::standards::import::{ImportFailed, Problem, position_at};
use crate::standards::position::Position;

/// The package as read, its document, where the document starts, and the problems so far.
pub(super) struct Parsed<'a> {
    pub(super) package: Package<'a>,
    pub(super) document: Document,
    pub(super) document_position: Position,
    pub(super) problems: Vec<Problem>,
}

fn fail(position: Position, element: &str, reason: String) -> ImportFailed {
    ImportFailed(Problem {
        position: Some(position),
        element: element.to_owned(),
        reason,
    })
}

/// Reads the package and its document; keys CASE does not know and rubrics are reported.
pub(super) fn parse(text: &str) -> Result<Parsed<'_>, ImportFailed> {
    let package: Package = serde_json::from_str(text).map_err(|error| {
        let position = Position {
            line: error.line().max(1),
            column: error.column().max(1),
        };
        fail(
            position,
            "",
            format!(
                "not a CASE 1.1 CFPackage (JSON with CFDocument, CFItems, CFAssociations): {error}"
            ),
        )
    })?;
    let mut problems = Vec::new();
    if let Ok(Value::Object(top)) = serde_json::from_str::<Value>(text) {
        for key in top.keys() {
            if !KNOWN_KEYS.contains(&key.as_str()) {
                problems.push(Problem {
                    position: None,
                    element: key.clone(),
                    reason: "not part of a CASE 1.1 CFPackage; not imported".into(),
                });
            }
        }
    }
    let document_position = position_at(text, offset_of(text, package.document));
    let document: Document = serde_json::from_str(package.document.get()).map_err(|error| {
        fail(
            document_position,
            "CFDocument",
            format!("not readable: {error}"),
        )
    })?;
    for (i, rubric) in package.rubrics.iter().enumerate() {
        problems.push(Problem {
            position: Some(position_at(text, offset_of(text, rubric))),
            element: format!("CFRubrics[{i}]"),
            reason: "rubrics are not imported: evidence rules are written by a person".into(),
        });
    }
    Ok(Parsed {
        package,
        document,
        document_position,
        problems,
    })
}

/// The readable `CFItems`, in file order; an unreadable one is reported and left out.
pub(super) fn read_items(
    text: &str,
    package: &Package<'_>,
    problems: &mut Vec<Problem>,
) -> Vec<Placed> {
    let mut items: Vec<Placed> = Vec::new();
    for (i, raw) in package.items.iter().enumerate() {
        let position = position_at(text, offset_of(text, raw));
        match serde_json::from_str::<Item>(raw.get()) {
            Ok(item) => items.push(Placed {
                item,
                position,
                element: format!("CFItems[{i}]"),
            }),
            Err(error) => problems.push(Problem {
                position: Some(position),
                element: format!("CFItems[{i}]"),
                reason: format!(
                    "not readable as a CFItem ({}); not imported",
                    json_reason(&error)
                ),
            }),
        }
    }
    items
}
