//! The report on the standard's requirements: outcomes, criteria and knowledge items, rules,
//! their interpretations and checks.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use super::{Progress, SharedText, Status};

/// One outcome: its criteria and its own rules.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutcomeReport<'a> {
    /// The outcome id, e.g. `1`.
    pub id: &'a str,
    /// The outcome's title.
    pub title: &'a str,
    /// Met when every criterion and rule of the outcome is met.
    pub status: Status,
    /// Requirements of this outcome met (criteria and rules), for a progress bar.
    pub progress: Progress,
    /// The outcome's rules (counts, methods, channels, …).
    pub rules: Vec<RuleReport<'a>>,
    /// The outcome's criteria.
    pub criteria: Vec<ItemReport<'a>>,
}

/// One criterion or knowledge item.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemReport<'a> {
    /// The item id, e.g. `1.1` or `K3`.
    pub id: &'a str,
    /// The item's text.
    pub text: &'a str,
    /// Whether it is evidenced (and its own rules met).
    pub status: Status,
    /// Evidence instances that count for it.
    pub evidence: Vec<&'a str>,
    /// Whether it is recorded as not applicable (a conditional criterion whose condition did not arise).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub not_applicable: bool,
    /// Whether completion needs it (knowledge items no rule requires are shown for information).
    pub required: bool,
}

/// One evidence rule of the standard, as it applies (with the provider's interpretation).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleReport<'a> {
    /// The rule id in the standard, e.g. `N6`.
    pub id: &'a str,
    /// What the rule does to the result.
    pub role: RuleRole,
    /// How far it is met (constraints: met when no evidence in scope breaks them).
    pub status: Status,
    /// For an ambiguous rule, the reading applied.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interpretation: Option<InterpretationReport<'a>>,
    /// Its checks, in the standard's order; a group of counted checks that must be met by different
    /// evidence adds a check of kind `together`.
    pub checks: Vec<CheckReport<'a>>,
}

/// What a rule does to the result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleRole {
    /// Must be met for the unit to be complete.
    Requirement,
    /// Decides which evidence counts; evidence that breaks it is set aside.
    Constraint,
    /// Guidance only (e.g. SQA support notes): shown, never blocks completion.
    Advice,
    /// Nothing to check (grades, notes, range statements, conditional criteria).
    Information,
}

/// The reading applied to an ambiguous rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InterpretationReport<'a> {
    /// The interpretation id.
    pub id: &'a str,
    /// Its label.
    pub label: &'a str,
    /// Whether the provider chose it over the standard's default.
    pub chosen_by_provider: bool,
    /// A provider choice that did not fit the rule (the default was applied instead).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

/// One check of a rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckReport<'a> {
    /// The check kind as the standard writes it (`min_instances`, `coverage`, …, or `together`).
    pub kind: &'static str,
    /// The check in plain words, e.g. "at least 2 complex customer enquiries" (shared with the
    /// compiled standard, so that reports do not copy it).
    pub requirement: SharedText,
    /// How far it is met.
    pub status: Status,
    /// How many of what it counts are needed (1 for yes/no checks, 0 for information).
    pub needed: u32,
    /// How many are present.
    pub have: u32,
    /// The evidence that satisfies it (instance ids, in portfolio order).
    pub evidence: Vec<&'a str>,
    /// What is shown (different values, methods, channels).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub shown: Vec<&'a str>,
    /// What is missing (methods, channels, criteria, items).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<Cow<'a, str>>,
}
