//! Unit decisions, the responses along the sign-off chain, and the chain itself.

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use crate::action::ActionError;
use crate::auth::policy::Action;
use crate::db::ids::EnrolmentId;
use crate::http::extract::ValidJson;
use crate::http::extract::typed_path_id;
use crate::http::session::Session;
use crate::http::shared::enrolments::{authorize, standard_of};
use crate::http::{ApiError, AppState};
use crate::portfolio::Enrolment;
use crate::signoff::chain::{self, SignOffRow};
use crate::signoff::feedback::{self, Decision, IvResponse, Outcome, SentBack, UnitFeedback};
use crate::signoff::plans::{self, Sample};
use crate::signoff::{SignOffStatus, actions};

/// The assessor's unit decision.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionRequest {
    /// competent (the default) or not_yet_competent.
    #[serde(default = "competent")]
    pub outcome: Outcome,
    /// Comments printed on the statement; with not_yet_competent, the feedback to the candidate
    /// (required then).
    #[serde(default)]
    pub comments: String,
    /// When an internal verifier sent the decision back: what the assessor did about each action
    /// point, in their order (required then).
    #[serde(default)]
    pub responses: Vec<String>,
}

fn competent() -> Outcome {
    Outcome::Competent
}

/// The assessor decides the unit. "competent" is refused (409, with the gaps) unless the engine
/// reports every requirement met in the confirmed view; "not_yet_competent" needs feedback and gives
/// the portfolio back to the candidate with the gaps. While an internal verifier's disagreement is
/// unanswered, `responses` must answer each action point (422 naming `responses.N`).
#[utoipa::path(post, path = "/api/enrolments/{id}/decision", params(("id" = Uuid, Path)), request_body = DecisionRequest,
    responses((status = 200, body = Enrolment), (status = 409, body = crate::http::error::Problem),
              (status = 422, body = crate::http::error::Problem)))]
pub async fn decide(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
    body: ValidJson<DecisionRequest>,
) -> Result<HttpResponse, ApiError> {
    let id: EnrolmentId = typed_path_id(&path)?;
    let request = body.into_inner();
    let decision = Decision {
        outcome: request.outcome,
        comments: request.comments,
        responses: request.responses,
    };
    let tx_state = state.clone();
    let enrolment = state
        .db
        .write(move |conn| {
            actions::decide_unit(conn, tx_state.services(), &session.acting(), id, &decision)
        })
        .await?;
    Ok(HttpResponse::Ok().json(enrolment))
}

/// What the assessor did about each of the internal verifier's action points.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResponseRequest {
    /// One answer per action point, in their order.
    pub responses: Vec<String>,
}

/// The assessor answers the internal verifier's disagreement, action point by action point,
/// before (or without yet) deciding again. 409 when no disagreement is waiting for an answer.
#[utoipa::path(post, path = "/api/enrolments/{id}/iv-response", params(("id" = Uuid, Path)), request_body = ResponseRequest,
    responses((status = 201, body = IvResponse), (status = 409, body = crate::http::error::Problem),
              (status = 422, body = crate::http::error::Problem)))]
pub async fn respond(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
    body: ValidJson<ResponseRequest>,
) -> Result<HttpResponse, ApiError> {
    let id: EnrolmentId = typed_path_id(&path)?;
    let responses = body.into_inner().responses;
    let tx_state = state.clone();
    let answer = state
        .db
        .write(move |conn| {
            actions::answer_verifier(conn, tx_state.services(), &session.acting(), id, &responses)
        })
        .await?;
    Ok(HttpResponse::Created().json(answer))
}

/// The sign-off chain of an enrolment.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ChainView {
    /// What the standard requires, what is met, what is missing.
    #[schema(value_type = Object)]
    pub status: SignOffStatus,
    /// The signatures, each with the snapshot hash it is bound to.
    pub sign_offs: Vec<SignOffRow>,
    /// The internal verifier's samples.
    pub samples: Vec<Sample>,
    /// The portfolio's snapshot hash now: a signature with another hash predates a change.
    pub current_snapshot: String,
    /// The internal verifier's disagreement still waiting for the assessor's answer.
    pub sent_back: Option<SentBack>,
    /// The assessor's answers to the internal verifier, oldest first.
    pub iv_responses: Vec<IvResponse>,
    /// The "not yet competent" decisions, with the feedback and gaps, oldest first.
    pub not_yet_competent: Vec<UnitFeedback>,
}

/// Where the sign-off chain stands.
#[utoipa::path(get, path = "/api/enrolments/{id}/signoffs", params(("id" = Uuid, Path)),
    responses((status = 200, body = ChainView), (status = 404, body = crate::http::error::Problem)))]
pub async fn chain_view(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id: EnrolmentId = typed_path_id(&path)?;
    let tx_state = state.clone();
    let view = state
        .db
        .read(move |conn| {
            let enrolment = authorize(conn, &session, id, Action::ReadEnrolment)?;
            let standard = standard_of(&tx_state, &enrolment)?;
            Ok::<_, ActionError>(ChainView {
                status: chain::chain_status(conn, standard, &enrolment)?,
                sign_offs: chain::sign_offs_of(conn, enrolment.id)?,
                samples: plans::samples_of(conn, enrolment.id)?,
                current_snapshot: chain::current_snapshot_hash(conn, &enrolment)?,
                sent_back: feedback::pending(conn, enrolment.id)?,
                iv_responses: feedback::responses_of(conn, enrolment.id)?,
                not_yet_competent: feedback::feedback_of(conn, enrolment.id)?,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}
