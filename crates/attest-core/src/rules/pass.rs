//! One evaluation pass: which evidence counts for what once the constraints are applied, and the
//! result of every check.
//!
//! The engine runs the *actual* pass for the report and, when something is missing, a *hopeful* pass
//! that also counts what waits for a judgement and sets aside only what can never count. The
//! difference between the two says whether a gap needs new evidence or only a fix.

use super::bits::Bits;
use super::checks::{self, CheckResult, Ctx, Fix, Mode, Sets, count};
use super::plan::Plan;
use super::report::ReasonCode;

pub(crate) struct Pass<'r> {
    /// Per instance, the criteria its evidence counts for after the constraints.
    pub criteria: Vec<Bits>,
    /// Per instance, the knowledge items its evidence counts for.
    pub knowledge: Vec<Bits>,
    /// Breaches of binding constraints (described only when the pass describes), by instance.
    pub obstacles: Vec<Obstacle>,
    /// Per check of every rule, in order (see [`Pass::rule_results`]).
    results: Vec<CheckResult<'r>>,
    /// Per group of the plan, the joint result.
    pub groups: Vec<CheckResult<'r>>,
    /// Criteria covered by evidence or recorded not applicable.
    pub covered: Bits,
    /// Knowledge items covered.
    pub knowledge_covered: Bits,
}

/// One instance breaking one binding constraint.
pub(crate) struct Obstacle {
    pub instance: usize,
    pub rule: usize,
    pub fix: Fix,
    pub code: ReasonCode,
    pub message: String,
}

impl<'r> Pass<'r> {
    /// The results of rule `r`'s checks.
    pub fn rule_results(&self, plan: &Plan, r: usize) -> &[CheckResult<'r>] {
        &self.results[plan.check_base[r]..plan.check_base[r + 1]]
    }

    /// The breaches of instance `i`, in rule order.
    pub fn obstacles_of(&self, i: usize) -> &[Obstacle] {
        let start = self.obstacles.partition_point(|o| o.instance < i);
        let end = self.obstacles.partition_point(|o| o.instance <= i);
        &self.obstacles[start..end]
    }

    /// The result of check `c` of rule `r`.
    pub fn result(&self, plan: &Plan, r: usize, c: usize) -> &CheckResult<'r> {
        &self.results[plan.check_base[r] + c]
    }

    /// Whether every binding requirement of rule `r` (and of the groups it heads) is met.
    pub fn rule_met(&self, ctx: &Ctx, r: usize) -> bool {
        let rule = &ctx.plan.rules[r];
        let checks_met = rule
            .checks
            .iter()
            .zip(self.rule_results(ctx.plan, r))
            .all(|(check, result)| !check.compiled.is_requirement() || result.met);
        let groups_met = ctx
            .plan
            .groups
            .iter()
            .zip(&self.groups)
            .all(|(group, result)| group.members[0].0 != r || result.met);
        !rule.binding || (checks_met && groups_met)
    }
}

pub(crate) fn run<'r>(ctx: &Ctx<'_, 'r>, mode: Mode) -> Pass<'r> {
    let plan = ctx.plan;
    let facts = ctx.facts;
    let (mut criteria, mut knowledge) = starting_sets(ctx, mode);
    let mut results: Vec<CheckResult<'r>> =
        vec![CheckResult::nothing(); plan.check_base.last().copied().unwrap_or(0)];
    let mut obstacles = Vec::new();
    let mut barred: Vec<Option<(Bits, Bits)>> = vec![None; facts.instances.len()];
    {
        // Constraints look at the evidence before any is set aside, so their order does not matter.
        let sets = Sets {
            criteria: &criteria,
            knowledge: &knowledge,
        };
        for (r, rule) in plan.rules.iter().enumerate() {
            for (c, check) in rule.checks.iter().enumerate() {
                if !check.compiled.is_constraint() {
                    continue;
                }
                let mut result = CheckResult::default();
                for (i, barred) in barred.iter_mut().enumerate() {
                    if !facts.instances[i].is_valid() || !sets.in_scope(i, &rule.scope) {
                        continue;
                    }
                    result.needed += 1;
                    // Constraints list no evidence: what they allow shows in the requirements.
                    let Some(breach) = checks::breach(ctx, r, check, i, mode) else {
                        result.have += 1;
                        continue;
                    };
                    if !rule.binding {
                        continue;
                    }
                    let lifted = mode.hopeful && breach.fix != Fix::Never;
                    if breach.bars && !lifted {
                        let (c_bits, k_bits) = barred.get_or_insert_with(|| {
                            (
                                Bits::with_len(plan.criteria.len()),
                                Bits::with_len(plan.standard.knowledge.len()),
                            )
                        });
                        c_bits.union_with(&rule.scope.criteria);
                        k_bits.union_with(&rule.scope.knowledge);
                    }
                    if mode.describe {
                        obstacles.push(Obstacle {
                            instance: i,
                            rule: r,
                            fix: breach.fix,
                            code: breach.code,
                            message: breach.message,
                        });
                    }
                }
                result.started = result.needed > 0;
                result.met = result.have == result.needed;
                results[plan.check_base[r] + c] = result;
            }
        }
    }
    for (i, barred) in barred.into_iter().enumerate() {
        if let Some((c_bits, k_bits)) = barred {
            criteria[i].remove_all(&c_bits);
            knowledge[i].remove_all(&k_bits);
        }
    }
    let sets = Sets {
        criteria: &criteria,
        knowledge: &knowledge,
    };
    for (r, rule) in plan.rules.iter().enumerate() {
        for (c, check) in rule.checks.iter().enumerate() {
            if check.compiled.is_requirement() {
                results[plan.check_base[r] + c] = checks::requirement(ctx, &sets, r, check, mode);
            }
        }
    }
    let groups = evaluate_groups(ctx, &mut results);
    // By instance (stable: in rule order within an instance), so an instance's are found by search.
    obstacles.sort_by_key(|o| o.instance);
    let mut covered = checks::coverage::union(&criteria, plan.criteria.len());
    covered.union_with(if mode.hopeful {
        &facts.not_applicable_hopeful
    } else {
        &facts.not_applicable
    });
    let knowledge_covered = checks::coverage::union(&knowledge, plan.standard.knowledge.len());
    Pass {
        criteria,
        knowledge,
        obstacles,
        results,
        groups,
        covered,
        knowledge_covered,
    }
}

/// Each instance's mappings that count in this pass (none for an instance that cannot count at all).
fn starting_sets(ctx: &Ctx, mode: Mode) -> (Vec<Bits>, Vec<Bits>) {
    let plan = ctx.plan;
    ctx.facts
        .instances
        .iter()
        .map(|instance| {
            if !instance.is_valid() {
                (
                    Bits::with_len(plan.criteria.len()),
                    Bits::with_len(plan.standard.knowledge.len()),
                )
            } else if mode.hopeful {
                (instance.hopeful.clone(), instance.knowledge_hopeful.clone())
            } else {
                (
                    instance.counting.clone(),
                    instance.knowledge_counting.clone(),
                )
            }
        })
        .unzip()
}

/// Solves each group jointly; when it is met, its members show the instances the joint assignment
/// gave them.
fn evaluate_groups<'r>(ctx: &Ctx<'_, 'r>, results: &mut [CheckResult<'r>]) -> Vec<CheckResult<'r>> {
    let base = &ctx.plan.check_base;
    let mut joint = Vec::with_capacity(ctx.plan.groups.len());
    for group in &ctx.plan.groups {
        let members: Vec<&CheckResult<'r>> = group
            .members
            .iter()
            .map(|&(r, c)| &results[base[r] + c])
            .collect();
        let (result, per_member) = count::group(ctx, group, &members);
        if let Some(per_member) = per_member {
            for (&(r, c), evidence) in group.members.iter().zip(per_member) {
                results[base[r] + c].evidence = evidence;
            }
        }
        joint.push(result);
    }
    joint
}
