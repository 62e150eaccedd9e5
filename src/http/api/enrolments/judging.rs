//! Judging evidence, the assessor's next item, marks and the candidate's acknowledgements.

use actix_web::{HttpResponse, web};
use serde::Deserialize;

use crate::action::ActionError;
use crate::db::ids::{EnrolmentId, EvidenceId};
use crate::http::extract::{ValidJson, typed_path_id};
use crate::http::session::Session;
use crate::http::shared::enrolments::{NextJudgement, next_waiting};
use crate::http::{ApiError, AppState};
use crate::portfolio::acknowledgements::Acknowledgement;
pub use crate::portfolio::acknowledgements::AcknowledgementsView;
use crate::portfolio::evidence::actions;
use crate::portfolio::{AssessorMarks, EvidenceRecord, Judgements};

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
    let id: EnrolmentId = typed_path_id(&path.0)?;
    let evidence_id: EvidenceId = typed_path_id(&path.1)?;
    let judgements = body.into_inner();
    let tx_state = state.clone();
    let (record, _) = state
        .db
        .write(move |conn| {
            actions::judge(
                conn,
                tx_state.services(),
                &session.acting(),
                id,
                evidence_id,
                judgements,
            )
        })
        .await?;
    state.refresher.refresh(id);
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
    let id: EnrolmentId = typed_path_id(&path.0)?;
    let evidence_id: EvidenceId = typed_path_id(&path.1)?;
    let comment = body.into_inner().comment;
    let tx_state = state.clone();
    let done = state
        .db
        .write(move |conn| {
            actions::acknowledge(
                conn,
                tx_state.services(),
                &session.acting(),
                id,
                evidence_id,
                &comment,
            )
        })
        .await?;
    Ok(HttpResponse::Created().json(done))
}

/// Whether the candidate has acknowledged each observation and questioning record.
#[utoipa::path(get, path = "/api/enrolments/{id}/acknowledgements", params(("id" = Uuid, Path)),
    responses((status = 200, body = AcknowledgementsView), (status = 404, body = crate::http::error::Problem)))]
pub async fn list_acknowledgements(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id: EnrolmentId = typed_path_id(&path)?;
    let view = state
        .db
        .read(move |conn| actions::acknowledgements(conn, &session.acting(), id))
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
    let id: EnrolmentId = typed_path_id(&path)?;
    let marks = body.into_inner();
    let tx_state = state.clone();
    let saved = state
        .db
        .write(move |conn| {
            actions::set_marks(conn, tx_state.services(), &session.acting(), id, marks)
        })
        .await?;
    state.refresher.refresh(id);
    Ok(HttpResponse::Ok().json(saved))
}
