//! `coverage`: every criterion, every knowledge item or every item of named lists in scope has
//! evidence that counts.

use std::borrow::Cow;

use super::super::bits::Bits;
use super::super::plan::ScopePlan;
use super::{CheckResult, Ctx, Mode, Sets};

pub(crate) fn evaluate<'r>(
    ctx: &Ctx<'_, 'r>,
    sets: &Sets,
    scope: &ScopePlan,
    criteria: bool,
    knowledge: bool,
    lists: &[usize],
    mode: Mode,
) -> CheckResult<'r> {
    let plan = ctx.plan;
    let facts = ctx.facts;
    let mut result = CheckResult::default();
    let tick = |covered: bool, missing: &'r str, result: &mut CheckResult<'r>| {
        result.needed += 1;
        if covered {
            result.have += 1;
        } else {
            result.missing.push(Cow::Borrowed(missing));
        }
    };
    if criteria {
        let covered = union(sets.criteria, plan.criteria.len());
        let not_applicable = if mode.hopeful {
            &facts.not_applicable_hopeful
        } else {
            &facts.not_applicable
        };
        for c in scope.criteria.ones() {
            let id = &plan.criteria[c].criterion.id;
            tick(
                covered.contains(c) || not_applicable.contains(c),
                id,
                &mut result,
            );
        }
    }
    if knowledge {
        let covered = union(sets.knowledge, plan.standard.knowledge.len());
        for k in scope.knowledge.ones() {
            tick(
                covered.contains(k),
                &plan.standard.knowledge[k].id,
                &mut result,
            );
        }
    }
    for &list in lists {
        for (position, item) in plan.lists[list].items.iter().enumerate() {
            let shown = facts.instances.iter().enumerate().any(|(i, instance)| {
                instance.is_valid()
                    && facts.shown(i).iter().any(|s| {
                        s.list == list
                            && sets.criteria[i].contains(s.criterion)
                            && (if mode.hopeful { s.hopeful } else { s.counting })
                            && facts.items(s).contains(&(position as u32))
                    })
            });
            tick(shown, &item.text, &mut result);
            if !shown {
                result.missing_items.push(&item.text);
            }
        }
    }
    result.contributors = (0..facts.instances.len())
        .filter(|&i| sets.in_scope(i, scope))
        .map(|i| i as u32)
        .collect();
    result.started = !result.contributors.is_empty();
    result.met = result.have == result.needed;
    result
}

/// Everything the instances' sets cover.
pub(crate) fn union(sets: &[Bits], len: usize) -> Bits {
    let mut all = Bits::with_len(len);
    sets.iter().for_each(|set| all.union_with(set));
    all
}
