//! Time points in a recording: list, mark, remove.

use actix_web::{HttpResponse, web};
use chrono::Utc;

use crate::auth::policy::Action;
use crate::http::extract::ValidJson;
use crate::http::session::Session;
use crate::http::shared::enrolments::authorize;
use crate::http::shared::enrolments::authorize_marking;
use crate::http::shared::path_id;
use crate::http::{ApiError, AppState};
use crate::portfolio::time_points::{self, NewTimePoint, TimePoint};

/// The time points of a recording, in playing order.
#[utoipa::path(get, path = "/api/enrolments/{id}/evidence/{evidence_id}/time-points",
    params(("id" = Uuid, Path), ("evidence_id" = Uuid, Path)),
    responses((status = 200, body = Vec<TimePoint>), (status = 404, body = crate::http::error::Problem)))]
pub async fn list(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, evidence_id) = (path_id(&path.0)?.to_string(), path_id(&path.1)?.to_string());
    let points = state
        .db
        .read(move |conn| {
            let enrolment = authorize(conn, &session, &id, Action::ReadEnrolment)?;
            // An evidence id of another enrolment is not found, not an empty list.
            crate::portfolio::load_evidence(conn, &enrolment.id, &evidence_id)?;
            time_points::of_evidence(conn, &enrolment.id, &evidence_id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(points))
}

/// Marks a time point in an audio or video recording against a criterion or knowledge item the
/// evidence is mapped to (409 when the evidence is not a recording).
#[utoipa::path(post, path = "/api/enrolments/{id}/evidence/{evidence_id}/time-points",
    params(("id" = Uuid, Path), ("evidence_id" = Uuid, Path)), request_body = NewTimePoint,
    responses((status = 201, body = TimePoint), (status = 409, body = crate::http::error::Problem),
              (status = 422, body = crate::http::error::Problem)))]
pub async fn add(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<(String, String)>,
    body: ValidJson<NewTimePoint>,
) -> Result<HttpResponse, ApiError> {
    let (id, evidence_id) = (path_id(&path.0)?.to_string(), path_id(&path.1)?.to_string());
    let input = body.into_inner();
    let point = state
        .db
        .write(move |conn| {
            let enrolment = authorize_marking(conn, &session, &id)?;
            time_points::add(
                conn,
                &enrolment,
                &evidence_id,
                &session.user_id,
                input,
                Utc::now(),
            )
        })
        .await?;
    Ok(HttpResponse::Created().json(point))
}

/// Removes a time point: the person who marked it, or the assessor.
#[utoipa::path(delete, path = "/api/enrolments/{id}/evidence/{evidence_id}/time-points/{point_id}",
    params(("id" = Uuid, Path), ("evidence_id" = Uuid, Path), ("point_id" = Uuid, Path)),
    responses((status = 204, description = "Removed"), (status = 403, body = crate::http::error::Problem),
              (status = 404, body = crate::http::error::Problem)))]
pub async fn remove(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<(String, String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, evidence_id, point_id) = (
        path_id(&path.0)?.to_string(),
        path_id(&path.1)?.to_string(),
        path_id(&path.2)?.to_string(),
    );
    state
        .db
        .write(move |conn| {
            let enrolment = authorize_marking(conn, &session, &id)?;
            time_points::remove(conn, &enrolment, &evidence_id, &point_id, &session.user_id)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
