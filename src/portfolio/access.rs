//! Who may act on an enrolment: the enrolment is loaded and the policy asked in the caller's
//! transaction, so the facts decided on cannot change before the action writes.

use crate::action::{Acting, ActionError};
use crate::auth::policy::{Action, Resource};
use crate::db::DbConnection;
use crate::db::ids::EnrolmentId;

use super::{Enrolment, load_enrolment};

/// Loads the enrolment and asks the policy whether `acting` may do `action` to it. When the
/// portfolio's state is what refuses, the refusal says so, so the person knows what would change
/// it.
pub fn enrolment_for(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    id: EnrolmentId,
    action: Action,
) -> Result<Enrolment, ActionError> {
    permit(acting, load_enrolment(conn, id)?, action)
}

/// Asks the policy whether `acting` may do `action` to an enrolment the caller read in its own
/// transaction (for a caller that reads it with something else in one select), with the same
/// refusals as [`enrolment_for`].
pub fn permit(
    acting: &Acting<'_>,
    enrolment: Enrolment,
    action: Action,
) -> Result<Enrolment, ActionError> {
    match acting.require(action, &Resource::Enrolment(enrolment.facts()?)) {
        Err(ActionError::Forbidden(_))
            if enrolment.status != crate::auth::policy::EnrolmentStatus::Active =>
        {
            Err(ActionError::Forbidden(format!(
                "the portfolio is {}: ask the assessor to reopen it if it needs changing",
                enrolment.status
            )))
        }
        Err(other) => Err(other),
        Ok(()) => Ok(enrolment),
    }
}
