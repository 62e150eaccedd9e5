//! Remote witness testimony (issue 15): the candidate (or assessor) asks a witness to attest to a
//! piece of witness-testimony evidence; the witness gets a one-time link (a random token; only its
//! SHA-256 is kept), reads what the candidate says they did, writes or corrects the testimony,
//! states their relationship and role, and confirms. The confirmation is bound to the hash of what
//! they confirmed, with the time and their address. Until then the evidence is "awaiting witness"
//! and does not count. Links expire, are single use, and can be revoked and sent again.
//!
//! By step: [`request`] asks a witness and withdraws a link, [`confirm`] is what the witness does
//! through it, and [`actions`] the use cases the API and the pages share.

pub mod actions;
mod confirm;
mod request;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::db::ids::{EnrolmentId, EvidenceId, UserId, WitnessId, WitnessRequestId};
use crate::db::schema::witness_requests;

pub use confirm::{confirm, witness_view};
pub use request::{request_testimony, requests_for, requests_of, revoke};

/// How long a link stays usable.
pub const LINK_DAYS: i64 = 14;

/// A request to a witness, as the candidate and staff see it (never the token).
#[derive(Debug, Clone, Queryable, Selectable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = witness_requests)]
pub struct WitnessRequest {
    /// Its id.
    #[schema(value_type = String)]
    pub id: WitnessRequestId,
    /// The enrolment.
    #[schema(value_type = String)]
    pub enrolment_id: EnrolmentId,
    /// The witness-testimony evidence it is for.
    #[schema(value_type = String)]
    pub evidence_id: EvidenceId,
    /// SHA-256 of the link's token.
    #[serde(skip)]
    pub token_hash: String,
    /// The witness's name.
    pub witness_name: String,
    /// Where the link was sent.
    pub witness_email: String,
    /// The organisation's approved witness, when chosen from the list (else the witness is
    /// unapproved, and the assessor is told so).
    #[schema(value_type = Option<String>)]
    pub approved_witness_id: Option<WitnessId>,
    /// Who asked.
    #[schema(value_type = String)]
    pub requested_by: UserId,
    /// When.
    #[serde(serialize_with = "crate::db::utc::serialize")]
    pub requested_at: NaiveDateTime,
    /// Until when the link works.
    #[serde(serialize_with = "crate::db::utc::serialize")]
    pub expires_at: NaiveDateTime,
    /// open, confirmed or revoked (an open link past its time has expired).
    #[schema(value_type = String)]
    pub status: WitnessRequestStatus,
    /// When it was confirmed or revoked.
    #[serde(serialize_with = "crate::db::utc::serialize_option")]
    pub closed_at: Option<NaiveDateTime>,
    /// SHA-256 of exactly what the witness confirmed.
    pub confirmed_hash: Option<String>,
    /// The address the confirmation came from.
    pub confirmed_address: Option<String>,
}

crate::text_enum! {
    /// Where a request to a witness is, as stored in `witness_requests.status`.
    pub enum WitnessRequestStatus: "witness request status" {
        /// The link works until it expires.
        Open = "open",
        /// The witness confirmed the evidence.
        Confirmed = "confirmed",
        /// Staff or the candidate withdrew the link.
        Revoked = "revoked",
    }
}

impl WitnessRequest {
    /// open, confirmed, revoked or expired, at `now`.
    pub fn state(&self, now: DateTime<Utc>) -> &'static str {
        if self.status == WitnessRequestStatus::Open && self.expires_at <= now.naive_utc() {
            "expired"
        } else {
            self.status.as_str()
        }
    }
}

/// Whom to ask.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestInput {
    /// One of the organisation's approved witnesses (their contact must be an email address).
    #[serde(default)]
    pub approved_witness_id: Option<String>,
    /// A witness not on the list: their name (defaults to the one on the evidence).
    #[serde(default)]
    pub name: Option<String>,
    /// … and email address (defaults to the contact on the evidence).
    #[serde(default)]
    pub email: Option<String>,
}

/// The witness's testimony as they confirm it.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Testimony {
    /// The testimony in the witness's words (the candidate's account, corrected as needed).
    pub statement: String,
    /// Their relationship to the candidate (a relative is refused).
    pub relationship: String,
    /// Their role or job title.
    pub job_title: String,
    /// "I confirm this testimony is true."
    pub declaration: bool,
}

/// What the witness is shown.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WitnessView {
    /// The request.
    #[schema(value_type = String)]
    pub request_id: WitnessRequestId,
    /// The candidate's name.
    pub candidate: String,
    /// The unit, by code and version.
    pub unit: String,
    /// The activity's date.
    pub date: String,
    /// The activity's title, when given.
    pub title: Option<String>,
    /// What the candidate says they did (the draft testimony).
    pub statement: String,
    /// The witness's name.
    pub witness_name: String,
    /// The relationship the candidate gave.
    pub relationship: String,
    /// The job title the candidate gave.
    pub job_title: String,
    /// The criteria the candidate says the witness saw.
    pub criteria: Vec<String>,
    /// Until when the link works.
    #[serde(serialize_with = "crate::db::utc::serialize")]
    pub expires_at: NaiveDateTime,
}

/// The SHA-256 (hex) of a link token (the one hash every one-time link stores).
pub fn token_hash(token: &str) -> String {
    crate::auth::one_time::hash_token(token)
}
