//! `exclusion`: an instance of the subject kind that also matches `excluded` does not count as the
//! subject ("a complex customer enquiry does not include resolving an escalated enquiry"). The counted
//! checks apply it (see `count::eligible`); here it only explains itself on the instance.

use super::super::plan::{CheckPlan, FilterPlan};
use super::super::report::ReasonCode;
use super::super::words;
use super::{Breach, Ctx, Fix, Mode, filter_words, matches};
use crate::standards::Check;

pub(crate) fn breach(
    ctx: &Ctx,
    check: &CheckPlan,
    subject: &[FilterPlan],
    excluded: &[FilterPlan],
    i: usize,
    mode: Mode,
) -> Option<Breach> {
    if !(matches(ctx.facts, i, subject) && matches(ctx.facts, i, excluded)) {
        return None;
    }
    let message = if mode.describe && matches!(check.check, Check::Exclusion(_)) {
        let subject: Vec<String> = subject.iter().map(|f| filter_words(ctx, f)).collect();
        let excluded: Vec<String> = excluded.iter().map(|f| filter_words(ctx, f)).collect();
        format!(
            "The {} does not count as {} because of {}",
            ctx.facts.labels[i],
            words::join(&subject, words::AND),
            words::join(&excluded, words::AND)
        )
    } else {
        String::new()
    };
    Some(Breach {
        fix: Fix::Never,
        code: ReasonCode::ExcludedType,
        bars: false,
        message,
    })
}
