//! One file per kind of check. A check is either a *requirement* the portfolio must achieve (counts,
//! coverage, methods present, channels across the set, assessor confirmations) or a *constraint* each
//! piece of evidence must meet to count (range items per instance, setting, simultaneity, allowed
//! methods, channels per instance, exclusions, attributes every instance must have).
//!
//! Constraints never fail as a whole: evidence that breaks one does not count for anything in the
//! rule's scope, and the report says why. That keeps the engine monotone: adding evidence can only
//! add to what is met.

pub(crate) mod channels;
pub(crate) mod confirms;
pub(crate) mod count;
pub(crate) mod coverage;
pub(crate) mod every_instance;
pub(crate) mod exclusion;
pub(crate) mod methods;
pub(crate) mod range_items;
pub(crate) mod setting;
pub(crate) mod simultaneity;

use std::borrow::Cow;

use super::bits::Bits;
use super::facts::{Facts, Value};
use super::plan::{CheckPlan, Compiled, FilterPlan, Plan, RulePlan, ScopePlan};
use super::report::{ReasonCode, View};

/// What the engine evaluates against; `'r` is the lifetime of the standard and portfolio the report
/// borrows from.
pub(crate) struct Ctx<'a, 'r> {
    pub plan: &'a Plan<'r>,
    pub facts: &'a Facts<'r>,
    pub view: View,
}

/// How a pass reads the portfolio.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Mode {
    /// Count what is not yet judged, and set aside what the candidate or assessor can still fix:
    /// what the portfolio would achieve once that is done (used to word the gaps).
    pub hopeful: bool,
    /// Build the sentences that explain breaches (only needed once).
    pub describe: bool,
}

/// Per instance, the criteria and knowledge items its evidence counts for.
pub(crate) struct Sets<'a> {
    pub criteria: &'a [Bits],
    pub knowledge: &'a [Bits],
}

impl Sets<'_> {
    /// Whether instance `i` counts for anything in `scope`.
    #[inline]
    pub fn in_scope(&self, i: usize, scope: &ScopePlan) -> bool {
        self.criteria[i].intersects(&scope.criteria)
            || self.knowledge[i].intersects(&scope.knowledge)
    }
}

/// Who can remove an obstacle to evidence counting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Fix {
    /// The candidate (show more range items, link the record, record the channel).
    Candidate,
    /// The assessor (confirm a simulation's condition).
    Assessor,
    /// Nobody: the evidence cannot count (simulation not allowed, method not allowed, excluded).
    Never,
}

/// Why one instance breaks a constraint.
pub(crate) struct Breach {
    pub fix: Fix,
    pub code: ReasonCode,
    /// Whether the instance is set aside for the whole scope (exclusions only narrow counts).
    pub bars: bool,
    /// The reason in plain words (empty unless the pass describes).
    pub message: String,
}

/// The result of one check in one pass.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct CheckResult<'r> {
    pub met: bool,
    pub have: u32,
    pub needed: u32,
    /// Instances that satisfy the check (what the report lists).
    pub evidence: Vec<u32>,
    /// Instances that contribute anything (used to explain a gap), ascending.
    pub contributors: Vec<u32>,
    /// What is shown: values, methods, channels (in words).
    pub shown: Vec<&'r str>,
    /// What is missing (in words).
    pub missing: Vec<Cow<'r, str>>,
    /// Range list items no evidence shows yet (coverage of lists), in words.
    pub missing_items: Vec<&'r str>,
    /// Whether any evidence is in scope at all.
    pub started: bool,
}

impl CheckResult<'_> {
    /// A check with nothing to meet.
    pub fn nothing() -> Self {
        CheckResult {
            met: true,
            ..CheckResult::default()
        }
    }
}

/// Whether instance `i` breaks the constraint `check`, if it is one.
pub(crate) fn breach(
    ctx: &Ctx,
    r: usize,
    check: &CheckPlan,
    i: usize,
    mode: Mode,
) -> Option<Breach> {
    let rule = &ctx.plan.rules[r];
    match &check.compiled {
        Compiled::MinRangeItems {
            list: Some(list),
            min,
            criteria,
        } => range_items::breach(ctx, rule, *list, *min, criteria, i, mode),
        Compiled::Exclusion { subject, excluded } => {
            exclusion::breach(ctx, check, subject, excluded, i, mode)
        }
        Compiled::Methods {
            expected: Some(expected),
            each,
            ..
        } => methods::breach(ctx, rule, expected, each.as_deref(), i, mode),
        Compiled::Setting { simulation_allowed } => {
            setting::breach(ctx, r, check, *simulation_allowed, i, mode)
        }
        Compiled::Simultaneity { attribute } => {
            simultaneity::breach(ctx, check, *attribute, i, mode)
        }
        Compiled::Channels {
            all_of,
            any_of,
            per_instance: true,
        } => channels::breach(ctx, rule, *all_of, *any_of, i, mode),
        Compiled::EveryInstance { filters } => every_instance::breach(ctx, rule, filters, i, mode),
        _ => None,
    }
}

/// Evaluates the requirement `check` of rule `r` on the pass's sets.
pub(crate) fn requirement<'r>(
    ctx: &Ctx<'_, 'r>,
    sets: &Sets,
    r: usize,
    check: &CheckPlan,
    mode: Mode,
) -> CheckResult<'r> {
    let rule = &ctx.plan.rules[r];
    match &check.compiled {
        Compiled::MinInstances {
            min,
            filters,
            exclusions,
        } => count::min_instances(ctx, sets, &rule.scope, *min, filters, exclusions),
        Compiled::MinDistinct {
            attribute: Some(attribute),
            min,
            filters,
            exclusions,
            distinct_instances,
        } => count::min_distinct(
            ctx,
            sets,
            &rule.scope,
            &count::Distinct {
                attribute: *attribute,
                min: *min,
                filters,
                exclusions,
                distinct_instances: *distinct_instances,
            },
        ),
        Compiled::Coverage {
            criteria,
            knowledge,
            lists,
        } => coverage::evaluate(ctx, sets, &rule.scope, *criteria, *knowledge, lists, mode),
        Compiled::Methods { wanted, .. } => methods::evaluate(ctx, sets, &rule.scope, wanted),
        Compiled::Channels { all_of, any_of, .. } => {
            channels::evaluate(ctx, sets, &rule.scope, *all_of, *any_of)
        }
        Compiled::AssessorConfirms => confirms::evaluate(ctx, r, mode),
        _ => CheckResult::nothing(),
    }
}

/// Whether instance `i` matches every filter.
#[inline]
pub(crate) fn matches(facts: &Facts, i: usize, filters: &[FilterPlan]) -> bool {
    filters.iter().all(|filter| {
        let Some(a) = filter.attribute else {
            return false;
        };
        match facts.value(i, a) {
            Value::Absent => false,
            Value::Flag(flag) => flag && filter.any_of.is_empty(),
            Value::Values(..) => {
                let values = facts.value_indexes(i, a);
                if filter.any_of.is_empty() {
                    !values.is_empty()
                } else {
                    values.iter().any(|v| filter.any_of.contains(v))
                }
            }
        }
    })
}

/// A value index in words: the declared value's label, or the value as written.
pub(crate) fn value_words<'r>(ctx: &Ctx<'_, 'r>, attribute: usize, value: u32) -> &'r str {
    let declared = &ctx.plan.attributes[attribute];
    let v = value as usize;
    match declared.labels.get(v) {
        Some(label) => label,
        None => ctx.facts.extra_values[attribute]
            .get(v - declared.values.len())
            .copied()
            .unwrap_or("?"),
    }
}

/// A filter in words (see [`super::phrases::filter_words`]).
pub(crate) fn filter_words(ctx: &Ctx, filter: &FilterPlan) -> String {
    super::phrases::filter_words(ctx.plan, filter)
}

/// The scope for the middle of a sentence ("Outcome 1", "the unit").
pub(crate) fn scope_words(plan: &Plan, rule: &RulePlan) -> String {
    if rule.scope.unit {
        "the unit".to_owned()
    } else {
        plan.scope_name(rule)
    }
}
