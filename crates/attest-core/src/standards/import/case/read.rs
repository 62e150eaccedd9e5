//! Reading a CASE 1.1 `CFPackage`: [`import_case`], one function that walks the package in file
//! order (kept whole: this file is a move, not a rewrite).

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use super::builder::Builder;
use super::format::{
    Association, Document, Item, Package, Placed, date_prefix, is_knowledge, item_type,
    json_reason, offset_of,
};
use super::{ATTRIBUTE_TYPE, KNOWN_KEYS, RULE_TYPE, RULES_GROUP_TYPE};
use crate::standards::import::{
    ImportFailed, ImportOptions, Imported, Problem, blank, draft_rules, html_to_text, position_at,
};
use crate::standards::model::{Criterion, Outcome, SourceField, Status};
use crate::standards::position::Position;

/// Reads a CASE 1.1 `CFPackage` JSON document.
pub fn import_case(text: &str, options: &ImportOptions) -> Result<Imported, ImportFailed> {
    let fail = |position: Position, element: &str, reason: String| {
        ImportFailed(Problem {
            position: Some(position),
            element: element.to_owned(),
            reason,
        })
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
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
    let by_id: HashMap<&str, usize> = items
        .iter()
        .enumerate()
        .map(|(i, placed)| (placed.item.identifier.as_str(), i))
        .collect();
    // parent item index (None = the document) → children (sequence, file order, child index)
    let mut children: HashMap<Option<usize>, Vec<(i64, usize, usize)>> = HashMap::new();
    let mut parent_of: HashMap<usize, Option<usize>> = HashMap::new();
    for (i, raw) in package.associations.iter().enumerate() {
        let position = Some(position_at(text, offset_of(text, raw)));
        let element = format!("CFAssociations[{i}]");
        let association = match serde_json::from_str::<Association>(raw.get()) {
            Ok(association) => association,
            Err(error) => {
                problems.push(Problem {
                    position,
                    element,
                    reason: format!(
                        "not readable as a CFAssociation ({}); not imported",
                        json_reason(&error)
                    ),
                });
                continue;
            }
        };
        if association.association_type != "isChildOf" {
            problems.push(Problem {
                position,
                element,
                reason: format!(
                    "association type `{}` has no place in a standard; not imported",
                    association.association_type
                ),
            });
            continue;
        }
        let Some(&child) = by_id.get(association.origin.identifier.as_str()) else {
            problems.push(Problem {
                position,
                element,
                reason: format!(
                    "its origin `{}` is not an item of this package; not imported",
                    association.origin.identifier
                ),
            });
            continue;
        };
        let parent = if association.destination.identifier == document.identifier {
            None
        } else if let Some(&parent) = by_id.get(association.destination.identifier.as_str()) {
            Some(parent)
        } else {
            problems.push(Problem {
                position,
                element,
                reason: format!(
                    "its destination `{}` is neither the document nor an item of this package; not imported",
                    association.destination.identifier
                ),
            });
            continue;
        };
        if parent_of.contains_key(&child) {
            problems.push(Problem {
                position,
                element,
                reason: format!(
                    "item `{}` already has a parent; this second one is not used",
                    association.origin.identifier
                ),
            });
            continue;
        }
        parent_of.insert(child, parent);
        children.entry(parent).or_default().push((
            association.sequence_number.unwrap_or(i64::MAX),
            i,
            child,
        ));
    }
    // Items with no parent at all hang from the document, after those placed there.
    for i in 0..items.len() {
        if !parent_of.contains_key(&i) {
            children
                .entry(None)
                .or_default()
                .push((i64::MAX, usize::MAX, i));
        }
    }
    for list in children.values_mut() {
        list.sort_by_key(|&(sequence, order, child)| (sequence, order, child));
    }
    let kids = |parent: Option<usize>| -> Vec<usize> {
        children
            .get(&parent)
            .map(|list| list.iter().map(|&(_, _, child)| child).collect())
            .unwrap_or_default()
    };

    let mut builder = Builder {
        items: &items,
        problems: &mut problems,
        used: HashSet::new(),
        ids: HashSet::new(),
        rules: Vec::new(),
        attributes: Vec::new(),
    };
    // Restore exported evidence rules and attributes wherever they sit.
    for (i, placed) in items.iter().enumerate() {
        match item_type(&placed.item).as_str() {
            RULE_TYPE | ATTRIBUTE_TYPE => builder.restore(i),
            RULES_GROUP_TYPE => {
                builder.used.insert(i);
            }
            _ => {}
        }
    }
    let structural = |list: Vec<usize>| -> Vec<usize> {
        list.into_iter()
            .filter(|&i| {
                !matches!(
                    item_type(&items[i].item).as_str(),
                    RULE_TYPE | ATTRIBUTE_TYPE | RULES_GROUP_TYPE
                )
            })
            .collect()
    };
    let roots = structural(kids(None));
    let unit = match roots.as_slice() {
        [only]
            if !structural(kids(Some(*only))).is_empty() && !is_knowledge(&items[*only].item) =>
        {
            Some(*only)
        }
        _ => None,
    };
    let code = options
        .code
        .clone()
        .or_else(|| unit.and_then(|u| items[u].item.human_coding_scheme.clone()))
        .unwrap_or_else(|| {
            builder.problems.push(Problem {
                position: Some(document_position),
                element: "CFDocument".into(),
                reason: "the package names no code for the unit (a single top item with a humanCodingScheme); \
                         the document identifier is used: give one with --code"
                    .into(),
            });
            document.identifier.clone()
        });
    let (version, version_note) = match (options.version, document.version.as_deref()) {
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
    };
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
        Some("Adopted") if builder.rules.is_empty() => Status::Draft,
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
        .and_then(|d| date_prefix(d, builder.problems, document_position, "statusStartDate"));
    standard.dates.last_date_for_assessment = document
        .status_end_date
        .as_deref()
        .and_then(|d| date_prefix(d, builder.problems, document_position, "statusEndDate"));
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
    standard.source_fields = fields;
    standard.encoding_notes.push(format!(
        "Imported from a CASE 1.1 CFPackage: {} top items, their children criteria; \
         knowledge items are the items whose CFItemType mentions knowledge.",
        if unit.is_some() {
            "the unit's children are outcomes"
        } else {
            "outcomes are the document's"
        }
    ));
    if let Some(u) = unit {
        builder.used.insert(u);
    }
    let outcome_items = match unit {
        Some(u) => structural(kids(Some(u))),
        None => roots,
    };
    for (n, o) in outcome_items.into_iter().enumerate() {
        builder.used.insert(o);
        let under = structural(kids(Some(o)));
        if is_knowledge(&items[o].item) {
            if under.is_empty() {
                let id = builder.id_for(o, &format!("K{}", standard.knowledge.len() + 1));
                standard.knowledge.push(builder.knowledge(o, id));
            }
            for k in under {
                builder.used.insert(k);
                let id = builder.id_for(k, &format!("K{}", standard.knowledge.len() + 1));
                standard.knowledge.push(builder.knowledge(k, id));
                builder.report_below(k, &kids);
            }
            continue;
        }
        if under.is_empty() {
            builder.problems.push(Problem {
                position: Some(items[o].position),
                element: items[o].element.clone(),
                reason: "an outcome-level item with no children (an outcome without criteria); not imported".into(),
            });
            continue;
        }
        let outcome_id = builder.id_for(o, &format!("O{}", n + 1));
        let mut outcome = Outcome {
            id: outcome_id.clone(),
            label: items[o]
                .item
                .list_enumeration
                .clone()
                .filter(|l| *l != outcome_id),
            title: html_to_text(&items[o].item.full_statement),
            criteria: Vec::new(),
            range: Vec::new(),
        };
        for (m, c) in under.into_iter().enumerate() {
            builder.used.insert(c);
            if is_knowledge(&items[c].item) {
                let id = builder.id_for(c, &format!("K{}", standard.knowledge.len() + 1));
                standard.knowledge.push(builder.knowledge(c, id));
                builder.report_below(c, &kids);
                continue;
            }
            let id = builder.id_for(c, &format!("{outcome_id}.{}", m + 1));
            outcome.criteria.push(Criterion {
                label: items[c].item.list_enumeration.clone().filter(|l| *l != id),
                id,
                text: html_to_text(&items[c].item.full_statement),
                condition: None,
                range: Vec::new(),
            });
            builder.report_below(c, &kids);
        }
        if outcome.criteria.is_empty() {
            builder.problems.push(Problem {
                position: Some(items[o].position),
                element: items[o].element.clone(),
                reason: "an outcome whose children are all knowledge items: its title is not kept"
                    .into(),
            });
        } else {
            standard.outcomes.push(outcome);
        }
    }
    for (i, placed) in items.iter().enumerate() {
        if !builder.used.contains(&i) {
            builder.problems.push(Problem {
                position: Some(placed.position),
                element: placed.element.clone(),
                reason: "not reached from the document by isChildOf associations; not imported"
                    .into(),
            });
        }
    }
    let restored_rules = std::mem::take(&mut builder.rules);
    let restored_attributes = std::mem::take(&mut builder.attributes);
    let draft = restored_rules.is_empty();
    if draft {
        standard.rules = draft_rules(
            &standard,
            &document.title,
            &format!("CASE CFDocument {}", document.identifier),
        );
    } else {
        standard.rules = restored_rules;
        standard.attributes = restored_attributes;
    }
    problems.sort_by_key(|p| p.position);
    Ok(Imported {
        standard,
        problems,
        draft_rules: draft,
        source_format: "CASE 1.1 CFPackage",
    })
}
