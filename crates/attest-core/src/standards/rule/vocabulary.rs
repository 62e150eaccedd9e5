//! The words rules use: evidence methods and channels, the span a count is taken over, and the
//! evidence fields a check may count.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

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
