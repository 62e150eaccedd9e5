//! Time points in a recording: list, mark, remove.

use actix_web::{HttpResponse, web};

use crate::http::extract::{ValidJson, typed_path_id};
use crate::http::session::Session;
use crate::http::{ApiError, AppState};
use crate::portfolio::time_points::{NewTimePoint, TimePoint, actions};

/// The time points of a recording, in playing order.
#[utoipa::path(get, path = "/api/enrolments/{id}/evidence/{evidence_id}/time-points",
    params(("id" = Uuid, Path), ("evidence_id" = Uuid, Path)),
    responses((status = 200, body = Vec<TimePoint>), (status = 404, body = crate::http::error::Problem)))]
pub async fn list(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, evidence_id) = (typed_path_id(&path.0)?, typed_path_id(&path.1)?);
    let points = state
        .db
        .read(move |conn| actions::list(conn, &session.acting(), id, evidence_id))
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
    let (id, evidence_id) = (typed_path_id(&path.0)?, typed_path_id(&path.1)?);
    let input = body.into_inner();
    let point = state
        .db
        .write(move |conn| actions::add(conn, &session.acting(), id, evidence_id, input))
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
        typed_path_id(&path.0)?,
        typed_path_id(&path.1)?,
        typed_path_id(&path.2)?,
    );
    state
        .db
        .write(move |conn| actions::remove(conn, &session.acting(), id, evidence_id, point_id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
