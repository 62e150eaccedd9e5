//! The report on the portfolio's evidence: each instance, its mappings, and why what does not
//! count does not.

use crate::rules::portfolio::Keyed;

use serde::{Deserialize, Serialize};

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
    #[serde(skip_serializing_if = "Keyed::is_empty")]
    pub range: &'a Keyed<String, Vec<String>>,
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
