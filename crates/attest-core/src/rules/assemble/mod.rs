//! Turning the passes into the report: statuses, progress, evidence per requirement, per-instance
//! details and the gaps.
mod instances;
mod items;
mod rules;

use super::bits::Bits;
use super::checks::Ctx;
use super::gaps;
use super::pass::Pass;
use super::plan::Placement;
use super::portfolio::Portfolio;
use super::report::{
    ItemReport, OutcomeReport, Progress, Report, RuleReport, RuleRole, StandardSummary, Status,
    View,
};
use instances::instance_report;
use items::{criterion_report, knowledge_reports};
use rules::rule_report;

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
