//! `channels`: the channels used, over the whole set of evidence in scope or in each piece of it.

use std::borrow::Cow;

use super::super::plan::{RulePlan, ScopePlan};
use super::super::report::ReasonCode;
use super::super::words;
use super::{Breach, CheckResult, Ctx, Fix, Mode, Sets, scope_words};

pub(crate) fn breach(
    ctx: &Ctx,
    rule: &RulePlan,
    all_of: u8,
    any_of: u8,
    i: usize,
    mode: Mode,
) -> Option<Breach> {
    let instance = &ctx.facts.instances[i];
    if satisfied(instance.channels, all_of, any_of) {
        return None;
    }
    let message = if mode.describe {
        let used = words::channels_in(instance.channels);
        let used = if used.is_empty() {
            "no recorded channel".to_owned()
        } else {
            words::join(&used, words::AND)
        };
        format!(
            "The {} used {used}; each piece of evidence for {} must use {}",
            ctx.facts.labels[i],
            scope_words(ctx.plan, rule),
            wanted_words(all_of, any_of)
        )
    } else {
        String::new()
    };
    Some(Breach {
        fix: Fix::Candidate,
        code: ReasonCode::ChannelNotAllowed,
        bars: true,
        message,
    })
}

fn satisfied(used: u8, all_of: u8, any_of: u8) -> bool {
    used & all_of == all_of && (any_of == 0 || used & any_of != 0)
}

/// The channels over the set of evidence in scope.
pub(crate) fn evaluate<'r>(
    ctx: &Ctx<'_, 'r>,
    sets: &Sets,
    scope: &ScopePlan,
    all_of: u8,
    any_of: u8,
) -> CheckResult<'r> {
    let instances = &ctx.facts.instances;
    let in_scope: Vec<usize> = (0..instances.len())
        .filter(|&i| instances[i].is_valid() && sets.in_scope(i, scope))
        .collect();
    let used = in_scope
        .iter()
        .fold(0u8, |mask, &i| mask | instances[i].channels);
    let contributors: Vec<u32> = in_scope
        .iter()
        .filter(|&&i| instances[i].channels & (all_of | any_of) != 0)
        .map(|&i| i as u32)
        .collect();
    let mut missing: Vec<Cow<str>> = words::channels_in(all_of & !used)
        .into_iter()
        .map(Cow::Borrowed)
        .collect();
    let any_met = any_of == 0 || used & any_of != 0;
    if !any_met {
        missing.push(Cow::Owned(words::join(
            &words::channels_in(any_of),
            words::OR,
        )));
    }
    let needed = all_of.count_ones() + u32::from(any_of != 0);
    let have = (all_of & used).count_ones() + u32::from(any_of != 0 && any_met);
    CheckResult {
        met: have == needed,
        have,
        needed,
        evidence: contributors.clone(),
        contributors,
        shown: words::channels_in(used & (all_of | any_of)),
        missing,
        started: !in_scope.is_empty(),
        ..CheckResult::default()
    }
}

/// "phone and at least one of email, webchat, video or social media"
pub(crate) fn wanted_words(all_of: u8, any_of: u8) -> String {
    let all = words::join(&words::channels_in(all_of), words::AND);
    let any = words::channels_in(any_of);
    let any = match any.len() {
        0 => String::new(),
        1 => any[0].to_owned(),
        _ => format!("at least one of {}", words::join(&any, words::OR)),
    };
    match (all.is_empty(), any.is_empty()) {
        (false, false) => format!("{all} and {any}"),
        (false, true) => all,
        _ => any,
    }
}
