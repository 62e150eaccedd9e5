//! One evidence instance resolved: its attributes and the evidence fields checks count, each value
//! turned into value indexes (undeclared ones noted).

use crate::standards::{AttributeKind, Channel, EvidenceField, Openness};

use super::criteria::{resolve_criteria, resolve_knowledge};
use super::{Facts, InstanceFacts, Value};
use crate::rules::bits::Bits;
use crate::rules::plan::Plan;
use crate::rules::portfolio::{AttributeValue, Evidence};
use crate::rules::report::{Reason, ReasonCode, View};
use crate::rules::words;

pub(super) fn resolve_instance<'p>(
    plan: &Plan,
    facts: &mut Facts<'p>,
    i: usize,
    evidence: &'p Evidence,
    view: View,
) -> InstanceFacts<'p> {
    let criteria = plan.criteria.len();
    let knowledge = plan.standard.knowledge.len();
    let first_shown = facts.shown.len() as u32;
    let first_mapping = facts.mapping_criteria.len() as u32;
    let mut instance = InstanceFacts {
        evidence,
        problems: Vec::new(),
        notes: Vec::new(),
        mapped: Bits::with_len(criteria),
        counting: Bits::with_len(criteria),
        hopeful: Bits::with_len(criteria),
        knowledge_mapped: Bits::with_len(knowledge),
        knowledge_counting: Bits::with_len(knowledge),
        knowledge_hopeful: Bits::with_len(knowledge),
        shown: (first_shown, first_shown),
        mappings: (first_mapping, first_mapping),
        channels: evidence
            .channel
            .iter()
            .fold(0, |mask, c| mask | words::channel_bit(*c)),
        simultaneous_link: false,
        links: Vec::new(),
        pending: Vec::new(),
        rejected: Vec::new(),
    };
    resolve_attributes(plan, facts, i, &mut instance);
    resolve_fields(plan, facts, i, evidence);
    resolve_criteria(plan, facts, &mut instance, view);
    instance.shown.1 = facts.shown.len() as u32;
    instance.mappings.1 = facts.mapping_criteria.len() as u32;
    resolve_knowledge(plan, &mut instance, view);
    instance
}

pub(super) fn resolve_attributes<'p>(
    plan: &Plan,
    facts: &mut Facts<'p>,
    i: usize,
    instance: &mut InstanceFacts<'p>,
) {
    for (key, value) in &instance.evidence.attributes {
        let Some(&a) = plan.attribute_ids.get(key.as_str()) else {
            instance
                .problems
                .push(undeclared(format!("the standard has no attribute `{key}`")));
            continue;
        };
        match resolve_value(plan, facts, a, value) {
            Ok(resolved) => facts.values[i * facts.attributes + a] = resolved,
            Err(message) => instance.problems.push(undeclared(message)),
        }
    }
}

/// The evidence fields that checks count, read from the instance's own fields as attribute values.
pub(super) fn resolve_fields<'p>(
    plan: &Plan,
    facts: &mut Facts<'p>,
    i: usize,
    evidence: &'p Evidence,
) {
    for &(field, a) in &plan.fields {
        let start = facts.value_pool.len();
        match field {
            EvidenceField::Channel => {
                for channel in &evidence.channel {
                    let index = Channel::ALL.iter().position(|c| c == channel).unwrap_or(0) as u32;
                    if !facts.value_pool[start..].contains(&index) {
                        facts.value_pool.push(index);
                    }
                }
            }
            EvidenceField::Site => {
                if let Some(site) = evidence.site.as_deref()
                    && let Ok(index) = value_index(plan, facts, a, site)
                {
                    facts.value_pool.push(index);
                }
            }
        }
        if facts.value_pool.len() > start {
            let end = facts.value_pool.len() as u32;
            facts.values[i * facts.attributes + a] = Value::Values(start as u32, end);
        }
    }
}

pub(super) fn undeclared(message: String) -> Reason<'static> {
    Reason {
        code: ReasonCode::UndeclaredAttributeValue,
        criterion: None,
        message,
    }
}

pub(super) fn resolve_value<'p>(
    plan: &Plan,
    facts: &mut Facts<'p>,
    a: usize,
    value: &'p AttributeValue,
) -> Result<Value, String> {
    let attribute = plan.attributes[a].attribute;
    let id = &attribute.id;
    match (attribute.kind, value) {
        (AttributeKind::Flag, AttributeValue::Flag(flag)) => Ok(Value::Flag(*flag)),
        (AttributeKind::Flag, _) => Err(format!("`{id}` is yes or no (true or false)")),
        (_, AttributeValue::Flag(_)) => Err(format!("`{id}` takes a value, not true or false")),
        (AttributeKind::Choice, AttributeValue::Many(words)) if words.len() != 1 => {
            Err(format!("`{id}` takes one value"))
        }
        (_, value) => {
            let start = facts.value_pool.len();
            for word in value.words() {
                let index = value_index(plan, facts, a, word)?;
                if !facts.value_pool[start..].contains(&index) {
                    facts.value_pool.push(index);
                }
            }
            Ok(Value::Values(start as u32, facts.value_pool.len() as u32))
        }
    }
}

pub(super) fn value_index<'p>(
    plan: &Plan,
    facts: &mut Facts<'p>,
    a: usize,
    word: &'p str,
) -> Result<u32, String> {
    let declared = &plan.attributes[a];
    if let Some(position) = declared.values.iter().position(|v| *v == word) {
        return Ok(position as u32);
    }
    let attribute = declared.attribute;
    if attribute.openness == Openness::Closed && attribute.kind != AttributeKind::Text {
        return Err(format!(
            "`{word}` is not a value of `{}` (the standard declares: {})",
            attribute.id,
            declared.values.join(", ")
        ));
    }
    let extra = &mut facts.extra_values[a];
    let position = match extra.iter().position(|v| *v == word) {
        Some(position) => position,
        None => {
            extra.push(word);
            extra.len() - 1
        }
    };
    Ok((declared.values.len() + position) as u32)
}
