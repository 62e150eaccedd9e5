//! The standard as data: metadata, structure (outcomes, criteria, range lists, knowledge),
//! evidence attributes, sign-off. The evidence rules live in [`super::rule`].
//!
//! Every struct denies unknown fields so that a misspelt key in a YAML file is an error, not a
//! silently ignored line. Ids are plain strings; every `id` in one standard is unique across the
//! whole document, except attribute values (unique within their attribute) and interpretations
//! (unique within their rule).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::rule::{Provenance, Rule};

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

/// Lifecycle dates. Sources often give only a year or a month, so each is a [`PartialDate`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Dates {
    /// When this version was registered (took effect) with its awarding body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registered: Option<PartialDate>,
    /// When the standard (this version) was published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<PartialDate>,
    /// When the standard was approved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved: Option<PartialDate>,
    /// When the standard is planned to be reviewed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub planned_review: Option<PartialDate>,
    /// The last day on which candidates may be enrolled on this version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_date_for_enrolment: Option<PartialDate>,
    /// The last day on which candidates may be assessed against this version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_date_for_assessment: Option<PartialDate>,
}

impl Dates {
    /// Whether no date is known.
    pub fn is_empty(&self) -> bool {
        self.registered.is_none()
            && self.published.is_none()
            && self.approved.is_none()
            && self.last_date_for_enrolment.is_none()
            && self.planned_review.is_none()
            && self.last_date_for_assessment.is_none()
    }
}

/// A date known to a year (`2026`), a month (`2005-09`) or a day (`2027-12-31`).
#[derive(
    Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(transparent)]
pub struct PartialDate(
    #[schemars(regex(pattern = r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"))] pub String,
);

impl PartialDate {
    /// The first day the date can mean (`2005-09` → 1 September 2005), if the text is a valid date.
    pub fn earliest(&self) -> Option<chrono::NaiveDate> {
        let (year, month, day) = self.parts()?;
        chrono::NaiveDate::from_ymd_opt(year, month.unwrap_or(1), day.unwrap_or(1))
    }

    /// The last day the date can mean (`2026` → 31 December 2026), if the text is a valid date.
    pub fn latest(&self) -> Option<chrono::NaiveDate> {
        let (year, month, day) = self.parts()?;
        match (month, day) {
            (Some(month), Some(day)) => chrono::NaiveDate::from_ymd_opt(year, month, day),
            (Some(month), None) => {
                let (next_year, next_month) = if month == 12 {
                    (year + 1, 1)
                } else {
                    (year, month + 1)
                };
                chrono::NaiveDate::from_ymd_opt(next_year, next_month, 1)?.pred_opt()
            }
            _ => chrono::NaiveDate::from_ymd_opt(year, 12, 31),
        }
    }

    fn parts(&self) -> Option<(i32, Option<u32>, Option<u32>)> {
        let mut parts = self.0.split('-');
        let year = parse_digits(parts.next()?, 4)?;
        let month = match parts.next() {
            Some(text) => Some(parse_digits(text, 2)?),
            None => None,
        };
        let day = match parts.next() {
            Some(text) => Some(parse_digits(text, 2)?),
            None => None,
        };
        if parts.next().is_some() {
            return None;
        }
        let year = i32::try_from(year).ok()?;
        // Check the calendar (month 13, 30 February) before reporting the parts as a date.
        chrono::NaiveDate::from_ymd_opt(year, month.unwrap_or(1), day.unwrap_or(1))?;
        Some((year, month, day))
    }
}

fn parse_digits(text: &str, len: usize) -> Option<u32> {
    if text.len() == len && text.bytes().all(|b| b.is_ascii_digit()) {
        text.parse().ok()
    } else {
        None
    }
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

#[cfg(test)]
mod tests {
    use super::PartialDate;
    use chrono::NaiveDate;

    fn date(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, d)
    }

    #[test]
    fn a_partial_date_spans_its_year_month_or_day() {
        let year = PartialDate("2026".into());
        assert_eq!(year.earliest(), date(2026, 1, 1));
        assert_eq!(year.latest(), date(2026, 12, 31));
        let month = PartialDate("2024-02".into());
        assert_eq!(month.earliest(), date(2024, 2, 1));
        assert_eq!(month.latest(), date(2024, 2, 29));
        let december = PartialDate("2005-12".into());
        assert_eq!(december.latest(), date(2005, 12, 31));
        let day = PartialDate("2027-12-31".into());
        assert_eq!(day.earliest(), day.latest());
    }

    #[test]
    fn text_that_is_not_a_date_has_no_span() {
        for text in [
            "",
            "26",
            "2026-13",
            "2023-02-29",
            "2026-1",
            "2026-01-01-01",
            "September 2005",
        ] {
            assert_eq!(PartialDate(text.into()).earliest(), None, "{text}");
        }
    }
}
