//! The organisation's interpretations of its standards.

use actix_web::{HttpResponse, web};
use chrono::Utc;

use crate::action::ActionError;
use crate::auth::policy::{Action, Resource};
use crate::http::extract::ValidJson;
use crate::http::session::Session;
use crate::http::shared::path_id;
use crate::http::{ApiError, AppState};

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
    let org_id = path_id(&path.0)?;
    session.require(
        Action::ManageOrganisation,
        &Resource::Organisation { org_id },
    )?;
    let version: u32 = path.2.parse().map_err(|_| ApiError::NotFound)?;
    let loaded = state
        .catalogue
        .get_in(org_id, &path.1, version)
        .ok_or(ApiError::NotFound)?;
    let standard = loaded.standard.clone();
    let chosen = state
        .db
        .read(move |conn| crate::settings::interpretations(conn, &org_id.to_string(), &standard))
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
    let org_id = path_id(&path.0)?;
    session.require(
        Action::ManageOrganisation,
        &Resource::Organisation { org_id },
    )?;
    let version: u32 = path.2.parse().map_err(|_| ApiError::NotFound)?;
    let catalogue = state.catalogue.clone();
    let code = path.1.clone();
    let chosen = body.into_inner();
    let actor = session.user_id.clone();
    let saved = state
        .db
        .write(move |conn| {
            let loaded = catalogue
                .get_in(org_id, &code, version)
                .ok_or(ActionError::NotFound)?;
            crate::settings::set_interpretations(
                conn,
                &org_id.to_string(),
                &actor,
                &loaded.standard,
                chosen,
                Utc::now(),
            )
        })
        .await?;
    Ok(HttpResponse::Ok().json(saved))
}
