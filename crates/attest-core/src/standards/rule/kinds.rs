//! The body of each check kind: counts of instances, range items and distinct values, coverage,
//! exclusions, methods, settings, simultaneity, channels, conditions and the rest.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::AttributeFilter;
use super::vocabulary::{Channel, EvidenceField, Method, Span};

/// At least `min` instances in scope match all filters.
/// ("two business as usual enquiries"; "at least one of whom has particular needs").
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MinInstances {
    /// The minimum number of instances.
    pub min: u32,
    /// Filters an instance must all match to count.
    #[serde(rename = "where", default, skip_serializing_if = "Vec::is_empty")]
    pub filters: Vec<AttributeFilter>,
    /// How reports name what is counted ("complex customer enquiry" / "… enquiries").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub noun: Option<Noun>,
}

/// What a count counts, in words, for reports ("needs 1 more complex customer enquiry").
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Noun {
    /// Singular, e.g. `complex customer enquiry`.
    pub one: String,
    /// Plural, e.g. `complex customer enquiries`.
    pub many: String,
}

/// Every instance in scope shows at least `min` items of `list` for the given criteria
/// ("evidence of three is required for each enquiry").
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MinRangeItems {
    /// The range list whose items count.
    pub list: String,
    /// The minimum number of distinct items per instance.
    pub min: u32,
    /// The criteria under which the items are shown (the union counts).
    pub criteria: Vec<String>,
}

/// The instances in scope that match the filters hold at least `min` distinct values of
/// `attribute`, or of the evidence's own `field` ("three different types of challenging customers",
/// "at least two different channels"). With `distinct_instances`, each value must come from a
/// different instance (one customer interaction shows one type of customer): values are assigned to
/// instances as a matching, so one instance tagged with three values counts for one of them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MinDistinctValues {
    /// The attribute whose values are counted (give this or `field`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribute: Option<String>,
    /// A field of the evidence whose values are counted (give this or `attribute`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<EvidenceField>,
    /// The minimum number of distinct values.
    pub min: u32,
    /// Each value counts only from an instance that no other counted value uses; without it, an
    /// instance with several values shows them all (the values are pooled).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub distinct_instances: bool,
    /// Filters an instance must all match to count.
    #[serde(rename = "where", default, skip_serializing_if = "Vec::is_empty")]
    pub filters: Vec<AttributeFilter>,
    /// How reports name what is counted ("type of challenging customer" / "types of …").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub noun: Option<Noun>,
}

/// Evidence covers every criterion in scope, every knowledge item in scope, or every item of the
/// named lists (shown under any criterion).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Coverage {
    /// Every criterion in scope (every criterion of the unit when the scope is the unit).
    #[serde(default)]
    pub criteria: bool,
    /// Every knowledge item in scope (every item of the unit when the scope is the unit).
    #[serde(default)]
    pub knowledge: bool,
    /// Every item of each of these range lists.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lists: Vec<String>,
}

/// An instance matching `subject` must not also match `excluded`; such an instance does not count
/// for rules that filter on `subject` ("a complex customer enquiry does not include resolving an
/// escalated enquiry").
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Exclusion {
    /// What the exclusion narrows, e.g. `enquiry_type: [complex]`.
    pub subject: Vec<AttributeFilter>,
    /// What does not count as the subject.
    pub excluded: Vec<AttributeFilter>,
}

/// The methods of evidence in scope: each `required` and each `supporting` method appears at least
/// once; a method in none of the three lists is not expected. With `per: instance`, every piece of
/// evidence in scope must itself be in a `required` method (an observation for each contact); a
/// supporting record may back it through a link but does not count on its own.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Methods {
    /// Methods the evidence must be in the form of.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub required: Vec<Method>,
    /// Methods that must back up the required ones.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub supporting: Vec<Method>,
    /// Methods that may also be used.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub permitted: Vec<Method>,
    /// Over the set (each method somewhere), or for each instance as well.
    #[serde(default, skip_serializing_if = "Span::is_set")]
    pub per: Span,
}

/// Where the performance may happen: at work only, or in a simulation under a condition the
/// assessor confirms.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingRule {
    /// Whether simulated performance counts.
    pub simulation_allowed: bool,
    /// The condition for simulation, verbatim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
}

/// Every instance in scope has the flag `attribute` set: the activity happened at the same time
/// as the performance ("record relevant details on a database at the same time").
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Simultaneity {
    /// A flag attribute that records that the activity was simultaneous.
    pub attribute: String,
    /// The simultaneous activity, in words.
    pub activity: String,
}

/// Channels used: each of `all_of`, and at least one of `any_of` when it is not empty; over the
/// whole set of instances in scope or for each instance.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Channels {
    /// Channels that must all be used.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub all_of: Vec<Channel>,
    /// Channels of which at least one must be used.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub any_of: Vec<Channel>,
    /// Over the set of instances, or for each instance.
    #[serde(default)]
    pub per: Span,
}

/// Every instance in scope matches all filters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EveryInstance {
    /// Filters every instance must match.
    #[serde(rename = "where")]
    pub filters: Vec<AttributeFilter>,
}

/// The criteria are conditional (their `condition` says when): where the condition did not arise,
/// the assessor may record the criterion as not applicable instead of evidence.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Conditional {
    /// Criteria that carry a `condition`.
    pub criteria: Vec<String>,
}

/// The range lists apply to the scope. Open lists only describe; for a closed list every item
/// recorded under it must belong to it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RangeStatement {
    /// The range lists.
    pub lists: Vec<String>,
}

/// A requirement no recorded data can show: the assessor confirms it for the scope.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AssessorConfirms {
    /// What the assessor confirms, in words.
    pub statement: String,
}

/// The grades a result may take.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Grades {
    /// The grades, verbatim, lowest first.
    pub grades: Vec<String>,
}

/// Information with nothing to check (e.g. a notional design length).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Note {
    /// A one-line summary.
    pub summary: String,
}
