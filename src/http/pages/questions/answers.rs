//! One question request: reading it, answering it and attaching a recorded answer.

use actix_multipart::Multipart;
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use std::collections::BTreeMap;

use super::*;
use crate::db::ids::{EnrolmentId, QuestionAnswerId, QuestionRequestId};
use crate::http::AppState;
use crate::http::extract::typed_path_id;
use crate::http::pages::form::{Fields, FormState, field_errors};
use crate::http::pages::view::{Html, PageError, PageSession, check_csrf, see_other};
use crate::http::session::Session;
use crate::http::shared::question_sets::{attach, may_attach, receive_file};
use crate::portfolio::question_sets::{AnswerInput, AnswersInput, actions};

/// `?saved=1` after a draft was saved or a recording uploaded.
#[derive(Debug, Deserialize)]
pub struct ShowQuery {
    saved: Option<String>,
}

/// `GET /enrolments/{id}/questions/{request_id}`: the candidate answers, the assessor marks,
/// anyone else who may read the portfolio sees the answers and marks.
pub async fn show(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<(String, String)>,
    query: web::Query<ShowQuery>,
) -> Html {
    Html(
        async {
            show_page(
                &state,
                &session,
                typed_path_id(&path.0)?,
                typed_path_id(&path.1)?,
                None,
                query.saved.is_some(),
            )
            .await
        }
        .await,
    )
}

/// The answers form as posted: `action` (save or submit) and `answer.{answer id}` per question.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct AnswersForm {
    action: String,
    /// Every other field, by name: the typed answers (and the CSRF token, unused here).
    #[serde(flatten)]
    answers: BTreeMap<String, String>,
}

/// `POST /enrolments/{id}/questions/{request_id}/answers`: save a draft or submit.
pub async fn answer(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<(String, String)>,
    fields: Fields,
) -> Html {
    Html(
        async {
            let (id, request_id) = (typed_path_id(&path.0)?, typed_path_id(&path.1)?);
            answer_page(&state, &session, id, request_id, fields).await
        }
        .await,
    )
}

async fn answer_page(
    state: &AppState,
    session: &Session,
    enrolment_id: EnrolmentId,
    request_id: QuestionRequestId,
    fields: Fields,
) -> Result<HttpResponse, PageError> {
    check_csrf(session, fields.csrf())?;
    let (enrolment, request) = load_for_form(state, session, enrolment_id, request_id).await?;
    let ids: Vec<QuestionAnswerId> = request.answers.iter().map(|a| a.id).collect();
    let form: AnswersForm = fields.read()?;
    let submit = form.action == "submit";
    let input = AnswersInput {
        answers: ids
            .iter()
            .map(|id| AnswerInput {
                id: *id,
                text: form
                    .answers
                    .get(&format!("answer.{id}"))
                    .cloned()
                    .unwrap_or_default(),
            })
            .collect(),
        submit,
    };
    let for_tx = state.clone();
    let acting = session.clone();
    let done = state
        .db
        .write(move |conn| {
            actions::answer(
                conn,
                for_tx.services(),
                &acting.acting(),
                enrolment_id,
                request_id,
                input,
            )
        })
        .await;
    match done {
        Ok(_) if submit => Ok(see_other(&format!(
            "/enrolments/{}/questions?answered=1",
            enrolment.id
        ))),
        Ok(_) => Ok(see_other(&format!(
            "/enrolments/{}/questions/{}?saved=1",
            enrolment.id, request.id
        ))),
        Err(err) => {
            let errors = answer_errors(field_errors(err)?, &ids, "answer");
            let form = FormState::again(&fields, errors);
            show_page(state, session, enrolment_id, request_id, Some(form), false).await
        }
    }
}

/// `POST /enrolments/{id}/questions/{request_id}/answers/{answer_id}/recording` (multipart).
pub async fn recording(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<(String, String, String)>,
    mut multipart: Multipart,
) -> Html {
    let (id, request, answer) = path.into_inner();
    Html(
        async {
            let id = typed_path_id(&id)?;
            let request_id = typed_path_id(&request)?;
            let answer_id = typed_path_id(&answer)?;
            recording_page(&state, &session, id, request_id, answer_id, &mut multipart).await
        }
        .await,
    )
}

async fn recording_page(
    state: &AppState,
    session: &Session,
    id: EnrolmentId,
    request_id: QuestionRequestId,
    answer_id: QuestionAnswerId,
    multipart: &mut Multipart,
) -> Result<HttpResponse, PageError> {
    // Refused before the body is read, like the API.
    may_attach(state, session, id, request_id, answer_id).await?;
    let received = match receive_file(state, multipart).await {
        Ok(received) => received,
        Err(crate::http::ApiError::Validation { errors, .. }) => {
            let errors = errors
                .into_iter()
                .map(|(k, v)| {
                    (
                        if k == "file" {
                            format!("file.{answer_id}")
                        } else {
                            k
                        },
                        v,
                    )
                })
                .collect();
            let form = FormState::again(&Fields::default(), errors);
            return show_page(state, session, id, request_id, Some(form), false).await;
        }
        Err(other) => return Err(other.into()),
    };
    let (csrf, file) = received;
    if let Err(refused) = check_csrf(session, csrf.as_deref()) {
        file.0.discard();
        return Err(refused);
    }
    match attach(state, session.clone(), id, request_id, answer_id, file).await {
        Ok(_) => Ok(see_other(&format!(
            "/enrolments/{id}/questions/{request_id}?saved=1#answer-{answer_id}"
        ))),
        Err(crate::http::ApiError::Validation { errors, .. }) => {
            let errors = errors
                .into_iter()
                .map(|(k, v)| {
                    (
                        if k == "file" {
                            format!("file.{answer_id}")
                        } else {
                            k
                        },
                        v,
                    )
                })
                .collect();
            let form = FormState::again(&Fields::default(), errors);
            show_page(state, session, id, request_id, Some(form), false).await
        }
        Err(other) => Err(other.into()),
    }
}
