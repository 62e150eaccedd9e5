//! The portfolio resolved against the plan: ids turned into indexes, judgements read for the view,
//! and everything that cannot count noted with its reason.

use std::collections::HashMap;
use std::fmt::Write;

use chrono::{Datelike, Timelike};

use crate::standards::{AttributeKind, Channel, EvidenceField, Openness};

use super::bits::Bits;
use super::plan::Plan;
use super::portfolio::{AttributeValue, Evidence, Judgement, LinkKind, Portfolio};
use super::report::{Reason, ReasonCode, View};
use super::words;

/// Prefix of a range item an open list does not name.
pub(crate) const OTHER_ITEM: &str = "other:";

pub(crate) struct Facts<'p> {
    pub instances: Vec<InstanceFacts<'p>>,
    /// Per instance, "enquiry of 12 May" (sentences put "the" before it).
    pub labels: Vec<String>,
    /// Range items shown, every instance's one after another (see [`Facts::shown`]).
    shown: Vec<Shown>,
    /// The criterion of every mapping, every instance's one after another (`None`: not in the standard).
    mapping_criteria: Vec<Option<u32>>,
    /// The positions every `shown` entry lists, one after another.
    items: Vec<u32>,
    /// Per instance and attribute (`i * attributes + a`), the value recorded.
    values: Vec<Value>,
    /// The value indexes of every `values` entry, one after another.
    value_pool: Vec<u32>,
    attributes: usize,
    /// Per attribute, values used that the standard does not declare (open attributes and text).
    pub extra_values: Vec<Vec<&'p str>>,
    /// Items of open lists the lists do not name: (list, text); position = list length + index.
    pub other_items: Vec<(usize, &'p str)>,
    /// Criteria recorded not applicable, counting in the view / not rejected.
    pub not_applicable: Bits,
    pub not_applicable_hopeful: Bits,
    /// Not-applicable records waiting for the assessor (confirmed view).
    pub not_applicable_pending: Vec<usize>,
    /// Per rule, the assessor's confirmation (the best judgement recorded).
    pub confirmations: Vec<Option<Judgement>>,
    /// Portfolio-level records that do not count.
    pub problems: Vec<Reason<'p>>,
}

impl Facts<'_> {
    /// The range items instance `i` shows, per mapping and list.
    #[inline]
    pub fn shown(&self, i: usize) -> &[Shown] {
        let (start, end) = self.instances[i].shown;
        &self.shown[start as usize..end as usize]
    }

    /// The criterion of each of instance `i`'s mappings, in the order of its `criteria`.
    #[inline]
    pub fn mapping_criteria(&self, i: usize) -> &[Option<u32>] {
        let (start, end) = self.instances[i].mappings;
        &self.mapping_criteria[start as usize..end as usize]
    }

    /// The positions one `shown` entry lists.
    #[inline]
    pub fn items(&self, shown: &Shown) -> &[u32] {
        &self.items[shown.items.0 as usize..shown.items.1 as usize]
    }

    /// What instance `i` records for attribute `a`.
    #[inline]
    pub fn value(&self, i: usize, a: usize) -> Value {
        self.values[i * self.attributes + a]
    }

    /// The value indexes instance `i` records for attribute `a` (a flag set to true is value 0).
    #[inline]
    pub fn value_indexes(&self, i: usize, a: usize) -> &[u32] {
        match self.value(i, a) {
            Value::Values(start, end) => &self.value_pool[start as usize..end as usize],
            Value::Flag(true) => &[0],
            _ => &[],
        }
    }
}

pub(crate) struct InstanceFacts<'p> {
    pub evidence: &'p Evidence,
    /// Why the instance as a whole does not count (an undeclared attribute value, a duplicate id …).
    pub problems: Vec<Reason<'p>>,
    /// Mapping-level notes: unknown references, rejections, judgements awaited.
    pub notes: Vec<Reason<'p>>,
    /// Criteria mapped with any judgement.
    pub mapped: Bits,
    /// Criteria whose mapping counts in the view.
    pub counting: Bits,
    /// Criteria whose mapping is not rejected (counts once judged).
    pub hopeful: Bits,
    pub knowledge_mapped: Bits,
    pub knowledge_counting: Bits,
    pub knowledge_hopeful: Bits,
    /// Where its entries are in the shared `shown` list.
    shown: (u32, u32),
    /// Where its mappings' criteria are in the shared list.
    mappings: (u32, u32),
    /// Channels used, as a mask (see [`words::channel_bit`]).
    pub channels: u8,
    /// A link says a record was made at the same time.
    pub simultaneous_link: bool,
    /// Instances linked from or to this one.
    pub links: Vec<usize>,
    /// Criteria and knowledge items whose mapping waits for the assessor (confirmed view).
    pub pending: Vec<&'p str>,
    /// Rejected mappings: (criterion or knowledge id, feedback).
    pub rejected: Vec<(&'p str, Option<&'p str>)>,
}

impl InstanceFacts<'_> {
    #[inline]
    pub fn is_valid(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Range items one mapping shows from one list.
pub(crate) struct Shown {
    pub criterion: usize,
    pub list: usize,
    /// Where its positions are in the shared item list: positions in the range list, with items the
    /// list does not name after its own.
    items: (u32, u32),
    pub counting: bool,
    pub hopeful: bool,
}

/// An attribute value resolved: a flag, or value indexes (declared ones first, then extra ones)
/// kept in the value pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Value {
    #[default]
    Absent,
    Flag(bool),
    Values(u32, u32),
}

/// Whether a judgement counts in a view.
pub(crate) fn counts_in(view: View, judgement: Judgement) -> bool {
    match view {
        View::Claimed => judgement != Judgement::Rejected,
        View::Confirmed => judgement == Judgement::Accepted,
    }
}

pub(crate) fn resolve<'p>(plan: &Plan, portfolio: &'p Portfolio, view: View) -> Facts<'p> {
    let evidence = &portfolio.evidence;
    let mappings = || evidence.iter().flat_map(|e| &e.criteria);
    let mut facts = Facts {
        instances: Vec::with_capacity(evidence.len()),
        labels: labels(evidence),
        shown: Vec::with_capacity(mappings().map(|m| m.range.len()).sum()),
        mapping_criteria: Vec::with_capacity(mappings().count()),
        items: Vec::with_capacity(
            mappings()
                .flat_map(|m| m.range.values())
                .map(Vec::len)
                .sum(),
        ),
        values: vec![Value::Absent; evidence.len() * plan.attributes.len()],
        value_pool: Vec::with_capacity(evidence.len()),
        attributes: plan.attributes.len(),
        extra_values: vec![Vec::new(); plan.attributes.len()],
        other_items: Vec::new(),
        not_applicable: Bits::with_len(plan.criteria.len()),
        not_applicable_hopeful: Bits::with_len(plan.criteria.len()),
        not_applicable_pending: Vec::new(),
        confirmations: vec![None; plan.rules.len()],
        problems: Vec::new(),
    };
    let ids = IdIndex::new(evidence);
    for (i, evidence) in evidence.iter().enumerate() {
        let mut instance = resolve_instance(plan, &mut facts, i, evidence, view);
        if ids.find(&evidence.id) != Some(i) {
            instance.problems.push(Reason {
                code: ReasonCode::UnknownReference,
                criterion: None,
                message: format!(
                    "another piece of evidence already has the id `{}`",
                    evidence.id
                ),
            });
        }
        facts.instances.push(instance);
    }
    resolve_links(&mut facts, &ids);
    resolve_not_applicable(plan, &mut facts, portfolio, view);
    resolve_confirmations(plan, &mut facts, portfolio);
    facts
}

fn resolve_instance<'p>(
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

fn resolve_attributes<'p>(
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
fn resolve_fields<'p>(plan: &Plan, facts: &mut Facts<'p>, i: usize, evidence: &'p Evidence) {
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

fn undeclared(message: String) -> Reason<'static> {
    Reason {
        code: ReasonCode::UndeclaredAttributeValue,
        criterion: None,
        message,
    }
}

fn resolve_value<'p>(
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

fn value_index<'p>(
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

fn resolve_criteria<'p>(
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

fn note_judgement<'p>(
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

fn item_position<'p>(
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

fn resolve_knowledge<'p>(plan: &Plan, instance: &mut InstanceFacts<'p>, view: View) {
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

fn unknown(message: String) -> Reason<'static> {
    Reason {
        code: ReasonCode::UnknownReference,
        criterion: None,
        message,
    }
}

/// Evidence ids for lookup. A portfolio is untrusted input, so this keeps the standard library's
/// keyed hash, which colliding ids cannot push into quadratic time.
struct IdIndex<'p> {
    first: HashMap<&'p str, usize>,
}

impl<'p> IdIndex<'p> {
    fn new(evidence: &'p [Evidence]) -> IdIndex<'p> {
        let mut first = HashMap::with_capacity(evidence.len());
        for (i, e) in evidence.iter().enumerate() {
            first.entry(e.id.as_str()).or_insert(i);
        }
        IdIndex { first }
    }

    /// The first instance with this id.
    fn find(&self, id: &str) -> Option<usize> {
        self.first.get(id).copied()
    }
}

fn resolve_links(facts: &mut Facts, ids: &IdIndex) {
    for i in 0..facts.instances.len() {
        let evidence = facts.instances[i].evidence;
        for link in &evidence.links {
            match ids.find(&link.to) {
                Some(j) if j != i => {
                    if link.kind == LinkKind::RecordedAtSameTime {
                        facts.instances[i].simultaneous_link = true;
                    }
                    facts.instances[i].links.push(j);
                    facts.instances[j].links.push(i);
                }
                _ => facts.instances[i].notes.push(unknown(format!(
                    "the link to `{}` leads to no other piece of evidence",
                    link.to
                ))),
            }
        }
    }
    for instance in &mut facts.instances {
        instance.links.sort_unstable();
        instance.links.dedup();
    }
}

fn resolve_not_applicable<'p>(
    plan: &Plan,
    facts: &mut Facts<'p>,
    portfolio: &'p Portfolio,
    view: View,
) {
    for record in &portfolio.not_applicable {
        let criterion = plan.criterion_ids.get(record.criterion.as_str()).copied();
        match criterion {
            Some(c) if plan.may_be_not_applicable.contains(c) => {
                if counts_in(view, record.judgement) {
                    facts.not_applicable.insert(c);
                }
                if record.judgement != Judgement::Rejected {
                    facts.not_applicable_hopeful.insert(c);
                }
                if view == View::Confirmed && record.judgement == Judgement::Pending {
                    facts.not_applicable_pending.push(c);
                }
            }
            Some(_) => facts.problems.push(Reason {
                code: ReasonCode::UnknownReference,
                criterion: Some(&record.criterion),
                message: format!(
                    "criterion {} is not conditional, so it cannot be recorded as not applicable",
                    record.criterion
                ),
            }),
            None => facts.problems.push(unknown(format!(
                "the standard has no criterion `{}` to record as not applicable",
                record.criterion
            ))),
        }
    }
}

fn resolve_confirmations(plan: &Plan, facts: &mut Facts, portfolio: &Portfolio) {
    for confirmation in &portfolio.confirmations {
        let Some(&r) = plan.rule_ids.get(confirmation.rule.as_str()) else {
            facts.problems.push(unknown(format!(
                "the standard has no rule `{}` to confirm",
                confirmation.rule
            )));
            continue;
        };
        let best = &mut facts.confirmations[r];
        *best = Some(match (*best, confirmation.judgement) {
            (Some(Judgement::Accepted), _) | (_, Judgement::Accepted) => Judgement::Accepted,
            (Some(Judgement::Pending), _) | (_, Judgement::Pending) => Judgement::Pending,
            _ => Judgement::Rejected,
        });
    }
}

/// Labels for sentences ("enquiry of 12 May"; sentences add "the"), with the time and id where
/// two would read alike.
fn labels(evidence: &[Evidence]) -> Vec<String> {
    let years = evidence.iter().map(|e| e.date.year());
    let with_year = years.clone().min() != years.max();
    let mut labels: Vec<String> = evidence
        .iter()
        .map(|e| {
            let kind = e.kind.as_deref().unwrap_or_else(|| words::method(e.method));
            let mut label = String::with_capacity(kind.len() + 24);
            label.push_str(kind);
            label.push_str(" of ");
            words::push_date(&mut label, e.date, with_year);
            label
        })
        .collect();
    // Labels can only repeat on the same date: order by date first, so that text is compared rarely.
    let mut order: Vec<usize> = (0..labels.len()).collect();
    order.sort_unstable_by(|a, b| {
        (evidence[*a].date, &labels[*a]).cmp(&(evidence[*b].date, &labels[*b]))
    });
    let mut repeated = vec![false; labels.len()];
    for pair in order.windows(2) {
        if labels[pair[0]] == labels[pair[1]] {
            repeated[pair[0]] = true;
            repeated[pair[1]] = true;
        }
    }
    for ((label, repeated), evidence) in labels.iter_mut().zip(repeated).zip(evidence) {
        if repeated {
            if let Some(time) = evidence.time {
                let _ = write!(label, " at {:02}:{:02}", time.hour(), time.minute());
            }
            let _ = write!(label, " ({})", evidence.id);
        }
    }
    labels
}
