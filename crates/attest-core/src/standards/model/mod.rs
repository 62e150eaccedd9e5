//! The standard as data: metadata, structure (outcomes, criteria, range lists, knowledge),
//! evidence attributes, sign-off. The evidence rules live in [`super::rule`].
//!
//! Every struct denies unknown fields so that a misspelt key in a YAML file is an error, not a
//! silently ignored line. Ids are plain strings; every `id` in one standard is unique across the
//! whole document, except attribute values (unique within their attribute) and interpretations
//! (unique within their rule).

mod attributes;
mod dates;
mod metadata;
mod sign_off;
mod structure;

pub use attributes::{Attribute, AttributeKind, AttributeValue};
pub use dates::{Dates, PartialDate};
pub use metadata::{Classification, Credits, Level, LevelScheme, SourceField, StandardRef, Status};
pub use sign_off::{CommentsField, DatedField, Role, SignOff, Signature};
pub use structure::{
    Binding, Criterion, Definition, GuidanceSection, KnowledgeItem, Openness, Outcome, RangeItem,
    RangeList,
};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::rule::Rule;

/// One unit standard (NZQA unit standard, SQA unit, NOS, SVQ unit …) in one version.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Standard {
    /// The awarding framework or family, e.g. `NZQA`, `SQA`, `SVQ`, `NOS`.
    pub framework: String,
    /// The code as the framework writes it, e.g. `28268`, `DN8J 11`, `INSCC003`.
    pub code: String,
    /// Other codes the same standard is known by, e.g. `CFACC33` for `H12H 04`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// The version; (code, version) identifies a standard.
    pub version: u32,
    /// The title, verbatim.
    pub title: String,
    /// The level and the scheme it belongs to; absent where the source has none (NOS).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<Level>,
    /// The credit value and its unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credits: Option<Credits>,
    /// SCQF credit points, where the source gives them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scqf_points: Option<u32>,
    /// The notional design length in hours, where the source gives it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub design_length_hours: Option<u32>,
    /// Classifications, e.g. NZQA subfield path, SQA superclass, SOC code.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub classifications: Vec<Classification>,
    /// The standard's status in its framework.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    /// Lifecycle dates.
    #[serde(default, skip_serializing_if = "Dates::is_empty")]
    pub dates: Dates,
    /// Standards this one replaced.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub replaces: Vec<StandardRef>,
    /// Standards that replaced this one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub replaced_by: Vec<StandardRef>,
    /// The body that owns the standard (e.g. `Instructus`, `Scottish Qualifications Authority`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub originating_body: Option<String>,
    /// The purpose, summary or overview, verbatim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purpose: Option<String>,
    /// Who the standard is for, verbatim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
    /// Legislation and other documents the standard cites, verbatim.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<String>,
    /// Wording that qualifies the references (e.g. "and all subsequent amendments …").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub references_note: Option<String>,
    /// Other labelled fields of the source kept verbatim (keywords, occupations, empty headings …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub source_fields: Vec<SourceField>,
    /// Terms the standard defines.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub definitions: Vec<Definition>,
    /// Outcomes (NOS and SVQ: the groups of performance criteria), in source order.
    pub outcomes: Vec<Outcome>,
    /// Range lists that apply to the whole unit.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ranges: Vec<RangeList>,
    /// Knowledge and understanding items, in source order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub knowledge: Vec<KnowledgeItem>,
    /// Attributes an evidence instance records (enquiry type, customer type …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attributes: Vec<Attribute>,
    /// The rules about evidence, each with its provenance.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<Rule>,
    /// What the statement of competence needs, where the source gives a form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sign_off: Option<SignOff>,
    /// Non-mandatory guidance content (teaching content, context), verbatim.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub guidance: Vec<GuidanceSection>,
    /// Notes by whoever encoded the standard: what the source lacks, what was assumed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub encoding_notes: Vec<String>,
}
