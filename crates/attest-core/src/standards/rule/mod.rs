//! Evidence rules: what a portfolio must contain, each rule with its provenance in the source.
//!
//! A rule applies to a [`Scope`] (the whole unit, some outcomes, criteria or knowledge items) and
//! holds one or more [`Check`]s. Each check kind maps to one mechanical check of the rules engine;
//! "the instances in scope" are the evidence instances mapped to any criterion of the scope's
//! outcomes, to any of its criteria, or to any of its knowledge items (all instances for the unit).
//! A rule whose source is ambiguous holds named [`Interpretation`]s instead of checks, and names
//! the one taken by default; a provider may choose another (see [`super::Interpretations`]).
//!
//! The rule, its scope and provenance are here; the words rules use are in `vocabulary`, the body
//! of each check kind in `kinds`, and [`Check`] itself in `check`.

mod check;
mod kinds;
mod vocabulary;

pub use check::*;
pub use kinds::*;
pub use vocabulary::*;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::model::Binding;

/// A rule about evidence, taken from one passage of the source.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Stable id, e.g. `N7`; reports and provider settings refer to it.
    pub id: String,
    /// Where the rule applies; the whole unit when empty.
    #[serde(default, skip_serializing_if = "Scope::is_unit")]
    pub scope: Scope,
    /// The checks, when the source is unambiguous.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<Check>,
    /// The possible readings, when the source is ambiguous (then `checks` is empty).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub interpretations: Vec<Interpretation>,
    /// The interpretation taken unless a provider chooses another.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_interpretation: Option<String>,
    /// Where the rule comes from.
    pub source: Provenance,
}

/// Where a rule applies. All lists empty means the whole unit; otherwise the union of the lists.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Scope {
    /// Outcome ids.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outcomes: Vec<String>,
    /// Criterion ids.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub criteria: Vec<String>,
    /// Knowledge item ids.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub knowledge: Vec<String>,
}

impl Scope {
    /// Whether the scope is the whole unit.
    pub fn is_unit(&self) -> bool {
        self.outcomes.is_empty() && self.criteria.is_empty() && self.knowledge.is_empty()
    }
}

/// Where a rule comes from and how sure its encoding is.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Provenance {
    /// The source's words, verbatim (it must occur in the source document).
    pub verbatim: String,
    /// Where the words are in the source, e.g. `Outcome 1, PC 1.1, Range`.
    pub locator: String,
    /// Whether the source makes the rule mandatory or offers it as guidance.
    pub binding: Binding,
    /// How directly the encoding follows from the words.
    pub confidence: Confidence,
    /// Why the rule is encoded as it is, where that is not obvious.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// How directly an encoded rule follows from the source's words.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    /// The words say it.
    Explicit,
    /// A reading of the words; say which in the note.
    Inferred,
    /// The words allow several readings; the rule lists them as interpretations.
    Ambiguous,
}

/// One reading of an ambiguous rule.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Interpretation {
    /// Stable id, unique within the rule; provider settings refer to it.
    pub id: String,
    /// A short label for people.
    pub label: String,
    /// Why someone might read the source this way.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explanation: Option<String>,
    /// The checks under this reading.
    pub checks: Vec<Check>,
}

/// Selects evidence instances by an attribute: the instance's value(s) must include one of
/// `any_of`; with `any_of` empty, the attribute must have a value (a flag must be `true`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AttributeFilter {
    /// The attribute id.
    pub attribute: String,
    /// Declared values of the attribute, any of which matches.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub any_of: Vec<String>,
}
