//! The standard's description from the `CFDocument`: code, version, framework, status, purpose,
//! dates and the document's other fields kept as source fields.

use super::super::format::{Document, Item, date_prefix};
use crate::standards::import::{ImportOptions, Problem, blank, html_to_text};
use crate::standards::model::{SourceField, Standard, Status};
use crate::standards::position::Position;

/// A standard with no outcomes yet, described by the document (and the unit's coding scheme, or
/// the options, for its code). `has_rules`: whether the package carries exported evidence rules.
pub(super) fn describe(
    document: &Document,
    document_position: Position,
    options: &ImportOptions,
    unit: Option<&Item>,
    has_rules: bool,
    problems: &mut Vec<Problem>,
) -> Standard {
    let code = options
        .code
        .clone()
        .or_else(|| unit.and_then(|u| u.human_coding_scheme.clone()))
        .unwrap_or_else(|| {
            problems.push(Problem {
                position: Some(document_position),
                element: "CFDocument".into(),
                reason: "the package names no code for the unit (a single top item with a humanCodingScheme); \
                         the document identifier is used: give one with --code"
                    .into(),
            });
            document.identifier.clone()
        });
    let (version, version_note) = version(options, document);
    let framework = options
        .framework
        .clone()
        .or_else(|| document.publisher.clone())
        .or_else(|| document.creator.clone())
        .unwrap_or_else(|| "CASE".into());
    let mut standard = blank(framework, code, version, document.title.clone());
    if let Some(note) = version_note {
        standard.encoding_notes.push(note);
    }
    standard.status = Some(match document.adoption_status.as_deref() {
        Some("Adopted") if !has_rules => Status::Draft,
        Some("Adopted") => Status::Current,
        Some("Deprecated") => Status::Expiring,
        _ => Status::Draft,
    });
    standard.originating_body = document.creator.clone();
    standard.purpose = document
        .description
        .as_deref()
        .map(html_to_text)
        .filter(|text| !text.is_empty());
    standard.dates.registered = document
        .status_start_date
        .as_deref()
        .and_then(|d| date_prefix(d, problems, document_position, "statusStartDate"));
    standard.dates.last_date_for_assessment = document
        .status_end_date
        .as_deref()
        .and_then(|d| date_prefix(d, problems, document_position, "statusEndDate"));
    standard.source_fields = source_fields(document);
    standard.encoding_notes.push(format!(
        "Imported from a CASE 1.1 CFPackage: {} top items, their children criteria; \
         knowledge items are the items whose CFItemType mentions knowledge.",
        if unit.is_some() {
            "the unit's children are outcomes"
        } else {
            "outcomes are the document's"
        }
    ));
    standard
}

/// The version the options give, else the document's leading digits, else 1 (with a note why).
fn version(options: &ImportOptions, document: &Document) -> (u32, Option<String>) {
    match (options.version, document.version.as_deref()) {
        (Some(version), _) => (version, None),
        (None, Some(text)) => {
            let digits: String = text
                .trim()
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            match digits.parse::<u32>() {
                Ok(version) if version > 0 => (version, None),
                _ => (
                    1,
                    Some(format!(
                        "The CFDocument version `{text}` is not a whole number; version 1 was assumed."
                    )),
                ),
            }
        }
        (None, None) => (
            1,
            Some("The CFDocument gives no version; version 1 was assumed.".into()),
        ),
    }
}

/// The document's identifier, links, adoption status, notes and subjects, verbatim.
fn source_fields(document: &Document) -> Vec<SourceField> {
    let mut fields = vec![SourceField {
        label: "CASE CFDocument identifier".into(),
        value: document.identifier.clone(),
    }];
    for (label, value) in [
        ("CASE CFDocument uri", &document.uri),
        ("Official source URL", &document.official_source_url),
        ("Adoption status", &document.adoption_status),
        ("Notes", &document.notes),
    ] {
        if let Some(value) = value {
            fields.push(SourceField {
                label: label.into(),
                value: value.clone(),
            });
        }
    }
    if !document.subject.is_empty() {
        fields.push(SourceField {
            label: "Subject".into(),
            value: document.subject.join(", "),
        });
    }
    fields
}
