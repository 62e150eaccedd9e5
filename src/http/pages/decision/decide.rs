//! The unit decision: the form with what the evidence shows, and deciding.

use actix_web::{HttpResponse, web};
use chrono::Utc;

use super::*;
use crate::action::ActionError;
use crate::auth::policy::{Action, EnrolmentStatus};
use crate::db::ids::EnrolmentId;
use crate::http::AppState;
use crate::http::extract::typed_path_id;
use crate::http::pages::form::{Fields, FormState};
use crate::http::pages::rows::standard_of;
use crate::http::pages::view::{Html, PageError, PageSession, check_csrf, see_other};
use crate::http::session::Session;
use crate::http::shared::enrolments::authorize;
use crate::portfolio;
use crate::portfolio::AssessorMarks;
use crate::signoff::feedback::{self, Decision, Outcome};

/// `?decided=competent|not_yet_competent` after a decision; `?saved=1` after saving the marks.
#[derive(Debug, serde::Deserialize)]
pub struct DecidedQuery {
    decided: Option<String>,
}

/// `GET /enrolments/{id}/decision`.
pub async fn form(
    state: web::Data<AppState>,
    session: PageSession,
    path: web::Path<String>,
    query: web::Query<DecidedQuery>,
) -> Html {
    let decided = query
        .into_inner()
        .decided
        .filter(|d| matches!(d.as_str(), "competent" | "not_yet_competent"));
    Html(
        render_marks(
            &state,
            session.0,
            path.into_inner(),
            FormState::default(),
            Vec::new(),
            None,
            decided,
        )
        .await,
    )
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
    let id: EnrolmentId = typed_path_id(&raw_id)?;
    // One form: the confirmations, the not-applicable reasons, the answers to the IV and the
    // decision are sent together; "save" keeps the confirmations without deciding.
    let form: DecideForm = fields.read()?;
    let save_only = form.intent == "save";
    // The marks are in the form (a hidden `marks` field says so) only where the page offers them.
    let with_marks = !form.marks.is_empty();
    let (marks, mut errors) = marks_from(&fields)?;
    if !with_marks {
        errors.clear();
    }
    let outcome = match form.outcome.as_str() {
        "competent" => Some(Outcome::Competent),
        "not_yet_competent" => Some(Outcome::NotYetCompetent),
        _ => None,
    };
    if !save_only && outcome.is_none() {
        errors.insert(
            "outcome".to_owned(),
            "Choose the decision: competent or not yet competent".to_owned(),
        );
    }
    let sent = marks.clone();
    let responses: Vec<String> = (0..MAX_POINTS)
        .map(|i| form.responses.get(&i).cloned().unwrap_or_default())
        .collect();
    let comments = form.comments;
    let tx_state = state.clone();
    let for_tx = session.clone();
    let done = state
        .db
        .write(move |conn| {
            let action = if save_only {
                Action::JudgeEvidence
            } else {
                Action::DecideUnit
            };
            let enrolment = authorize(conn, &for_tx, id, action)?;
            let standard = standard_of(&tx_state.catalogue, &enrolment)?;
            let recorded = Some(crate::db::json::to_value(&AssessorMarks::recorded(
                &enrolment,
            )?)?);
            let can_mark = matches!(
                enrolment.status(),
                EnrolmentStatus::Active | EnrolmentStatus::Submitted
            );
            // Every tick and reason is checked with the rest: all the problems are named at once.
            let mut problems = errors;
            if with_marks && can_mark && serde_json::to_value(&marks).ok() != recorded {
                if let Err(err) = portfolio::set_marks(
                    conn,
                    standard,
                    &enrolment,
                    for_tx.actor.user_id.into(),
                    marks,
                    Utc::now(),
                ) {
                    match err {
                        ActionError::Invalid(more) => problems.extend(more),
                        other => return Err(other),
                    }
                }
            }
            if !problems.is_empty() {
                return Err(ActionError::Invalid(problems));
            }
            let Some(outcome) = outcome.filter(|_| !save_only) else {
                return Ok((enrolment.id, None));
            };
            let enrolment = portfolio::load_enrolment(conn, enrolment.id)?;
            let wanted =
                feedback::pending(conn, enrolment.id)?.map_or(0, |s| s.action_points.len().max(1));
            let mut responses = responses;
            responses.truncate(wanted);
            let decision = Decision {
                outcome,
                comments,
                responses,
            };
            let decided = crate::signoff::actions::decide_unit(
                conn,
                tx_state.services(),
                &for_tx.acting(),
                enrolment.id,
                &decision,
            )?;
            Ok((decided.id, Some(outcome)))
        })
        .await;
    match done {
        Ok((id, None)) => Ok(see_other(&format!(
            "/enrolments/{id}/decision#decide-title"
        ))),
        Ok((id, Some(Outcome::Competent))) => Ok(see_other(&format!(
            "/enrolments/{id}/decision?decided=competent"
        ))),
        Ok((id, Some(Outcome::NotYetCompetent))) => Ok(see_other(&format!(
            "/enrolments/{id}/decision?decided=not_yet_competent"
        ))),
        Err(ActionError::Incomplete(gaps)) => {
            let form = FormState::again(&fields, Default::default());
            let sent = with_marks.then_some(sent);
            render_marks(state, session, raw_id, form, gaps, sent, None).await
        }
        Err(ActionError::Invalid(errors)) => {
            let form = FormState::again(&fields, errors);
            let sent = with_marks.then_some(sent);
            render_marks(state, session, raw_id, form, Vec::new(), sent, None).await
        }
        Err(other) => Err(other.into()),
    }
}

/// The decision form as posted (its marks are read as a [`MarksForm`](super::MarksForm)):
/// `intent` (save or decide), the hidden `marks` field where the page offers them, the outcome,
/// the comments and the answer to each action point (`responses.0`, `responses.1`, …).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct DecideForm {
    intent: String,
    marks: Vec<String>,
    outcome: String,
    comments: String,
    responses: BTreeMap<usize, String>,
}

/// The most action points the decision form answers.
const MAX_POINTS: usize = 50;
