//! Typed ids: one newtype over [`Uuid`] per kind of row, so an enrolment's id cannot be passed where
//! an organisation's is expected.
//!
//! Every id is stored as text on both backends in the form the service has always written:
//! hyphenated lowercase (`Uuid`'s `Display`, e.g. `67e55044-10b1-426f-9247-bb680e5fe0c8`). Reading
//! is as strict: any other text in an id column is a corrupt row, not an id that would then match
//! nothing. In JSON an id is that same string; in the OpenAPI document a `string` of format `uuid`.
//! Parse ids from a request once, at the edge (`http::api::typed_path_id`): a malformed id names
//! nothing that exists, so it is a 404 there.

use std::borrow::Cow;

use uuid::Uuid;

use super::column::{CorruptValue, TextValue};

/// What every typed id offers beyond its own type: conversions to and from [`Uuid`].
pub trait Id: Copy + Eq + std::hash::Hash + std::fmt::Display + std::str::FromStr {
    /// The id holding `uuid`.
    fn from_uuid(uuid: Uuid) -> Self;

    /// The uuid it holds.
    fn uuid(self) -> Uuid;
}

/// A malformed id (in input: a 404 on a path, a 4xx naming the field in a body).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not a well-formed {kind}")]
pub struct MalformedId {
    /// What was expected (`enrolment id`).
    pub kind: &'static str,
    /// The text given.
    pub text: String,
}

/// The uuid in `text`, which must be exactly the stored form: hyphenated lowercase.
fn parse_stored(text: &str) -> Option<Uuid> {
    let uuid = Uuid::parse_str(text).ok()?;
    let mut buffer = Uuid::encode_buffer();
    (uuid.hyphenated().encode_lower(&mut buffer) == text).then_some(uuid)
}

macro_rules! ids {
    ( $( $(#[$meta:meta])* $name:ident : $kind:literal; )+ ) => { $(
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            diesel::expression::AsExpression, diesel::deserialize::FromSqlRow,
        )]
        #[diesel(sql_type = diesel::sql_types::Text)]
        pub struct $name(Uuid);

        impl $name {
            /// A new random (v4) id, for a row about to be inserted.
            pub fn random() -> Self {
                Self(Uuid::new_v4())
            }
        }

        impl Id for $name {
            fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            fn uuid(self) -> Uuid {
                self.0
            }
        }

        impl From<Uuid> for $name {
            fn from(uuid: Uuid) -> Self {
                Self(uuid)
            }
        }

        impl From<$name> for Uuid {
            fn from(id: $name) -> Uuid {
                id.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                std::fmt::Display::fmt(&self.0.hyphenated(), f)
            }
        }

        /// Input is read as leniently as [`Uuid::parse_str`] reads it (any case, with or
        /// without hyphens), as the service always has; it is written back in the stored form.
        impl std::str::FromStr for $name {
            type Err = MalformedId;

            fn from_str(text: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(text).map(Self).map_err(|_| MalformedId {
                    kind: $kind,
                    text: text.to_owned(),
                })
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, text: &str) -> bool {
                parse_stored(text) == Some(self.0)
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, text: &&str) -> bool {
                *self == **text
            }
        }

        impl PartialEq<String> for $name {
            fn eq(&self, text: &String) -> bool {
                *self == **text
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <Cow<'de, str>>::deserialize(deserializer)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                uuid_schema()
            }
        }

        impl utoipa::ToSchema for $name {}

        impl TextValue for $name {
            fn to_text(&self) -> Result<Cow<'_, str>, Box<dyn std::error::Error + Send + Sync>> {
                Ok(Cow::Owned(self.to_string()))
            }

            fn from_text(text: &str) -> Result<Self, CorruptValue> {
                parse_stored(text).map(Self).ok_or_else(|| {
                    CorruptValue::new($kind, text, "is not a hyphenated lowercase uuid")
                })
            }
        }

        crate::text_column_sql!($name);
    )+ };
}

/// The id in `text`, read from a column that is still a plain `String` in its row struct: as strict
/// as a typed column (the stored form only), so a malformed one is a corrupt row
/// ([`DbError::Corrupt`](super::DbError::Corrupt)), never an id that matches nothing.
pub fn stored<T: TextValue>(text: &str) -> Result<T, super::DbError> {
    Ok(T::from_text(text)?)
}

/// The OpenAPI schema of every id: a string of format uuid.
fn uuid_schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
    ObjectBuilder::new()
        .schema_type(Type::String)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid)))
        .into()
}

ids! {
    /// An organisation (`organisations.id`, every `org_id`).
    OrgId: "organisation id";
    /// A site of an organisation (`sites.id`).
    SiteId: "site id";
    /// A person (`users.id`; candidates, assessors, verifiers and every `*_by` column).
    UserId: "user id";
    /// A role grant (`role_grants.id`).
    RoleGrantId: "role grant id";
    /// A verifier's assignment to an assessor (`iv_assignments.id`).
    IvAssignmentId: "verifier assignment id";
    /// A loaded version of a standard (`standard_versions.id`).
    StandardVersionId: "standard version id";
    /// A standard an organisation authored (`org_standards.id`).
    OrgStandardId: "organisation standard id";
    /// A mapping between two versions of a standard (`standard_mappings.id`).
    MappingId: "standard mapping id";
    /// An enrolment: a candidate on one standard version (`enrolments.id`).
    EnrolmentId: "enrolment id";
    /// A move of an enrolment to another version (`enrolment_moves.id`).
    MoveId: "enrolment move id";
    /// An extension of an enrolment's assessment period (`assessment_extensions.id`).
    ExtensionId: "assessment extension id";
    /// A cohort (`cohorts.id`).
    CohortId: "cohort id";
    /// An evidence record (`evidence.id`).
    EvidenceId: "evidence id";
    /// A time point on a recording (`evidence_time_points.id`).
    TimePointId: "time point id";
    /// An approved witness (`approved_witnesses.id`).
    WitnessId: "witness id";
    /// A request to a witness to confirm evidence (`witness_requests.id`).
    WitnessRequestId: "witness request id";
    /// A sign-off in the chain (`sign_offs.id`).
    SignOffId: "sign-off id";
    /// The assessor's feedback on a unit decision (`unit_feedback.id`).
    UnitFeedbackId: "unit feedback id";
    /// A sampling plan (`sampling_plans.id`).
    PlanId: "sampling plan id";
    /// A draw of a sampling plan (`plan_draws.id`).
    DrawId: "plan draw id";
    /// An internal verifier's sample (`samples.id`).
    SampleId: "sample id";
    /// A statement of competence (`statements.id`, `credentials.statement_id`).
    StatementId: "statement id";
    /// A results export (`export_batches.id`, `reported_results.batch_id`).
    ExportBatchId: "export batch id";
    /// A set of knowledge questions (`question_sets.id`).
    QuestionSetId: "question set id";
    /// One question of a set (`question_set_items.id`).
    QuestionItemId: "question id";
    /// A set of questions sent to a candidate (`question_requests.id`).
    QuestionRequestId: "question request id";
    /// A candidate's answer to one question (`question_answers.id`).
    QuestionAnswerId: "answer id";
    /// A notification (`notifications.id`).
    NotificationId: "notification id";
    /// A queued mail (`outbox.id`).
    MailId: "mail id";
}
