//! The enrolment's lifecycle as people change it: reopening, staffing, withdrawing, extending the
//! time for assessment. Each loads the enrolment, asks the policy, acts and audits in the caller's
//! transaction; the API and the pages call these and only translate requests and answers.

use crate::action::{Acting, ActionError, Services};
use crate::auth::policy::Action;
use crate::db::DbConnection;
use crate::db::ids::EnrolmentId;

use super::access::enrolment_for;
use super::expiry::{self, Extension, ExtensionRequest};
use super::{Enrolment, Staff};

/// The assessor reopens a submitted or assessed portfolio, saying why.
pub fn reopen(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    enrolment_id: EnrolmentId,
    reason: &str,
) -> Result<Enrolment, ActionError> {
    let enrolment = enrolment_for(conn, acting, enrolment_id, Action::ReopenEnrolment)?;
    super::reopen(conn, &enrolment, acting.user()?, reason, acting.now)
}

/// Sets who assesses and who internally verifies the enrolment.
pub fn assign_staff(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    enrolment_id: EnrolmentId,
    staff: Staff,
) -> Result<Enrolment, ActionError> {
    let enrolment = enrolment_for(conn, acting, enrolment_id, Action::AssignEnrolmentStaff)?;
    super::assign_staff(conn, &enrolment, acting.user()?, staff, acting.now)
}

/// Withdraws the enrolment, saying why.
pub fn withdraw(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    enrolment_id: EnrolmentId,
    reason: &str,
) -> Result<Enrolment, ActionError> {
    let enrolment = enrolment_for(conn, acting, enrolment_id, Action::WithdrawEnrolment)?;
    super::withdraw(conn, &enrolment, acting.user()?, reason, acting.now)
}

/// Lets the enrolment be assessed after its standard version's last date for assessment.
pub fn extend_assessment(
    conn: &mut DbConnection,
    services: Services<'_>,
    acting: &Acting<'_>,
    enrolment_id: EnrolmentId,
    request: ExtensionRequest,
) -> Result<Extension, ActionError> {
    let enrolment = enrolment_for(conn, acting, enrolment_id, Action::ExtendAssessment)?;
    expiry::grant_extension(
        conn,
        services.catalogue,
        &enrolment,
        acting.user()?,
        request,
        acting.now,
    )
}
