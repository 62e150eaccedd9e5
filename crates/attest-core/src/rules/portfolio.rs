//! The portfolio file: a candidate's evidence instances and the assessor's judgement of each mapping.
//!
//! These types *are* the documented YAML/JSON format (`docs/portfolio-format.md`): every struct denies
//! unknown fields so that a misspelt key is reported instead of silently ignored.

mod keyed;

use std::fmt;

use chrono::{NaiveDate, NaiveTime};
use serde::de::{self, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::standards::{Channel, Method};

pub use keyed::Keyed;

/// A candidate's portfolio for one unit standard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Portfolio {
    /// The standard (and version) this portfolio is assessed against.
    pub standard: StandardRef,
    /// Who the portfolio belongs to; shown in reports only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub candidate: Option<String>,
    /// The evidence instances, in the order the candidate lists them.
    #[serde(default)]
    pub evidence: Vec<Evidence>,
    /// Conditional criteria recorded as not applicable because their condition did not arise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_applicable: Vec<NotApplicable>,
    /// The assessor's confirmations of rules no evidence can show (`assessor_confirms`, a simulation's
    /// condition), by rule id.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub confirmations: Vec<Confirmation>,
}

/// Which standard a portfolio is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StandardRef {
    /// The standard's code, e.g. `28268` or `DN8J 11`.
    #[serde(deserialize_with = "word_or_number")]
    pub code: String,
    /// The standard's version, e.g. `2`.
    pub version: u32,
}

/// One piece of evidence: an observed enquiry, a witness testimony, an electronic data record, …
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Evidence {
    /// Stable id, unique within the portfolio (reports and links refer to it).
    pub id: String,
    /// What the evidence is, as a noun for sentences ("enquiry", "complaint", "contact"); reports
    /// call it "the enquiry of 12 May". Defaults to the method ("the observation checklist of 12 May").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// A short description for people, e.g. "Broadband upgrade call".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The assessment method (e.g. `observation_checklist`).
    pub method: Method,
    /// Where the performance happened.
    pub setting: Setting,
    /// The communication channel(s) used (`phone`, or a list such as `[phone, email]`).
    #[serde(
        default,
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub channel: Vec<Channel>,
    /// The day the evidence was produced.
    pub date: NaiveDate,
    /// The time of day, when it matters (e.g. to show two records were made together).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<NaiveTime>,
    /// The assessment site (workplace, branch, training centre).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
    /// Attribute values, keyed by attribute ids the standard declares (e.g. `enquiry_type: complex`).
    #[serde(default, skip_serializing_if = "Keyed::is_empty")]
    pub attributes: Keyed<String, AttributeValue>,
    /// The criteria this evidence is mapped to, with the range items it shows for each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub criteria: Vec<CriterionMapping>,
    /// The knowledge items this evidence covers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub knowledge: Vec<KnowledgeMapping>,
    /// Links to other evidence instances (e.g. the data record made during this call).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Link>,
}

/// Where a piece of evidence was produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Setting {
    /// Real work in a real workplace.
    Workplace,
    /// A simulated workplace (role play, training environment).
    Simulation,
}

/// A claim that an evidence instance shows a performance criterion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CriterionMapping {
    /// The criterion id, e.g. `1.1`.
    #[serde(deserialize_with = "word_or_number")]
    pub criterion: String,
    /// Range items shown, keyed by range list id (e.g. `greeting_requirements: [courtesy, timeliness]`).
    /// For an open list, an item the list does not name is written `"other: <what was shown>"`.
    #[serde(default, skip_serializing_if = "Keyed::is_empty")]
    pub range: Keyed<String, Vec<String>>,
    /// The assessor's judgement of this mapping.
    #[serde(default)]
    pub judgement: Judgement,
    /// The assessor's feedback, required in practice when rejecting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feedback: Option<String>,
}

/// A claim that an evidence instance covers a knowledge item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KnowledgeMapping {
    /// The knowledge item id, e.g. `k7` or `a`.
    #[serde(deserialize_with = "word_or_number")]
    pub item: String,
    /// The assessor's judgement of this mapping.
    #[serde(default)]
    pub judgement: Judgement,
    /// The assessor's feedback.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feedback: Option<String>,
}

/// The assessor's judgement of one mapping.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Judgement {
    /// Claimed, not yet judged.
    #[default]
    Pending,
    /// The assessor accepted the mapping.
    Accepted,
    /// The assessor rejected the mapping (see the feedback).
    Rejected,
}

/// A link from one evidence instance to another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Link {
    /// The id of the linked evidence instance.
    pub to: String,
    /// What the link asserts.
    pub kind: LinkKind,
}

/// What a link between two evidence instances asserts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkKind {
    /// The linked record was made at the same time as this performance (e.g. data captured during a call).
    RecordedAtSameTime,
    /// The linked instance supports this one (e.g. a witness testimony about an observed contact).
    Supports,
}

/// An attribute value: a word (`complex`), a list of words (`[angry, confused]`) or a yes/no flag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttributeValue {
    /// A yes/no property, e.g. `particular_needs: true`.
    Flag(bool),
    /// One value, e.g. `enquiry_type: complex`.
    One(String),
    /// Several values, e.g. `challenging_customer_type: [angry, confused]`.
    Many(Vec<String>),
}

impl AttributeValue {
    /// The words this value holds (none for a flag).
    pub fn words(&self) -> &[String] {
        match self {
            AttributeValue::Flag(_) => &[],
            AttributeValue::One(word) => std::slice::from_ref(word),
            AttributeValue::Many(words) => words,
        }
    }

    /// Whether the value holds `word`, or is the flag `true` when `word` is `"true"`.
    pub fn holds(&self, word: &str) -> bool {
        match self {
            AttributeValue::Flag(flag) => (word == "true") == *flag,
            _ => self.words().iter().any(|w| w == word),
        }
    }
}

impl Serialize for AttributeValue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            AttributeValue::Flag(flag) => serializer.serialize_bool(*flag),
            AttributeValue::One(word) => serializer.serialize_str(word),
            AttributeValue::Many(words) => words.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for AttributeValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ValueVisitor;
        impl<'de> Visitor<'de> for ValueVisitor {
            type Value = AttributeValue;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a word, a list of words, or true/false")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
                Ok(AttributeValue::Flag(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(AttributeValue::One(v.to_owned()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(AttributeValue::One(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(AttributeValue::One(v.to_string()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut words = Vec::new();
                while let Some(word) = seq.next_element::<Word>()? {
                    words.push(word.0);
                }
                Ok(AttributeValue::Many(words))
            }
        }
        deserializer.deserialize_any(ValueVisitor)
    }
}

/// A string that YAML authors may write unquoted as a number (`version: 2`, `criterion: 1.1`).
struct Word(String);

impl<'de> Deserialize<'de> for Word {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct WordVisitor;
        impl Visitor<'_> for WordVisitor {
            type Value = Word;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a word or a number")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Word(v.to_owned()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(Word(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(Word(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                // An unquoted `1.10` reads as the number 1.1, so accepting numbers with a point would
                // silently map evidence to the wrong criterion.
                Err(E::custom(format_args!(
                    "write {v} in quotes (\"{v}\"): unquoted, 1.10 and 1.1 read as the same number"
                )))
            }
        }
        deserializer.deserialize_any(WordVisitor)
    }
}

fn word_or_number<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    Word::deserialize(deserializer).map(|word| word.0)
}

fn one_or_many<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<Channel>, D::Error> {
    struct ChannelsVisitor;
    impl<'de> Visitor<'de> for ChannelsVisitor {
        type Value = Vec<Channel>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a channel or a list of channels")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            // Deserializing through the enum keeps serde's "unknown variant …, expected one of …".
            Channel::deserialize(de::value::StrDeserializer::<E>::new(v)).map(|c| vec![c])
        }
        fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
            Vec::<Channel>::deserialize(de::value::SeqAccessDeserializer::new(seq))
        }
    }
    deserializer.deserialize_any(ChannelsVisitor)
}

/// A conditional criterion recorded as not applicable: its condition did not arise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotApplicable {
    /// The criterion id; the standard must mark it conditional.
    #[serde(deserialize_with = "word_or_number")]
    pub criterion: String,
    /// Why the condition did not arise.
    pub reason: String,
    /// The assessor's judgement of the claim.
    #[serde(default)]
    pub judgement: Judgement,
    /// The assessor's feedback.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feedback: Option<String>,
}

/// The assessor's confirmation of a rule no evidence can show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Confirmation {
    /// The rule id, e.g. `N3`.
    pub rule: String,
    /// The assessor's judgement: accepted confirms the rule.
    #[serde(default)]
    pub judgement: Judgement,
    /// The assessor's note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}
