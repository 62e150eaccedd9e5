//! Submitting, reopening and acknowledging from the portfolio page.

use std::collections::BTreeMap;

use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::*;
use crate::db::ids::{EnrolmentId, EvidenceId};
use crate::http::AppState;
use crate::http::extract::typed_path_id;
use crate::http::pages::form::{Fields, FormState, Ticked, field_errors};
use crate::http::pages::view::{Html, PageError, PageSession, check_csrf, see_other};
use crate::http::session::Session;
use crate::portfolio::{self, evidence::actions};
use crate::rules::View;

/// The submit form as posted: the candidate's declaration (a checkbox).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SubmitForm {
    declaration: Ticked,
}

/// The reopening form as posted.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ReopenForm {
    reason: String,
}

/// The acknowledgement form as posted.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct AcknowledgeForm {
    comment: String,
}

/// `POST /enrolments/{id}/submit`: the candidate's declaration and submission.
pub async fn submit(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
    fields: Fields,
) -> Html {
    Html(submit_page(&state, session.0, path.into_inner(), fields).await)
}

async fn submit_page(
    state: &AppState,
    session: Session,
    raw_id: String,
    fields: Fields,
) -> Result<HttpResponse, PageError> {
    check_csrf(&session, fields.csrf())?;
    let id: EnrolmentId = typed_path_id(&raw_id)?;
    let SubmitForm {
        declaration: Ticked(declaration),
    } = fields.read()?;
    let for_tx = session.clone();
    let done = state
        .db
        .write(move |conn| crate::signoff::actions::submit(conn, &for_tx.acting(), id, declaration))
        .await;
    match done {
        Ok(enrolment) => Ok(see_other(&format!("/enrolments/{}", enrolment.id))),
        Err(err) => {
            let errors = field_errors(err)?;
            let forms = Forms {
                submit: FormState::again(&fields, errors),
                ..Forms::default()
            };
            render(state, session, raw_id, View::Confirmed, forms).await
        }
    }
}

/// `POST /enrolments/{id}/reopen`: the assessor reopens a submitted or assessed portfolio.
pub async fn reopen(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
    fields: Fields,
) -> Html {
    Html(reopen_page(&state, session.0, path.into_inner(), fields).await)
}

async fn reopen_page(
    state: &AppState,
    session: Session,
    raw_id: String,
    fields: Fields,
) -> Result<HttpResponse, PageError> {
    check_csrf(&session, fields.csrf())?;
    let id: EnrolmentId = typed_path_id(&raw_id)?;
    let ReopenForm { reason } = fields.read()?;
    let for_tx = session.clone();
    let done = state
        .db
        .write(move |conn| portfolio::actions::reopen(conn, &for_tx.acting(), id, &reason))
        .await;
    match done {
        Ok(enrolment) => Ok(see_other(&format!("/enrolments/{}", enrolment.id))),
        Err(err) => {
            let errors: BTreeMap<String, String> = field_errors(err)?;
            let forms = Forms {
                reopen: FormState::again(&fields, errors),
                ..Forms::default()
            };
            render(state, session, raw_id, View::Confirmed, forms).await
        }
    }
}

/// `POST /enrolments/{id}/evidence/{evidence_id}/acknowledge`: the candidate acknowledges an
/// observation or questioning record, with an optional comment.
pub async fn acknowledge(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<(String, String)>,
    fields: Fields,
) -> Html {
    let (raw_id, raw_evidence) = path.into_inner();
    Html(acknowledge_page(&state, session.0, raw_id, raw_evidence, fields).await)
}

async fn acknowledge_page(
    state: &AppState,
    session: Session,
    raw_id: String,
    raw_evidence: String,
    fields: Fields,
) -> Result<HttpResponse, PageError> {
    check_csrf(&session, fields.csrf())?;
    let id: EnrolmentId = typed_path_id(&raw_id)?;
    let target: EvidenceId = typed_path_id(&raw_evidence)?;
    let evidence_id = target.to_string();
    let AcknowledgeForm { comment } = fields.read()?;
    let tx_state = state.clone();
    let for_tx = session.clone();
    let done = state
        .db
        .write(move |conn| {
            let acting = for_tx.acting();
            actions::acknowledge(conn, tx_state.services(), &acting, id, target, &comment)
        })
        .await;
    match done {
        Ok(ack) => Ok(see_other(&format!(
            "/enrolments/{}?acknowledged={}#evidence-{}",
            ack.enrolment_id, ack.evidence_id, ack.evidence_id
        ))),
        Err(err) => {
            let errors = field_errors(err)?;
            let forms = Forms {
                acknowledge: Some((evidence_id, FormState::again(&fields, errors))),
                ..Forms::default()
            };
            render(state, session, raw_id, View::Confirmed, forms).await
        }
    }
}
