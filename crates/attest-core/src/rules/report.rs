//! What the engine says about a portfolio: status of every requirement, the evidence behind it, and the
//! gaps in plain words.
//!
//! The JSON form is stable: field order is declaration order, lists are in the standard's order (outcomes,
//! criteria, rules) or the portfolio's order (evidence), and nothing depends on hashing.
//!
//! A report borrows its ids and texts from the standard and the portfolio it was made from (`'a`): a
//! report is made for every change to a portfolio, and copying every id into it would cost more than
//! the evaluation. Serialize it (JSON) to keep it beyond them.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use serde::ser::SerializeStruct;
use serde::{Deserialize, Serialize, Serializer};

/// Which mappings count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum View {
    /// Everything the candidate or assessor mapped, unless the assessor rejected it.
    Claimed,
    /// Only mappings the assessor accepted; the only view that can make a unit complete.
    Confirmed,
}

impl View {
    /// The view's name as written on the command line and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            View::Claimed => "claimed",
            View::Confirmed => "confirmed",
        }
    }
}

impl fmt::Display for View {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for View {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "claimed" => Ok(View::Claimed),
            "confirmed" => Ok(View::Confirmed),
            other => Err(format!(
                "unknown view `{other}`: expected `claimed` or `confirmed`"
            )),
        }
    }
}

/// How far a requirement is met.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Fully met.
    Met,
    /// Some evidence, not yet enough.
    PartlyMet,
    /// No evidence yet.
    NotStarted,
}

impl Status {
    /// Plain words for people.
    pub fn as_words(self) -> &'static str {
        match self {
            Status::Met => "met",
            Status::PartlyMet => "partly met",
            Status::NotStarted => "not started",
        }
    }

    /// The status of a requirement needing `needed` of something when `have` are present.
    pub fn from_counts(have: u32, needed: u32) -> Status {
        if have >= needed {
            Status::Met
        } else if have == 0 {
            Status::NotStarted
        } else {
            Status::PartlyMet
        }
    }
}

/// A fraction of requirements met, e.g. for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Progress {
    /// Requirements met.
    pub met: u32,
    /// Requirements in total.
    pub total: u32,
}

impl Progress {
    /// `met / total` between 0 and 1 (1 when there is nothing to meet).
    pub fn fraction(self) -> f64 {
        if self.total == 0 {
            1.0
        } else {
            f64::from(self.met) / f64::from(self.total)
        }
    }

    /// Whole percent, rounded down so that 99.6% never shows as complete.
    pub fn percent(self) -> u32 {
        self.met
            .saturating_mul(100)
            .checked_div(self.total)
            .unwrap_or(100)
    }

    /// Counts one more requirement, met or not.
    pub fn add(&mut self, met: bool) {
        self.total += 1;
        self.met += u32::from(met);
    }
}

impl Serialize for Progress {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Progress", 3)?;
        s.serialize_field("met", &self.met)?;
        s.serialize_field("total", &self.total)?;
        s.serialize_field("percent", &self.percent())?;
        s.end()
    }
}

/// The result of evaluating a portfolio against its standard.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report<'a> {
    /// The standard evaluated against.
    pub standard: StandardSummary<'a>,
    /// The candidate named in the portfolio.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub candidate: Option<&'a str>,
    /// Which mappings counted.
    pub view: View,
    /// Whether the unit is complete: every requirement met, in the confirmed view.
    pub complete: bool,
    /// Overall status.
    pub status: Status,
    /// Requirements met over all outcomes, the knowledge and the unit-wide rules.
    pub progress: Progress,
    /// Rules that apply to the whole unit (setting, knowledge coverage, …).
    pub unit_rules: Vec<RuleReport<'a>>,
    /// Outcomes (or groups of criteria) in the standard's order.
    pub outcomes: Vec<OutcomeReport<'a>>,
    /// Knowledge items in the standard's order.
    pub knowledge: Vec<ItemReport<'a>>,
    /// Every evidence instance in the portfolio's order: what it shows and what does not count.
    pub evidence: Vec<InstanceReport<'a>>,
    /// Records outside the evidence that do not count (a not-applicable claim for a criterion that is
    /// not conditional, a confirmation of a rule the standard does not have).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_counted: Vec<Reason<'a>>,
    /// What is still missing, most useful first.
    pub gaps: Vec<Gap<'a>>,
}

/// Which standard a report is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StandardSummary<'a> {
    /// The awarding framework, e.g. `NZQA`.
    pub framework: &'a str,
    /// The standard's code.
    pub code: &'a str,
    /// The standard's version.
    pub version: u32,
    /// The standard's title.
    pub title: &'a str,
}

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

/// One evidence instance as the engine saw it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InstanceReport<'a> {
    /// The instance id.
    pub id: &'a str,
    /// How gaps name it, e.g. "enquiry of 12 May" (its kind, else its method, and its date).
    pub label: String,
    /// Whether it counts for at least one criterion.
    pub counts: bool,
    /// Per mapped criterion, whether it counts and the range items it shows.
    pub criteria: Vec<MappingReport<'a>>,
    /// Knowledge items it covers and that count.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub knowledge: Vec<&'a str>,
    /// Why it (or one of its mappings) does not count.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_counted: Vec<Reason<'a>>,
}

/// One criterion mapping of an instance.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MappingReport<'a> {
    /// The criterion id.
    pub criterion: &'a str,
    /// Whether this mapping counts in the report's view.
    pub counts: bool,
    /// The range items shown, per range list, as the portfolio gives them (items an open list does
    /// not name as `other: …`).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub range: &'a BTreeMap<String, Vec<String>>,
}

/// Why an instance or one of its mappings does not count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reason<'a> {
    /// A stable code for tools.
    pub code: ReasonCode,
    /// The criterion concerned, when the reason is about one mapping.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub criterion: Option<&'a str>,
    /// The reason in plain words.
    pub message: String,
}

/// Why evidence does not count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReasonCode {
    /// Produced in a simulation where the standard requires the workplace.
    SimulationNotAllowed,
    /// A method the outcome does not allow.
    MethodNotAllowed,
    /// An attribute value the standard does not declare.
    UndeclaredAttributeValue,
    /// An instance type the standard excludes.
    ExcludedType,
    /// A channel the standard does not declare or the rule does not allow.
    ChannelNotAllowed,
    /// The assessor rejected the mapping.
    Rejected,
    /// The assessor has not judged the mapping yet (confirmed view).
    AwaitingJudgement,
    /// Fewer range items than each instance must show.
    TooFewRangeItems,
    /// A required simultaneous record or supporting link is missing.
    MissingLink,
    /// Produced in a simulation the assessor has not confirmed meets the standard's condition.
    SimulationUnconfirmed,
    /// An attribute every piece of evidence must have is missing or does not fit.
    AttributeRequired,
    /// A reference to something the standard or portfolio does not have, or a duplicate id.
    UnknownReference,
}

/// Something still missing, in words a candidate understands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Gap<'a> {
    /// What kind of gap it is (ordering and icons).
    pub kind: GapKind,
    /// The outcome concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome: Option<&'a str>,
    /// The criterion or knowledge item concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item: Option<&'a str>,
    /// The rule concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<&'a str>,
    /// The evidence instance concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<&'a str>,
    /// The gap in plain words.
    pub message: String,
}

/// Kinds of gap, in the order they are listed (quickest to close first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GapKind {
    /// An instance nearly counts: it lacks range items or a linked record.
    Instance,
    /// More instances are needed.
    Count,
    /// More different values, or instances with a property or channel, are needed.
    Variety,
    /// An evidence method is missing.
    Method,
    /// A criterion has no evidence that counts.
    Criterion,
    /// A knowledge item has no evidence that counts.
    Knowledge,
    /// A unit-wide rule is not met.
    Unit,
    /// The assessor rejected a mapping.
    Rejected,
    /// Mappings wait for the assessor's judgement.
    Awaiting,
}

/// Text made once per compiled standard and shared by every report: a slice of one shared buffer,
/// so that copying it costs no allocation. Reads and serializes as a plain string.
#[derive(Clone, PartialEq, Eq)]
pub struct SharedText {
    all: Arc<str>,
    start: usize,
    end: usize,
}

impl SharedText {
    /// The part `start..end` of `all` (byte offsets on character boundaries).
    pub(crate) fn new(all: Arc<str>, start: usize, end: usize) -> SharedText {
        SharedText { all, start, end }
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        self.all.get(self.start..self.end).unwrap_or_default()
    }
}

impl std::ops::Deref for SharedText {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Display for SharedText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for SharedText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl PartialEq<str> for SharedText {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for SharedText {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl Serialize for SharedText {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}
