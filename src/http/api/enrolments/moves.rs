//! Moving an enrolment to the next version of its standard: preview, move, undo.

use actix_web::{HttpResponse, web};
use serde::Deserialize;

use crate::http::extract::{ValidJson, typed_path_id};
use crate::http::session::Session;
use crate::http::{ApiError, AppState};
use crate::portfolio::{self, moves::actions};

/// The mapping file to move an enrolment with.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveRequest {
    /// A mapping file of the organisation from the enrolment's version to a later one.
    #[schema(value_type = String)]
    pub mapping_id: crate::db::ids::MappingId,
}

/// What moving the enrolment to the next version would do: the engine on the portfolio as it is,
/// and on the mapped portfolio against the new version (what still holds, what is newly missing),
/// with each evidence record's mapping before and after. Nothing changes.
#[utoipa::path(post, path = "/api/enrolments/{id}/move/preview", params(("id" = Uuid, Path)),
    request_body = MoveRequest,
    responses((status = 200, body = portfolio::moves::MovePreview),
              (status = 401, body = crate::http::error::Problem),
              (status = 403, body = crate::http::error::Problem),
              (status = 404, body = crate::http::error::Problem),
              (status = 409, body = crate::http::error::Problem),
              (status = 422, body = crate::http::error::Problem)))]
pub async fn move_preview(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
    body: ValidJson<MoveRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = typed_path_id(&path)?;
    let mapping_id = body.into_inner().mapping_id;
    let for_tx = state.clone();
    let preview = state
        .db
        .read(move |conn| {
            actions::preview(conn, for_tx.services(), &session.acting(), id, mapping_id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(preview))
}

/// Moves the enrolment to the next version with a mapping file (audited
/// `enrolment.move_version`): pinned to the new version's hash, every evidence record keeps its
/// original mapping (in the move) and gains the mapped one. Undo it until the next decision.
#[utoipa::path(post, path = "/api/enrolments/{id}/move", params(("id" = Uuid, Path)),
    request_body = MoveRequest,
    responses((status = 200, body = portfolio::moves::Move),
              (status = 401, body = crate::http::error::Problem),
              (status = 403, body = crate::http::error::Problem),
              (status = 404, body = crate::http::error::Problem),
              (status = 409, body = crate::http::error::Problem),
              (status = 422, body = crate::http::error::Problem)))]
pub async fn move_version(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
    body: ValidJson<MoveRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = typed_path_id(&path)?;
    let mapping_id = body.into_inner().mapping_id;
    let for_tx = state.clone();
    let made = state
        .db
        .write(move |conn| {
            actions::move_version(conn, for_tx.services(), &session.acting(), id, mapping_id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(made))
}

/// Undoes the enrolment's last move to a new version (audited `enrolment.undo_move`): its
/// version, hash, evidence mappings and marks as they were. Refused (409) once a decision has
/// been signed, or evidence added, changed or judged, since the move.
#[utoipa::path(post, path = "/api/enrolments/{id}/move/undo", params(("id" = Uuid, Path)),
    responses((status = 200, body = portfolio::moves::LastMove),
              (status = 401, body = crate::http::error::Problem),
              (status = 403, body = crate::http::error::Problem),
              (status = 404, body = crate::http::error::Problem),
              (status = 409, body = crate::http::error::Problem)))]
pub async fn undo_move(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = typed_path_id(&path)?;
    let undone = state
        .db
        .write(move |conn| actions::undo(conn, &session.acting(), id))
        .await?;
    Ok(HttpResponse::Ok().json(undone))
}
