//! The candidate's answers: typed (drafts and submitting) and recorded.

use super::*;

/// The candidate may answer: the policy's "add evidence" (their own portfolio, while active), as
/// the candidate themself, on a request still open.
fn answering(
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
    if actor.user_id != enrolment.candidate_id.uuid() {
        return Err(ActionError::Forbidden(
            "only the candidate answers the questions sent to them".into(),
        ));
    }
    require(actor, Action::AddEvidence, &enrolment_resource(enrolment)?)?;
    let request = read_request(conn, enrolment.id, request_id)?;
    if request.status != QuestionRequestStatus::Sent {
        return Err(ActionError::Conflict(
            "these answers are already submitted".into(),
        ));
    }
    Ok(request)
}

/// The candidate saves typed answers, and submits them when `submit` is set (audited as
/// `questions.draft` or `questions.answer`; on submitting, the assessor who sent the set is told).
/// Submitting needs an answer to every question, typed or recorded.
pub fn answer(
    conn: &mut DbConnection,
    base: &str,
    actor: &Actor,
    enrolment: &Enrolment,
    request_id: QuestionRequestId,
    input: AnswersInput,
    now: DateTime<Utc>,
) -> Result<QuestionRequest, ActionError> {
    let request = answering(conn, actor, enrolment, request_id)?;
    let mut problems = Problems::default();
    let mut texts: BTreeMap<QuestionAnswerId, String> = BTreeMap::new();
    for (i, given) in input.answers.iter().enumerate() {
        if !request.answers.iter().any(|a| a.id == given.id) {
            problems.add(&format!("answers[{i}].id"), "is not a question of this set");
            continue;
        }
        let text = given.text.trim();
        if text.chars().count() > LONGEST_ANSWER {
            problems.add(
                &format!("answers[{i}].text"),
                "keep the answer under 20,000 characters (or upload a recording)",
            );
        }
        texts.insert(given.id, text.to_owned());
    }
    if input.submit {
        for (i, answer) in request.answers.iter().enumerate() {
            let typed = texts
                .get(&answer.id)
                .map(|t| !t.is_empty())
                .unwrap_or_else(|| answer.text.as_deref().is_some_and(|t| !t.trim().is_empty()));
            if !typed && answer.file.is_none() {
                let at = input
                    .answers
                    .iter()
                    .position(|a| a.id == answer.id)
                    .unwrap_or(i);
                problems.add(
                    &format!("answers[{at}].text"),
                    format!(
                        "answer question {}: type your answer or upload a recording",
                        answer.position
                    ),
                );
            }
        }
    }
    problems.finish()?;
    for (id, text) in &texts {
        diesel::update(question_answers::table.find(*id))
            .set(question_answers::answer_text.eq((!text.is_empty()).then_some(text.as_str())))
            .execute(conn)?;
    }
    let actor_id = actor.user_id.to_string();
    if input.submit {
        let timestamp = now.naive_utc();
        diesel::update(question_answers::table.filter(question_answers::request_id.eq(request_id)))
            .set(question_answers::answered_at.eq(timestamp))
            .execute(conn)?;
        diesel::update(question_requests::table.find(request_id))
            .set((
                question_requests::status.eq(QuestionRequestStatus::Answered),
                question_requests::answered_at.eq(timestamp),
            ))
            .execute(conn)?;
    }
    let after = read_request(conn, enrolment.id, request_id)?;
    audit::append(
        conn,
        Change {
            actor_id: Some(&actor_id),
            action: if input.submit {
                "questions.answer"
            } else {
                "questions.draft"
            },
            entity: "enrolment",
            entity_id: &enrolment.id.to_string(),
            before: None,
            after: Some(serde_json::json!({
                "request_id": request_id,
                "answers": after.answers.iter().map(|a| serde_json::json!({
                    "id": a.id, "text": a.text, "file_sha256": a.file.as_ref().map(|f| &f.sha256),
                })).collect::<Vec<_>>(),
            })),
        },
    )?;
    if input.submit {
        crate::notify::events::questions_answered(
            conn,
            base,
            enrolment,
            after.sent_by,
            request_id,
            &after.title,
            now,
        )?;
    }
    Ok(after)
}

/// Whether a file is a recording an answer may be (audio or video, from the detected type).
pub fn is_recording(content_type: &str) -> bool {
    content_type.starts_with("audio/") || content_type.starts_with("video/")
}

/// Whether `actor` may give a recording as the answer `answer_id` of the request: the enrolment's
/// candidate, while the answers are not submitted. Upload handlers ask this before reading the
/// body, so a refused upload is refused without receiving the file; [`attach_recording`] asks it
/// again in its transaction.
pub fn may_attach_recording(
    conn: &mut DbConnection,
    actor: &Actor,
    enrolment: &Enrolment,
    request_id: QuestionRequestId,
    answer_id: QuestionAnswerId,
) -> Result<(), ActionError> {
    let request = answering(conn, actor, enrolment, request_id)?;
    if !request.answers.iter().any(|a| a.id == answer_id) {
        return Err(ActionError::NotFound);
    }
    Ok(())
}

/// The candidate gives a recording as the answer to one question (audited as
/// `questions.recording`). The file is staged: the caller stores it once this transaction commits.
pub fn attach_recording(
    conn: &mut DbConnection,
    actor: &Actor,
    enrolment: &Enrolment,
    request_id: QuestionRequestId,
    answer_id: QuestionAnswerId,
    file: StoredFile,
    now: DateTime<Utc>,
) -> Result<QuestionRequest, ActionError> {
    may_attach_recording(conn, actor, enrolment, request_id, answer_id)?;
    if !is_recording(&file.content_type) {
        return Err(ActionError::invalid(
            "file",
            format!(
                "upload an audio or video recording (this file is {})",
                file.content_type
            ),
        ));
    }
    crate::portfolio::evidence::record_file(conn, &file, now.naive_utc())?;
    diesel::update(question_answers::table.find(answer_id))
        .set((
            question_answers::file_sha256.eq(&file.sha256),
            question_answers::file_name.eq(&file.name),
        ))
        .execute(conn)?;
    let actor_id = actor.user_id.to_string();
    audit::append(
        conn,
        Change {
            actor_id: Some(&actor_id),
            action: "questions.recording",
            entity: "enrolment",
            entity_id: &enrolment.id.to_string(),
            before: None,
            after: Some(serde_json::json!({
                "request_id": request_id, "answer_id": answer_id,
                "file_sha256": file.sha256, "file_name": file.name,
            })),
        },
    )?;
    read_request(conn, enrolment.id, request_id)
}
