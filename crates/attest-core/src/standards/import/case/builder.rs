//! The tree builder of the CASE import: ids for items (clashes renamed and reported), knowledge
//! items, what lies too deep, and evidence rules and attributes restored from their JSON notes.

use std::collections::HashSet;

use super::RULE_TYPE;
use super::format::{Placed, item_type};
use crate::standards::import::{Problem, clean_id, html_to_text};
use crate::standards::model::{Attribute, KnowledgeItem};
use crate::standards::rule::Rule;

pub(super) struct Builder<'a, 'p> {
    pub(super) items: &'a [Placed],
    pub(super) problems: &'p mut Vec<Problem>,
    pub(super) used: HashSet<usize>,
    pub(super) ids: HashSet<String>,
    pub(super) rules: Vec<Rule>,
    pub(super) attributes: Vec<Attribute>,
}

impl Builder<'_, '_> {
    /// The item's id: its humanCodingScheme (cleaned), else `fallback`; a clash is renamed and reported.
    pub(super) fn id_for(&mut self, i: usize, fallback: &str) -> String {
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

    pub(super) fn knowledge(&self, i: usize, id: String) -> KnowledgeItem {
        let item = &self.items[i].item;
        KnowledgeItem {
            label: item.list_enumeration.clone().filter(|l| *l != id),
            id,
            text: html_to_text(&item.full_statement),
        }
    }

    pub(super) fn report_below(&mut self, i: usize, kids: &dyn Fn(Option<usize>) -> Vec<usize>) {
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

    pub(super) fn restore(&mut self, i: usize) {
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
