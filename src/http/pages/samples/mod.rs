//! The internal verifier's sampling pages: their dashboard for an organisation, the queue of unit
//! decisions awaiting sampling, the sample record form (agree, or disagree with feedback and action
//! points — which sends a decision back to the assessor), and the history of samples. Recording a
//! sample is the API's action (`signoff::plans::record_sample`); who may sample is the policy's
//! `SampleEnrolment`, which never lets an IV sample their own decisions.

mod dashboard;
mod lists;
mod rows;
mod sample;
mod vacs;

use uuid::Uuid;

use crate::action::ActionError;
use crate::http::session::Session;
use crate::portfolio::Enrolment;

pub use dashboard::*;
pub use lists::*;
pub(in crate::http::pages) use rows::*;
pub use sample::*;
use vacs::*;

/// The gate of the verification pages of an organisation: whoever may read a sampling plan of
/// theirs there (its internal verifiers; provider admins and external verifiers read every plan).
pub(super) fn require_plan_reader(session: &Session, org_id: Uuid) -> Result<(), ActionError> {
    crate::signoff::plans::actions::may_read_plans(&session.acting(), org_id.into())
}

/// Why the session may not sample this enrolment, in words that say who could (the action's own).
pub(super) fn sampling_refusal(
    session: &Session,
    enrolment: &Enrolment,
) -> Result<Option<String>, ActionError> {
    crate::signoff::actions::sampling_refusal(&session.acting(), enrolment)
}
