//! 1EdTech CASE 1.1: a `CFPackage` (`CFDocument`, `CFItems`, `CFAssociations`, optional
//! `CFDefinitions` and `CFRubrics`), read into a standard and written from one.
//!
//! The `isChildOf` associations make the tree. Where the document holds a single top item with
//! children (the unit itself, as [`export_case`] writes it), its `humanCodingScheme` is the code
//! and its children are the outcomes; otherwise the top items are the outcomes. An outcome's
//! children are its criteria; an item whose `CFItemType` mentions knowledge holds knowledge items
//! (or is one). Items of type `Evidence rule` / `Evidence attribute` (what the export writes)
//! carry the rule or attribute as JSON in their `notes` and are restored as such.

use std::collections::{HashMap, HashSet};

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::super::model::{
    Attribute, Criterion, KnowledgeItem, Outcome, SourceField, Standard, Status,
};
use super::super::position::Position;
use super::super::rule::Rule;
use super::{
    ImportFailed, ImportOptions, Imported, Problem, blank, clean_id, draft_rules, html_to_text,
    position_at,
};

const RULE_TYPE: &str = "Evidence rule";
const ATTRIBUTE_TYPE: &str = "Evidence attribute";
const RULES_GROUP_TYPE: &str = "Evidence rules";
const KNOWN_KEYS: [&str; 5] = [
    "CFDocument",
    "CFItems",
    "CFAssociations",
    "CFDefinitions",
    "CFRubrics",
];

#[derive(Deserialize)]
struct Package<'a> {
    #[serde(rename = "CFDocument", borrow)]
    document: &'a RawValue,
    #[serde(rename = "CFItems", default, borrow)]
    items: Vec<&'a RawValue>,
    #[serde(rename = "CFAssociations", default, borrow)]
    associations: Vec<&'a RawValue>,
    #[serde(rename = "CFRubrics", default, borrow)]
    rubrics: Vec<&'a RawValue>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Document {
    identifier: String,
    title: String,
    #[serde(default)]
    uri: Option<String>,
    #[serde(default)]
    creator: Option<String>,
    #[serde(default)]
    publisher: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    adoption_status: Option<String>,
    #[serde(default)]
    status_start_date: Option<String>,
    #[serde(default)]
    status_end_date: Option<String>,
    #[serde(default, rename = "officialSourceURL")]
    official_source_url: Option<String>,
    #[serde(default)]
    notes: Option<String>,
    #[serde(default)]
    subject: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Item {
    identifier: String,
    full_statement: String,
    #[serde(default)]
    human_coding_scheme: Option<String>,
    #[serde(default)]
    list_enumeration: Option<String>,
    #[serde(default, rename = "CFItemType")]
    item_type: Option<String>,
    #[serde(default)]
    notes: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Association {
    association_type: String,
    #[serde(rename = "originNodeURI")]
    origin: NodeRef,
    #[serde(rename = "destinationNodeURI")]
    destination: NodeRef,
    #[serde(default)]
    sequence_number: Option<i64>,
}

#[derive(Deserialize)]
struct NodeRef {
    identifier: String,
}

struct Placed {
    item: Item,
    position: Position,
    element: String,
}

/// serde_json's message without the position it appends (relative to the element; the
/// problem carries the element's own position).
fn json_reason(error: &serde_json::Error) -> String {
    let message = error.to_string();
    let suffix = format!(" at line {} column {}", error.line(), error.column());
    message.replacen(&suffix, "", 1)
}

fn offset_of(text: &str, raw: &RawValue) -> usize {
    (raw.get().as_ptr() as usize).saturating_sub(text.as_ptr() as usize)
}

fn item_type(item: &Item) -> String {
    item.item_type.clone().unwrap_or_default()
}

fn is_knowledge(item: &Item) -> bool {
    item_type(item).to_ascii_lowercase().contains("knowledge")
}

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

fn date_prefix(
    text: &str,
    problems: &mut Vec<Problem>,
    position: Position,
    field: &str,
) -> Option<super::super::model::PartialDate> {
    let date = super::super::model::PartialDate(text.chars().take(10).collect());
    if date.earliest().is_some() {
        Some(date)
    } else {
        problems.push(Problem {
            position: Some(position),
            element: format!("CFDocument.{field}"),
            reason: format!("`{text}` is not a date; not imported"),
        });
        None
    }
}

struct Builder<'a, 'p> {
    items: &'a [Placed],
    problems: &'p mut Vec<Problem>,
    used: HashSet<usize>,
    ids: HashSet<String>,
    rules: Vec<Rule>,
    attributes: Vec<Attribute>,
}

impl Builder<'_, '_> {
    /// The item's id: its humanCodingScheme (cleaned), else `fallback`; a clash is renamed and reported.
    fn id_for(&mut self, i: usize, fallback: &str) -> String {
        let placed = &self.items[i];
        let wanted = placed
            .item
            .human_coding_scheme
            .as_deref()
            .and_then(clean_id)
            .unwrap_or_else(|| fallback.to_owned());
        let mut id = wanted.clone();
        let mut n = 2;
        while self.ids.contains(&id) {
            id = format!("{wanted}_{n}");
            n += 1;
        }
        if id != wanted {
            self.problems.push(Problem {
                position: Some(placed.position),
                element: placed.element.clone(),
                reason: format!("the id `{wanted}` is used already; imported as `{id}`"),
            });
        }
        self.ids.insert(id.clone());
        id
    }

    fn knowledge(&self, i: usize, id: String) -> KnowledgeItem {
        let item = &self.items[i].item;
        KnowledgeItem {
            label: item.list_enumeration.clone().filter(|l| *l != id),
            id,
            text: html_to_text(&item.full_statement),
        }
    }

    fn report_below(&mut self, i: usize, kids: &dyn Fn(Option<usize>) -> Vec<usize>) {
        let mut stack = kids(Some(i));
        stack.reverse();
        while let Some(deeper) = stack.pop() {
            self.used.insert(deeper);
            let placed = &self.items[deeper];
            self.problems.push(Problem {
                position: Some(placed.position),
                element: placed.element.clone(),
                reason: format!(
                    "nested below criterion or knowledge item `{}`: a standard has outcomes and criteria only; not imported",
                    self.items[i].item.human_coding_scheme.as_deref().unwrap_or(&self.items[i].item.identifier)
                ),
            });
            let mut below = kids(Some(deeper));
            below.reverse();
            stack.extend(below);
        }
    }

    fn restore(&mut self, i: usize) {
        self.used.insert(i);
        let placed = &self.items[i];
        let notes = placed.item.notes.as_deref().unwrap_or("");
        let kind = item_type(&placed.item);
        let result = if kind == RULE_TYPE {
            serde_json::from_str::<Rule>(notes).map(|rule| self.rules.push(rule))
        } else {
            serde_json::from_str::<Attribute>(notes).map(|a| self.attributes.push(a))
        };
        if let Err(error) = result {
            self.problems.push(Problem {
                position: Some(placed.position),
                element: placed.element.clone(),
                reason: format!(
                    "an {kind} item whose notes are not its JSON ({error}); not imported"
                ),
            });
        }
    }
}

/// A stable identifier for one node of one standard version (a version 8 UUID from SHA-256), so
/// exporting the same version twice gives the same identifiers.
fn node_id(standard: &Standard, node: &str) -> String {
    let digest = Sha256::digest(
        format!(
            "attest:{}@{}/{node}",
            super::super::normalise_code(&standard.code),
            standard.version
        )
        .as_bytes(),
    );
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_custom_bytes(bytes)
        .into_uuid()
        .to_string()
}

/// Writes `standard` as a CASE 1.1 `CFPackage`: the document, one item for the unit (its code as
/// `humanCodingScheme`), its outcomes and their criteria, a "Knowledge and understanding" item
/// with the knowledge items, and the evidence rules and attributes as items whose `notes` hold
/// their JSON. `changed_at` is the `lastChangeDateTime` written on every node. Returns the
/// package and what CASE cannot carry (range lists, definitions, sign-off, guidance).
pub fn export_case(standard: &Standard, changed_at: &str) -> (Value, Vec<String>) {
    let doc_id = node_id(standard, "document");
    let doc_uri = format!("urn:uuid:{doc_id}");
    let doc_link = json!({"title": standard.title, "identifier": doc_id, "uri": doc_uri});
    let mut items: Vec<Value> = Vec::new();
    let mut associations: Vec<Value> = Vec::new();
    let mut add = |node: &str,
                   statement: &str,
                   coding: Option<&str>,
                   kind: &str,
                   parent: Option<(&str, &str)>,
                   sequence: usize,
                   notes: Option<String>,
                   label: Option<&str>| {
        let id = node_id(standard, node);
        let uri = format!("urn:uuid:{id}");
        let mut item = json!({
            "identifier": id,
            "uri": uri,
            "fullStatement": statement,
            "CFItemType": kind,
            "lastChangeDateTime": changed_at,
            "CFDocumentURI": doc_link,
        });
        if let Some(coding) = coding {
            item["humanCodingScheme"] = json!(coding);
        }
        if let Some(notes) = notes {
            item["notes"] = json!(notes);
        }
        if let Some(label) = label {
            item["listEnumeration"] = json!(label);
        }
        items.push(item);
        let destination = match parent {
            Some((parent_id, title)) => json!({
                "title": title,
                "identifier": parent_id,
                "uri": format!("urn:uuid:{parent_id}"),
            }),
            None => doc_link.clone(),
        };
        let association_id = node_id(standard, &format!("{node}/isChildOf"));
        associations.push(json!({
            "identifier": association_id,
            "uri": format!("urn:uuid:{association_id}"),
            "associationType": "isChildOf",
            "sequenceNumber": sequence,
            "originNodeURI": {"title": statement, "identifier": id, "uri": uri},
            "destinationNodeURI": destination,
            "lastChangeDateTime": changed_at,
            "CFDocumentURI": doc_link,
        }));
        id
    };
    let unit = add(
        "unit",
        &standard.title,
        Some(&standard.code),
        "Unit",
        None,
        1,
        None,
        None,
    );
    for (o, outcome) in standard.outcomes.iter().enumerate() {
        let outcome_node = add(
            &format!("outcome/{}", outcome.id),
            &outcome.title,
            Some(&outcome.id),
            "Outcome",
            Some((&unit, &standard.title)),
            o + 1,
            None,
            outcome.label.as_deref(),
        );
        for (c, criterion) in outcome.criteria.iter().enumerate() {
            add(
                &format!("criterion/{}", criterion.id),
                &criterion.text,
                Some(&criterion.id),
                "Performance criterion",
                Some((&outcome_node, &outcome.title)),
                c + 1,
                None,
                criterion.label.as_deref(),
            );
        }
    }
    let next = standard.outcomes.len() + 1;
    if !standard.knowledge.is_empty() {
        let group = add(
            "knowledge",
            "Knowledge and understanding",
            None,
            "Knowledge",
            Some((&unit, &standard.title)),
            next,
            None,
            None,
        );
        for (k, item) in standard.knowledge.iter().enumerate() {
            add(
                &format!("knowledge/{}", item.id),
                &item.text,
                Some(&item.id),
                "Knowledge item",
                Some((&group, "Knowledge and understanding")),
                k + 1,
                None,
                item.label.as_deref(),
            );
        }
    }
    if !standard.rules.is_empty() || !standard.attributes.is_empty() {
        let group = add(
            "rules",
            "Evidence rules",
            None,
            RULES_GROUP_TYPE,
            Some((&unit, &standard.title)),
            next + 1,
            None,
            None,
        );
        for (a, attribute) in standard.attributes.iter().enumerate() {
            add(
                &format!("attribute/{}", attribute.id),
                &attribute.label,
                Some(&attribute.id),
                ATTRIBUTE_TYPE,
                Some((&group, "Evidence rules")),
                a + 1,
                serde_json::to_string(attribute).ok(),
                None,
            );
        }
        for (r, rule) in standard.rules.iter().enumerate() {
            let statement = super::super::effective_rule(rule, &Default::default())
                .map(|effective| {
                    effective
                        .checks
                        .iter()
                        .map(super::super::describe)
                        .collect::<Vec<_>>()
                        .join("; ")
                })
                .unwrap_or_else(|_| rule.source.verbatim.clone());
            add(
                &format!("rule/{}", rule.id),
                &format!(
                    "{} (\"{}\", {})",
                    statement, rule.source.verbatim, rule.source.locator
                ),
                Some(&rule.id),
                RULE_TYPE,
                Some((&group, "Evidence rules")),
                standard.attributes.len() + r + 1,
                serde_json::to_string(rule).ok(),
                None,
            );
        }
    }
    let mut document = json!({
        "identifier": doc_id,
        "uri": doc_uri,
        "CFPackageURI": {"title": standard.title, "identifier": doc_id, "uri": doc_uri},
        "creator": standard.originating_body.clone().unwrap_or_else(|| standard.framework.clone()),
        "title": standard.title,
        "lastChangeDateTime": changed_at,
        "publisher": standard.framework,
        "version": standard.version.to_string(),
        "adoptionStatus": match standard.status {
            Some(Status::Draft) => "Draft",
            Some(Status::Expiring | Status::Expired) => "Deprecated",
            _ => "Adopted",
        },
        "language": "en",
    });
    if let Some(purpose) = &standard.purpose {
        document["description"] = json!(purpose);
    }
    if let Some(start) = standard
        .dates
        .registered
        .as_ref()
        .or(standard.dates.published.as_ref())
        .and_then(|d| d.earliest())
    {
        document["statusStartDate"] = json!(start.to_string());
    }
    if let Some(end) = standard
        .dates
        .last_date_for_assessment
        .as_ref()
        .and_then(|d| d.latest())
    {
        document["statusEndDate"] = json!(end.to_string());
    }
    if !standard.encoding_notes.is_empty() {
        document["notes"] = json!(standard.encoding_notes.join("\n"));
    }
    let mut left_out = Vec::new();
    let lists = standard.ranges.len()
        + standard
            .outcomes
            .iter()
            .map(|o| o.range.len() + o.criteria.iter().map(|c| c.range.len()).sum::<usize>())
            .sum::<usize>();
    for (count, what) in [
        (lists, "range list(s)"),
        (standard.definitions.len(), "definition(s)"),
        (standard.guidance.len(), "guidance section(s)"),
        (usize::from(standard.sign_off.is_some()), "sign-off form"),
        (standard.source_fields.len(), "other source field(s)"),
        (
            usize::from(standard.level.is_some())
                + usize::from(standard.credits.is_some())
                + standard.classifications.len()
                + standard.replaces.len()
                + standard.replaced_by.len()
                + standard.references.len(),
            "level, credit, classification, lineage or reference entries",
        ),
    ] {
        if count > 0 {
            left_out.push(format!(
                "{count} {what}: CASE has no place for them; not exported"
            ));
        }
    }
    let package = json!({
        "CFDocument": document,
        "CFItems": items,
        "CFAssociations": associations,
    });
    (package, left_out)
}
