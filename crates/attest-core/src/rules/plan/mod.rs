//! The standard compiled for evaluation: ids resolved to indexes once, each rule's checks and scope
//! in the form the engine evaluates, and the groups of counted checks that compete for evidence.
//!
//! The types live here; compiling a standard is in [`build`] (indexes, rules, exclusions) and
//! [`compile`] (scopes and checks), the counted-check groups in [`groups`], and the plan's words
//! in [`text`].

mod build;
mod compile;
mod groups;
mod text;

use std::sync::Arc;

use crate::standards::{
    Attribute, Check, Criterion, EvidenceField, Interpretation, Method, RangeList, Rule, Standard,
};

use super::bits::Bits;
use super::hash::IdMap;

/// A standard ready to evaluate portfolios against.
pub(crate) struct Plan<'s> {
    pub standard: &'s Standard,
    pub criteria: Vec<CriterionPlan<'s>>,
    /// Per outcome, the range of its criteria's indexes.
    pub outcome_criteria: Vec<std::ops::Range<usize>>,
    pub criterion_ids: IdMap<&'s str, usize>,
    pub knowledge_ids: IdMap<&'s str, usize>,
    pub lists: Vec<&'s RangeList>,
    pub list_ids: IdMap<&'s str, usize>,
    /// The declared attributes, then one per evidence field a check counts (see [`Plan::fields`]).
    pub attributes: Vec<AttributePlan<'s>>,
    pub attribute_ids: IdMap<&'s str, usize>,
    /// Evidence fields that checks count as if they were attributes, with their attribute index:
    /// the engine reads them from each instance's own field.
    pub fields: Vec<(EvidenceField, usize)>,
    pub rules: Vec<RulePlan<'s>>,
    pub rule_ids: IdMap<&'s str, usize>,
    /// Per rule, the index of its first check among all checks (one more entry: the total), so that
    /// results of every check fit one list.
    pub check_base: Vec<usize>,
    /// Every check's and group's requirement in plain words, one after another: made once per
    /// compiled standard and shared by every report (see [`Plan::text`]).
    pub texts: Arc<str>,
    /// Counted checks that must be met by different evidence.
    pub groups: Vec<Group>,
    /// Knowledge items a binding coverage rule requires.
    pub knowledge_required: Bits,
    /// Criteria that may be recorded not applicable (conditional ones).
    pub may_be_not_applicable: Bits,
}

pub(crate) struct CriterionPlan<'s> {
    pub criterion: &'s Criterion,
    pub outcome: usize,
    /// Rules scoped to criteria only that include this one: the criterion is met only when they are.
    pub rules: Vec<usize>,
}

pub(crate) struct AttributePlan<'s> {
    pub attribute: &'s Attribute,
    /// Declared value ids (the attribute's values, then the items of `values_from`).
    pub values: Vec<&'s str>,
    /// Labels of the declared values, same order.
    pub labels: Vec<&'s str>,
}

pub(crate) struct RulePlan<'s> {
    pub rule: &'s Rule,
    pub checks: Vec<CheckPlan<'s>>,
    pub interpretation: Option<&'s Interpretation>,
    pub overridden: bool,
    /// A provider choice that does not fit the rule (the default was used instead).
    pub invalid_choice: Option<String>,
    pub binding: bool,
    pub scope: ScopePlan,
    pub placement: Placement,
}

pub(crate) struct CheckPlan<'s> {
    pub check: &'s Check,
    pub compiled: Compiled,
    /// Where the check in plain words is in the plan's texts (see [`Plan::text`]).
    pub requirement: (usize, usize),
}

/// A check with its ids resolved.
pub(crate) enum Compiled {
    MinInstances {
        min: u32,
        filters: Vec<FilterPlan>,
        /// Exclusion checks (rule, check) that narrow what this check counts.
        exclusions: Vec<(usize, usize)>,
    },
    MinDistinct {
        attribute: Option<usize>,
        min: u32,
        filters: Vec<FilterPlan>,
        exclusions: Vec<(usize, usize)>,
        /// Each value from a different instance (a matching), not pooled.
        distinct_instances: bool,
    },
    MinRangeItems {
        list: Option<usize>,
        min: u32,
        criteria: Bits,
    },
    Coverage {
        criteria: bool,
        knowledge: bool,
        lists: Vec<usize>,
    },
    Exclusion {
        subject: Vec<FilterPlan>,
        excluded: Vec<FilterPlan>,
    },
    Methods {
        /// Methods that may be used; `None` when the check restricts nothing.
        expected: Option<Vec<Method>>,
        /// Methods that must appear: (method, is supporting).
        wanted: Vec<(Method, bool)>,
        /// With `per: instance`, the methods each instance in scope must itself be in.
        each: Option<Vec<Method>>,
    },
    Setting {
        simulation_allowed: bool,
    },
    Simultaneity {
        attribute: Option<usize>,
    },
    Channels {
        all_of: u8,
        any_of: u8,
        per_instance: bool,
    },
    EveryInstance {
        filters: Vec<FilterPlan>,
    },
    AssessorConfirms,
    /// Nothing to check (conditional criteria, range statements, grades, notes).
    Info,
}

impl Compiled {
    /// Whether the check is something the portfolio must achieve.
    pub fn is_requirement(&self) -> bool {
        match self {
            Compiled::MinInstances { .. }
            | Compiled::MinDistinct { .. }
            | Compiled::Coverage { .. }
            | Compiled::AssessorConfirms => true,
            Compiled::Methods { wanted, .. } => !wanted.is_empty(),
            Compiled::Channels { per_instance, .. } => !per_instance,
            _ => false,
        }
    }

    /// Whether the check is a condition each instance must meet to count.
    pub fn is_constraint(&self) -> bool {
        match self {
            Compiled::MinRangeItems { .. }
            | Compiled::Exclusion { .. }
            | Compiled::Setting { .. }
            | Compiled::Simultaneity { .. }
            | Compiled::EveryInstance { .. } => true,
            Compiled::Methods { expected, .. } => expected.is_some(),
            Compiled::Channels { per_instance, .. } => *per_instance,
            _ => false,
        }
    }
}

/// An attribute filter with ids resolved; an unknown attribute never matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FilterPlan {
    pub attribute: Option<usize>,
    /// Indexes of declared values; empty means "has a value" (a flag: is true).
    pub any_of: Vec<u32>,
}

/// The criteria and knowledge items a rule applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ScopePlan {
    pub unit: bool,
    pub criteria: Bits,
    pub knowledge: Bits,
}

/// Where a rule is shown in the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Placement {
    Unit,
    Outcome(usize),
}

/// Counted checks of one scope that must be met by different instances.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Group {
    /// Where the group in plain words is in the plan's texts (see [`Plan::text`]).
    pub requirement: (usize, usize),
    /// (rule, check) of each member; the first is where the report shows the group.
    pub members: Vec<(usize, usize)>,
    /// Per member, the member whose set it is part of ("at least one of whom").
    pub within: Vec<Option<usize>>,
    /// The attribute whose values must differ (a distinct-values family).
    pub distinct: Option<usize>,
}
