//! The audit trail over HTTP: an organisation's entries for its admins and external verifiers,
//! one enrolment's for whoever may read it, and the organisation's trail as a CSV or JSON file
//! with the chain hashes (`attest audit verify --file` checks it).

use actix_web::{HttpResponse, web};

use crate::audit_trail::TrailQuery;
use crate::audit_trail::actions::{self, TrailPage};
use crate::db::ids::{EnrolmentId, Id, OrgId};
use crate::http::extract::typed_path_id;
use crate::http::session::Session;
use crate::http::shared::exports::streamed;
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
    let org_id: OrgId = typed_path_id(&path)?;
    let query = query.into_inner();
    let page = state
        .db
        .read(move |conn| actions::org_trail_page(conn, &session.acting(), org_id, &query))
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
    let org_id: OrgId = typed_path_id(&path)?;
    // Asked before the filters are read, so a refusal is the answer whatever they hold.
    actions::may_read_org_trail(&session.acting(), org_id)?;
    let query = query.into_inner();
    let filter = query.check()?;
    let format = query.format()?;
    let name = format!(
        "audit-trail-{}.{}",
        org_id
            .uuid()
            .simple()
            .to_string()
            .get(..8)
            .unwrap_or_default(),
        format.extension()
    );
    streamed(
        &state,
        format.media_type(),
        &name,
        None,
        move |conn, out| {
            actions::write_org_trail_file(conn, &session.acting(), org_id, &filter, format, out)
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
    let enrolment_id: EnrolmentId = typed_path_id(&path)?;
    let query = query.into_inner();
    let page = state
        .db
        .read(move |conn| {
            actions::enrolment_trail_page(conn, &session.acting(), enrolment_id, &query)
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
}
