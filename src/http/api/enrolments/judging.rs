//! Judging evidence, the assessor's next item, marks and the candidate's acknowledgements.

use actix_web::{HttpResponse, web};
use chrono::Utc;
use serde::Deserialize;

use crate::action::ActionError;
use crate::auth::policy::Action;
use crate::http::extract::ValidJson;
use crate::http::session::Session;
use crate::http::shared::enrolments::{NextJudgement, authorize, next_waiting, standard_of};
use crate::http::shared::path_id;
use crate::http::{ApiError, AppState};
use crate::portfolio::acknowledgements::{self, Acknowledgement};
use crate::portfolio::{self, AssessorMarks, EvidenceRecord, Judgements};

/// Records the assessor's judgements of an evidence record's mappings.
#[utoipa::path(post, path = "/api/enrolments/{id}/evidence/{evidence_id}/judgements",
    params(("id" = Uuid, Path), ("evidence_id" = Uuid, Path)), request_body = Judgements,
    responses((status = 200, body = EvidenceRecord), (status = 422, body = crate::http::error::Problem)))]
pub async fn judge(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<(String, String)>,
    body: ValidJson<Judgements>,
) -> Result<HttpResponse, ApiError> {
    let (id, evidence_id) = (path_id(&path.0)?.to_string(), path_id(&path.1)?.to_string());
    let judgements = body.into_inner();
    let base = state.config.public_url.clone();
    let enrolment_id = id.clone();
    let record = state
        .db
        .write(move |conn| {
            let enrolment = authorize(conn, &session, &id, Action::JudgeEvidence)?;
            let now = Utc::now();
            let (record, judged) = portfolio::judge_evidence(
                conn,
                &enrolment,
                &evidence_id,
                &session.user_id,
                judgements,
                now,
            )?;
            crate::notify::events::evidence_judged(conn, &base, &enrolment, &record, &judged, now)?;
            Ok::<_, crate::action::ActionError>(record)
        })
        .await?;
    state.refresher.refresh(&enrolment_id).await;
    Ok(HttpResponse::Ok().json(record))
}

/// The oldest evidence waiting for the signed-in assessor's judgement, to open its judge page:
/// 404 when nothing is waiting.
#[utoipa::path(get, path = "/api/me/next-judgement",
    responses((status = 200, body = NextJudgement), (status = 401, body = crate::http::error::Problem),
        (status = 404, body = crate::http::error::Problem)))]
pub async fn next_judgement(
    state: web::Data<AppState>,
    session: Session,
) -> Result<HttpResponse, ApiError> {
    let next = state
        .db
        .read(move |conn| next_waiting(conn, &session, None))
        .await?;
    match next {
        Some(next) => Ok(HttpResponse::Ok().json(next)),
        None => Err(ActionError::NotFound.into()),
    }
}

/// The candidate's acknowledgement of an assessment record.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcknowledgeRequest {
    /// A comment on the record (optional).
    #[serde(default)]
    pub comment: String,
}

/// The candidate acknowledges an observation or questioning record the assessor made, with an
/// optional comment (the candidate's signature on the paper checklist). Once per record (409
/// again, and for other kinds of evidence).
#[utoipa::path(post, path = "/api/enrolments/{id}/evidence/{evidence_id}/acknowledgement",
    params(("id" = Uuid, Path), ("evidence_id" = Uuid, Path)), request_body = AcknowledgeRequest,
    responses((status = 201, body = Acknowledgement), (status = 403, body = crate::http::error::Problem),
              (status = 409, body = crate::http::error::Problem)))]
pub async fn acknowledge(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<(String, String)>,
    body: ValidJson<AcknowledgeRequest>,
) -> Result<HttpResponse, ApiError> {
    let (id, evidence_id) = (path_id(&path.0)?.to_string(), path_id(&path.1)?.to_string());
    let comment = body.into_inner().comment;
    let base = state.config.public_url.clone();
    let done = state
        .db
        .write(move |conn| {
            let enrolment = authorize(conn, &session, &id, Action::ReadEnrolment)?;
            acknowledgements::acknowledge(
                conn,
                &base,
                &enrolment,
                &session.user_id,
                &evidence_id,
                &comment,
                Utc::now(),
            )
        })
        .await?;
    Ok(HttpResponse::Created().json(done))
}

/// The candidate's acknowledgements of the assessment records of an enrolment, and which records
/// still wait for one.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct AcknowledgementsView {
    /// The acknowledgements, oldest first.
    pub acknowledged: Vec<Acknowledgement>,
    /// Observation and questioning records the candidate has not acknowledged yet.
    pub waiting: Vec<String>,
}

/// Whether the candidate has acknowledged each observation and questioning record.
#[utoipa::path(get, path = "/api/enrolments/{id}/acknowledgements", params(("id" = Uuid, Path)),
    responses((status = 200, body = AcknowledgementsView), (status = 404, body = crate::http::error::Problem)))]
pub async fn list_acknowledgements(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&path)?.to_string();
    let view = state
        .db
        .read(move |conn| {
            let enrolment = authorize(conn, &session, &id, Action::ReadEnrolment)?;
            let acknowledged = acknowledgements::acknowledgements_of(conn, &enrolment.id)?;
            let waiting = portfolio::list_evidence(conn, &enrolment.id)?
                .into_iter()
                .filter(|r| acknowledgements::needs_acknowledgement(&enrolment, r))
                .filter(|r| !acknowledged.iter().any(|a| a.evidence_id == r.id))
                .map(|r| r.id)
                .collect();
            Ok::<_, ActionError>(AcknowledgementsView {
                acknowledged,
                waiting,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Replaces the assessor's marks: criteria not applicable, rule confirmations.
#[utoipa::path(put, path = "/api/enrolments/{id}/marks", params(("id" = Uuid, Path)), request_body = AssessorMarks,
    responses((status = 200, body = AssessorMarks), (status = 422, body = crate::http::error::Problem)))]
pub async fn marks(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
    body: ValidJson<AssessorMarks>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&path)?.to_string();
    let marks = body.into_inner();
    let state_for_tx = state.clone();
    let enrolment_id = id.clone();
    let saved = state
        .db
        .write(move |conn| {
            let enrolment = authorize(conn, &session, &id, Action::JudgeEvidence)?;
            let standard = standard_of(&state_for_tx, &enrolment)?;
            let saved = portfolio::set_marks(
                conn,
                standard,
                &enrolment,
                &session.user_id,
                marks,
                Utc::now(),
            )?;
            Ok::<_, ActionError>(saved)
        })
        .await?;
    state.refresher.refresh(&enrolment_id).await;
    Ok(HttpResponse::Ok().json(saved))
}
