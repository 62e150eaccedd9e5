//! One question request as the page shows it — its questions, the answers given, the marks — shared
//! by the answering and the marking forms.

use std::collections::BTreeMap;

use actix_web::HttpResponse;
use serde::Serialize;

use super::*;
use crate::action::ActionError;
use crate::auth::policy::{Action, Resource};
use crate::db::ids::{EnrolmentId, QuestionAnswerId, QuestionRequestId};
use crate::http::AppState;
use crate::http::pages::evidence::open;
use crate::http::pages::form::{FormState, field_id};
use crate::http::pages::view::{PageError, page_with_status};
use crate::http::session::Session;
use crate::portfolio::question_sets::{QuestionRequest, QuestionRequestStatus, actions};
use crate::portfolio::{self, Enrolment};

#[derive(Serialize)]
struct AnswerView {
    id: QuestionAnswerId,
    position: i32,
    question: String,
    covers: String,
    text: String,
    file_name: String,
    file_url: String,
    file_video: bool,
    result: String,
    comment: String,
    text_name: String,
    text_id: String,
    result_name: String,
    result_id: String,
    comment_name: String,
    comment_id: String,
    upload_id: String,
}

#[derive(Serialize)]
struct RequestView {
    title: String,
    id: EnrolmentId,
    request_id: QuestionRequestId,
    candidate: String,
    csrf: String,
    status: String,
    due_on: String,
    /// answer, mark or read.
    mode: &'static str,
    answers: Vec<AnswerView>,
    recorded: bool,
    evidence_id: String,
    form: FormState,
    saved: bool,
}

pub(super) async fn show_page(
    state: &AppState,
    session: &Session,
    enrolment_id: EnrolmentId,
    request_id: QuestionRequestId,
    refused: Option<FormState>,
    saved: bool,
) -> Result<HttpResponse, PageError> {
    let opened = open(state, session, enrolment_id, Action::ReadEnrolment).await?;
    let enrolment_id = opened.enrolment.id;
    let acting = session.clone();
    let request = state
        .db
        .read(move |conn| actions::show_request(conn, &acting.acting(), enrolment_id, request_id))
        .await?;
    let facts = Resource::Enrolment(opened.enrolment.facts()?);
    let mode = if request.status == QuestionRequestStatus::Sent
        && opened.enrolment.candidate_id == session.user_id
        && allowed(session, Action::AddEvidence, &facts)
    {
        "answer"
    } else if request.status == QuestionRequestStatus::Answered
        && allowed(session, Action::JudgeEvidence, &facts)
    {
        "mark"
    } else {
        "read"
    };
    let form = refused.unwrap_or_default();
    let view = request_view(
        session,
        &opened.enrolment,
        &opened.candidate,
        request,
        mode,
        form,
        saved,
    );
    let status = status_of(&view.form);
    page_with_status(
        state,
        Some(session),
        "pages/question_request.html",
        &view,
        status,
    )
}

fn request_view(
    session: &Session,
    enrolment: &Enrolment,
    candidate: &str,
    request: QuestionRequest,
    mode: &'static str,
    form: FormState,
    saved: bool,
) -> RequestView {
    let recorded = request.answers.iter().any(|a| a.file.is_some());
    let answers = request
        .answers
        .iter()
        .map(|a| {
            let text_name = format!("answer.{}", a.id);
            let result_name = format!("result.{}", a.id);
            let comment_name = format!("comment.{}", a.id);
            AnswerView {
                id: a.id,
                position: a.position,
                question: a.question.clone(),
                covers: a.covers.join(", "),
                text: form
                    .values
                    .get(&text_name)
                    .cloned()
                    .unwrap_or_else(|| a.text.clone().unwrap_or_default()),
                file_name: a.file.as_ref().map(|f| f.name.clone()).unwrap_or_default(),
                file_url: format!(
                    "/api/enrolments/{}/question-requests/{}/answers/{}/recording?inline=1",
                    enrolment.id, request.id, a.id
                ),
                file_video: false,
                result: form
                    .values
                    .get(&result_name)
                    .cloned()
                    .unwrap_or_else(|| a.result.clone().unwrap_or_default()),
                comment: form
                    .values
                    .get(&comment_name)
                    .cloned()
                    .unwrap_or_else(|| a.comment.clone().unwrap_or_default()),
                text_id: field_id(&text_name),
                result_id: field_id(&result_name),
                comment_id: field_id(&comment_name),
                upload_id: field_id(&format!("file.{}", a.id)),
                text_name,
                result_name,
                comment_name,
            }
        })
        .collect();
    RequestView {
        title: request.title.clone(),
        id: enrolment.id,
        request_id: request.id,
        candidate: candidate.to_owned(),
        csrf: session.csrf.clone(),
        status: request.status.to_string(),
        due_on: request
            .due_on
            .map(|d| d.format("%-d %B %Y").to_string())
            .unwrap_or_default(),
        mode,
        answers,
        recorded,
        evidence_id: request
            .evidence_id
            .map(|id| id.to_string())
            .unwrap_or_default(),
        form,
        saved,
    }
}

/// Maps `answers[i].x` of the action to the page's `x.{answer id}` field.
pub(super) fn answer_errors(
    errors: BTreeMap<String, String>,
    ids: &[QuestionAnswerId],
    text_field: &str,
) -> BTreeMap<String, String> {
    errors
        .into_iter()
        .map(|(field, reason)| {
            if let Some(rest) = field.strip_prefix("answers[") {
                if let Some((i, what)) = rest.split_once("].") {
                    if let Some(id) = i.parse::<usize>().ok().and_then(|i| ids.get(i)) {
                        let name = if what == "text" { text_field } else { what };
                        return (format!("{name}.{id}"), reason);
                    }
                }
            }
            (field, reason)
        })
        .collect()
}

pub(super) async fn load_for_form(
    state: &AppState,
    session: &Session,
    id: EnrolmentId,
    request_id: QuestionRequestId,
) -> Result<(Enrolment, QuestionRequest), PageError> {
    let acting = session.clone();
    Ok(state
        .db
        .read(move |conn| {
            let enrolment = portfolio::load_enrolment(conn, id)?;
            let request = actions::show_request(conn, &acting.acting(), id, request_id)?;
            Ok::<_, ActionError>((enrolment, request))
        })
        .await?)
}
