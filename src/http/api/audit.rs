//! The audit trail over HTTP: an organisation's entries for its admins and external verifiers,
//! one enrolment's for whoever may read it, and the organisation's trail as a CSV or JSON file
//! with the chain hashes (`attest audit verify --file` checks it).

use actix_web::{HttpResponse, web};

use crate::audit_trail::{self, Scope, TrailQuery};
use crate::auth::policy::{Action, Resource};
use crate::http::session::Session;
use crate::http::shared::audit::{TrailPage, trail_page};
use crate::http::shared::enrolments::authorize;
use crate::http::shared::exports::streamed;
use crate::http::shared::path_id;
use crate::http::{ApiError, AppState};

/// The organisation's audit trail, newest first, a page at a time (provider admins; external
/// verifiers read-only while their grant lasts).
#[utoipa::path(get, path = "/api/orgs/{org_id}/audit", params(("org_id" = Uuid, Path), TrailQuery),
    responses((status = 200, body = TrailPage), (status = 422, body = crate::http::error::Problem),
        (status = 403, body = crate::http::error::Problem)))]
pub async fn org_trail(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
    query: web::Query<TrailQuery>,
) -> Result<HttpResponse, ApiError> {
    let org_id = path_id(&path)?;
    session.require(Action::ReadAudit, &Resource::Organisation { org_id })?;
    let query = query.into_inner();
    let page = state
        .db
        .read(move |conn| trail_page(conn, &Scope::Organisation(org_id.to_string()), &query))
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// The organisation's audit trail as a file (`format=csv` or `json`), oldest first, with every
/// hashed field and the chain hashes, for `attest audit verify --file`.
#[utoipa::path(get, path = "/api/orgs/{org_id}/audit/export", params(("org_id" = Uuid, Path), TrailQuery),
    responses((status = 200, description = "the trail file (docs/exports.md)", content_type = "text/csv"),
        (status = 422, body = crate::http::error::Problem)))]
pub async fn org_trail_file(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
    query: web::Query<TrailQuery>,
) -> Result<HttpResponse, ApiError> {
    let org_id = path_id(&path)?;
    session.require(Action::ReadAudit, &Resource::Organisation { org_id })?;
    let query = query.into_inner();
    let filter = query.check()?;
    let format = query.format()?;
    let name = format!(
        "audit-trail-{}.{}",
        org_id.simple().to_string().get(..8).unwrap_or_default(),
        format.extension()
    );
    streamed(
        &state,
        format.media_type(),
        &name,
        None,
        move |conn, out| {
            audit_trail::write_file(
                conn,
                &Scope::Organisation(org_id.to_string()),
                &filter,
                format,
                out,
            )
            .map(|_| ())
        },
    )
    .await
}

/// One enrolment's audit trail, newest first: for whoever may read the enrolment (the candidate
/// their own portfolio's).
#[utoipa::path(get, path = "/api/enrolments/{id}/audit", params(("id" = Uuid, Path), TrailQuery),
    responses((status = 200, body = TrailPage), (status = 404, body = crate::http::error::Problem)))]
pub async fn enrolment_trail(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
    query: web::Query<TrailQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&path)?.to_string();
    let query = query.into_inner();
    let page = state
        .db
        .read(move |conn| {
            let enrolment = authorize(conn, &session, &id, Action::ReadEnrolment)?;
            trail_page(conn, &Scope::Enrolment(enrolment.id.to_string()), &query)
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
}
