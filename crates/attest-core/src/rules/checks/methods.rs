//! `methods`: the evidence in scope must include each required and supporting method, and other
//! methods than those listed (required, supporting, permitted) do not count there. With
//! `per: instance`, each piece of evidence in scope must itself be in a required method: a record in
//! a supporting method backs a contact through a link, and does not count as one by itself.

use std::borrow::Cow;

use crate::standards::Method;

use super::super::plan::{RulePlan, ScopePlan};
use super::super::report::ReasonCode;
use super::super::words;
use super::{Breach, CheckResult, Ctx, Fix, Mode, scope_words};

pub(crate) fn breach(
    ctx: &Ctx,
    rule: &RulePlan,
    expected: &[Method],
    each: Option<&[Method]>,
    i: usize,
    mode: Mode,
) -> Option<Breach> {
    let instance = &ctx.facts.instances[i];
    let method = instance.evidence.method;
    if let Some(each) = each
        && expected.contains(&method)
        && !each.contains(&method)
    {
        return Some(not_on_its_own(ctx, rule, each, i, mode));
    }
    if expected.contains(&method) {
        return None;
    }
    let message = if mode.describe {
        let allowed: Vec<&str> = expected.iter().map(|m| words::method(*m)).collect();
        format!(
            "The {} does not count for {}: {} is not one of its methods ({})",
            ctx.facts.labels[i],
            scope_words(ctx.plan, rule),
            words::method(method),
            words::join(&allowed, words::OR)
        )
    } else {
        String::new()
    };
    Some(Breach {
        fix: Fix::Never,
        code: ReasonCode::MethodNotAllowed,
        bars: true,
        message,
    })
}

/// A supporting or permitted record mapped to criteria where each piece of evidence must be in a
/// required method: it does not count there by itself.
fn not_on_its_own(ctx: &Ctx, rule: &RulePlan, each: &[Method], i: usize, mode: Mode) -> Breach {
    let message = if mode.describe {
        let facts = ctx.facts;
        let method = facts.instances[i].evidence.method;
        let needed: Vec<&str> = each.iter().map(|m| words::method(*m)).collect();
        let supported = facts.instances[i]
            .links
            .iter()
            .find(|&&j| each.contains(&facts.instances[j].evidence.method));
        let support = match supported {
            Some(&j) => format!(" (it supports the {}, which can)", facts.labels[j]),
            None => String::new(),
        };
        format!(
            "The {} does not count for {} by itself: it is {} {}, and each piece of evidence there must be {} {}{support}",
            facts.labels[i],
            scope_words(ctx.plan, rule),
            words::article(words::method(method)),
            words::method(method),
            words::article(needed[0]),
            words::join(&needed, words::OR),
        )
    } else {
        String::new()
    };
    Breach {
        fix: Fix::Never,
        code: ReasonCode::MethodNotAllowed,
        bars: true,
        message,
    }
}

/// Which wanted methods appear among the evidence in scope, or evidence linked to it.
pub(crate) fn evaluate<'r>(
    ctx: &Ctx<'_, 'r>,
    sets: &super::Sets,
    scope: &ScopePlan,
    wanted: &[(Method, bool)],
) -> CheckResult<'r> {
    let instances = &ctx.facts.instances;
    let present_for = |i: usize| -> bool {
        instances[i].is_valid()
            && (sets.in_scope(i, scope)
                || instances[i].links.iter().any(|&j| sets.in_scope(j, scope)))
    };
    let contributors: Vec<u32> = (0..instances.len())
        .filter(|&i| {
            wanted
                .iter()
                .any(|(m, _)| *m == instances[i].evidence.method)
                && present_for(i)
        })
        .map(|i| i as u32)
        .collect();
    let mut result = CheckResult {
        needed: wanted.len() as u32,
        started: (0..instances.len()).any(|i| sets.in_scope(i, scope)),
        ..CheckResult::default()
    };
    for (method, _) in wanted {
        let by: Vec<u32> = contributors
            .iter()
            .copied()
            .filter(|&i| instances[i as usize].evidence.method == *method)
            .collect();
        if by.is_empty() {
            result.missing.push(Cow::Borrowed(words::method(*method)));
        } else {
            result.have += 1;
            result.shown.push(words::method(*method));
            result.evidence.extend(by);
        }
    }
    result.evidence.sort_unstable();
    result.evidence.dedup();
    result.met = result.have == result.needed;
    result.contributors = contributors;
    result
}

/// The methods wanted, in words: "observation checklist and witness testimony supported by
/// electronic data record".
pub(crate) fn wanted_words(wanted: &[(Method, bool)]) -> String {
    let required: Vec<&str> = wanted
        .iter()
        .filter(|(_, supporting)| !supporting)
        .map(|(m, _)| words::method(*m))
        .collect();
    let supporting: Vec<&str> = wanted
        .iter()
        .filter(|(_, supporting)| *supporting)
        .map(|(m, _)| words::method(*m))
        .collect();
    match (required.is_empty(), supporting.is_empty()) {
        (false, false) => format!(
            "{} supported by {}",
            words::join(&required, words::AND),
            words::join(&supporting, words::AND)
        ),
        (false, true) => words::join(&required, words::AND),
        _ => words::join(&supporting, words::AND),
    }
}
