//! What a standard says about itself: level, credits, classifications, status, related standards
//! and labelled source fields kept verbatim.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A level in a named qualifications framework.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Level {
    /// The framework the level belongs to.
    pub scheme: LevelScheme,
    /// The level number in that framework.
    pub value: u8,
    /// The framework's own name for the level, where it has one (e.g. `Intermediate 2`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

/// Qualifications frameworks a level can belong to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum LevelScheme {
    /// New Zealand Qualifications and Credentials Framework.
    Nzqf,
    /// Scottish Credit and Qualifications Framework.
    Scqf,
    /// Regulated Qualifications Framework (England, Northern Ireland).
    Rqf,
    /// Credit and Qualifications Framework for Wales.
    Cqfw,
    /// European Qualifications Framework.
    Eqf,
    /// Australian Qualifications Framework.
    Aqf,
}

/// A credit value.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Credits {
    /// How many credits (SQA units may carry half credits).
    pub value: f64,
    /// What a credit is, e.g. `NZQF credits`, `SQA credit`.
    pub unit: String,
}

/// A classification of the standard in some scheme.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Classification {
    /// The scheme, e.g. `NZQA`, `SQA superclass`, `SOC`.
    pub scheme: String,
    /// The value, verbatim, e.g. `Contact Centres > Contact Centre Operations`.
    pub value: String,
}

/// A standard's status in its framework.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Registered and in use.
    Current,
    /// Being phased out: see `dates.last_date_for_assessment`.
    Expiring,
    /// No longer assessable.
    Expired,
    /// Not yet approved.
    Draft,
}

/// A reference to another standard (for `replaces` / `replaced_by`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StandardRef {
    /// The other standard's code.
    pub code: String,
    /// Its version, where the source names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u32>,
}

/// A labelled field of the source kept verbatim; an empty value records an empty heading.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SourceField {
    /// The label as the source prints it, e.g. `Keywords`.
    pub label: String,
    /// The value, verbatim; empty where the source leaves the heading empty.
    #[serde(default)]
    pub value: String,
}
