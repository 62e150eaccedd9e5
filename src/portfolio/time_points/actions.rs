//! Time points as people mark them, one function per use case: each loads the enrolment, asks the
//! policy, acts and audits in the caller's transaction; the API and the pages call these.

use crate::action::{Acting, ActionError};
use crate::auth::policy::Action;
use crate::db::DbConnection;
use crate::db::ids::{EnrolmentId, EvidenceId, TimePointId};
use crate::portfolio::access::enrolment_for;
use crate::portfolio::{Enrolment, load_evidence};

use super::{NewTimePoint, TimePoint};

/// The enrolment, for someone who may add evidence to it or judge it (the refusal names the first).
fn marking(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    enrolment_id: EnrolmentId,
) -> Result<Enrolment, ActionError> {
    let id = enrolment_id.to_string();
    enrolment_for(conn, acting, &id, Action::AddEvidence)
        .or_else(|first| enrolment_for(conn, acting, &id, Action::JudgeEvidence).map_err(|_| first))
}

/// The time points marked in one evidence record's recording, for whoever may read the enrolment.
pub fn list(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    enrolment_id: EnrolmentId,
    evidence_id: EvidenceId,
) -> Result<Vec<TimePoint>, ActionError> {
    let enrolment = enrolment_for(
        conn,
        acting,
        &enrolment_id.to_string(),
        Action::ReadEnrolment,
    )?;
    let evidence_id = evidence_id.to_string();
    // An evidence id of another enrolment is not found, not an empty list.
    load_evidence(conn, &enrolment.id, &evidence_id)?;
    super::of_evidence(conn, &enrolment.id, &evidence_id)
}

/// Marks a time point in a recording (the candidate or the assessor).
pub fn add(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    enrolment_id: EnrolmentId,
    evidence_id: EvidenceId,
    input: NewTimePoint,
) -> Result<TimePoint, ActionError> {
    let enrolment = marking(conn, acting, enrolment_id)?;
    super::add(
        conn,
        &enrolment,
        &evidence_id.to_string(),
        acting.user_id,
        input,
        acting.now,
    )
}

/// Removes a time point (its author, or the assessor).
pub fn remove(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    enrolment_id: EnrolmentId,
    evidence_id: EvidenceId,
    point_id: TimePointId,
) -> Result<TimePoint, ActionError> {
    let enrolment = marking(conn, acting, enrolment_id)?;
    super::remove(
        conn,
        &enrolment,
        &evidence_id.to_string(),
        &point_id.to_string(),
        acting.user_id,
    )
}
