//! The assessor's marks, and the questioning evidence record they make.

use super::*;

/// The assessor marks every answer (audited as `questions.mark`; the candidate is told). The
/// satisfactory answers become one questioning evidence record, accepted by the assessor and
/// mapped to what they cover, so the engine counts it; the request keeps every mark and comment.
#[allow(clippy::too_many_arguments)]
pub fn mark(
    conn: &mut DbConnection,
    base: &str,
    catalogue: &Catalogue,
    standard: &Standard,
    actor: &Actor,
    enrolment: &Enrolment,
    request_id: QuestionRequestId,
    input: MarksInput,
    now: DateTime<Utc>,
) -> Result<QuestionRequest, ActionError> {
    require(
        actor,
        Action::JudgeEvidence,
        &enrolment_resource(enrolment)?,
    )?;
    let request = read_request(conn, enrolment.id, request_id)?;
    match request.status {
        QuestionRequestStatus::Sent => {
            return Err(ActionError::Conflict(
                "the candidate has not submitted their answers yet".into(),
            ));
        }
        QuestionRequestStatus::Marked => {
            return Err(ActionError::Conflict(
                "these answers are already marked".into(),
            ));
        }
        QuestionRequestStatus::Answered => {}
    }
    let mut problems = Problems::default();
    let mut marks: BTreeMap<QuestionAnswerId, (&str, Option<String>)> = BTreeMap::new();
    for (i, given) in input.answers.iter().enumerate() {
        if !request.answers.iter().any(|a| a.id == given.id) {
            problems.add(
                &format!("answers[{i}].id"),
                "is not an answer of this request",
            );
            continue;
        }
        let result = given.result.trim();
        if result != result::SATISFACTORY && result != result::NOT_YET {
            problems.add(
                &format!("answers[{i}].result"),
                "mark the answer satisfactory or not_yet",
            );
        }
        let comment = given
            .comment
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_owned);
        if result == result::NOT_YET && comment.is_none() {
            problems.add(
                &format!("answers[{i}].comment"),
                "say what is missing, so the candidate knows what to do next",
            );
        }
        if comment
            .as_deref()
            .is_some_and(|c| c.chars().count() > LONGEST_COMMENT)
        {
            problems.add(
                &format!("answers[{i}].comment"),
                "keep the comment under 2000 characters",
            );
        }
        if marks.insert(given.id, (result, comment)).is_some() {
            problems.add(&format!("answers[{i}].id"), "is marked twice");
        }
    }
    for answer in &request.answers {
        if !marks.contains_key(&answer.id) {
            problems.add(
                &format!("answers[{}].result", answer.position - 1),
                format!("mark the answer to question {}", answer.position),
            );
        }
    }
    let recorded = request.answers.iter().any(|a| a.file.is_some());
    let method = match input.method.as_deref().map(str::trim) {
        None | Some("") if recorded => Method::OralQuestioning,
        None | Some("") => Method::WrittenQuestioning,
        Some("oral_questioning") => Method::OralQuestioning,
        Some("written_questioning") => Method::WrittenQuestioning,
        Some(_) => {
            problems.add("method", "choose oral_questioning or written_questioning");
            Method::WrittenQuestioning
        }
    };
    problems.finish()?;

    let satisfactory: Vec<&Answer> = request
        .answers
        .iter()
        .filter(|a| marks.get(&a.id).map(|m| m.0) == Some(result::SATISFACTORY))
        .collect();
    let evidence_id = if satisfactory.is_empty() {
        None
    } else {
        let new = evidence_of(standard, &request, &satisfactory, &marks, method, now);
        let record = crate::portfolio::evidence::add_evidence(
            conn,
            standard,
            enrolment,
            actor.user_id.into(),
            new,
            None,
            now,
        )?;
        Some(record.id)
    };
    for answer in &request.answers {
        if let Some((result, comment)) = marks.get(&answer.id) {
            diesel::update(question_answers::table.find(answer.id))
                .set((
                    question_answers::result.eq(*result),
                    question_answers::comment.eq(comment.as_deref()),
                ))
                .execute(conn)?;
        }
    }
    let actor_id = actor.user_id.to_string();
    diesel::update(question_requests::table.find(request_id))
        .set((
            question_requests::status.eq(QuestionRequestStatus::Marked),
            question_requests::marked_by.eq(UserId::from(actor.user_id)),
            question_requests::marked_at.eq(now.naive_utc()),
            question_requests::evidence_id.eq(evidence_id),
        ))
        .execute(conn)?;
    let after = read_request(conn, enrolment.id, request_id)?;
    audit::append(
        conn,
        Change {
            actor_id: Some(&actor_id),
            action: "questions.mark",
            entity: "enrolment",
            entity_id: &enrolment.id.to_string(),
            before: None,
            after: Some(serde_json::json!({
                "request_id": request_id,
                "evidence_id": after.evidence_id,
                "marks": after.answers.iter().map(|a| serde_json::json!({
                    "id": a.id, "result": a.result, "comment": a.comment,
                })).collect::<Vec<_>>(),
            })),
        },
    )?;
    crate::notify::events::questions_marked(
        conn,
        base,
        enrolment,
        request_id,
        &after.title,
        satisfactory.len(),
        after.answers.len(),
        now,
    )?;
    crate::portfolio::refresh_evaluation(conn, catalogue, enrolment.id)?;
    Ok(after)
}

/// The questioning record the satisfactory answers make.
fn evidence_of(
    standard: &Standard,
    request: &QuestionRequest,
    satisfactory: &[&Answer],
    marks: &BTreeMap<QuestionAnswerId, (&str, Option<String>)>,
    method: Method,
    now: DateTime<Utc>,
) -> NewEvidence {
    let covered: BTreeSet<&str> = satisfactory
        .iter()
        .flat_map(|a| a.covers.iter().map(String::as_str))
        .collect();
    let knowledge: Vec<String> = standard
        .knowledge
        .iter()
        .filter(|k| covered.contains(k.id.as_str()))
        .map(|k| k.id.clone())
        .collect();
    let criteria: Vec<MappingInput> = covered
        .iter()
        .filter(|id| standard.criterion(id).is_some())
        .map(|id| MappingInput {
            criterion: (*id).to_owned(),
            range: BTreeMap::new(),
        })
        .collect();
    let questions = satisfactory
        .iter()
        .map(|a| QuestionAnswer {
            question: a.question.clone(),
            answer: match (&a.text, &a.file) {
                (Some(text), Some(file)) if !text.trim().is_empty() => {
                    format!("{} (with the recording {})", text.trim(), file.name)
                }
                (Some(text), _) if !text.trim().is_empty() => text.trim().to_owned(),
                (_, Some(file)) => format!(
                    "Answered in the recording {} (SHA-256 {})",
                    file.name, file.sha256
                ),
                _ => String::new(),
            },
        })
        .collect();
    let comments: Vec<String> = satisfactory
        .iter()
        .filter_map(|a| {
            marks
                .get(&a.id)
                .and_then(|m| m.1.as_ref())
                .map(|c| format!("Question {}: {c}", a.position))
        })
        .collect();
    let date = request
        .answered_at
        .map(|t| t.date())
        .unwrap_or_else(|| now.date_naive());
    NewEvidence {
        method,
        kind: None,
        title: Some(format!("Answers to \u{201c}{}\u{201d}", request.title)),
        setting: Setting::Workplace,
        channel: Vec::new(),
        date,
        time: None,
        site: None,
        attributes: BTreeMap::new(),
        criteria,
        knowledge,
        links: Vec::new(),
        details: EvidenceDetails {
            questions,
            summary: (!comments.is_empty()).then(|| comments.join("\n")),
            ..EvidenceDetails::default()
        },
        declaration: false,
    }
}
