//! Reading a CASE 1.1 `CFPackage`: [`import_case`] reads the package and its items, places the
//! items in the `isChildOf` tree, restores exported evidence rules and attributes, describes the
//! standard from the `CFDocument`, then walks outcomes, criteria and knowledge items.

mod document;
mod outcomes;
mod package;
mod tree;

use std::collections::HashSet;

use super::builder::Builder;
use super::format::item_type;
use super::{ATTRIBUTE_TYPE, RULE_TYPE, RULES_GROUP_TYPE};
use crate::standards::import::{ImportFailed, ImportOptions, Imported, Problem, draft_rules};
use crate::standards::model::Standard;
use document::describe;
use outcomes::read_outcomes;
use package::{Parsed, parse, read_items};
use tree::Tree;

/// Reads a CASE 1.1 `CFPackage` JSON document.
pub fn import_case(text: &str, options: &ImportOptions) -> Result<Imported, ImportFailed> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let Parsed {
        package,
        document,
        document_position,
        mut problems,
    } = parse(text)?;
    let items = read_items(text, &package, &mut problems);
    let tree = Tree::build(text, &package, &document, &items, &mut problems);

    let mut builder = Builder {
        items: &items,
        problems: &mut problems,
        used: HashSet::new(),
        ids: HashSet::new(),
        rules: Vec::new(),
        attributes: Vec::new(),
    };
    restore_evidence(&mut builder);
    let unit = tree.unit();
    let mut standard = describe(
        &document,
        document_position,
        options,
        unit.map(|u| &items[u].item),
        !builder.rules.is_empty(),
        builder.problems,
    );
    if let Some(u) = unit {
        builder.used.insert(u);
    }
    // The unit's children are the outcomes; without a unit, the document's are.
    read_outcomes(
        &mut builder,
        &tree,
        tree.structural_kids(unit),
        &mut standard,
    );
    report_unreached(&mut builder);
    let draft = take_rules(
        &mut builder,
        &mut standard,
        &document.title,
        &document.identifier,
    );
    problems.sort_by_key(|p| p.position);
    Ok(Imported {
        standard,
        problems,
        draft_rules: draft,
        source_format: "CASE 1.1 CFPackage",
    })
}

/// Restores exported evidence rules and attributes wherever they sit; their group items are used.
fn restore_evidence(builder: &mut Builder<'_, '_>) {
    let items = builder.items;
    for (i, placed) in items.iter().enumerate() {
        match item_type(&placed.item).as_str() {
            RULE_TYPE | ATTRIBUTE_TYPE => builder.restore(i),
            RULES_GROUP_TYPE => {
                builder.used.insert(i);
            }
            _ => {}
        }
    }
}

/// Reports the items that no walk from the document reached.
fn report_unreached(builder: &mut Builder<'_, '_>) {
    let items = builder.items;
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
}

/// Gives the standard its restored rules and attributes, or drafted rules where the package
/// carries none; returns whether the rules are a draft.
fn take_rules(
    builder: &mut Builder<'_, '_>,
    standard: &mut Standard,
    title: &str,
    identifier: &str,
) -> bool {
    let restored_rules = std::mem::take(&mut builder.rules);
    let restored_attributes = std::mem::take(&mut builder.attributes);
    let draft = restored_rules.is_empty();
    if draft {
        standard.rules = draft_rules(standard, title, &format!("CASE CFDocument {identifier}"));
    } else {
        standard.rules = restored_rules;
        standard.attributes = restored_attributes;
    }
    draft
}
