//! The walk over the outcome-level items of the CASE import: knowledge groups, outcomes and their
//! criteria; anything deeper is reported.

use super::super::builder::Builder;
use super::super::format::is_knowledge;
use super::tree::Tree;
use crate::standards::import::{Problem, html_to_text};
use crate::standards::model::{Criterion, Outcome, Standard};

/// Reads the outcome-level items in order: knowledge items (or groups of them) into
/// `standard.knowledge`, outcomes with their criteria into `standard.outcomes`.
pub(super) fn read_outcomes(
    builder: &mut Builder<'_, '_>,
    tree: &Tree<'_>,
    outcome_items: Vec<usize>,
    standard: &mut Standard,
) {
    let items = builder.items;
    for (n, o) in outcome_items.into_iter().enumerate() {
        builder.used.insert(o);
        let under = tree.structural_kids(Some(o));
        if is_knowledge(&items[o].item) {
            read_knowledge_group(builder, tree, o, under, standard);
        } else if under.is_empty() {
            builder.problems.push(Problem {
                position: Some(items[o].position),
                element: items[o].element.clone(),
                reason: "an outcome-level item with no children (an outcome without criteria); not imported".into(),
            });
        } else {
            read_outcome(builder, tree, n, o, under, standard);
        }
    }
}

/// A knowledge item at outcome level: a knowledge item itself if it has no children, else the
/// group of the knowledge items under it.
fn read_knowledge_group(
    builder: &mut Builder<'_, '_>,
    tree: &Tree<'_>,
    o: usize,
    under: Vec<usize>,
    standard: &mut Standard,
) {
    if under.is_empty() {
        let id = builder.id_for(o, &format!("K{}", standard.knowledge.len() + 1));
        standard.knowledge.push(builder.knowledge(o, id));
    }
    for k in under {
        builder.used.insert(k);
        let id = builder.id_for(k, &format!("K{}", standard.knowledge.len() + 1));
        standard.knowledge.push(builder.knowledge(k, id));
        builder.report_below(k, &|parent: Option<usize>| tree.kids(parent));
    }
}

/// The `n`th outcome-level item `o` as an outcome whose children are its criteria (knowledge
/// children go to the standard's knowledge items).
fn read_outcome(
    builder: &mut Builder<'_, '_>,
    tree: &Tree<'_>,
    n: usize,
    o: usize,
    under: Vec<usize>,
    standard: &mut Standard,
) {
    let items = builder.items;
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
            builder.report_below(c, &|parent: Option<usize>| tree.kids(parent));
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
        builder.report_below(c, &|parent: Option<usize>| tree.kids(parent));
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
