//! `setting`: evidence from a simulation counts only where the standard allows it, and then only once
//! the assessor confirms the standard's condition for simulations.

use crate::rules::portfolio::Setting;
use crate::standards::Check;

use super::super::facts::counts_in;
use super::super::plan::{CheckPlan, RulePlan};
use super::super::portfolio::Judgement;
use super::super::report::ReasonCode;
use super::{Breach, Ctx, Fix, Mode, scope_words};

pub(crate) fn breach(
    ctx: &Ctx,
    r: usize,
    check: &CheckPlan,
    simulation_allowed: bool,
    i: usize,
    mode: Mode,
) -> Option<Breach> {
    let instance = &ctx.facts.instances[i];
    if instance.evidence.setting != Setting::Simulation {
        return None;
    }
    let rule: &RulePlan = &ctx.plan.rules[r];
    let label = format!("The {}", ctx.facts.labels[i]);
    if !simulation_allowed {
        let message = if mode.describe {
            format!(
                "{label} was in a simulation, and {} needs evidence from the workplace",
                scope_words(ctx.plan, rule)
            )
        } else {
            String::new()
        };
        return Some(Breach {
            fix: Fix::Never,
            code: ReasonCode::SimulationNotAllowed,
            bars: true,
            message,
        });
    }
    let confirmed = ctx.facts.confirmations[r].is_some_and(|judgement| {
        if mode.hopeful {
            judgement != Judgement::Rejected
        } else {
            counts_in(ctx.view, judgement)
        }
    });
    let condition = match check.check {
        Check::Setting(setting) => setting.condition.as_deref(),
        _ => None,
    };
    if confirmed || condition.is_none() {
        return None;
    }
    let message = if mode.describe {
        format!(
            "{label} was in a simulation, which counts once the assessor confirms (rule {}): {}",
            rule.rule.id,
            condition.unwrap_or_default()
        )
    } else {
        String::new()
    };
    Some(Breach {
        fix: Fix::Assessor,
        code: ReasonCode::SimulationUnconfirmed,
        bars: true,
        message,
    })
}
