//! What a person gives to record evidence: the record's fields, the kind-specific details and the
//! file it stores, as the API reads them and the pages build them.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

use crate::rules::portfolio::{AttributeValue, Link, Setting};
use crate::standards::{Channel, Method};

/// A criterion claimed by new evidence, with the range items shown for it.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MappingInput {
    /// The criterion id, e.g. `1.1`.
    pub criterion: String,
    /// Range items shown, by range list id.
    #[serde(default)]
    pub range: BTreeMap<String, Vec<String>>,
}

/// One line of an observation checklist.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChecklistLine {
    /// The criterion.
    pub criterion: String,
    /// shown, not_shown or not_applicable.
    pub result: ChecklistResult,
    /// Range items seen, by range list id.
    #[serde(default)]
    pub range: BTreeMap<String, Vec<String>>,
    /// The assessor's notes.
    #[serde(default)]
    pub notes: Option<String>,
}

/// What the assessor saw for one criterion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChecklistResult {
    /// Shown.
    Shown,
    /// Not shown.
    NotShown,
    /// The criterion's condition did not arise.
    NotApplicable,
}

/// A witness and their testimony.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Witness {
    /// Name.
    pub name: String,
    /// Job title.
    pub job_title: String,
    /// Relationship to the candidate (a relative is refused).
    pub relationship: String,
    /// How to contact them.
    pub contact: String,
    /// The testimony in their words.
    pub statement: String,
    /// The witness declares the statement true: set when the witness confirms through their own
    /// link (or by the assessor recording a signed paper testimony). Until then the testimony is
    /// awaiting the witness and does not count.
    #[serde(default)]
    pub declaration: bool,
    /// When the witness signed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub declared_on: Option<NaiveDate>,
}

/// A question and the candidate's answer.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuestionAnswer {
    /// The question.
    pub question: String,
    /// The answer.
    pub answer: String,
}

/// A moment in a recording where a criterion is shown.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Timestamp {
    /// The criterion.
    pub criterion: String,
    /// Position, e.g. `04:35`.
    pub at: String,
}

/// What only some kinds of evidence record.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EvidenceDetails {
    /// Observation checklist lines.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checklist: Vec<ChecklistLine>,
    /// Witness testimony.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub witness: Option<Witness>,
    /// Questioning record.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub questions: Vec<QuestionAnswer>,
    /// Summary (professional discussion, electronic data record, product evidence).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// Criteria shown at moments of a recording.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub timestamps: Vec<Timestamp>,
    /// The outcomes an observation covers (its checklist holds their criteria only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outcomes: Vec<String>,
    /// When the observed activity started (`HH:MM`); given with `end` or not at all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, example = "09:30")]
    pub start: Option<NaiveTime>,
    /// When it ended: after `start`, the same day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, example = "10:05")]
    pub end: Option<NaiveTime>,
    /// The assessor's overall narrative of what they observed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub narrative: Option<String>,
    /// Feedback to the candidate (shown to them with the record).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feedback: Option<String>,
}

/// A new evidence record.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewEvidence {
    /// observation_checklist, witness_testimony, electronic_data_record, oral_questioning,
    /// written_questioning, product_evidence or professional_discussion.
    #[schema(value_type = String)]
    pub method: Method,
    /// A noun for sentences ("enquiry", "complaint").
    #[serde(default)]
    pub kind: Option<String>,
    /// A short description.
    #[serde(default)]
    pub title: Option<String>,
    /// workplace or simulation.
    #[schema(value_type = String)]
    pub setting: Setting,
    /// phone, email, webchat, letter, face_to_face, video, social_media.
    #[serde(default)]
    #[schema(value_type = Vec<String>)]
    pub channel: Vec<Channel>,
    /// The day of the activity.
    pub date: NaiveDate,
    /// The time of the activity.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub time: Option<NaiveTime>,
    /// Assessment site.
    #[serde(default)]
    pub site: Option<String>,
    /// Attribute values by attribute id.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub attributes: BTreeMap<String, AttributeValue>,
    /// Criteria claimed, with range items.
    #[serde(default)]
    pub criteria: Vec<MappingInput>,
    /// Knowledge item ids covered.
    #[serde(default)]
    pub knowledge: Vec<String>,
    /// Links to other evidence of this enrolment.
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub links: Vec<Link>,
    /// Kind-specific details.
    #[serde(default)]
    pub details: EvidenceDetails,
    /// The candidate's declaration that this evidence is their own work (required from candidates).
    #[serde(default)]
    pub declaration: bool,
}

/// A stored evidence file.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StoredFile {
    /// SHA-256 of the content.
    pub sha256: String,
    /// The original name, sanitised.
    pub name: String,
    /// Size in bytes.
    pub size: i64,
    /// Type detected from the content.
    pub content_type: String,
}
