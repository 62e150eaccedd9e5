//! Question sets as people use them, one function per use case: each takes the acting person and
//! typed ids, loads what it acts on, and calls the step that asks the policy, acts and audits, all
//! in the caller's transaction. The API and the pages call these and only translate requests and
//! answers.

use crate::action::{Acting, ActionError, Services};
use crate::db::DbConnection;
use crate::db::ids::{EnrolmentId, OrgId, QuestionAnswerId, QuestionRequestId, QuestionSetId};
use crate::portfolio::evidence::StoredFile;
use crate::portfolio::{Enrolment, load_enrolment};

use super::{
    AnswersInput, MarksInput, NewQuestionSet, QuestionRequest, QuestionSet, SendQuestions,
};

fn enrolment(conn: &mut DbConnection, id: EnrolmentId) -> Result<Enrolment, ActionError> {
    load_enrolment(conn, id)
}

/// The organisation's question sets, newest first; `standard_code` keeps those of one unit
/// (assessors and admins of the organisation).
pub fn list_sets(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    org_id: OrgId,
    standard_code: Option<&str>,
) -> Result<Vec<QuestionSet>, ActionError> {
    super::list_sets(conn, acting.actor, org_id, standard_code)
}

/// Creates a question set on a unit of the organisation's catalogue.
pub fn create_set(
    conn: &mut DbConnection,
    services: Services<'_>,
    acting: &Acting<'_>,
    org_id: OrgId,
    input: NewQuestionSet,
) -> Result<QuestionSet, ActionError> {
    super::create_set(
        conn,
        services.catalogue,
        acting.actor,
        org_id,
        input,
        acting.now,
    )
}

/// One question set with its questions (another organisation's set is not found).
pub fn show_set(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    set_id: QuestionSetId,
) -> Result<QuestionSet, ActionError> {
    super::load_set(conn, acting.actor, set_id)
}

/// Changes a set's title and questions (requests already sent keep theirs).
pub fn update_set(
    conn: &mut DbConnection,
    services: Services<'_>,
    acting: &Acting<'_>,
    set_id: QuestionSetId,
    input: NewQuestionSet,
) -> Result<QuestionSet, ActionError> {
    super::update_set(
        conn,
        services.catalogue,
        acting.actor,
        set_id,
        input,
        acting.now,
    )
}

/// The sets sent to an enrolment, newest first, for whoever may read it.
pub fn list_requests(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    enrolment_id: EnrolmentId,
) -> Result<Vec<QuestionRequest>, ActionError> {
    let enrolment = enrolment(conn, enrolment_id)?;
    super::list_requests(conn, acting.actor, &enrolment)
}

/// The enrolment's assessor sends a set to its candidate, who is told.
pub fn send(
    conn: &mut DbConnection,
    services: Services<'_>,
    acting: &Acting<'_>,
    enrolment_id: EnrolmentId,
    input: SendQuestions,
) -> Result<QuestionRequest, ActionError> {
    let enrolment = enrolment(conn, enrolment_id)?;
    let standard = &services.catalogue.pinned(&enrolment)?.standard;
    super::send(
        conn,
        services.public_url,
        standard,
        acting.actor,
        &enrolment,
        input,
        acting.now,
    )
}

/// One sent set with its answers and marks, for whoever may read the enrolment.
pub fn show_request(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    enrolment_id: EnrolmentId,
    request_id: QuestionRequestId,
) -> Result<QuestionRequest, ActionError> {
    let enrolment = enrolment(conn, enrolment_id)?;
    super::load_request(conn, acting.actor, &enrolment, request_id)
}

/// The candidate saves typed answers, or submits them (the assessor is then told).
pub fn answer(
    conn: &mut DbConnection,
    services: Services<'_>,
    acting: &Acting<'_>,
    enrolment_id: EnrolmentId,
    request_id: QuestionRequestId,
    input: AnswersInput,
) -> Result<QuestionRequest, ActionError> {
    let enrolment = enrolment(conn, enrolment_id)?;
    super::answer(
        conn,
        services.public_url,
        acting.actor,
        &enrolment,
        request_id,
        input,
        acting.now,
    )
}

/// Whether the acting person may give a recording as this answer; asked before an upload's body
/// is read, so a refused upload is never received.
pub fn may_attach_recording(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    enrolment_id: EnrolmentId,
    request_id: QuestionRequestId,
    answer_id: QuestionAnswerId,
) -> Result<(), ActionError> {
    let enrolment = enrolment(conn, enrolment_id)?;
    super::may_attach_recording(conn, acting.actor, &enrolment, request_id, answer_id)
}

/// The candidate gives a received recording as the answer to one question. The file is staged:
/// the caller stores it once the transaction commits.
pub fn attach_recording(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    enrolment_id: EnrolmentId,
    request_id: QuestionRequestId,
    answer_id: QuestionAnswerId,
    file: StoredFile,
) -> Result<QuestionRequest, ActionError> {
    let enrolment = enrolment(conn, enrolment_id)?;
    super::attach_recording(
        conn,
        acting.actor,
        &enrolment,
        request_id,
        answer_id,
        file,
        acting.now,
    )
}

/// A recorded answer, for whoever may read the enrolment.
pub fn recording(
    conn: &mut DbConnection,
    acting: &Acting<'_>,
    enrolment_id: EnrolmentId,
    request_id: QuestionRequestId,
    answer_id: QuestionAnswerId,
) -> Result<StoredFile, ActionError> {
    let enrolment = enrolment(conn, enrolment_id)?;
    super::recording_of(conn, acting.actor, &enrolment, request_id, answer_id)
}

/// The assessor marks every answer; the satisfactory ones become a questioning evidence record the
/// engine counts, and the candidate is told.
pub fn mark(
    conn: &mut DbConnection,
    services: Services<'_>,
    acting: &Acting<'_>,
    enrolment_id: EnrolmentId,
    request_id: QuestionRequestId,
    input: MarksInput,
) -> Result<QuestionRequest, ActionError> {
    let enrolment = enrolment(conn, enrolment_id)?;
    let standard = &services.catalogue.pinned(&enrolment)?.standard;
    super::mark(
        conn,
        services.public_url,
        services.catalogue,
        standard,
        acting.actor,
        &enrolment,
        request_id,
        input,
        acting.now,
    )
}
