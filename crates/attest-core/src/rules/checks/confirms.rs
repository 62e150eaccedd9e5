//! `assessor_confirms`: something no recorded data can show; the assessor confirms it for the rule.

use super::super::facts::counts_in;
use super::super::portfolio::Judgement;
use super::{CheckResult, Ctx, Mode};

pub(crate) fn evaluate<'r>(ctx: &Ctx<'_, 'r>, r: usize, mode: Mode) -> CheckResult<'r> {
    let judgement = ctx.facts.confirmations[r];
    let met = judgement.is_some_and(|judgement| {
        if mode.hopeful {
            judgement != Judgement::Rejected
        } else {
            counts_in(ctx.view, judgement)
        }
    });
    CheckResult {
        met,
        have: u32::from(met),
        needed: 1,
        started: judgement.is_some(),
        ..CheckResult::default()
    }
}
