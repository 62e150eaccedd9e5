//! Counted checks: at least N instances (`min_instances`), at least N different values
//! (`min_distinct_values`), and groups of them that must be met by different instances.

use super::super::matching::{self, Demand};
use super::super::plan::{Compiled, FilterPlan, Group, ScopePlan};
use super::{CheckResult, Ctx, Sets, matches, value_words};

/// Instances that may count for a counted check: valid, in scope, matching the filters and not
/// excluded from what the filters select.
pub(crate) fn eligible(
    ctx: &Ctx,
    sets: &Sets,
    scope: &ScopePlan,
    filters: &[FilterPlan],
    exclusions: &[(usize, usize)],
) -> Vec<u32> {
    (0..ctx.facts.instances.len())
        .filter(|&i| {
            ctx.facts.instances[i].is_valid()
                && sets.in_scope(i, scope)
                && matches(ctx.facts, i, filters)
                && !excluded(ctx, sets, i, exclusions)
        })
        .map(|i| i as u32)
        .collect()
}

fn excluded(ctx: &Ctx, sets: &Sets, i: usize, exclusions: &[(usize, usize)]) -> bool {
    exclusions.iter().any(|&(r, c)| {
        let rule = &ctx.plan.rules[r];
        match &rule.checks[c].compiled {
            Compiled::Exclusion { subject, excluded } => {
                sets.in_scope(i, &rule.scope)
                    && matches(ctx.facts, i, subject)
                    && matches(ctx.facts, i, excluded)
            }
            _ => false,
        }
    })
}

fn any_in_scope(ctx: &Ctx, sets: &Sets, scope: &ScopePlan) -> bool {
    (0..ctx.facts.instances.len()).any(|i| sets.in_scope(i, scope))
}

pub(crate) fn min_instances<'r>(
    ctx: &Ctx<'_, 'r>,
    sets: &Sets,
    scope: &ScopePlan,
    min: u32,
    filters: &[FilterPlan],
    exclusions: &[(usize, usize)],
) -> CheckResult<'r> {
    let eligible = eligible(ctx, sets, scope, filters, exclusions);
    let have = eligible.len() as u32;
    let met = have >= min;
    let evidence = if met {
        eligible[..min as usize].to_vec()
    } else {
        eligible.clone()
    };
    CheckResult {
        met,
        have,
        needed: min,
        evidence,
        started: !eligible.is_empty() || any_in_scope(ctx, sets, scope),
        contributors: eligible,
        ..CheckResult::default()
    }
}

/// The values of `attribute` instance `i` records (a flag set to true is value 0).
fn values_of<'a>(ctx: &'a Ctx, attribute: usize, i: usize) -> &'a [u32] {
    ctx.facts.value_indexes(i, attribute)
}

/// How a distinct-values check counts.
pub(crate) struct Distinct<'a> {
    pub attribute: usize,
    pub min: u32,
    pub filters: &'a [FilterPlan],
    pub exclusions: &'a [(usize, usize)],
    /// Each value from a different instance (see [`matching::distinct_values`]).
    pub distinct_instances: bool,
}

/// At least `min` different values over the matching instances in scope. Pooled, an instance with
/// several values shows each of them and the evidence is the first instance showing each value; with
/// `distinct_instances`, values are assigned to different instances and the evidence is the
/// instances they were assigned to.
pub(crate) fn min_distinct<'r>(
    ctx: &Ctx<'_, 'r>,
    sets: &Sets,
    scope: &ScopePlan,
    check: &Distinct,
) -> CheckResult<'r> {
    let Distinct {
        attribute,
        min,
        filters,
        exclusions,
        distinct_instances,
    } = *check;
    let eligible: Vec<u32> = eligible(ctx, sets, scope, filters, exclusions)
        .into_iter()
        .filter(|&i| !values_of(ctx, attribute, i as usize).is_empty())
        .collect();
    if distinct_instances {
        return one_value_per_instance(ctx, sets, scope, attribute, min, eligible);
    }
    let mut seen: Vec<u32> = Vec::new();
    let mut evidence = Vec::new();
    for &i in &eligible {
        let mut new = false;
        for &value in values_of(ctx, attribute, i as usize) {
            if !seen.contains(&value) {
                seen.push(value);
                new = true;
            }
        }
        if new {
            evidence.push(i);
        }
    }
    let have = seen.len() as u32;
    CheckResult {
        met: have >= min,
        have,
        needed: min,
        evidence,
        shown: seen
            .iter()
            .map(|&v| value_words(ctx, attribute, v))
            .collect(),
        started: !eligible.is_empty() || any_in_scope(ctx, sets, scope),
        contributors: eligible,
        ..CheckResult::default()
    }
}

fn one_value_per_instance<'r>(
    ctx: &Ctx<'_, 'r>,
    sets: &Sets,
    scope: &ScopePlan,
    attribute: usize,
    min: u32,
    eligible: Vec<u32>,
) -> CheckResult<'r> {
    let holds: Vec<&[u32]> = eligible
        .iter()
        .map(|&i| values_of(ctx, attribute, i as usize))
        .collect();
    let pairs = matching::distinct_values(&holds, min);
    let mut evidence: Vec<u32> = pairs.iter().map(|&(_, k)| eligible[k as usize]).collect();
    evidence.sort_unstable();
    let have = pairs.len() as u32;
    CheckResult {
        met: have >= min,
        have,
        needed: min,
        evidence,
        shown: pairs
            .iter()
            .map(|&(value, _)| value_words(ctx, attribute, value))
            .collect(),
        started: !eligible.is_empty() || any_in_scope(ctx, sets, scope),
        contributors: eligible,
        ..CheckResult::default()
    }
}

/// The group's joint result, and when it is met, the instances each member counts.
pub(crate) fn group<'r>(
    ctx: &Ctx<'_, 'r>,
    group: &Group,
    members: &[&CheckResult<'r>],
) -> (CheckResult<'r>, Option<Vec<Vec<u32>>>) {
    let mut contributors: Vec<u32> = members
        .iter()
        .flat_map(|m| m.contributors.iter().copied())
        .collect();
    contributors.sort_unstable();
    contributors.dedup();
    let started = members.iter().any(|m| m.started);
    if group.distinct.is_some() {
        return (family(ctx, group, members, contributors, started), None);
    }
    let demands: Vec<Demand> = group
        .members
        .iter()
        .zip(&group.within)
        .zip(members)
        .map(|((&(r, c), within), result)| Demand {
            need: min_of(ctx, r, c),
            within: *within,
            eligible: result.contributors.clone(),
        })
        .collect();
    let assignment = matching::solve(&demands);
    let mut evidence: Vec<u32> = assignment.picks.iter().flatten().copied().collect();
    evidence.sort_unstable();
    let per_member = assignment.is_complete().then(|| {
        (0..demands.len())
            .map(|m| {
                let mut own: Vec<u32> = (0..demands.len())
                    .filter(|&d| d == m || is_within(&group.within, d, m))
                    .flat_map(|d| assignment.picks[d].iter().copied())
                    .collect();
                own.sort_unstable();
                own
            })
            .collect()
    });
    let result = CheckResult {
        met: assignment.is_complete(),
        have: assignment.filled,
        needed: assignment.needed,
        evidence,
        started,
        contributors,
        ..CheckResult::default()
    };
    (result, per_member)
}

/// A distinct-values check and the counts that are part of its set ("three different customers, at
/// least one of whom has particular needs"): each count is met by instances that also count for the
/// distinct values.
fn family<'r>(
    ctx: &Ctx<'_, 'r>,
    group: &Group,
    members: &[&CheckResult<'r>],
    contributors: Vec<u32>,
    started: bool,
) -> CheckResult<'r> {
    let head = members[0];
    let mut have = head.have.min(head.needed);
    let mut needed = head.needed;
    let mut evidence = head.evidence.clone();
    for (&(r, c), member) in group.members.iter().zip(members).skip(1) {
        let min = min_of(ctx, r, c);
        let inside: Vec<u32> = member
            .contributors
            .iter()
            .copied()
            .filter(|i| head.contributors.binary_search(i).is_ok())
            .collect();
        needed += min;
        have += (inside.len() as u32).min(min);
        evidence.extend(inside.into_iter().take(min as usize));
    }
    evidence.sort_unstable();
    evidence.dedup();
    CheckResult {
        met: have == needed,
        have,
        needed,
        evidence,
        started,
        contributors,
        ..CheckResult::default()
    }
}

fn min_of(ctx: &Ctx, r: usize, c: usize) -> u32 {
    match &ctx.plan.rules[r].checks[c].compiled {
        Compiled::MinInstances { min, .. } | Compiled::MinDistinct { min, .. } => *min,
        _ => 0,
    }
}

/// Whether demand `d` is (transitively) within demand `ancestor`.
fn is_within(within: &[Option<usize>], d: usize, ancestor: usize) -> bool {
    let mut current = within[d];
    let mut steps = 0;
    while let Some(parent) = current {
        if parent == ancestor {
            return true;
        }
        steps += 1;
        if steps > within.len() {
            return false;
        }
        current = within[parent];
    }
    false
}
