//! Attributes that evidence instances record, and their declared values.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Openness;

/// An attribute that evidence instances record, so that rules can count and filter them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Attribute {
    /// Stable id, the key evidence uses (`attributes: {enquiry_type: complex}`).
    pub id: String,
    /// A short label for people.
    pub label: String,
    /// What the attribute records and how to decide its value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The shape of the value.
    pub kind: AttributeKind,
    /// Whether values other than the declared ones are allowed.
    pub openness: Openness,
    /// The declared values (for `choice` and `choices`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<AttributeValue>,
    /// A range list whose items are the declared values (instead of, or as well as, `values`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values_from: Option<String>,
}

/// The shape of an attribute's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AttributeKind {
    /// One value id.
    Choice,
    /// A list of value ids.
    Choices,
    /// Yes or no (`true` / `false`).
    Flag,
    /// Free text, e.g. a customer reference used to tell customers apart.
    Text,
}

/// A declared attribute value.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AttributeValue {
    /// Stable id, unique within the attribute.
    pub id: String,
    /// A short label for people.
    pub label: String,
    /// The definition in the standard that says what the value means.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub definition: Option<String>,
}
