//! What is still missing, in words a candidate understands, and the kinds of gap in listing order.

use serde::{Deserialize, Serialize};

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
