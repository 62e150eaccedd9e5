//! The enrolment's lifecycle as people change it: reopening, staffing, withdrawing, extending the
//! time for assessment; and reading its stored progress and tracking grids. Each loads the enrolment, asks the policy, acts and audits in the caller's
//! transaction; the API and the pages call these and only translate requests and answers.

use crate::action::{Acting, ActionError, Services};
use crate::auth::policy::Action;
use crate::catalogue::Catalogue;
use crate::db::DbConnection;
use crate::db::ids::{CohortId, EnrolmentId};

use super::access::{enrolment_for, permit};
use super::cohorts::Cohort;
use super::expiry::{self, Extension, ExtensionRequest};
use super::grid::{self, CohortGrid, PortfolioGrid};
use super::stored::StoredHead;
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

/// The head of the enrolment's stored evaluation (its stamp and tag), when it is current, for
/// someone who may read the enrolment: one point select of the enrolment with it (see
/// [`super::stored::with_enrolment`]), then the policy, before anything of it is answered. Read
/// the report in the same transaction ([`super::stored::cached_report`]). The enrolment's id
/// comes back for the caller to recompute a stale evaluation outside the read.
pub fn read_stored_progress(
    conn: &mut DbConnection,
    catalogue: &Catalogue,
    acting: &Acting<'_>,
    enrolment_id: EnrolmentId,
) -> Result<(EnrolmentId, Option<StoredHead>), ActionError> {
    let (enrolment, found) = super::stored::with_enrolment(conn, catalogue, enrolment_id)?;
    let enrolment = permit(acting, enrolment, Action::ReadEnrolment)?;
    Ok((enrolment.id, found))
}

/// The enrolment and its portfolio's tracking grid (which evidence shows which criterion, and how
/// it was judged), for someone who may read the enrolment: one load and one policy check, so a
/// page showing the enrolment beside its grid need not open it again.
pub fn enrolment_grid(
    conn: &mut DbConnection,
    catalogue: &Catalogue,
    acting: &Acting<'_>,
    enrolment_id: EnrolmentId,
) -> Result<(Enrolment, PortfolioGrid), ActionError> {
    let enrolment = enrolment_for(conn, acting, enrolment_id, Action::ReadEnrolment)?;
    let grid = grid::enrolment_grid(conn, catalogue, &enrolment)?;
    Ok((enrolment, grid))
}

/// The cohort and its tracking grid (which learner has met which criterion), for someone who
/// may read the organisation's cohorts.
pub fn cohort_grid(
    conn: &mut DbConnection,
    catalogue: &Catalogue,
    acting: &Acting<'_>,
    cohort_id: CohortId,
) -> Result<(Cohort, CohortGrid), ActionError> {
    let cohort = crate::exports::actions::cohort_for(conn, acting, cohort_id, Action::ReadCohorts)?;
    let grid = grid::cohort_grid(conn, catalogue, &cohort)?;
    Ok((cohort, grid))
}
