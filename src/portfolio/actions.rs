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

/// The enrolment's evaluation as stored, when it is current, for someone who may read the
/// enrolment: one point select of the enrolment with its stored row's head (see
/// [`super::stored::with_enrolment`]), then the policy, before anything of it is answered. Then
/// the report, unless the client already holds it (`held`, given the stored tag): gzip of it for
/// a client that takes gzip, else the JSON. The enrolment's id comes back for the caller to
/// recompute a stale evaluation outside the read.
pub fn read_stored_progress(
    conn: &mut DbConnection,
    catalogue: &Catalogue,
    acting: &Acting<'_>,
    enrolment_id: EnrolmentId,
    held: impl FnOnce(&str) -> bool,
    gzip: bool,
) -> Result<(EnrolmentId, Option<StoredRead>), ActionError> {
    let (enrolment, found) = super::stored::with_enrolment(conn, catalogue, enrolment_id)?;
    let enrolment = permit(acting, enrolment, Action::ReadEnrolment)?;
    let Some(head) = found else {
        return Ok((enrolment.id, None));
    };
    let report = if held(&head.etag) {
        None
    } else {
        Some(super::stored::report_of(conn, &enrolment.id, gzip)?)
    };
    Ok((
        enrolment.id,
        Some(StoredRead {
            etag: head.etag,
            report,
        }),
    ))
}

/// A current stored evaluation as a progress read takes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRead {
    /// The report's strong ETag.
    pub etag: String,
    /// The report, as the client gets it; `None` when the client already holds it.
    pub report: Option<super::stored::StoredReport>,
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
