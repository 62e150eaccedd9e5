//! The groups of counted checks that compete for evidence: which filters imply or exclude each
//! other, and how the binding counted checks of each scope are grouped.

use crate::standards::AttributeKind;

use super::{Compiled, FilterPlan, Group, Plan, ScopePlan};

/// Whether every filter of `general` is implied by one of `specific` (so whatever `specific`
/// selects, `general` selects too).
pub(crate) fn implies(specific: &[FilterPlan], general: &[FilterPlan]) -> bool {
    general.iter().all(|g| {
        g.attribute.is_some()
            && specific.iter().any(|s| {
                s.attribute == g.attribute
                    && (g.any_of.is_empty()
                        || (!s.any_of.is_empty() && s.any_of.iter().all(|v| g.any_of.contains(v))))
            })
    })
}

pub(super) fn scopes_overlap(a: &ScopePlan, b: &ScopePlan) -> bool {
    a.unit || b.unit || a.criteria.intersects(&b.criteria) || a.knowledge.intersects(&b.knowledge)
}

/// Whether two sets of filters can never select the same instance: both filter one single-valued
/// attribute on disjoint values.
pub(super) fn disjoint(plan: &Plan, a: &[FilterPlan], b: &[FilterPlan]) -> bool {
    a.iter().any(|fa| {
        fa.attribute.is_some_and(|attr| {
            plan.attributes[attr].attribute.kind == AttributeKind::Choice
                && !fa.any_of.is_empty()
                && b.iter().any(|fb| {
                    fb.attribute == fa.attribute
                        && !fb.any_of.is_empty()
                        && fb.any_of.iter().all(|v| !fa.any_of.contains(v))
                })
        })
    })
}

/// A counted check as the grouping sees it.
pub(super) struct Counted<'a> {
    at: (usize, usize),
    min: u32,
    filters: &'a [FilterPlan],
    distinct: Option<usize>,
}

/// Groups the binding counted checks of each scope: every distinct-values check with the counts that
/// are part of its set, then the remaining counts together. Only groups where instances could
/// compete (or a set is nested in another) are kept; the others are met check by check.
pub(super) fn build_groups(plan: &Plan) -> Vec<Group> {
    let mut buckets: Vec<(&ScopePlan, Vec<Counted>)> = Vec::new();
    for (r, rule) in plan.rules.iter().enumerate().filter(|(_, r)| r.binding) {
        for (c, check) in rule.checks.iter().enumerate() {
            let counted = match &check.compiled {
                Compiled::MinInstances { min, filters, .. } => Counted {
                    at: (r, c),
                    min: *min,
                    filters,
                    distinct: None,
                },
                Compiled::MinDistinct {
                    attribute: Some(attribute),
                    min,
                    filters,
                    ..
                } => Counted {
                    at: (r, c),
                    min: *min,
                    filters,
                    distinct: Some(*attribute),
                },
                _ => continue,
            };
            match buckets.iter_mut().find(|(scope, _)| **scope == rule.scope) {
                Some((_, members)) => members.push(counted),
                None => buckets.push((&rule.scope, vec![counted])),
            }
        }
    }
    let mut groups = Vec::new();
    for (_, members) in &buckets {
        let mut taken = vec![false; members.len()];
        for (d, family_head) in members.iter().enumerate() {
            let Some(attribute) = family_head.distinct else {
                continue;
            };
            let mut group = Group {
                requirement: (0, 0),
                members: vec![family_head.at],
                within: vec![None],
                distinct: Some(attribute),
            };
            for (m, member) in members.iter().enumerate() {
                if m != d
                    && !taken[m]
                    && member.distinct.is_none()
                    && member.min <= family_head.min
                    && implies(member.filters, family_head.filters)
                {
                    taken[m] = true;
                    group.members.push(member.at);
                    group.within.push(Some(0));
                }
            }
            taken[d] = true;
            if group.members.len() > 1 {
                groups.push(group);
            }
        }
        let rest: Vec<&Counted> = members
            .iter()
            .zip(&taken)
            .filter(|(_, taken)| !**taken)
            .map(|(m, _)| m)
            .collect();
        if let Some(group) = plain_group(plan, &rest) {
            groups.push(group);
        }
    }
    groups
}

/// Counts of one scope: a count whose filters imply another's, with a min no larger, is part of the
/// other's set; siblings compete for instances.
pub(super) fn plain_group(plan: &Plan, members: &[&Counted]) -> Option<Group> {
    if members.len() < 2 {
        return None;
    }
    let within: Vec<Option<usize>> = members
        .iter()
        .enumerate()
        .map(|(i, member)| {
            members
                .iter()
                .enumerate()
                .filter(|(j, other)| {
                    *j != i
                        && member.min <= other.min
                        && implies(member.filters, other.filters)
                        // Equal filters: the later check is part of the earlier one's set.
                        && (!implies(other.filters, member.filters) || *j < i)
                })
                .max_by_key(|(j, other)| (other.filters.len(), std::cmp::Reverse(*j)))
                .map(|(j, _)| j)
        })
        .collect();
    let nested = within.iter().any(Option::is_some);
    let compete = members.iter().enumerate().any(|(i, a)| {
        members.iter().enumerate().skip(i + 1).any(|(j, b)| {
            within[i] != Some(j) && within[j] != Some(i) && !disjoint(plan, a.filters, b.filters)
        })
    });
    (nested || compete).then(|| Group {
        requirement: (0, 0),
        members: members.iter().map(|m| m.at).collect(),
        within,
        distinct: None,
    })
}
