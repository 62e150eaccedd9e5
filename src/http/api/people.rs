//! People in bulk and invitations: import candidates from a CSV file (with a dry run), send a
//! person a new invitation link, and choose a password through one.

use actix_web::{HttpResponse, web};
use chrono::Utc;
use serde::Deserialize;

use crate::db::ids::{OrgId, UserId};
use crate::http::extract::{ValidJson, typed_path_id};
use crate::http::session::Session;
use crate::http::{ApiError, AppState};
use crate::identity::actions;
use crate::identity::import::ImportReport;
use crate::identity::invitations::{self, Acceptance, InvitationLink};

/// Whether an import only checks.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ImportQuery {
    /// True: check every row and report what would be created, keeping nothing.
    #[serde(default)]
    pub dry_run: bool,
}

/// Imports candidates from a CSV file (UTF-8; header row; columns `name`, `email`,
/// `learner_number`, `cohort`, `standard`, `assessor`, `iv`): all of them or none. Every bad row is
/// named by line and column (`line 3: email`). Each person gets an invitation link to choose their
/// own password; with a standard they are enrolled, with a cohort put in it.
#[utoipa::path(post, path = "/api/orgs/{org_id}/people/import",
    params(("org_id" = Uuid, Path), ImportQuery),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = ImportReport),
        (status = 401, body = crate::http::error::Problem),
        (status = 403, body = crate::http::error::Problem),
        (status = 404, body = crate::http::error::Problem),
        (status = 422, body = crate::http::error::Problem)))]
pub async fn import_people(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
    query: web::Query<ImportQuery>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let org_id: OrgId = typed_path_id(&path)?;
    let dry_run = query.dry_run;
    let tx_state = state.clone();
    let report = state
        .db
        .write(move |conn| {
            let acting = session.acting();
            actions::import_people(conn, &tx_state.catalogue, &acting, org_id, &body, dry_run)
        })
        .await
        .map_err(|e| ApiError::from(e.into_action()))?;
    Ok(HttpResponse::Ok().json(report))
}

/// Sends a person of the organisation a new invitation link (an older unused one stops
/// working). Refused for someone who has already chosen a password.
#[utoipa::path(post, path = "/api/orgs/{org_id}/users/{user_id}/invitation",
    params(("org_id" = Uuid, Path), ("user_id" = Uuid, Path)),
    responses((status = 201, body = InvitationLink),
        (status = 401, body = crate::http::error::Problem),
        (status = 403, body = crate::http::error::Problem),
        (status = 404, body = crate::http::error::Problem),
        (status = 409, body = crate::http::error::Problem)))]
pub async fn reinvite(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let org_id: OrgId = typed_path_id(&path.0)?;
    let user_id: UserId = typed_path_id(&path.1)?;
    let link = state
        .db
        .write(move |conn| actions::reinvite(conn, &session.acting(), org_id, user_id))
        .await?;
    Ok(HttpResponse::Created().json(link))
}

/// Chooses a password through an invitation link (no session: the token is the proof). The
/// link then stops working; an unknown, used or expired one is 404.
#[utoipa::path(post, path = "/api/invitations/accept", request_body = Acceptance, security(()),
    responses((status = 204),
        (status = 404, body = crate::http::error::Problem),
        (status = 409, body = crate::http::error::Problem),
        (status = 422, body = crate::http::error::Problem)))]
pub async fn accept(
    state: web::Data<AppState>,
    body: ValidJson<Acceptance>,
) -> Result<HttpResponse, ApiError> {
    let acceptance = body.into_inner();
    state
        .db
        .write(move |conn| invitations::accept(conn, &acceptance, Utc::now()))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
