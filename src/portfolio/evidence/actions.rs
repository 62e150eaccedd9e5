//! Recording and judging evidence as people do it: adding a record (with its file), reading the
//! records, the assessor's judgements and marks, the candidate's acknowledgement of an assessment
//! record, and time points marked in recordings. Each loads the enrolment, asks the policy, acts, and writes its audit entries
//! and notifications in the caller's transaction; the API and the pages call these and only
//! translate requests and answers.

use crate::action::{Acting, ActionError, Problems, Services};
use crate::auth::policy::Action;
use crate::db::DbConnection;
use crate::db::ids::{EnrolmentId, EvidenceId, TimePointId};
use crate::portfolio::access::enrolment_for;
use crate::portfolio::acknowledgements::{self, Acknowledgement, AcknowledgementsView};
use crate::portfolio::time_points::{self, NewTimePoint, TimePoint};
use crate::portfolio::{AssessorMarks, Enrolment};
use crate::standards::Method;

use super::{EvidenceRecord, Judgements, NewEvidence, StoredFile};

/// What the policy is asked before evidence of `method` is added: observations, questioning and
/// professional discussion are the assessor's records; the rest either party may add.
pub fn action_for(method: Method) -> Action {
    match method {
        Method::ObservationChecklist
        | Method::OralQuestioning
        | Method::WrittenQuestioning
        | Method::ProfessionalDiscussion => Action::RecordAssessorEvidence,
        Method::WitnessTestimony | Method::ElectronicDataRecord | Method::ProductEvidence => {
            Action::AddEvidence
        }
    }
}

/// Loads the enrolment when `acting` may add evidence to it at all: an upload asks this before it
/// reads a large body.
pub fn may_add(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    enrolment_id: EnrolmentId,
) -> Result<Enrolment, ActionError> {
    enrolment_for(conn, acting, enrolment_id, Action::AddEvidence)
}

/// Adds an evidence record (audited; the enrolment's assessor is told). The file, when there is
/// one, is staged: the caller stores it once the transaction commits.
pub fn add(
    conn: &mut DbConnection,
    services: Services<'_>,
    acting: &Acting<'_>,
    enrolment_id: EnrolmentId,
    new: NewEvidence,
    file: Option<StoredFile>,
) -> Result<EvidenceRecord, ActionError> {
    let enrolment = enrolment_for(conn, acting, enrolment_id, action_for(new.method))?;
    let standard = &services.catalogue.pinned(&enrolment)?.standard;
    let record = super::add_evidence(
        conn,
        standard,
        &enrolment,
        acting.user()?,
        new,
        file,
        acting.now,
    )?;
    crate::notify::events::evidence_added(
        conn,
        services.public_url,
        &enrolment,
        &record,
        acting.user()?,
        acting.now,
    )?;
    Ok(record)
}

/// Everything [`add`] would refuse in `new`, field by field, without writing: a form that already
/// found problems of its own shows these with them.
pub fn problems(
    conn: &mut DbConnection,
    services: Services<'_>,
    acting: &Acting<'_>,
    enrolment_id: EnrolmentId,
    new: &NewEvidence,
    has_file: bool,
) -> Result<Problems, ActionError> {
    let enrolment = enrolment_for(conn, acting, enrolment_id, action_for(new.method))?;
    let standard = &services.catalogue.pinned(&enrolment)?.standard;
    super::evidence_problems(conn, standard, &enrolment, acting.user()?, new, has_file)
}

/// Every evidence record of the enrolment, oldest first.
pub fn evidence_of(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    enrolment_id: EnrolmentId,
) -> Result<Vec<EvidenceRecord>, ActionError> {
    let enrolment = enrolment_for(conn, acting, enrolment_id, Action::ReadEnrolment)?;
    super::list_evidence(conn, enrolment.id)
}

/// One evidence record of the enrolment.
pub fn evidence(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    enrolment_id: EnrolmentId,
    evidence_id: EvidenceId,
) -> Result<EvidenceRecord, ActionError> {
    readable_evidence(conn, acting, enrolment_id, evidence_id).map(|(_, record)| record)
}

/// The enrolment and one of its records, when `acting` may read the enrolment: what every reading
/// of something hung on a record (its time points, its witness requests) starts with. An evidence
/// id of another enrolment is not found.
pub fn readable_evidence(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    enrolment_id: EnrolmentId,
    evidence_id: EvidenceId,
) -> Result<(Enrolment, EvidenceRecord), ActionError> {
    let enrolment = enrolment_for(conn, acting, enrolment_id, Action::ReadEnrolment)?;
    let record = super::load_evidence(conn, enrolment.id, evidence_id)?;
    Ok((enrolment, record))
}

/// The enrolment and one of its records, when `acting` may judge it: what the judge page shows.
pub fn evidence_to_judge(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    enrolment_id: EnrolmentId,
    evidence_id: EvidenceId,
) -> Result<(Enrolment, EvidenceRecord), ActionError> {
    let enrolment = enrolment_for(conn, acting, enrolment_id, Action::JudgeEvidence)?;
    let record = super::load_evidence(conn, enrolment.id, evidence_id)?;
    Ok((enrolment, record))
}

/// The assessor judges the record's mappings (audited; the candidate is told). Returns the record
/// as judged and the criteria and knowledge items judged.
pub fn judge(
    conn: &mut DbConnection,
    services: Services<'_>,
    acting: &Acting<'_>,
    enrolment_id: EnrolmentId,
    evidence_id: EvidenceId,
    judgements: Judgements,
) -> Result<(EvidenceRecord, Vec<String>), ActionError> {
    let enrolment = enrolment_for(conn, acting, enrolment_id, Action::JudgeEvidence)?;
    let (record, judged) = super::judge_evidence(
        conn,
        &enrolment,
        evidence_id,
        acting.user()?,
        judgements,
        acting.now,
    )?;
    crate::notify::events::evidence_judged(
        conn,
        services.public_url,
        &enrolment,
        &record,
        &judged,
        acting.now,
    )?;
    Ok((record, judged))
}

/// The assessor replaces their marks: criteria not applicable, rule confirmations.
pub fn set_marks(
    conn: &mut DbConnection,
    services: Services<'_>,
    acting: &Acting<'_>,
    enrolment_id: EnrolmentId,
    marks: AssessorMarks,
) -> Result<AssessorMarks, ActionError> {
    let enrolment = enrolment_for(conn, acting, enrolment_id, Action::JudgeEvidence)?;
    let standard = &services.catalogue.pinned(&enrolment)?.standard;
    crate::portfolio::set_marks(
        conn,
        standard,
        &enrolment,
        acting.user()?,
        marks,
        acting.now,
    )
}

/// The candidate acknowledges an observation or questioning record the assessor made, with an
/// optional comment; once per record.
pub fn acknowledge(
    conn: &mut DbConnection,
    services: Services<'_>,
    acting: &Acting<'_>,
    enrolment_id: EnrolmentId,
    evidence_id: EvidenceId,
    comment: &str,
) -> Result<Acknowledgement, ActionError> {
    let enrolment = enrolment_for(conn, acting, enrolment_id, Action::ReadEnrolment)?;
    acknowledgements::acknowledge(
        conn,
        services.public_url,
        &enrolment,
        acting.user()?,
        evidence_id,
        comment,
        acting.now,
    )
}

/// The candidate's acknowledgements of the enrolment's assessment records, and which records still
/// wait for one.
pub fn acknowledgements(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    enrolment_id: EnrolmentId,
) -> Result<AcknowledgementsView, ActionError> {
    let enrolment = enrolment_for(conn, acting, enrolment_id, Action::ReadEnrolment)?;
    let acknowledged = acknowledgements::acknowledgements_of(conn, enrolment.id)?;
    let waiting = super::list_evidence(conn, enrolment.id)?
        .into_iter()
        .filter(|r| acknowledgements::needs_acknowledgement(&enrolment, r))
        .filter(|r| !acknowledged.iter().any(|a| a.evidence_id == r.id))
        .map(|r| r.id)
        .collect();
    Ok(AcknowledgementsView {
        acknowledged,
        waiting,
    })
}

/// Loads the enrolment when `acting` may mark time points in its recordings: whoever may add
/// evidence to it (its candidate while it is open, its assessor) or judge it (its assessor, also
/// once submitted). A refusal is the first one's.
pub fn may_mark(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    enrolment_id: EnrolmentId,
) -> Result<Enrolment, ActionError> {
    enrolment_for(conn, acting, enrolment_id, Action::AddEvidence).or_else(|first| {
        enrolment_for(conn, acting, enrolment_id, Action::JudgeEvidence).map_err(|_| first)
    })
}

/// The time points of a recording of the enrolment, in playing order.
pub fn time_points(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    enrolment_id: EnrolmentId,
    evidence_id: EvidenceId,
) -> Result<Vec<TimePoint>, ActionError> {
    // An evidence id of another enrolment is not found, not an empty list.
    let (enrolment, record) = readable_evidence(conn, acting, enrolment_id, evidence_id)?;
    time_points::of_evidence(conn, enrolment.id, record.id)
}

/// Marks a time point in a recording against a criterion or knowledge item the evidence is mapped
/// to (audited).
pub fn mark(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    enrolment_id: EnrolmentId,
    evidence_id: EvidenceId,
    input: NewTimePoint,
) -> Result<TimePoint, ActionError> {
    let enrolment = may_mark(conn, acting, enrolment_id)?;
    time_points::add(
        conn,
        &enrolment,
        evidence_id,
        acting.user()?,
        input,
        acting.now,
    )
}

/// Removes a time point: the person who marked it, or the assessor (audited).
pub fn unmark(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    enrolment_id: EnrolmentId,
    evidence_id: EvidenceId,
    point_id: TimePointId,
) -> Result<TimePoint, ActionError> {
    let enrolment = may_mark(conn, acting, enrolment_id)?;
    time_points::remove(conn, &enrolment, evidence_id, point_id, acting.user()?)
}
