//! The gaps of criteria and knowledge items: what never reached them or was rejected, what was set
//! aside, and the obstacle in the way.

use super::{Gaps, scopes_meet};
use crate::rules::bits::Bits;
use crate::rules::checks::{CheckResult, Fix};
use crate::rules::plan::{FilterPlan, ScopePlan};
use crate::rules::report::{Gap, GapKind};
use crate::rules::words;

impl<'r> Gaps<'_, '_, 'r> {
    pub(super) fn criteria(&mut self) {
        let plan = self.ctx.plan;
        for (c, criterion) in plan.criteria.iter().enumerate() {
            if self.actual.covered.contains(c) {
                continue;
            }
            let mut scope = Bits::with_len(plan.criteria.len());
            scope.insert(c);
            let explained = self.explain_criterion(c, &scope);
            if self.hopeful.covered.contains(c) && explained {
                continue;
            }
            let text = &criterion.criterion.text;
            let id = &criterion.criterion.id;
            // Evidence the file maps here is never "no evidence": the gap says why it does not count.
            let mapped = self
                .ctx
                .facts
                .instances
                .iter()
                .any(|i| i.mapped.contains(c));
            let mut message = match self.why_never(c).or_else(|| self.why_rejected(c)) {
                Some(reason) => format!("No evidence that counts yet for {id}: {text} ({reason})"),
                None if mapped => format!("No evidence that counts yet for {id}: {text}"),
                None => format!("No evidence yet for {id}: {text}"),
            };
            if let Some(condition) = &criterion.criterion.condition {
                message.push_str(&format!(
                    " (if it did not arise, the assessor can record it as not applicable: “{condition}”)"
                ));
            }
            self.push(
                GapKind::Criterion,
                criterion.outcome + 1,
                Gap {
                    kind: GapKind::Criterion,
                    outcome: Some(&plan.standard.outcomes[criterion.outcome].id),
                    item: Some(&criterion.criterion.id),
                    rule: None,
                    evidence: None,
                    message,
                },
            );
        }
    }

    /// Why evidence mapped to criterion `c` can never count for it: the first such reason, to start
    /// mid-sentence.
    pub(super) fn why_never(&self, c: usize) -> Option<String> {
        let ctx = self.ctx;
        let invalid = ctx
            .facts
            .instances
            .iter()
            .enumerate()
            .find_map(|(i, instance)| {
                let problem = instance.problems.first()?;
                instance.mapped.contains(c).then(|| {
                    format!(
                        "the {} does not count: {}",
                        ctx.facts.labels[i], problem.message
                    )
                })
            });
        invalid.or_else(|| self.never_obstacle(c))
    }

    /// The rejected mappings to criterion `c`, to start mid-sentence (the rejection's own gap gives
    /// the feedback).
    pub(super) fn why_rejected(&self, c: usize) -> Option<String> {
        let facts = self.ctx.facts;
        let id = self.ctx.plan.criteria[c].criterion.id.as_str();
        let rejected: Vec<&str> = facts
            .instances
            .iter()
            .enumerate()
            .filter(|(_, instance)| instance.rejected.iter().any(|(r, _)| *r == id))
            .map(|(i, _)| facts.labels[i].as_str())
            .collect();
        (!rejected.is_empty()).then(|| {
            let the: Vec<String> = rejected
                .iter()
                .map(|label| format!("the {label}"))
                .collect();
            format!(
                "the assessor did not accept {} for it",
                words::join(&the, words::AND)
            )
        })
    }

    /// Why evidence the file maps into `scope` (and that `filters` would select) does not count
    /// there: each reason starts mid-sentence, one per piece of evidence, in the portfolio's order.
    pub(super) fn set_aside(&self, scope: &ScopePlan, filters: &[FilterPlan]) -> Vec<String> {
        let ctx = self.ctx;
        let facts = ctx.facts;
        let mut reasons = Vec::new();
        for (i, instance) in facts.instances.iter().enumerate() {
            let mapped = instance.mapped.intersects(&scope.criteria)
                || instance.knowledge_mapped.intersects(&scope.knowledge);
            let counts = self.actual.criteria[i].intersects(&scope.criteria)
                || self.actual.knowledge[i].intersects(&scope.knowledge);
            if !mapped || counts || !crate::rules::checks::matches(facts, i, filters) {
                continue;
            }
            let label = &facts.labels[i];
            if let Some(problem) = instance.problems.first() {
                reasons.push(format!("the {label} does not count: {}", problem.message));
                continue;
            }
            let never = self.actual.obstacles_of(i).iter().find(|o| {
                o.fix == Fix::Never
                    && !o.message.is_empty()
                    && scopes_meet(&ctx.plan.rules[o.rule].scope, scope)
            });
            if let Some(obstacle) = never {
                reasons.push(words::lower_first(&obstacle.message));
                continue;
            }
            let hopeful = instance.hopeful.intersects(&scope.criteria)
                || instance.knowledge_hopeful.intersects(&scope.knowledge);
            if !hopeful && !instance.rejected.is_empty() {
                let ids: Vec<&str> = instance.rejected.iter().map(|(id, _)| *id).collect();
                reasons.push(format!(
                    "the assessor did not accept the {label} for {}",
                    words::join(&ids, words::AND)
                ));
            }
        }
        reasons
    }

    /// With values from different instances, the counted instances that show several values: each
    /// counts for one of them only.
    pub(super) fn one_value_each(&self, attribute: usize, result: &CheckResult) -> Vec<String> {
        let ctx = self.ctx;
        result
            .contributors
            .iter()
            .filter_map(|&i| {
                let values = ctx.facts.value_indexes(i as usize, attribute);
                (values.len() > 1).then(|| {
                    let words: Vec<&str> = values
                        .iter()
                        .map(|&v| crate::rules::checks::value_words(ctx, attribute, v))
                        .collect();
                    format!(
                        "the {} is one piece of evidence, so it counts for one of {} only",
                        ctx.facts.labels[i as usize],
                        words::join(&words, words::OR)
                    )
                })
            })
            .collect()
    }

    pub(super) fn never_obstacle(&self, c: usize) -> Option<String> {
        let ctx = self.ctx;
        self.actual.obstacles.iter().find_map(|obstacle| {
            let instance = &ctx.facts.instances[obstacle.instance];
            let rule = &ctx.plan.rules[obstacle.rule];
            (obstacle.fix == Fix::Never
                && instance.mapped.contains(c)
                && rule.scope.criteria.contains(c)
                && !obstacle.message.is_empty())
            .then(|| words::lower_first(&obstacle.message))
        })
    }

    /// Explains why criterion `c` is covered only in the hopeful pass; whether anything explained it.
    pub(super) fn explain_criterion(&mut self, c: usize, scope: &Bits) -> bool {
        let mut explained = false;
        let instances: Vec<usize> = (0..self.ctx.facts.instances.len())
            .filter(|&i| {
                self.hopeful.criteria[i].contains(c) && !self.actual.criteria[i].contains(c)
            })
            .collect();
        for i in instances {
            explained |= self.explain_instance(i, Some(scope), None);
        }
        if self.ctx.facts.not_applicable_pending.contains(&c) {
            let plan = self.ctx.plan;
            let id: &'r str = &plan.criteria[c].criterion.id;
            let outcome = plan.criteria[c].outcome;
            self.push(
                GapKind::Awaiting,
                outcome + 1,
                Gap {
                    kind: GapKind::Awaiting,
                    outcome: Some(&plan.standard.outcomes[outcome].id),
                    item: Some(id),
                    rule: None,
                    evidence: None,
                    message: format!(
                        "The record that {id} is not applicable is waiting for the assessor's judgement"
                    ),
                },
            );
            explained = true;
        }
        explained
    }

    pub(super) fn knowledge(&mut self) {
        let plan = self.ctx.plan;
        for (k, item) in plan.standard.knowledge.iter().enumerate() {
            if !plan.knowledge_required.contains(k) || self.actual.knowledge_covered.contains(k) {
                continue;
            }
            let mut scope = Bits::with_len(plan.standard.knowledge.len());
            scope.insert(k);
            let mut explained = false;
            for i in 0..self.ctx.facts.instances.len() {
                if self.hopeful.knowledge[i].contains(k) && !self.actual.knowledge[i].contains(k) {
                    explained |= self.explain_instance(i, None, Some(&scope));
                }
            }
            if self.hopeful.knowledge_covered.contains(k) && explained {
                continue;
            }
            let facts = self.ctx.facts;
            let mapped: Vec<usize> = (0..facts.instances.len())
                .filter(|&i| facts.instances[i].knowledge_mapped.contains(k))
                .collect();
            let message = if mapped.is_empty() {
                format!(
                    "No evidence yet for knowledge item {}: {}",
                    item.id, item.text
                )
            } else {
                let rejected: Vec<String> = mapped
                    .iter()
                    .filter(|&&i| {
                        facts.instances[i]
                            .rejected
                            .iter()
                            .any(|(id, _)| *id == item.id)
                    })
                    .map(|&i| format!("the {}", facts.labels[i]))
                    .collect();
                let why = if rejected.is_empty() {
                    String::new()
                } else {
                    format!(
                        " (the assessor did not accept {} for it)",
                        words::join(&rejected, words::AND)
                    )
                };
                format!(
                    "No evidence that counts yet for knowledge item {}: {}{why}",
                    item.id, item.text
                )
            };
            self.push(
                GapKind::Knowledge,
                0,
                Gap {
                    kind: GapKind::Knowledge,
                    outcome: None,
                    item: Some(&item.id),
                    rule: None,
                    evidence: None,
                    message,
                },
            );
        }
    }
}
