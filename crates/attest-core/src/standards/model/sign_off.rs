//! What the statement of competence must carry: signatures, dated fields, comments, and the
//! roles that sign.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::standards::rule::Provenance;

/// What the statement of competence must carry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SignOff {
    /// Stable id of the requirement.
    pub id: String,
    /// The heading, verbatim, e.g. `Statement of competence`.
    pub heading: String,
    /// The statement the signatories sign, verbatim.
    pub statement: String,
    /// The signatures, in source order; each is dated where `dated` is true.
    pub signatures: Vec<Signature>,
    /// Further dated fields, e.g. `Date sampled (by IV)`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dated_fields: Vec<DatedField>,
    /// A free-text comments field, where the form has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comments: Option<CommentsField>,
    /// Where the form comes from.
    pub source: Provenance,
}

/// A signature on the statement of competence.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Signature {
    /// Who signs.
    pub role: Role,
    /// The label as printed, e.g. `Candidate's signature`.
    pub label: String,
    /// Whether a date goes with the signature.
    pub dated: bool,
}

/// A dated field that is not a signature.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DatedField {
    /// Stable id.
    pub id: String,
    /// The label as printed, e.g. `Date sampled (by IV)`.
    pub label: String,
    /// Who fills it in.
    pub role: Role,
}

/// The comments field of a form.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentsField {
    /// The label as printed, e.g. `Comments`.
    pub label: String,
}

/// The people who take part in assessment and its quality assurance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The person being assessed.
    Candidate,
    /// The assessor who judges the evidence.
    Assessor,
    /// The internal verifier (internal quality assurer).
    InternalVerifier,
    /// The external verifier of the awarding body.
    ExternalVerifier,
}
