//! One question request: reading it, answering it and attaching a recorded answer.

use actix_multipart::Multipart;
use actix_web::{HttpResponse, web};
use chrono::Utc;
use serde::Deserialize;

use super::*;
use crate::http::AppState;
use crate::http::pages::form::{Fields, FormState, field_errors};
use crate::http::pages::view::{Html, PageError, PageSession, check_csrf, see_other};
use crate::http::session::Session;
use crate::http::shared::path_id;
use crate::http::shared::question_sets::{attach, receive_file};
use crate::portfolio::question_sets::{self, AnswerInput, AnswersInput};

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
        show_page(
            &state,
            &session,
            &path.0,
            &path.1,
            None,
            query.saved.is_some(),
        )
        .await,
    )
}

/// `POST /enrolments/{id}/questions/{request_id}/answers`: save a draft or submit.
pub async fn answer(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<(String, String)>,
    fields: Fields,
) -> Html {
    Html(answer_page(&state, &session, &path.0, &path.1, fields).await)
}

async fn answer_page(
    state: &AppState,
    session: &Session,
    raw_id: &str,
    raw_request: &str,
    fields: Fields,
) -> Result<HttpResponse, PageError> {
    check_csrf(session, fields.csrf())?;
    let (enrolment, request) = load_for_form(state, session, raw_id, raw_request).await?;
    let ids: Vec<String> = request.answers.iter().map(|a| a.id.clone()).collect();
    let submit = fields.text("action") == "submit";
    let input = AnswersInput {
        answers: ids
            .iter()
            .map(|id| AnswerInput {
                id: id.clone(),
                text: fields.text(&format!("answer.{id}")).to_owned(),
            })
            .collect(),
        submit,
    };
    let base = state.config.public_url.clone();
    let actor = session.actor.clone();
    let request_id = request.id.clone();
    let for_tx = enrolment.clone();
    let done = state
        .db
        .write(move |conn| {
            question_sets::answer(conn, &base, &actor, &for_tx, &request_id, input, Utc::now())
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
            show_page(state, session, raw_id, raw_request, Some(form), false).await
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
    Html(recording_page(&state, &session, &id, &request, &answer, &mut multipart).await)
}

async fn recording_page(
    state: &AppState,
    session: &Session,
    raw_id: &str,
    raw_request: &str,
    raw_answer: &str,
    multipart: &mut Multipart,
) -> Result<HttpResponse, PageError> {
    let id = path_id(raw_id)?.to_string();
    let request_id = path_id(raw_request)?.to_string();
    let answer_id = path_id(raw_answer)?.to_string();
    // Refused before the body is read, like the API.
    crate::http::shared::question_sets::may_attach(state, session, &id, &request_id, &answer_id)
        .await?;
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
            return show_page(state, session, raw_id, raw_request, Some(form), false).await;
        }
        Err(other) => return Err(other.into()),
    };
    let (csrf, file) = received;
    if let Err(refused) = check_csrf(session, csrf.as_deref()) {
        file.0.discard();
        return Err(refused);
    }
    match attach(
        state,
        session.clone(),
        id.clone(),
        request_id.clone(),
        answer_id.clone(),
        file,
    )
    .await
    {
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
            show_page(state, session, raw_id, raw_request, Some(form), false).await
        }
        Err(other) => Err(other.into()),
    }
}
