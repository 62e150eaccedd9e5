//! The gaps: what is still missing, in words a candidate understands, quickest to close first.
//!
//! Each unmet requirement is compared with the hopeful pass (judgements awaited counted, fixable
//! problems set aside). Where the hopeful pass meets it, the gap is the fix: "The enquiry of 12 May
//! shows 2 of the 3 greeting requirements needed for 1.1", or a judgement awaited. Where it does not,
//! the gap is the new evidence still needed, counted after those fixes.
//!
//! The collector and its small helpers are here; the gaps of criteria and knowledge are in
//! [`criteria`], those of rules, groups and rejected evidence in [`requirements`].

mod criteria;
mod requirements;

use std::collections::HashSet;

use super::checks::Ctx;
use super::pass::Pass;
use super::plan::{Placement, RulePlan, ScopePlan};
use super::report::{Gap, GapKind};

/// Gaps collected in the order found, sorted at the end.
struct Gaps<'a, 'b, 'r> {
    ctx: &'a Ctx<'b, 'r>,
    actual: &'a Pass<'r>,
    hopeful: &'a Pass<'r>,
    found: Vec<(GapKind, usize, Gap<'r>)>,
    seen: HashSet<String>,
}

/// Gaps for the actual pass, given the hopeful one and which outcomes are met.
pub(crate) fn collect<'r>(
    ctx: &Ctx<'_, 'r>,
    actual: &Pass<'r>,
    hopeful: &Pass<'r>,
) -> Vec<Gap<'r>> {
    let mut gaps = Gaps {
        ctx,
        actual,
        hopeful,
        found: Vec::new(),
        seen: HashSet::new(),
    };
    gaps.criteria();
    gaps.knowledge();
    gaps.rules();
    gaps.groups();
    gaps.rejected();
    let mut found = gaps.found;
    found.sort_by_key(|(kind, place, _)| (*kind, *place));
    found.into_iter().map(|(_, _, gap)| gap).collect()
}

impl<'r> Gaps<'_, '_, 'r> {
    fn push(&mut self, kind: GapKind, place: usize, gap: Gap<'r>) {
        if self.seen.insert(gap.message.clone()) {
            self.found.push((kind, place, gap));
        }
    }
}

/// The gap, then why evidence was set aside: "Outcome 1 needs 1 more contact: the contact of 3 May
/// was in a simulation, and the unit needs evidence from the workplace".
fn with_reasons(message: String, reasons: &[String]) -> String {
    if reasons.is_empty() {
        message
    } else {
        format!("{message}: {}", reasons.join("; "))
    }
}

fn scopes_meet(a: &ScopePlan, b: &ScopePlan) -> bool {
    a.unit || b.unit || a.criteria.intersects(&b.criteria) || a.knowledge.intersects(&b.knowledge)
}

fn place(rule: &RulePlan) -> usize {
    match rule.placement {
        Placement::Unit => 0,
        Placement::Outcome(o) => o + 1,
    }
}

fn outcome_of<'r>(ctx: &Ctx<'_, 'r>, rule: &RulePlan<'r>) -> Option<&'r str> {
    match rule.placement {
        Placement::Outcome(o) => Some(&ctx.plan.standard.outcomes[o].id),
        Placement::Unit => None,
    }
}

fn rule_gap<'r>(ctx: &Ctx<'_, 'r>, kind: GapKind, rule: &RulePlan<'r>, message: String) -> Gap<'r> {
    Gap {
        kind,
        outcome: outcome_of(ctx, rule),
        item: None,
        rule: Some(&rule.rule.id),
        evidence: None,
        message,
    }
}
