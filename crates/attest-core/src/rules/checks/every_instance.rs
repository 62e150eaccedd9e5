//! `every_instance`: each piece of evidence in scope matches the filters (e.g. records one of the
//! permitted organisation types).

use super::super::facts::Value;
use super::super::plan::{FilterPlan, RulePlan};
use super::super::report::ReasonCode;
use super::super::words;
use super::{Breach, Ctx, Fix, Mode, filter_words, matches, scope_words};

pub(crate) fn breach(
    ctx: &Ctx,
    rule: &RulePlan,
    filters: &[FilterPlan],
    i: usize,
    mode: Mode,
) -> Option<Breach> {
    if matches(ctx.facts, i, filters) {
        return None;
    }
    // A value not recorded can still be added; a value recorded that does not fit cannot change.
    let unrecorded = filters.iter().find(|f| {
        f.attribute
            .is_none_or(|a| ctx.facts.value(i, a) == Value::Absent)
    });
    let fix = if unrecorded.is_some() {
        Fix::Candidate
    } else {
        Fix::Never
    };
    let message = if mode.describe {
        let needed: Vec<String> = filters.iter().map(|f| filter_words(ctx, f)).collect();
        let what = if unrecorded.is_some() {
            "does not record"
        } else {
            "does not have"
        };
        format!(
            "The {} {what} {}, which every piece of evidence for {} needs",
            ctx.facts.labels[i],
            words::join(&needed, words::AND),
            scope_words(ctx.plan, rule)
        )
    } else {
        String::new()
    };
    Some(Breach {
        fix,
        code: ReasonCode::AttributeRequired,
        bars: true,
        message,
    })
}
