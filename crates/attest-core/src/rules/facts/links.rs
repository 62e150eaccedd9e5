//! Across the portfolio: evidence ids indexed, links between instances, not-applicable marks,
//! confirmations, and the labels sentences use for instances.

use std::collections::HashMap;
use std::fmt::Write;

use chrono::{Datelike, Timelike};

use super::criteria::unknown;
use super::{Facts, counts_in};
use crate::rules::plan::Plan;
use crate::rules::portfolio::{Evidence, Judgement, LinkKind, Portfolio};
use crate::rules::report::{Reason, ReasonCode, View};
use crate::rules::words;

/// Evidence ids for lookup. A portfolio is untrusted input, so this keeps the standard library's
/// keyed hash, which colliding ids cannot push into quadratic time.
pub(super) struct IdIndex<'p> {
    first: HashMap<&'p str, usize>,
}

impl<'p> IdIndex<'p> {
    pub(super) fn new(evidence: &'p [Evidence]) -> IdIndex<'p> {
        let mut first = HashMap::with_capacity(evidence.len());
        for (i, e) in evidence.iter().enumerate() {
            first.entry(e.id.as_str()).or_insert(i);
        }
        IdIndex { first }
    }

    /// The first instance with this id.
    pub(super) fn find(&self, id: &str) -> Option<usize> {
        self.first.get(id).copied()
    }
}

pub(super) fn resolve_links(facts: &mut Facts, ids: &IdIndex) {
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

pub(super) fn resolve_not_applicable<'p>(
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

pub(super) fn resolve_confirmations(plan: &Plan, facts: &mut Facts, portfolio: &Portfolio) {
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
pub(super) fn labels(evidence: &[Evidence]) -> Vec<String> {
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
