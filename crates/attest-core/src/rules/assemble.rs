//! Turning the passes into the report: statuses, progress, evidence per requirement, per-instance
//! details and the gaps.

use super::bits::Bits;
use super::checks::{CheckResult, Ctx};
use super::facts::InstanceFacts;
use super::gaps;
use super::pass::Pass;
use super::plan::{CheckPlan, Compiled, Placement, Plan, RulePlan};
use super::portfolio::Portfolio;
use super::report::{
    CheckReport, InstanceReport, InterpretationReport, ItemReport, MappingReport, OutcomeReport,
    Progress, Reason, ReasonCode, Report, RuleReport, RuleRole, StandardSummary, Status, View,
};

pub(crate) fn report<'r>(
    ctx: &Ctx<'_, 'r>,
    portfolio: &'r Portfolio,
    actual: Pass<'r>,
    hopeful: Option<&Pass<'r>>,
) -> Report<'r> {
    let plan = ctx.plan;
    let ids: Vec<&'r str> = ctx
        .facts
        .instances
        .iter()
        .map(|i| i.evidence.id.as_str())
        .collect();
    let criteria_met: Vec<bool> = (0..plan.criteria.len())
        .map(|c| {
            actual.covered.contains(c)
                && plan.criteria[c]
                    .rules
                    .iter()
                    .all(|&r| actual.rule_met(ctx, r))
        })
        .collect();
    let gaps = match hopeful {
        Some(hopeful) => gaps::collect(ctx, &actual, hopeful),
        None => Vec::new(),
    };
    let mut by_criterion = evidence_by_item(&actual.criteria, plan.criteria.len(), &ids);
    let mut overall = Progress::default();
    let mut outcomes = Vec::with_capacity(plan.standard.outcomes.len());
    let mut unit_rules = Vec::new();
    let mut rules: Vec<Option<RuleReport<'r>>> = (0..plan.rules.len())
        .map(|r| Some(rule_report(ctx, &actual, r, &ids)))
        .collect();
    for (o, outcome) in plan.standard.outcomes.iter().enumerate() {
        let mut progress = Progress::default();
        let criteria: Vec<ItemReport<'r>> = plan.outcome_criteria[o]
            .clone()
            .map(|c| {
                progress.add(criteria_met[c]);
                let evidence = std::mem::take(&mut by_criterion[c]);
                criterion_report(ctx, &actual, c, criteria_met[c], evidence)
            })
            .collect();
        let mut outcome_rules = Vec::new();
        for (r, rule) in plan.rules.iter().enumerate() {
            if rule.placement == Placement::Outcome(o) {
                count_requirements(ctx, &actual, r, &mut progress);
                outcome_rules.extend(rules[r].take());
            }
        }
        let started = criteria.iter().any(|c| c.status != Status::NotStarted)
            || outcome_rules
                .iter()
                .any(|r| r.role == RuleRole::Requirement && r.status != Status::NotStarted);
        overall.met += progress.met;
        overall.total += progress.total;
        outcomes.push(OutcomeReport {
            id: &outcome.id,
            title: &outcome.title,
            status: status_of(progress, started),
            progress,
            rules: outcome_rules,
            criteria,
        });
    }
    for (r, rule) in plan.rules.iter().enumerate() {
        if rule.placement == Placement::Unit {
            count_requirements(ctx, &actual, r, &mut overall);
            unit_rules.extend(rules[r].take());
        }
    }
    let knowledge = knowledge_reports(ctx, &actual, &ids, &mut overall);
    let anything = ctx.facts.instances.iter().any(|i| !i.mapped.is_empty())
        || !ctx.facts.not_applicable_hopeful.is_empty();
    let evidence = ctx
        .facts
        .instances
        .iter()
        .enumerate()
        .map(|(i, instance)| instance_report(ctx, &actual, i, instance))
        .collect();
    Report {
        standard: StandardSummary {
            framework: &plan.standard.framework,
            code: &plan.standard.code,
            version: plan.standard.version,
            title: &plan.standard.title,
        },
        candidate: portfolio.candidate.as_deref(),
        view: ctx.view,
        complete: ctx.view == View::Confirmed && overall.met == overall.total,
        status: status_of(overall, anything),
        progress: overall,
        unit_rules,
        outcomes,
        knowledge,
        evidence,
        not_counted: ctx.facts.problems.clone(),
        gaps,
    }
}

fn status_of(progress: Progress, started: bool) -> Status {
    if progress.met == progress.total {
        Status::Met
    } else if started || progress.met > 0 {
        Status::PartlyMet
    } else {
        Status::NotStarted
    }
}

/// Adds rule `r`'s binding requirements (and the groups it heads) to `progress`.
fn count_requirements(ctx: &Ctx, pass: &Pass, r: usize, progress: &mut Progress) {
    let rule = &ctx.plan.rules[r];
    if !rule.binding {
        return;
    }
    for (check, result) in rule.checks.iter().zip(pass.rule_results(ctx.plan, r)) {
        if check.compiled.is_requirement() {
            progress.add(result.met);
        }
    }
    for (group, result) in ctx.plan.groups.iter().zip(&pass.groups) {
        if group.members[0].0 == r {
            progress.add(result.met);
        }
    }
}

/// Per criterion (or knowledge item), the instances counting for it: one pass over the instances.
fn evidence_by_item<'r>(sets: &[Bits], items: usize, ids: &[&'r str]) -> Vec<Vec<&'r str>> {
    let mut counts = vec![0usize; items];
    sets.iter()
        .flat_map(Bits::ones)
        .for_each(|item| counts[item] += 1);
    let mut by_item: Vec<Vec<&str>> = counts.into_iter().map(Vec::with_capacity).collect();
    for (set, id) in sets.iter().zip(ids) {
        set.ones().for_each(|item| by_item[item].push(id));
    }
    by_item
}

fn criterion_report<'r>(
    ctx: &Ctx<'_, 'r>,
    pass: &Pass,
    c: usize,
    met: bool,
    evidence: Vec<&'r str>,
) -> ItemReport<'r> {
    let criterion = ctx.plan.criteria[c].criterion;
    let mapped = ctx.facts.instances.iter().any(|i| i.mapped.contains(c));
    let not_applicable = ctx.facts.not_applicable.contains(c) && evidence.is_empty();
    let status = if met {
        Status::Met
    } else if mapped || pass.covered.contains(c) || ctx.facts.not_applicable_hopeful.contains(c) {
        Status::PartlyMet
    } else {
        Status::NotStarted
    };
    ItemReport {
        id: &criterion.id,
        text: &criterion.text,
        status,
        evidence,
        not_applicable,
        required: true,
    }
}

fn knowledge_reports<'r>(
    ctx: &Ctx<'_, 'r>,
    pass: &Pass,
    ids: &[&'r str],
    overall: &mut Progress,
) -> Vec<ItemReport<'r>> {
    let plan = ctx.plan;
    let mut by_item = evidence_by_item(&pass.knowledge, plan.standard.knowledge.len(), ids);
    plan.standard
        .knowledge
        .iter()
        .enumerate()
        .map(|(k, item)| {
            let evidence = std::mem::take(&mut by_item[k]);
            let met = pass.knowledge_covered.contains(k);
            let required = plan.knowledge_required.contains(k);
            if required {
                overall.add(met);
            }
            let mapped = ctx
                .facts
                .instances
                .iter()
                .any(|i| i.knowledge_mapped.contains(k));
            ItemReport {
                id: &item.id,
                text: &item.text,
                status: if met {
                    Status::Met
                } else if mapped {
                    Status::PartlyMet
                } else {
                    Status::NotStarted
                },
                evidence,
                not_applicable: false,
                required,
            }
        })
        .collect()
}

fn rule_report<'r>(
    ctx: &Ctx<'_, 'r>,
    pass: &Pass<'r>,
    r: usize,
    ids: &[&'r str],
) -> RuleReport<'r> {
    let rule = &ctx.plan.rules[r];
    let mut checks: Vec<CheckReport<'r>> = rule
        .checks
        .iter()
        .zip(pass.rule_results(ctx.plan, r))
        .map(|(check, result)| check_report(ctx.plan, check, result, ids))
        .collect();
    for (group, result) in ctx.plan.groups.iter().zip(&pass.groups) {
        if group.members[0].0 == r {
            checks.push(CheckReport {
                kind: "together",
                requirement: ctx.plan.text(group.requirement),
                status: check_status(true, result),
                needed: result.needed,
                have: result.have,
                evidence: names(&result.evidence, ids),
                shown: Vec::new(),
                missing: Vec::new(),
            });
        }
    }
    let counted = rule
        .checks
        .iter()
        .zip(&checks)
        .filter(|(check, _)| !matches!(check.compiled, Compiled::Info))
        .map(|(_, report)| report.status)
        .chain(checks.iter().skip(rule.checks.len()).map(|c| c.status));
    let (mut all_met, mut none_started) = (true, true);
    for status in counted {
        all_met &= status == Status::Met;
        none_started &= status == Status::NotStarted;
    }
    let status = if all_met {
        Status::Met
    } else if none_started {
        Status::NotStarted
    } else {
        Status::PartlyMet
    };
    RuleReport {
        id: &rule.rule.id,
        role: role(rule),
        status,
        interpretation: rule
            .interpretation
            .map(|interpretation| InterpretationReport {
                id: &interpretation.id,
                label: &interpretation.label,
                chosen_by_provider: rule.overridden,
                problem: rule.invalid_choice.clone(),
            }),
        checks,
    }
}

fn role(rule: &RulePlan) -> RuleRole {
    if !rule.binding {
        RuleRole::Advice
    } else if rule.checks.iter().any(|c| c.compiled.is_requirement()) {
        RuleRole::Requirement
    } else if rule.checks.iter().any(|c| c.compiled.is_constraint()) {
        RuleRole::Constraint
    } else {
        RuleRole::Information
    }
}

fn check_status(counted: bool, result: &CheckResult) -> Status {
    if !counted || result.met {
        Status::Met
    } else if !result.started && result.have == 0 {
        Status::NotStarted
    } else {
        Status::PartlyMet
    }
}

fn check_report<'r>(
    plan: &Plan,
    check: &CheckPlan,
    result: &CheckResult<'r>,
    ids: &[&'r str],
) -> CheckReport<'r> {
    let counted = !matches!(check.compiled, Compiled::Info);
    CheckReport {
        kind: check.check.kind(),
        requirement: plan.text(check.requirement),
        status: check_status(counted, result),
        needed: result.needed,
        have: result.have,
        evidence: names(&result.evidence, ids),
        shown: result.shown.clone(),
        missing: result.missing.clone(),
    }
}

fn names<'r>(instances: &[u32], ids: &[&'r str]) -> Vec<&'r str> {
    instances.iter().map(|&i| ids[i as usize]).collect()
}

/// What instance `i` shows and why any of it does not count.
fn instance_report<'r>(
    ctx: &Ctx<'_, 'r>,
    pass: &Pass,
    i: usize,
    instance: &InstanceFacts<'r>,
) -> InstanceReport<'r> {
    let plan = ctx.plan;
    let evidence = instance.evidence;
    let criteria = evidence
        .criteria
        .iter()
        .zip(ctx.facts.mapping_criteria(i))
        .map(|(mapping, criterion)| MappingReport {
            criterion: &mapping.criterion,
            counts: criterion.is_some_and(|c| pass.criteria[i].contains(c as usize)),
            range: &mapping.range,
        })
        .collect();
    let knowledge = pass.knowledge[i]
        .ones()
        .map(|k| plan.standard.knowledge[k].id.as_str())
        .collect();
    let mut not_counted: Vec<Reason<'r>> = instance
        .problems
        .iter()
        .chain(&instance.notes)
        .cloned()
        .collect();
    not_counted.extend(
        pass.obstacles_of(i)
            .iter()
            .filter(|o| !o.message.is_empty())
            .map(|o| Reason {
                code: o.code,
                criterion: None,
                message: o.message.clone(),
            }),
    );
    for &(id, feedback) in &instance.rejected {
        let mut message = format!("the assessor did not accept it for {id}");
        if let Some(feedback) = feedback {
            message.push_str(": ");
            message.push_str(feedback);
        }
        not_counted.push(Reason {
            code: ReasonCode::Rejected,
            criterion: Some(id),
            message,
        });
    }
    if !instance.pending.is_empty() {
        not_counted.push(Reason {
            code: ReasonCode::AwaitingJudgement,
            criterion: None,
            message: format!(
                "waiting for the assessor's judgement ({})",
                instance.pending.join(", ")
            ),
        });
    }
    InstanceReport {
        id: &evidence.id,
        // The label moves in from the facts once the report is built (see `Engine::evaluate`).
        label: String::new(),
        counts: !pass.criteria[i].is_empty() || !pass.knowledge[i].is_empty(),
        criteria,
        knowledge,
        not_counted,
    }
}
