//! The report on rules: each rule's role and status, its checks and the groups of counted checks
//! it heads.

use super::super::checks::{CheckResult, Ctx};
use super::super::pass::Pass;
use super::super::plan::{CheckPlan, Compiled, Plan, RulePlan};
use super::super::report::{CheckReport, InterpretationReport, RuleReport, RuleRole, Status};

/// Rule `r`: its checks (and the groups it heads), its status and the interpretation applied.
pub(super) fn rule_report<'r>(
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
