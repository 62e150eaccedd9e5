//! Witness testimony as people ask for it and give it: the requests for a piece of testimony,
//! asking a witness (the link is mailed to them), withdrawing a link, and the witness's own view and
//! confirmation through their link. Each loads what it acts on, asks the policy (the witness's link
//! is their credential), acts and audits in the caller's transaction; the API and the pages call
//! these and only translate requests and answers.

use crate::action::{Acting, ActionError, Services};
use crate::auth::policy::{Action, Resource};
use crate::db::DbConnection;
use crate::db::ids::{EnrolmentId, EvidenceId, WitnessRequestId};
use crate::portfolio::Enrolment;
use crate::portfolio::access::enrolment_for;
use crate::portfolio::evidence::actions::readable_evidence;

use super::{RequestInput, Testimony, WitnessRequest, WitnessView};

/// Whether `acting` may ask a witness about the enrolment's testimony (the page offers the form
/// only then).
pub fn may_ask(acting: &Acting<'_>, enrolment: &Enrolment) -> Result<bool, ActionError> {
    match acting.require(
        Action::AddEvidence,
        &Resource::Enrolment(enrolment.facts()?),
    ) {
        Ok(()) => Ok(true),
        Err(ActionError::Forbidden(_) | ActionError::NotFound) => Ok(false),
        Err(other) => Err(other),
    }
}

/// The requests for one piece of evidence of the enrolment, newest first.
pub fn requests(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    enrolment_id: EnrolmentId,
    evidence_id: EvidenceId,
) -> Result<Vec<WitnessRequest>, ActionError> {
    let (enrolment, record) = readable_evidence(conn, acting, enrolment_id, evidence_id)?;
    super::requests_for(conn, enrolment.id, record.id)
}

/// Asks a witness to attest to a piece of witness testimony: the link is mailed to the witness
/// (never returned); any earlier open link for it stops working.
pub fn request(
    conn: &mut DbConnection,
    services: Services<'_>,
    acting: &Acting<'_>,
    enrolment_id: EnrolmentId,
    evidence_id: EvidenceId,
    input: RequestInput,
) -> Result<WitnessRequest, ActionError> {
    let enrolment = enrolment_for(conn, acting, enrolment_id, Action::AddEvidence)?;
    super::request_testimony(
        conn,
        services.public_url,
        &enrolment,
        evidence_id,
        acting.user()?,
        input,
        acting.now,
    )
}

/// Withdraws an open witness link of the enrolment.
pub fn revoke(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    enrolment_id: EnrolmentId,
    request_id: WitnessRequestId,
) -> Result<WitnessRequest, ActionError> {
    let enrolment = enrolment_for(conn, acting, enrolment_id, Action::AddEvidence)?;
    super::revoke(conn, &enrolment, request_id, acting.user()?, acting.now)
}

/// What the witness reads through their link (no account: the link is the credential).
pub fn view(
    conn: &mut DbConnection,
    token: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<WitnessView, ActionError> {
    super::witness_view(conn, token, now)
}

/// The witness confirms their testimony through their link, which is spent; returns the hash of
/// what they confirmed.
pub fn confirm(
    conn: &mut DbConnection,
    services: Services<'_>,
    token: &str,
    testimony: Testimony,
    address: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<String, ActionError> {
    super::confirm(conn, services.public_url, token, testimony, address, now)
}
