//! The catalogue of unit standards.

use actix_web::{HttpResponse, web};
use chrono::Utc;

use crate::auth::policy::{Action, Resource};
use crate::http::session::Session;
use crate::http::shared::standards::{StandardSummary, member_orgs, publish_into};
use crate::http::{ApiError, AppState};

/// Every standard version the user may enrol on: the instance's, and those the organisations
/// they belong to published into their own catalogues (with `org_id`).
#[utoipa::path(get, path = "/api/standards",
    responses((status = 200, body = Vec<StandardSummary>), (status = 401, body = crate::http::error::Problem)))]
pub async fn list(state: web::Data<AppState>, session: Session) -> Result<HttpResponse, ApiError> {
    session.require(Action::ReadStandard, &Resource::Standard)?;
    Ok(HttpResponse::Ok().json(StandardSummary::visible(&state.catalogue, &session)))
}

/// One standard version, whole: outcomes, criteria, range statements, knowledge, evidence rules.
#[utoipa::path(get, path = "/api/standards/{code}/{version}",
    params(("code" = String, Path), ("version" = u32, Path)),
    responses((status = 200, description = "The standard as JSON (see standards/schema.json)"),
              (status = 404, body = crate::http::error::Problem)))]
pub async fn show(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    session.require(Action::ReadStandard, &Resource::Standard)?;
    let version: u32 = path.1.parse().map_err(|_| ApiError::NotFound)?;
    let loaded = state
        .catalogue
        .get(&path.0, version)
        .or_else(|| {
            member_orgs(&session)
                .into_iter()
                .find_map(|org_id| state.catalogue.get_in(org_id, &path.0, version))
        })
        .ok_or(ApiError::NotFound)?;
    Ok(HttpResponse::Ok().json(&loaded.standard))
}

/// A standard being written, to check and preview.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreviewRequest {
    /// The YAML text of the standard.
    pub yaml: String,
}

/// Checks a standard's YAML with the strict loader and, when it loads, previews its outline, the
/// generated observation checklist and the gaps of an empty portfolio. Nothing is stored.
#[utoipa::path(post, path = "/api/orgs/{org_id}/standards/preview",
    params(("org_id" = uuid::Uuid, Path)), request_body = PreviewRequest,
    responses((status = 200, body = crate::authoring::Preview),
              (status = 401, body = crate::http::error::Problem),
              (status = 403, body = crate::http::error::Problem),
              (status = 404, body = crate::http::error::Problem),
              (status = 422, body = crate::http::error::Problem)))]
pub async fn preview(
    session: Session,
    path: web::Path<String>,
    body: crate::http::extract::ValidJson<PreviewRequest>,
) -> Result<HttpResponse, ApiError> {
    let org_id = crate::http::shared::path_id(&path)?;
    session.require(Action::AuthorStandards, &Resource::Organisation { org_id })?;
    let yaml = body.into_inner().yaml;
    let preview = web::block(move || crate::authoring::preview("standard.yaml", &yaml))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(HttpResponse::Ok().json(preview))
}

/// A checked standard to publish.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublishRequest {
    /// The YAML text of the standard, exactly as it is to be kept.
    pub yaml: String,
}

/// Publishes a standard into the organisation's own catalogue as a new version (audited
/// `standard.publish`): only that organisation's members see it, enrol on it and are evaluated
/// against it. The strict loader must accept it, its status must not be `draft`, and its version
/// must be higher than every version of its code the organisation sees.
#[utoipa::path(post, path = "/api/orgs/{org_id}/standards",
    params(("org_id" = uuid::Uuid, Path)), request_body = PublishRequest,
    responses((status = 201, body = crate::org_catalogue::PublishedStandard),
              (status = 401, body = crate::http::error::Problem),
              (status = 403, body = crate::http::error::Problem),
              (status = 404, body = crate::http::error::Problem),
              (status = 422, body = crate::http::error::Problem)))]
pub async fn publish(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
    body: crate::http::extract::ValidJson<PublishRequest>,
) -> Result<HttpResponse, ApiError> {
    let org_id = crate::http::shared::path_id(&path)?;
    session.require(Action::PublishStandards, &Resource::Organisation { org_id })?;
    let published = publish_into(&state, org_id, &session.user_id, body.into_inner().yaml).await?;
    Ok(HttpResponse::Created().json(published))
}

/// Stores a mapping file from one version of a standard to the next (audited
/// `standard.upload_mapping`); see docs/standards.md for the format. Every id it names must
/// exist in its version of the organisation's catalogue.
#[utoipa::path(post, path = "/api/orgs/{org_id}/standard-mappings",
    params(("org_id" = uuid::Uuid, Path)), request_body = PublishRequest,
    responses((status = 201, body = crate::portfolio::moves::StoredMapping),
              (status = 401, body = crate::http::error::Problem),
              (status = 403, body = crate::http::error::Problem),
              (status = 404, body = crate::http::error::Problem),
              (status = 422, body = crate::http::error::Problem)))]
pub async fn upload_mapping(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
    body: crate::http::extract::ValidJson<PublishRequest>,
) -> Result<HttpResponse, ApiError> {
    let org_id = crate::http::shared::path_id(&path)?;
    session.require(
        Action::UploadStandardMapping,
        &Resource::Organisation { org_id },
    )?;
    let yaml = body.into_inner().yaml;
    let catalogue = state.catalogue.clone();
    let actor = crate::db::ids::UserId::from(session.actor.user_id);
    let stored = state
        .db
        .write(move |conn| {
            crate::portfolio::moves::upload(conn, &catalogue, org_id, actor, &yaml, Utc::now())
        })
        .await?;
    Ok(HttpResponse::Created().json(stored))
}
