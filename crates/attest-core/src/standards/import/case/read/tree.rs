//! The item tree of the CASE import: `isChildOf` associations place items under the document or
//! under other items, in sequence order; the unit, where there is one, is its single top item.

use std::collections::HashMap;

use super::super::format::{
    Association, Document, Package, Placed, is_knowledge, item_type, json_reason, offset_of,
};
use super::super::{ATTRIBUTE_TYPE, RULE_TYPE, RULES_GROUP_TYPE};
use crate::standards::import::{Problem, position_at};

/// The items placed under their parents (`None` = the document), each list in sequence order.
pub(super) struct Tree<'a> {
    items: &'a [Placed],
    children: HashMap<Option<usize>, Vec<usize>>,
}

impl<'a> Tree<'a> {
    /// Places the items by the package's `isChildOf` associations; other associations, and those
    /// that cannot be followed, are reported.
    pub(super) fn build(
        text: &str,
        package: &Package<'_>,
        document: &Document,
        items: &'a [Placed],
        problems: &mut Vec<Problem>,
    ) -> Self {
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
            let (child, parent) = match link(&association, &by_id, document, &parent_of) {
                Ok(link) => link,
                Err(reason) => {
                    problems.push(Problem {
                        position,
                        element,
                        reason,
                    });
                    continue;
                }
            };
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
        let children = children
            .into_iter()
            .map(|(parent, mut list)| {
                list.sort_by_key(|&(sequence, order, child)| (sequence, order, child));
                (
                    parent,
                    list.into_iter().map(|(_, _, child)| child).collect(),
                )
            })
            .collect();
        Tree { items, children }
    }

    /// The children of `parent` (`None` = the document), in order.
    pub(super) fn kids(&self, parent: Option<usize>) -> Vec<usize> {
        self.children.get(&parent).cloned().unwrap_or_default()
    }

    /// The children of `parent` that are part of the structure (not evidence rules, attributes
    /// or their groups).
    pub(super) fn structural_kids(&self, parent: Option<usize>) -> Vec<usize> {
        self.kids(parent)
            .into_iter()
            .filter(|&i| {
                !matches!(
                    item_type(&self.items[i].item).as_str(),
                    RULE_TYPE | ATTRIBUTE_TYPE | RULES_GROUP_TYPE
                )
            })
            .collect()
    }

    /// The unit: the document's single top item, when it has children and is not knowledge.
    pub(super) fn unit(&self) -> Option<usize> {
        match self.structural_kids(None).as_slice() {
            [only]
                if !self.structural_kids(Some(*only)).is_empty()
                    && !is_knowledge(&self.items[*only].item) =>
            {
                Some(*only)
            }
            _ => None,
        }
    }
}

/// The child and parent (`None` = the document) an association links, or why it is not used.
fn link(
    association: &Association,
    by_id: &HashMap<&str, usize>,
    document: &Document,
    parent_of: &HashMap<usize, Option<usize>>,
) -> Result<(usize, Option<usize>), String> {
    if association.association_type != "isChildOf" {
        return Err(format!(
            "association type `{}` has no place in a standard; not imported",
            association.association_type
        ));
    }
    let Some(&child) = by_id.get(association.origin.identifier.as_str()) else {
        return Err(format!(
            "its origin `{}` is not an item of this package; not imported",
            association.origin.identifier
        ));
    };
    let parent = if association.destination.identifier == document.identifier {
        None
    } else if let Some(&parent) = by_id.get(association.destination.identifier.as_str()) {
        Some(parent)
    } else {
        return Err(format!(
            "its destination `{}` is neither the document nor an item of this package; not imported",
            association.destination.identifier
        ));
    };
    if parent_of.contains_key(&child) {
        return Err(format!(
            "item `{}` already has a parent; this second one is not used",
            association.origin.identifier
        ));
    }
    Ok((child, parent))
}
