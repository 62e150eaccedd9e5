//! Reading sets and requests back: rows into the types callers see, and the queries that list them.

use super::*;
use crate::db::FirstRow;

pub(super) fn to_set(row: SetRow, items: Vec<ItemRow>) -> Result<QuestionSet, crate::db::DbError> {
    Ok(QuestionSet {
        id: row.id,
        org_id: row.org_id,
        standard_code: row.standard_code,
        standard_version: row.standard_version,
        title: row.title,
        created_by: row.created_by,
        created_at: row.created_at,
        updated_at: row.updated_at,
        items: items
            .into_iter()
            .map(|i| {
                Ok(QuestionItem {
                    id: i.id,
                    position: i.position,
                    covers: covers_of(&i.covers)?,
                    question: i.question,
                })
            })
            .collect::<Result<_, crate::db::DbError>>()?,
    })
}

pub(super) fn read_set(
    conn: &mut DbConnection,
    set_id: QuestionSetId,
) -> Result<QuestionSet, ActionError> {
    let row: SetRow = question_sets::table
        .find(set_id)
        .select(SetRow::as_select())
        .first_row(conn)
        .optional()?
        .ok_or(ActionError::NotFound)?;
    let items: Vec<ItemRow> = question_set_items::table
        .filter(question_set_items::set_id.eq(set_id))
        .order(question_set_items::position.asc())
        .select(ItemRow::as_select())
        .load(conn)?;
    Ok(to_set(row, items)?)
}

pub(super) fn to_request(
    row: RequestRow,
    answers: Vec<AnswerRow>,
) -> Result<QuestionRequest, crate::db::DbError> {
    Ok(QuestionRequest {
        id: row.id,
        set_id: row.set_id,
        enrolment_id: row.enrolment_id,
        title: row.title,
        sent_by: row.sent_by,
        sent_at: row.sent_at,
        due_on: row.due_on,
        status: row.status,
        answered_at: row.answered_at,
        marked_by: row.marked_by,
        marked_at: row.marked_at,
        evidence_id: row.evidence_id,
        answers: answers
            .into_iter()
            .map(|a| {
                Ok(Answer {
                    id: a.id,
                    item_id: a.item_id,
                    position: a.position,
                    covers: covers_of(&a.covers)?,
                    question: a.question,
                    text: a.answer_text,
                    file: a.file_sha256.map(|sha256| AnswerFile {
                        sha256,
                        name: a.file_name.unwrap_or_default(),
                    }),
                    answered_at: a.answered_at,
                    result: a.result,
                    comment: a.comment,
                })
            })
            .collect::<Result<_, crate::db::DbError>>()?,
    })
}

pub(super) fn read_request(
    conn: &mut DbConnection,
    enrolment_id: EnrolmentId,
    request_id: QuestionRequestId,
) -> Result<QuestionRequest, ActionError> {
    let row: RequestRow = question_requests::table
        .find(request_id)
        .filter(question_requests::enrolment_id.eq(enrolment_id))
        .select(RequestRow::as_select())
        .first_row(conn)
        .optional()?
        .ok_or(ActionError::NotFound)?;
    let answers: Vec<AnswerRow> = question_answers::table
        .filter(question_answers::request_id.eq(request_id))
        .order(question_answers::position.asc())
        .select(AnswerRow::as_select())
        .load(conn)?;
    Ok(to_request(row, answers)?)
}

/// Every request sent to an enrolment, newest first, for whoever may read the enrolment.
pub fn list_requests(
    conn: &mut DbConnection,
    actor: &Actor,
    enrolment: &Enrolment,
) -> Result<Vec<QuestionRequest>, ActionError> {
    require(
        actor,
        Action::ReadEnrolment,
        &enrolment_resource(enrolment)?,
    )?;
    requests_of(conn, enrolment.id)
}

/// Every request of an enrolment, newest first (no policy: for callers that checked it).
pub fn requests_of(
    conn: &mut DbConnection,
    enrolment_id: EnrolmentId,
) -> Result<Vec<QuestionRequest>, ActionError> {
    let rows: Vec<RequestRow> = question_requests::table
        .filter(question_requests::enrolment_id.eq(enrolment_id))
        .order((
            question_requests::sent_at.desc(),
            question_requests::id.asc(),
        ))
        .select(RequestRow::as_select())
        .load(conn)?;
    let ids: Vec<QuestionRequestId> = rows.iter().map(|r| r.id).collect();
    let answers: Vec<AnswerRow> = question_answers::table
        .filter(question_answers::request_id.eq_any(&ids))
        .order((
            question_answers::request_id.asc(),
            question_answers::position.asc(),
        ))
        .select(AnswerRow::as_select())
        .load(conn)?;
    let mut by_request: BTreeMap<QuestionRequestId, Vec<AnswerRow>> = BTreeMap::new();
    for answer in answers {
        by_request
            .entry(answer.request_id)
            .or_default()
            .push(answer);
    }
    rows.into_iter()
        .map(|row| {
            let answers = by_request.remove(&row.id).unwrap_or_default();
            Ok(to_request(row, answers)?)
        })
        .collect()
}

/// One request with its answers, for whoever may read the enrolment.
pub fn load_request(
    conn: &mut DbConnection,
    actor: &Actor,
    enrolment: &Enrolment,
    request_id: QuestionRequestId,
) -> Result<QuestionRequest, ActionError> {
    require(
        actor,
        Action::ReadEnrolment,
        &enrolment_resource(enrolment)?,
    )?;
    read_request(conn, enrolment.id, request_id)
}

/// The recording given as one answer, with its stored size and detected type, for whoever may read
/// the enrolment.
pub fn recording_of(
    conn: &mut DbConnection,
    actor: &Actor,
    enrolment: &Enrolment,
    request_id: QuestionRequestId,
    answer_id: QuestionAnswerId,
) -> Result<StoredFile, ActionError> {
    let request = load_request(conn, actor, enrolment, request_id)?;
    let file = request
        .answers
        .into_iter()
        .find(|a| a.id == answer_id)
        .and_then(|a| a.file)
        .ok_or(ActionError::NotFound)?;
    let (size, content_type): (i64, String) = crate::db::schema::files::table
        .find(&file.sha256)
        .select((
            crate::db::schema::files::size,
            crate::db::schema::files::content_type,
        ))
        .first_row(conn)
        .optional()?
        .ok_or(ActionError::NotFound)?;
    Ok(StoredFile {
        sha256: file.sha256,
        name: file.name,
        size,
        content_type,
    })
}

/// Answered requests waiting for marking on the given enrolments: (enrolment id,
/// request id, title), oldest first.
pub fn waiting_marking(
    conn: &mut DbConnection,
    enrolment_ids: &[EnrolmentId],
) -> Result<Vec<(EnrolmentId, QuestionRequestId, String)>, ActionError> {
    Ok(question_requests::table
        .filter(question_requests::enrolment_id.eq_any(enrolment_ids))
        .filter(question_requests::status.eq(QuestionRequestStatus::Answered))
        .order(question_requests::answered_at.asc())
        .select((
            question_requests::enrolment_id,
            question_requests::id,
            question_requests::title,
        ))
        .load(conn)?)
}
