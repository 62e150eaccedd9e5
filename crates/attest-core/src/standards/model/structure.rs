//! The standard's structure: definitions, outcomes and their criteria, range lists, knowledge
//! items and non-mandatory guidance.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A term the standard defines.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Definition {
    /// Stable id.
    pub id: String,
    /// The term, verbatim.
    pub term: String,
    /// The definition, verbatim (source errors kept as they are).
    pub text: String,
    /// A list the definition gives (e.g. examples of challenging customers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list: Option<RangeList>,
}

/// An outcome, or in a NOS a titled group of performance criteria.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Outcome {
    /// Stable id, e.g. `1` (NZQA, SQA) or `G1` (NOS group without a number).
    pub id: String,
    /// The source's own label, e.g. `Outcome 1`; absent where the source has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// The outcome statement or group heading, verbatim.
    pub title: String,
    /// The performance criteria, in source order.
    pub criteria: Vec<Criterion>,
    /// Range lists stated for the outcome as a whole.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub range: Vec<RangeList>,
}

/// A performance criterion.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Criterion {
    /// Stable id that evidence maps to, e.g. `1.1`, `1.a`, `13`.
    pub id: String,
    /// The source's own numbering as printed, e.g. `(a)`; absent when it equals the id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// The criterion, verbatim.
    pub text: String,
    /// For a conditional criterion, the verbatim words stating the condition ("where necessary").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    /// Range lists stated under the criterion.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub range: Vec<RangeList>,
}

/// A range statement's list of items.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RangeList {
    /// Stable id, referred to by rules and by evidence (`range: {greeting_requirements: [...]}`).
    pub id: String,
    /// What the list is of, in words for people, e.g. `greeting requirements`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The whole range statement, verbatim.
    pub verbatim: String,
    /// Whether the list is closed or open ("may include but are not limited to").
    pub openness: Openness,
    /// Whether the list is binding or guidance only.
    pub binding: Binding,
    /// The items, in source order.
    pub items: Vec<RangeItem>,
}

/// Whether a list is exhaustive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Openness {
    /// Only the listed items.
    Closed,
    /// The items are examples; others count too.
    Open,
}

/// Whether text binds the assessment or only guides it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Binding {
    /// Mandatory: evidence that breaks it is insufficient.
    Binding,
    /// Advice only (e.g. SQA support notes, "not mandatory").
    Guidance,
}

/// One item of a range list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RangeItem {
    /// Stable id, unique in the standard.
    pub id: String,
    /// The item, verbatim.
    pub text: String,
}

/// A knowledge and understanding item.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KnowledgeItem {
    /// Stable id, e.g. `K1` (assigned in source order where the source has no numbers).
    pub id: String,
    /// The source's own numbering as printed, e.g. `(a)` or `7`; absent where it has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// The item, verbatim.
    pub text: String,
}

/// A section of non-mandatory guidance, kept verbatim.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GuidanceSection {
    /// Stable id.
    pub id: String,
    /// The heading, verbatim.
    pub heading: String,
    /// The outcome the section is about, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    /// Running text, verbatim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Bulleted items, verbatim.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<String>,
}
