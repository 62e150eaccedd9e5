//! The portfolio resolved against the plan: ids turned into indexes, judgements read for the view,
//! and everything that cannot count noted with its reason.
//!
//! The types and [`resolve`] are here; one instance's attributes and fields are read in
//! [`instance`], its criteria and knowledge in [`criteria`], and links, not-applicable marks,
//! confirmations and labels across the portfolio in [`links`].

mod criteria;
mod instance;
mod links;

use super::bits::Bits;
use super::plan::Plan;
use super::portfolio::{Evidence, Judgement, Portfolio};
use super::report::{Reason, ReasonCode, View};
use instance::resolve_instance;
use links::{IdIndex, labels, resolve_confirmations, resolve_links, resolve_not_applicable};

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
