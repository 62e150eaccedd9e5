//! The gaps: what is still missing, in words a candidate understands, quickest to close first.
//!
//! Each unmet requirement is compared with the hopeful pass (judgements awaited counted, fixable
//! problems set aside). Where the hopeful pass meets it, the gap is the fix: "The enquiry of 12 May
//! shows 2 of the 3 greeting requirements needed for 1.1", or a judgement awaited. Where it does not,
//! the gap is the new evidence still needed, counted after those fixes.

use std::collections::HashSet;

use super::bits::Bits;
use super::checks::{CheckResult, Ctx, Fix};
use super::pass::Pass;
use super::phrases;
use super::plan::{CheckPlan, Compiled, FilterPlan, Placement, RulePlan, ScopePlan};
use super::portfolio::Judgement;
use super::report::{Gap, GapKind, View};
use super::words;
use crate::standards::Check;

/// Gaps collected in the order found, sorted at the end.
struct Gaps<'a, 'b, 'r> {
    ctx: &'a Ctx<'b, 'r>,
    actual: &'a Pass<'r>,
    hopeful: &'a Pass<'r>,
    found: Vec<(GapKind, usize, Gap<'r>)>,
    seen: HashSet<String>,
}

/// Gaps for the actual pass, given the hopeful one and which outcomes are met.
pub(crate) fn collect<'r>(
    ctx: &Ctx<'_, 'r>,
    actual: &Pass<'r>,
    hopeful: &Pass<'r>,
) -> Vec<Gap<'r>> {
    let mut gaps = Gaps {
        ctx,
        actual,
        hopeful,
        found: Vec::new(),
        seen: HashSet::new(),
    };
    gaps.criteria();
    gaps.knowledge();
    gaps.rules();
    gaps.groups();
    gaps.rejected();
    let mut found = gaps.found;
    found.sort_by_key(|(kind, place, _)| (*kind, *place));
    found.into_iter().map(|(_, _, gap)| gap).collect()
}

impl<'r> Gaps<'_, '_, 'r> {
    fn push(&mut self, kind: GapKind, place: usize, gap: Gap<'r>) {
        if self.seen.insert(gap.message.clone()) {
            self.found.push((kind, place, gap));
        }
    }

    fn criteria(&mut self) {
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
    fn why_never(&self, c: usize) -> Option<String> {
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
    fn why_rejected(&self, c: usize) -> Option<String> {
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
    fn set_aside(&self, scope: &ScopePlan, filters: &[FilterPlan]) -> Vec<String> {
        let ctx = self.ctx;
        let facts = ctx.facts;
        let mut reasons = Vec::new();
        for (i, instance) in facts.instances.iter().enumerate() {
            let mapped = instance.mapped.intersects(&scope.criteria)
                || instance.knowledge_mapped.intersects(&scope.knowledge);
            let counts = self.actual.criteria[i].intersects(&scope.criteria)
                || self.actual.knowledge[i].intersects(&scope.knowledge);
            if !mapped || counts || !super::checks::matches(facts, i, filters) {
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
    fn one_value_each(&self, attribute: usize, result: &CheckResult) -> Vec<String> {
        let ctx = self.ctx;
        result
            .contributors
            .iter()
            .filter_map(|&i| {
                let values = ctx.facts.value_indexes(i as usize, attribute);
                (values.len() > 1).then(|| {
                    let words: Vec<&str> = values
                        .iter()
                        .map(|&v| super::checks::value_words(ctx, attribute, v))
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

    fn never_obstacle(&self, c: usize) -> Option<String> {
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
    fn explain_criterion(&mut self, c: usize, scope: &Bits) -> bool {
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

    fn knowledge(&mut self) {
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

    fn rules(&mut self) {
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

    fn groups(&mut self) {
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
    fn rejected(&mut self) {
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
    fn explain_difference(
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
    fn explain_instance(
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

    fn confirmation(&mut self, r: usize, rule: &RulePlan<'r>, check: &CheckPlan) {
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

    fn check_gap(&mut self, rule: &RulePlan<'r>, check: &CheckPlan, result: &CheckResult) {
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
                    super::checks::methods::wanted_words(wanted),
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
                    super::checks::channels::wanted_words(*all_of, *any_of),
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

/// The gap, then why evidence was set aside: "Outcome 1 needs 1 more contact: the contact of 3 May
/// was in a simulation, and the unit needs evidence from the workplace".
fn with_reasons(message: String, reasons: &[String]) -> String {
    if reasons.is_empty() {
        message
    } else {
        format!("{message}: {}", reasons.join("; "))
    }
}

fn scopes_meet(a: &ScopePlan, b: &ScopePlan) -> bool {
    a.unit || b.unit || a.criteria.intersects(&b.criteria) || a.knowledge.intersects(&b.knowledge)
}

fn place(rule: &RulePlan) -> usize {
    match rule.placement {
        Placement::Unit => 0,
        Placement::Outcome(o) => o + 1,
    }
}

fn outcome_of<'r>(ctx: &Ctx<'_, 'r>, rule: &RulePlan<'r>) -> Option<&'r str> {
    match rule.placement {
        Placement::Outcome(o) => Some(&ctx.plan.standard.outcomes[o].id),
        Placement::Unit => None,
    }
}

fn rule_gap<'r>(ctx: &Ctx<'_, 'r>, kind: GapKind, rule: &RulePlan<'r>, message: String) -> Gap<'r> {
    Gap {
        kind,
        outcome: outcome_of(ctx, rule),
        item: None,
        rule: Some(&rule.rule.id),
        evidence: None,
        message,
    }
}
