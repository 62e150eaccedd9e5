//! The gaps of rules and their checks: unmet rules, competing groups, rejected evidence and how
//! an instance differs from what a check needs, confirmations awaited, and each check's own gap.

use super::{Gaps, outcome_of, place, rule_gap, with_reasons};
use crate::rules::bits::Bits;
use crate::rules::checks::{CheckResult, Fix};
use crate::rules::phrases;
use crate::rules::plan::{CheckPlan, Compiled, RulePlan, ScopePlan};
use crate::rules::portfolio::Judgement;
use crate::rules::report::{Gap, GapKind, View};
use crate::rules::words;
use crate::standards::Check;

impl<'r> Gaps<'_, '_, 'r> {
    pub(super) fn rules(&mut self) {
        let plan = self.ctx.plan;
        for (r, rule) in plan.rules.iter().enumerate() {
            if !rule.binding {
                continue;
            }
            for (c, check) in rule.checks.iter().enumerate() {
                let actual = self.actual.result(plan, r, c);
                if !check.compiled.is_requirement() || actual.met {
                    continue;
                }
                let hopeful = self.hopeful.result(plan, r, c);
                let explained = self.explain_difference(actual, hopeful, &rule.scope);
                if matches!(check.compiled, Compiled::AssessorConfirms) {
                    self.confirmation(r, rule, check);
                } else if !hopeful.met || !explained {
                    let result = if hopeful.met { actual } else { hopeful };
                    self.check_gap(rule, check, result);
                }
            }
        }
    }

    pub(super) fn groups(&mut self) {
        let plan = self.ctx.plan;
        for (g, group) in plan.groups.iter().enumerate() {
            let actual = &self.actual.groups[g];
            if actual.met {
                continue;
            }
            let (r, _) = group.members[0];
            let rule = &plan.rules[r];
            let hopeful = &self.hopeful.groups[g];
            let explained = self.explain_difference(actual, hopeful, &rule.scope);
            if hopeful.met && explained {
                continue;
            }
            let result = if hopeful.met { actual } else { hopeful };
            // The members' own gaps already ask for what they lack; only a shortfall beyond theirs
            // comes from sharing evidence.
            let members_short: u32 = group
                .members
                .iter()
                .map(|&(r, c)| {
                    let member = if hopeful.met {
                        self.actual.result(plan, r, c)
                    } else {
                        self.hopeful.result(plan, r, c)
                    };
                    member.needed.saturating_sub(member.have)
                })
                .sum();
            if result.needed.saturating_sub(result.have) <= members_short {
                continue;
            }
            let message = if group.distinct.is_some() {
                format!(
                    "{} needs the same evidence to count {}",
                    plan.scope_name(rule),
                    plan.text_str(group.requirement)
                )
            } else {
                let more = result.needed.saturating_sub(result.have);
                format!(
                    "{} needs {} so that each of these has its own evidence: {}",
                    plan.scope_name(rule),
                    words::count(more, "more piece of evidence", "more pieces of evidence"),
                    plan.text_str(group.requirement)
                        .trim_start_matches("different evidence for each of: ")
                )
            };
            self.push(
                GapKind::Count,
                place(rule),
                rule_gap(self.ctx, GapKind::Count, rule, message),
            );
        }
    }

    /// Rejected mappings for criteria (or knowledge items) that nothing else covers yet.
    pub(super) fn rejected(&mut self) {
        let plan = self.ctx.plan;
        for (i, instance) in self.ctx.facts.instances.iter().enumerate() {
            for &(id, feedback) in &instance.rejected {
                let place = match plan.criterion_ids.get(id) {
                    Some(&c) if !self.actual.covered.contains(c) => plan.criteria[c].outcome + 1,
                    Some(_) => continue,
                    None => match plan.knowledge_ids.get(id) {
                        Some(&k) if !self.actual.knowledge_covered.contains(k) => 0,
                        _ => continue,
                    },
                };
                let mut message = format!(
                    "The assessor did not accept the {} for {id}",
                    self.ctx.facts.labels[i]
                );
                if let Some(feedback) = feedback {
                    message.push_str(&format!(": {feedback}"));
                }
                self.push(
                    GapKind::Rejected,
                    place,
                    Gap {
                        kind: GapKind::Rejected,
                        outcome: None,
                        item: Some(id),
                        rule: None,
                        evidence: Some(&instance.evidence.id),
                        message,
                    },
                );
            }
        }
    }

    /// Explains the instances that would help in the hopeful pass but do not now.
    pub(super) fn explain_difference(
        &mut self,
        actual: &CheckResult,
        hopeful: &CheckResult,
        scope: &ScopePlan,
    ) -> bool {
        let mut explained = false;
        for &i in &hopeful.contributors {
            if actual.contributors.binary_search(&i).is_err() {
                explained |= self.explain_instance(
                    i as usize,
                    Some(&scope.criteria),
                    Some(&scope.knowledge),
                );
            }
        }
        explained
    }

    /// Gaps for what keeps instance `i` from counting in the given scope: fixable breaches and
    /// judgements awaited. Returns whether there was anything to say.
    pub(super) fn explain_instance(
        &mut self,
        i: usize,
        criteria: Option<&Bits>,
        knowledge: Option<&Bits>,
    ) -> bool {
        let ctx = self.ctx;
        let instance = &ctx.facts.instances[i];
        let mut explained = false;
        for obstacle in self.actual.obstacles_of(i) {
            let rule = &ctx.plan.rules[obstacle.rule];
            let relevant = criteria.is_some_and(|c| rule.scope.criteria.intersects(c))
                || knowledge.is_some_and(|k| rule.scope.knowledge.intersects(k));
            if obstacle.fix == Fix::Never || !relevant {
                continue;
            }
            let kind = match obstacle.fix {
                Fix::Candidate => GapKind::Instance,
                _ => GapKind::Awaiting,
            };
            explained = true;
            let gap = Gap {
                kind,
                outcome: outcome_of(ctx, rule),
                item: None,
                rule: Some(&rule.rule.id),
                evidence: Some(&instance.evidence.id),
                message: obstacle.message.clone(),
            };
            self.push(kind, place(rule), gap);
        }
        if ctx.view == View::Confirmed && !instance.pending.is_empty() {
            explained = true;
            let message = format!(
                "The {} is waiting for the assessor's judgement ({})",
                ctx.facts.labels[i],
                instance.pending.join(", ")
            );
            self.push(
                GapKind::Awaiting,
                0,
                Gap {
                    kind: GapKind::Awaiting,
                    outcome: None,
                    item: None,
                    rule: None,
                    evidence: Some(&instance.evidence.id),
                    message,
                },
            );
        }
        explained
    }

    pub(super) fn confirmation(&mut self, r: usize, rule: &RulePlan<'r>, check: &CheckPlan) {
        let Check::AssessorConfirms(confirms) = check.check else {
            return;
        };
        let pending = self.ctx.facts.confirmations[r] == Some(Judgement::Pending);
        let (kind, message) = if pending {
            (
                GapKind::Awaiting,
                format!(
                    "The assessor's confirmation of rule {} is awaited: {}",
                    rule.rule.id, confirms.statement
                ),
            )
        } else {
            (
                GapKind::Unit,
                format!(
                    "The assessor has not yet confirmed (rule {}): {}",
                    rule.rule.id, confirms.statement
                ),
            )
        };
        self.push(kind, place(rule), rule_gap(self.ctx, kind, rule, message));
    }

    pub(super) fn check_gap(
        &mut self,
        rule: &RulePlan<'r>,
        check: &CheckPlan,
        result: &CheckResult,
    ) {
        let ctx = self.ctx;
        let scope = ctx.plan.scope_name(rule);
        let short = result.needed.saturating_sub(result.have);
        let (kind, messages) = match &check.compiled {
            Compiled::MinInstances { min, filters, .. } => {
                let noun = phrases::count_noun(ctx.plan, check);
                let message = if result.have == 0 {
                    format!("{scope} needs {min} {}", noun.for_count(*min))
                } else {
                    format!("{scope} needs {short} more {}", noun.for_count(short))
                };
                let why = self.set_aside(&rule.scope, filters);
                (GapKind::Count, vec![with_reasons(message, &why)])
            }
            Compiled::MinDistinct {
                min,
                filters,
                attribute,
                distinct_instances,
                ..
            } => {
                let noun = phrases::count_noun(ctx.plan, check);
                let message = if result.have == 0 {
                    format!("{scope} needs {min} different {}", noun.many)
                } else {
                    format!(
                        "{scope} has {} of the {min} different {} needed ({})",
                        result.have,
                        noun.many,
                        result.shown.join(", ")
                    )
                };
                let mut why = self.set_aside(&rule.scope, filters);
                if let (true, Some(attribute)) = (*distinct_instances, attribute) {
                    why.extend(self.one_value_each(*attribute, result));
                }
                (GapKind::Variety, vec![with_reasons(message, &why)])
            }
            Compiled::Coverage { .. } => {
                let messages = result
                    .missing_items
                    .iter()
                    .map(|item| format!("{scope} needs evidence showing “{item}”"))
                    .collect();
                (GapKind::Criterion, messages)
            }
            Compiled::Methods { wanted, .. } => {
                let verb = if result.missing.len() == 1 {
                    "is"
                } else {
                    "are"
                };
                let message = format!(
                    "{scope} needs {}; {} {verb} missing",
                    crate::rules::checks::methods::wanted_words(wanted),
                    words::join(&result.missing, words::AND)
                );
                (GapKind::Method, vec![message])
            }
            Compiled::Channels { all_of, any_of, .. } => {
                let verb = if result.missing.len() == 1 {
                    "is"
                } else {
                    "are"
                };
                let message = format!(
                    "{scope} needs evidence using {}; {} {verb} missing",
                    crate::rules::checks::channels::wanted_words(*all_of, *any_of),
                    words::join(&result.missing, words::AND)
                );
                (GapKind::Variety, vec![message])
            }
            _ => (
                GapKind::Unit,
                vec![format!(
                    "{scope} needs: {}",
                    ctx.plan.text_str(check.requirement)
                )],
            ),
        };
        for message in messages {
            self.push(kind, place(rule), rule_gap(ctx, kind, rule, message));
        }
    }
}
