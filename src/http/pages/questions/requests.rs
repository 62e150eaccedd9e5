//! Question requests on an enrolment: the list and sending a set to the candidate.

use std::collections::BTreeMap;

use actix_web::{HttpResponse, web};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::*;
use crate::action::ActionError;
use crate::auth::policy::{Action, Resource};
use crate::db::ids::{EnrolmentId, QuestionRequestId, QuestionSetId};
use crate::http::AppState;
use crate::http::extract::typed_path_id;
use crate::http::pages::evidence::open;
use crate::http::pages::form::{Fields, FormState, field_errors};
use crate::http::pages::view::{
    Html, PageError, PageSession, check_csrf, page_with_status, see_other,
};
use crate::http::session::Session;
use crate::portfolio::question_sets::{self, QuestionRequest, SendQuestions, actions};

#[derive(Serialize)]
struct RequestRow {
    id: QuestionRequestId,
    title: String,
    status: String,
    sent_on: String,
    due_on: String,
    satisfactory: usize,
    questions: usize,
}

fn request_row(r: &QuestionRequest) -> RequestRow {
    RequestRow {
        id: r.id,
        title: r.title.clone(),
        status: r.status.to_string(),
        sent_on: r.sent_at.format("%-d %B %Y").to_string(),
        due_on: r
            .due_on
            .map(|d| d.format("%-d %B %Y").to_string())
            .unwrap_or_default(),
        satisfactory: r
            .answers
            .iter()
            .filter(|a| a.result.as_deref() == Some(question_sets::result::SATISFACTORY))
            .count(),
        questions: r.answers.len(),
    }
}

#[derive(Serialize)]
struct RequestsView {
    title: String,
    id: EnrolmentId,
    candidate: String,
    unit: String,
    csrf: String,
    requests: Vec<RequestRow>,
    can_send: bool,
    sets: Vec<Choice>,
    form: FormState,
    sent: bool,
}

/// `?sent=1` after a set was sent.
#[derive(Debug, Deserialize)]
pub struct SentQuery {
    sent: Option<String>,
}

/// `GET /enrolments/{id}/questions`: the sets sent to this candidate, and (for the assessor) the
/// form to send another.
pub async fn requests(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
    query: web::Query<SentQuery>,
) -> Html {
    Html(
        async {
            let id = typed_path_id(&path)?;
            requests_page(&state, &session, id, None, query.sent.is_some()).await
        }
        .await,
    )
}

async fn requests_page(
    state: &AppState,
    session: &Session,
    id: EnrolmentId,
    refused: Option<FormState>,
    sent: bool,
) -> Result<HttpResponse, PageError> {
    let opened = open(state, session, id, Action::ReadEnrolment).await?;
    let enrolment = opened.enrolment.clone();
    let can_send = allowed(
        session,
        Action::RecordAssessorEvidence,
        &Resource::Enrolment(enrolment.facts()?),
    );
    let acting = session.clone();
    let enrolment_id = enrolment.id;
    let org_id = enrolment.org_id;
    let (requests, sets) = state
        .db
        .read(move |conn| {
            let acting = acting.acting();
            let requests = actions::list_requests(conn, &acting, enrolment_id)?;
            let sets = if can_send {
                actions::list_sets(conn, &acting, org_id, Some(&enrolment.standard_code))?
            } else {
                Vec::new()
            };
            Ok::<_, ActionError>((requests, sets))
        })
        .await?;
    let form = refused.unwrap_or_default();
    let view = RequestsView {
        title: "Questions to answer".into(),
        id: opened.enrolment.id,
        candidate: opened.candidate.clone(),
        unit: opened.enrolment.standard_code.clone(),
        csrf: session.csrf.clone(),
        requests: requests.iter().map(request_row).collect(),
        can_send,
        sets: sets
            .into_iter()
            .map(|s| Choice {
                label: format!("{} ({} questions)", s.title, s.items.len()),
                value: s.id.to_string(),
            })
            .collect(),
        sent,
        form,
    };
    let status = status_of(&view.form);
    page_with_status(
        state,
        Some(session),
        "pages/question_requests.html",
        &view,
        status,
    )
}

/// The send form as posted.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SendForm {
    set_id: String,
    due_on: String,
}

/// `POST /enrolments/{id}/questions`: sends a set.
pub async fn send(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
    fields: Fields,
) -> Html {
    Html(async { send_page(&state, &session, typed_path_id(&path)?, fields).await }.await)
}

async fn send_page(
    state: &AppState,
    session: &Session,
    id: EnrolmentId,
    fields: Fields,
) -> Result<HttpResponse, PageError> {
    check_csrf(session, fields.csrf())?;
    let form: SendForm = fields.read()?;
    let due = Some(form.due_on.trim()).filter(|d| !d.is_empty());
    let due_on = match due.map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d")) {
        None => None,
        Some(Ok(day)) => Some(day),
        Some(Err(_)) => {
            let form = FormState::again(
                &fields,
                BTreeMap::from([(
                    "due_on".to_owned(),
                    "write the date as YYYY-MM-DD".to_owned(),
                )]),
            );
            return requests_page(state, session, id, Some(form), false).await;
        }
    };
    // The set comes from the page's list: text that is not a set's id names no set of the
    // organisation, as the action says of an unknown one, to whoever may send (the action's
    // policy, asked first as the action asks it).
    let Ok(set_id) = form.set_id.trim().parse::<QuestionSetId>() else {
        open(state, session, id, Action::RecordAssessorEvidence).await?;
        let form = FormState::again(
            &fields,
            BTreeMap::from([(
                "set_id".to_owned(),
                "is not a question set of this organisation".to_owned(),
            )]),
        );
        return requests_page(state, session, id, Some(form), false).await;
    };
    let input = SendQuestions { set_id, due_on };
    let for_tx = state.clone();
    let acting = session.clone();
    let done = state
        .db
        .write(move |conn| actions::send(conn, for_tx.services(), &acting.acting(), id, input))
        .await;
    match done {
        Ok(request) => Ok(see_other(&format!(
            "/enrolments/{}/questions?sent=1#request-{}",
            request.enrolment_id, request.id
        ))),
        Err(ActionError::Conflict(reason)) => {
            let form = FormState::again(&fields, BTreeMap::from([("set_id".to_owned(), reason)]));
            requests_page(state, session, id, Some(form), false).await
        }
        Err(err) => {
            let form = FormState::again(&fields, field_errors(err)?);
            requests_page(state, session, id, Some(form), false).await
        }
    }
}
