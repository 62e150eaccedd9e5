//! The assessor's unit decision (`/enrolments/{id}/decision`): the confirmed view in brief — how
//! much is met, per outcome, and what is still missing — and the decision form. The decision is
//! the API's action (`signoff::chain::decide_unit`); when it is refused because the confirmed view
//! is incomplete, the page comes back with the engine's gaps next to the form and the comments kept.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use chrono::Utc;
use serde::Serialize;

use super::form::{Fields, FormState};
use super::rows::{Names, unit_name};
use super::view::{Html, PageError, PageSession, check_csrf, page_with_status, see_other};
use crate::action::ActionError;
use crate::auth::policy::{Action, EnrolmentStatus};
use crate::catalogue::Catalogue;
use crate::db::DbConnection;
use crate::http::AppState;
use crate::http::api::enrolments::authorize;
use crate::http::api::path_id;
use crate::http::session::Session;
use crate::portfolio;
use crate::rules::{Progress, View};
use crate::signoff::chain;

#[derive(Debug, Serialize)]
struct OutcomeLine {
    label: String,
    title: String,
    progress: Progress,
}

#[derive(Debug, Serialize)]
struct DecisionView {
    title: String,
    id: String,
    candidate: String,
    unit: String,
    unit_title: String,
    status: String,
    /// The candidate has submitted: the decision can be made now.
    open: bool,
    /// Every requirement is met in the confirmed view.
    complete: bool,
    overall: Progress,
    outcomes: Vec<OutcomeLine>,
    /// What the engine says is missing in the confirmed view, in plain words.
    gaps: Vec<String>,
    /// The gaps the refused decision came back with (shown next to the form).
    refused: Vec<String>,
    /// Who signed the decision, when one has been made.
    decided: Option<String>,
    csrf: String,
    form: FormState,
}

/// `GET /enrolments/{id}/decision`.
pub async fn form(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
) -> Html {
    Html(
        render(
            &state,
            session.0,
            path.into_inner(),
            FormState::default(),
            Vec::new(),
        )
        .await,
    )
}

async fn render(
    state: &AppState,
    session: Session,
    raw_id: String,
    form: FormState,
    refused: Vec<String>,
) -> Result<HttpResponse, PageError> {
    let id = path_id(&raw_id)?.to_string();
    let catalogue = state.catalogue.clone();
    let for_tx = session.clone();
    let mut view = state
        .db
        .read(move |conn| decision_view(conn, &catalogue, &for_tx, &id))
        .await?;
    let status = if refused.is_empty() && !form.has_errors() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    view.form = form;
    view.refused = refused;
    page_with_status(state, Some(&session), "pages/decision.html", &view, status)
}

fn decision_view(
    conn: &mut DbConnection,
    catalogue: &Catalogue,
    session: &Session,
    id: &str,
) -> Result<DecisionView, ActionError> {
    let enrolment = authorize(conn, session, id, Action::DecideUnit)?;
    let mut names = Names::default();
    let candidate = names.of(conn, &enrolment.candidate_id)?;
    let evaluation =
        portfolio::Evaluation::load(conn, catalogue, &enrolment, Some(candidate.clone()))?;
    let standard = evaluation.standard;
    let confirmed = &evaluation.report(View::Confirmed);
    // The latest assessor signature is the decision in force (a reopened one is superseded).
    let decided = match enrolment.decided_by.as_deref() {
        Some(_) => chain::sign_offs_of(conn, &enrolment.id)?
            .into_iter()
            .rev()
            .find(|s| s.role == "assessor")
            .map(|s| format!("{} on {}", s.user_name, s.signed_on)),
        None => None,
    };
    Ok(DecisionView {
        title: format!("Unit decision — {candidate}"),
        id: enrolment.id.clone(),
        candidate,
        unit: unit_name(standard),
        unit_title: standard.title.clone(),
        status: enrolment.status.clone(),
        open: enrolment.status() == EnrolmentStatus::Submitted,
        complete: confirmed.complete,
        overall: confirmed.progress,
        outcomes: confirmed
            .outcomes
            .iter()
            .map(|o| OutcomeLine {
                label: format!("Outcome {}", o.id),
                title: o.title.to_string(),
                progress: o.progress,
            })
            .collect(),
        gaps: confirmed.gaps.iter().map(|g| g.message.clone()).collect(),
        refused: Vec::new(),
        decided,
        csrf: session.csrf.clone(),
        form: FormState::default(),
    })
}

/// `POST /enrolments/{id}/decision`: the assessor signs the unit decision with comments.
pub async fn decide(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
    fields: Fields,
) -> Html {
    Html(decide_page(&state, session.0, path.into_inner(), fields).await)
}

async fn decide_page(
    state: &AppState,
    session: Session,
    raw_id: String,
    fields: Fields,
) -> Result<HttpResponse, PageError> {
    check_csrf(&session, fields.csrf())?;
    let id = path_id(&raw_id)?.to_string();
    let comments = fields.text("comments").to_owned();
    let catalogue = state.catalogue.clone();
    let for_tx = session.clone();
    let done = state
        .db
        .write(move |conn| {
            let enrolment = authorize(conn, &for_tx, &id, Action::DecideUnit)?;
            chain::decide_unit(
                conn,
                &catalogue,
                &enrolment,
                &for_tx.user_id,
                &comments,
                Utc::now(),
            )
        })
        .await;
    match done {
        Ok(enrolment) => Ok(see_other(&format!("/enrolments/{}/decision", enrolment.id))),
        Err(ActionError::Incomplete(gaps)) => {
            let form = FormState::again(&fields, Default::default());
            render(state, session, raw_id, form, gaps).await
        }
        Err(other) => Err(other.into()),
    }
}
