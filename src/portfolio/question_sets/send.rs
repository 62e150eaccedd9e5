//! Sending a set to a candidate.

use super::*;

/// Sends a set to an enrolment's candidate (audited as `questions.send`; the candidate is told):
/// the enrolment's assessor, with a set of the organisation on the enrolment's unit, while the
/// portfolio is open. The questions are copied into the request.
pub fn send(
    conn: &mut DbConnection,
    base: &str,
    standard: &Standard,
    actor: &Actor,
    enrolment: &Enrolment,
    input: SendQuestions,
    now: DateTime<Utc>,
) -> Result<QuestionRequest, ActionError> {
    require(
        actor,
        Action::RecordAssessorEvidence,
        &enrolment_resource(enrolment)?,
    )?;
    let set = match read_set(conn, input.set_id) {
        Ok(set) if enrolment.org_id == set.org_id => set,
        Ok(_) | Err(ActionError::NotFound) => {
            return Err(ActionError::invalid(
                "set_id",
                "is not a question set of this organisation",
            ));
        }
        Err(other) => return Err(other),
    };
    let mut problems = Problems::default();
    if set.standard_code != enrolment.standard_code {
        problems.add(
            "set_id",
            format!(
                "this set is for unit {}; the portfolio is on {}",
                set.standard_code, enrolment.standard_code
            ),
        );
    }
    for item in &set.items {
        for id in &item.covers {
            if !known(standard, id) {
                problems.add(
                    "set_id",
                    format!(
                        "question {} covers {id}, which version {} of the unit does not have",
                        item.position, enrolment.standard_version
                    ),
                );
            }
        }
    }
    if let Some(due) = input.due_on {
        if due < now.date_naive() {
            problems.add("due_on", "the due date must be today or later");
        }
    }
    problems.finish()?;
    if enrolment.status() != EnrolmentStatus::Active {
        return Err(ActionError::Conflict(format!(
            "the portfolio is {}: the candidate cannot answer questions until it is reopened",
            enrolment.status
        )));
    }
    let pending: i64 = question_requests::table
        .filter(question_requests::enrolment_id.eq(enrolment.id))
        .filter(question_requests::set_id.eq(set.id))
        .filter(question_requests::status.ne(QuestionRequestStatus::Marked))
        .count()
        .get_result(conn)?;
    if pending > 0 {
        return Err(ActionError::Conflict(
            "this set was already sent to the candidate and is not marked yet".into(),
        ));
    }
    let actor_id = actor.user_id.to_string();
    let row = RequestRow {
        id: QuestionRequestId::random(),
        set_id: set.id,
        enrolment_id: enrolment.id,
        title: set.title.clone(),
        sent_by: actor.user_id.into(),
        sent_at: now.naive_utc(),
        due_on: input.due_on,
        status: QuestionRequestStatus::Sent,
        answered_at: None,
        marked_by: None,
        marked_at: None,
        evidence_id: None,
    };
    diesel::insert_into(question_requests::table)
        .values(&row)
        .execute(conn)?;
    for item in &set.items {
        diesel::insert_into(question_answers::table)
            .values(&AnswerRow {
                id: QuestionAnswerId::random(),
                request_id: row.id,
                item_id: item.id,
                position: item.position,
                covers: covers_text(&item.covers)?,
                question: item.question.clone(),
                answer_text: None,
                file_sha256: None,
                file_name: None,
                answered_at: None,
                result: None,
                comment: None,
            })
            .execute(conn)?;
    }
    audit::append(
        conn,
        Change {
            actor_id: Some(&actor_id),
            action: "questions.send",
            entity: "enrolment",
            entity_id: &enrolment.id.to_string(),
            before: None,
            after: Some(serde_json::json!({
                "request_id": row.id, "set_id": set.id, "title": set.title, "due_on": row.due_on,
            })),
        },
    )?;
    crate::notify::events::questions_sent(
        conn, base, enrolment, row.id, &set.title, row.due_on, now,
    )?;
    read_request(conn, enrolment.id, row.id)
}
