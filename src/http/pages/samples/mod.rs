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
use crate::auth::policy::{Action, Resource};
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
    session.require(
        Action::ReadSamplingPlan,
        &Resource::SamplingPlan {
            org_id,
            iv_id: session.actor.user_id,
        },
    )
}

/// Whether the session may sample `enrolment` (the policy), and if not, why in words.
pub(super) fn sampling_refusal(
    session: &Session,
    enrolment: &Enrolment,
) -> Result<Option<String>, ActionError> {
    let facts = enrolment.facts()?;
    match session.require(Action::SampleEnrolment, &Resource::Enrolment(facts.clone())) {
        Ok(()) => Ok(None),
        Err(ActionError::Forbidden(_)) => {
            let me = Some(session.actor.user_id);
            // The policy has decided; this only chooses the words that explain it.
            Ok(Some(if facts.assessor_id == me || facts.decided_by == me {
                "you assessed this portfolio or signed its unit decision: an internal verifier never samples their own decisions, so another internal verifier must sample it".to_owned()
            } else {
                "only an internal verifier of this portfolio or of its assessor may sample it"
                    .to_owned()
            }))
        }
        Err(other) => Err(other),
    }
}
