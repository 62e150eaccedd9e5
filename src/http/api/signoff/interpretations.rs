//! The organisation's interpretations of its standards.

use actix_web::{HttpResponse, web};

use crate::http::extract::{ValidJson, typed_path_id};
use crate::http::session::Session;
use crate::http::{ApiError, AppState};
use crate::settings::actions;

/// The readings the organisation has chosen of a standard's ambiguous rules: rule id →
/// interpretation id (a rule not listed takes the standard's default).
#[utoipa::path(get, path = "/api/orgs/{org_id}/interpretations/{code}/{version}",
    params(("org_id" = Uuid, Path), ("code" = String, Path), ("version" = u32, Path)),
    responses((status = 200, description = "rule id → interpretation id, e.g. {\"N9\": \"customer_needs\"}"),
        (status = 404, body = crate::http::error::Problem)))]
pub async fn show_interpretations(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<(String, String, String)>,
) -> Result<HttpResponse, ApiError> {
    let org_id = typed_path_id(&path.0)?;
    let version: u32 = path.2.parse().map_err(|_| ApiError::NotFound)?;
    let code = path.1.clone();
    let for_tx = state.clone();
    let chosen = state
        .db
        .read(move |conn| {
            actions::interpretations(
                conn,
                for_tx.services(),
                &session.acting(),
                org_id,
                &code,
                version,
            )
        })
        .await?;
    Ok(HttpResponse::Ok().json(chosen))
}

/// Which reading the organisation takes of a standard's ambiguous rules: rule id → interpretation id.
#[utoipa::path(put, path = "/api/orgs/{org_id}/interpretations/{code}/{version}",
    params(("org_id" = Uuid, Path), ("code" = String, Path), ("version" = u32, Path)),
    request_body(content = Object, description = "rule id → interpretation id, e.g. {\"N9\": \"customer_needs_list\"}"),
    responses((status = 200, description = "The interpretations now in force"), (status = 422, body = crate::http::error::Problem)))]
pub async fn set_interpretations(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<(String, String, String)>,
    body: ValidJson<crate::standards::Interpretations>,
) -> Result<HttpResponse, ApiError> {
    let org_id = typed_path_id(&path.0)?;
    let version: u32 = path.2.parse().map_err(|_| ApiError::NotFound)?;
    let code = path.1.clone();
    let chosen = body.into_inner();
    let for_tx = state.clone();
    let saved = state
        .db
        .write(move |conn| {
            actions::set_interpretations(
                conn,
                for_tx.services(),
                &session.acting(),
                org_id,
                &code,
                version,
                chosen,
            )
        })
        .await?;
    Ok(HttpResponse::Ok().json(saved))
}
