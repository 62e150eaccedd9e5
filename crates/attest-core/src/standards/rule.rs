//! Evidence rules: what a portfolio must contain, each rule with its provenance in the source.
//!
//! A rule applies to a [`Scope`] (the whole unit, some outcomes, criteria or knowledge items) and
//! holds one or more [`Check`]s. Each check kind maps to one mechanical check of the rules engine;
//! "the instances in scope" are the evidence instances mapped to any criterion of the scope's
//! outcomes, to any of its criteria, or to any of its knowledge items (all instances for the unit).
//! A rule whose source is ambiguous holds named [`Interpretation`]s instead of checks, and names
//! the one taken by default; a provider may choose another (see [`super::Interpretations`]).

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

/// Assessment methods (a fixed vocabulary).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// An assessor's observation recorded on a checklist.
    ObservationChecklist,
    /// A statement by a witness of the performance.
    WitnessTestimony,
    /// A record the candidate made in the organisation's systems.
    ElectronicDataRecord,
    /// Questions answered orally.
    OralQuestioning,
    /// Questions answered in writing.
    WrittenQuestioning,
    /// Work products (files, logs, letters, e-mails).
    ProductEvidence,
    /// A planned discussion between assessor and candidate.
    ProfessionalDiscussion,
}

/// Communication channels (a fixed vocabulary).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// Telephone.
    Phone,
    /// E-mail.
    Email,
    /// Web chat.
    Webchat,
    /// Letter.
    Letter,
    /// In person.
    FaceToFace,
    /// Video call.
    Video,
    /// Social media (including blogs).
    SocialMedia,
}

impl Method {
    /// The method in words, e.g. `observation checklist`.
    pub fn label(self) -> &'static str {
        match self {
            Method::ObservationChecklist => "observation checklist",
            Method::WitnessTestimony => "witness testimony",
            Method::ElectronicDataRecord => "electronic data record",
            Method::OralQuestioning => "oral questioning",
            Method::WrittenQuestioning => "written questioning",
            Method::ProductEvidence => "product evidence",
            Method::ProfessionalDiscussion => "professional discussion",
        }
    }
}

impl Channel {
    /// Every channel, in the vocabulary's order.
    pub const ALL: [Channel; 7] = [
        Channel::Phone,
        Channel::Email,
        Channel::Webchat,
        Channel::Letter,
        Channel::FaceToFace,
        Channel::Video,
        Channel::SocialMedia,
    ];

    /// The channel as written in YAML, e.g. `face_to_face`.
    pub fn id(self) -> &'static str {
        match self {
            Channel::Phone => "phone",
            Channel::Email => "email",
            Channel::Webchat => "webchat",
            Channel::Letter => "letter",
            Channel::FaceToFace => "face_to_face",
            Channel::Video => "video",
            Channel::SocialMedia => "social_media",
        }
    }

    /// The channel in words, e.g. `face to face`.
    pub fn label(self) -> &'static str {
        match self {
            Channel::Phone => "phone",
            Channel::Email => "email",
            Channel::Webchat => "webchat",
            Channel::Letter => "letter",
            Channel::FaceToFace => "face to face",
            Channel::Video => "video",
            Channel::SocialMedia => "social media",
        }
    }
}

/// Over what a channel or method requirement is checked.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Span {
    /// Over the whole set of instances in scope.
    #[default]
    Set,
    /// For each instance in scope separately.
    Instance,
}

impl Span {
    /// Whether this is the default reading (over the set), which YAML may leave out.
    pub fn is_set(&self) -> bool {
        *self == Span::Set
    }
}

/// A field every piece of evidence records itself, which a count of distinct values may use
/// instead of an attribute (so that the count can never disagree with the field).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceField {
    /// The channel(s) the evidence used (`channel:`).
    Channel,
    /// The assessment site (`site:`).
    Site,
}

impl EvidenceField {
    /// The field as written in a portfolio, e.g. `channel`.
    pub fn key(self) -> &'static str {
        match self {
            EvidenceField::Channel => "channel",
            EvidenceField::Site => "site",
        }
    }
}

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

/// Declares [`Check`] and its YAML form `CheckRepr` (a mapping with exactly one key, the kind) from
/// one list, so the two cannot drift apart. serde_yaml 0.9 writes externally tagged enums as YAML
/// tags (`!min_instances`), which JSON Schema cannot describe; a one-key mapping it can.
macro_rules! check_kinds {
    ($( $(#[$doc:meta])* $variant:ident($ty:ty) = $key:ident, )+) => {
        /// One mechanical check. In YAML a mapping with one key, the kind:
        /// `- min_instances: {min: 2, where: [{attribute: enquiry_type, any_of: [complex]}]}`.
        #[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
        #[serde(try_from = "CheckRepr", into = "CheckRepr")]
        pub enum Check {
            $( $(#[$doc])* $variant($ty), )+
        }

        /// A check as written: exactly one of these keys.
        #[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
        #[serde(deny_unknown_fields)]
        #[schemars(rename = "Check", extend("minProperties" = 1, "maxProperties" = 1))]
        struct CheckRepr {
            $(
                $(#[$doc])*
                #[serde(default, skip_serializing_if = "Option::is_none")]
                $key: Option<$ty>,
            )+
        }

        impl Check {
            /// The kind as written in YAML, e.g. `min_instances`.
            pub fn kind(&self) -> &'static str {
                match self {
                    $( Check::$variant(_) => stringify!($key), )+
                }
            }

            /// Every kind, as written in YAML.
            pub const KINDS: &'static [&'static str] = &[$( stringify!($key), )+];
        }

        impl TryFrom<CheckRepr> for Check {
            type Error = String;

            fn try_from(repr: CheckRepr) -> Result<Self, String> {
                let mut found = Vec::new();
                $( if let Some(body) = repr.$key { found.push(Check::$variant(body)); } )+
                match found.len() {
                    1 => Ok(found.remove(0)),
                    0 => Err(format!("a check needs one kind: {}", Check::KINDS.join(", "))),
                    _ => {
                        let kinds: Vec<&str> = found.iter().map(Check::kind).collect();
                        Err(format!("a check has exactly one kind, found {}", kinds.join(" and ")))
                    }
                }
            }
        }

        impl From<Check> for CheckRepr {
            fn from(check: Check) -> Self {
                let mut repr = CheckRepr::default();
                match check {
                    $( Check::$variant(body) => repr.$key = Some(body), )+
                }
                repr
            }
        }
    };
}

check_kinds! {
    /// At least N instances (matching filters) in scope.
    MinInstances(MinInstances) = min_instances,
    /// At least N items of a range list shown per instance.
    MinRangeItems(MinRangeItems) = min_range_items,
    /// At least N distinct values of an attribute across instances.
    MinDistinctValues(MinDistinctValues) = min_distinct_values,
    /// All criteria, all knowledge items or all items of lists covered.
    Coverage(Coverage) = coverage,
    /// What does not count as an instance of a kind.
    Exclusion(Exclusion) = exclusion,
    /// Required, supporting and permitted methods.
    Methods(Methods) = methods,
    /// Workplace only, or simulation under a condition.
    Setting(SettingRule) = setting,
    /// An activity done at the same time as the performance.
    Simultaneity(Simultaneity) = simultaneity,
    /// Channels used.
    Channels(Channels) = channels,
    /// Every instance matches filters.
    EveryInstance(EveryInstance) = every_instance,
    /// Conditional criteria may be not applicable.
    Conditional(Conditional) = conditional,
    /// Range lists that apply.
    RangeStatement(RangeStatement) = range_statement,
    /// The assessor confirms a statement.
    AssessorConfirms(AssessorConfirms) = assessor_confirms,
    /// The grades available.
    Grades(Grades) = grades,
    /// Information only.
    Note(Note) = note,
}
