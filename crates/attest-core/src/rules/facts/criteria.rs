//! One instance's mappings resolved: the criteria it shows, judgements read for the view, range
//! items placed, and the knowledge items it covers.

use crate::standards::Openness;

use super::{Facts, InstanceFacts, OTHER_ITEM, Shown, counts_in};
use crate::rules::plan::Plan;
use crate::rules::portfolio::Judgement;
use crate::rules::report::{Reason, ReasonCode, View};

pub(super) fn resolve_criteria<'p>(
    plan: &Plan,
    facts: &mut Facts<'p>,
    instance: &mut InstanceFacts<'p>,
    view: View,
) {
    let evidence = instance.evidence;
    for mapping in &evidence.criteria {
        let criterion = plan.criterion_ids.get(mapping.criterion.as_str()).copied();
        facts.mapping_criteria.push(criterion.map(|c| c as u32));
        let Some(c) = criterion else {
            instance.notes.push(unknown(format!(
                "the standard has no criterion `{}`",
                mapping.criterion
            )));
            continue;
        };
        let counting = counts_in(view, mapping.judgement);
        let hopeful = mapping.judgement != Judgement::Rejected;
        instance.mapped.insert(c);
        if counting {
            instance.counting.insert(c);
        }
        if hopeful {
            instance.hopeful.insert(c);
        }
        note_judgement(
            instance,
            &mapping.criterion,
            mapping.judgement,
            mapping.feedback.as_deref(),
            view,
        );
        for (list_id, items) in &mapping.range {
            let Some(&l) = plan.list_ids.get(list_id.as_str()) else {
                instance.notes.push(unknown(format!(
                    "the standard has no range list `{list_id}`"
                )));
                continue;
            };
            let start = facts.items.len() as u32;
            for item in items {
                match item_position(plan, facts, l, item) {
                    Ok(position) => facts.items.push(position),
                    Err(message) => instance.notes.push(unknown(message)),
                }
            }
            let end = facts.items.len() as u32;
            facts.shown.push(Shown {
                criterion: c,
                list: l,
                items: (start, end),
                counting,
                hopeful,
            });
        }
    }
}

pub(super) fn note_judgement<'p>(
    instance: &mut InstanceFacts<'p>,
    id: &'p str,
    judgement: Judgement,
    feedback: Option<&'p str>,
    view: View,
) {
    match judgement {
        Judgement::Rejected => instance.rejected.push((id, feedback)),
        Judgement::Pending if view == View::Confirmed => instance.pending.push(id),
        _ => {}
    }
}

pub(super) fn item_position<'p>(
    plan: &Plan,
    facts: &mut Facts<'p>,
    l: usize,
    item: &'p str,
) -> Result<u32, String> {
    let list = plan.lists[l];
    // Lists are short: comparing with their own items beats hashing every item of the standard.
    if let Some(position) = list.items.iter().position(|i| i.id == item) {
        return Ok(position as u32);
    }
    match item.strip_prefix(OTHER_ITEM) {
        Some(text) if list.openness == Openness::Open => {
            let text = text.trim();
            let index = match facts
                .other_items
                .iter()
                .position(|(other_list, other)| *other_list == l && *other == text)
            {
                Some(index) => index,
                None => {
                    facts.other_items.push((l, text));
                    facts.other_items.len() - 1
                }
            };
            Ok((list.items.len() + index) as u32)
        }
        Some(_) => Err(format!(
            "`{}` is a closed list: only its own items can be shown",
            list.id
        )),
        None => Err(format!(
            "`{item}` is not an item of `{}` (write `other: …` for an item an open list does not name)",
            list.id
        )),
    }
}

pub(super) fn resolve_knowledge<'p>(plan: &Plan, instance: &mut InstanceFacts<'p>, view: View) {
    let evidence = instance.evidence;
    for mapping in &evidence.knowledge {
        let Some(&k) = plan.knowledge_ids.get(mapping.item.as_str()) else {
            instance.notes.push(unknown(format!(
                "the standard has no knowledge item `{}`",
                mapping.item
            )));
            continue;
        };
        instance.knowledge_mapped.insert(k);
        if counts_in(view, mapping.judgement) {
            instance.knowledge_counting.insert(k);
        }
        if mapping.judgement != Judgement::Rejected {
            instance.knowledge_hopeful.insert(k);
        }
        note_judgement(
            instance,
            &mapping.item,
            mapping.judgement,
            mapping.feedback.as_deref(),
            view,
        );
    }
}

pub(super) fn unknown(message: String) -> Reason<'static> {
    Reason {
        code: ReasonCode::UnknownReference,
        criterion: None,
        message,
    }
}
