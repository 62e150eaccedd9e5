//! The catalogue of unit standards.

use actix_web::{HttpResponse, web};
use chrono::Utc;
use serde::Serialize;

use crate::auth::policy::{Action, Resource};
use crate::catalogue::{DateWarning, date_warnings, open_for_enrolment};
use crate::http::session::Session;
use crate::http::{ApiError, AppState};
use crate::standards::{Level, LoadedStandard, Status};

/// One standard version in the list.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StandardSummary {
    /// NZQA, SQA, NOS, SVQ …
    pub framework: String,
    /// The code, e.g. `28268` or `H12H 04`.
    pub code: String,
    /// Other codes for the same unit (e.g. `CFACC33`).
    pub aliases: Vec<String>,
    /// The version.
    pub version: u32,
    /// The title.
    pub title: String,
    /// Level and its scheme.
    #[schema(value_type = Option<Object>)]
    pub level: Option<Level>,
    /// Credits, e.g. "15 credits".
    pub credits: Option<String>,
    /// current, expiring, expired, draft.
    #[schema(value_type = Option<String>)]
    pub status: Option<Status>,
    /// Whether new enrolments are accepted today.
    pub open_for_enrolment: bool,
    /// The last dates (for enrolment, for assessment) that are within 90 days or have passed.
    pub date_warnings: Vec<DateWarning>,
    /// SHA-256 of the YAML file this version was loaded from.
    pub content_hash: String,
    /// The organisation that published this version into its own catalogue (only its members
    /// see it); absent for the instance's standards.
    pub org_id: Option<String>,
}

impl StandardSummary {
    /// The summary of a loaded standard.
    pub fn of(loaded: &LoadedStandard) -> Self {
        let s = &loaded.standard;
        Self {
            framework: s.framework.clone(),
            code: s.code.clone(),
            aliases: s.aliases.clone(),
            version: s.version,
            title: s.title.clone(),
            level: s.level.clone(),
            credits: s
                .credits
                .as_ref()
                .map(|c| format!("{} {}", c.value, c.unit)),
            status: s.status,
            open_for_enrolment: open_for_enrolment(s, Utc::now().date_naive()),
            date_warnings: date_warnings(s, Utc::now().date_naive()),
            content_hash: loaded.content_hash.clone(),
            org_id: None,
        }
    }

    /// The summaries of what `session`'s user sees: the instance's standards, then those each
    /// organisation they belong to published.
    pub fn visible(catalogue: &crate::catalogue::Catalogue, session: &Session) -> Vec<Self> {
        let mut all: Vec<Self> = catalogue.all().iter().map(Self::of).collect();
        for org_id in member_orgs(session) {
            let own = catalogue.visible_to(org_id);
            all.extend(
                own.into_iter()
                    .skip(catalogue.all().len())
                    .map(|loaded| Self {
                        org_id: Some(org_id.to_string()),
                        ..Self::of(loaded)
                    }),
            );
        }
        all
    }
}

/// The organisations the user holds a live role in.
fn member_orgs(session: &Session) -> Vec<uuid::Uuid> {
    let now = Utc::now();
    let mut orgs: Vec<uuid::Uuid> = session
        .actor
        .grants
        .iter()
        .filter(|g| g.is_live(now) && session.actor.active)
        .map(|g| g.org_id)
        .collect();
    orgs.sort();
    orgs.dedup();
    orgs
}

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
    let org_id = super::path_id(&path)?;
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
    let org_id = super::path_id(&path)?;
    session.require(Action::PublishStandards, &Resource::Organisation { org_id })?;
    let published = publish_into(&state, org_id, &session.user_id, body.into_inner().yaml).await?;
    Ok(HttpResponse::Created().json(published))
}

/// Publishes `yaml` for `org_id` and, once committed, adds it to the running catalogue.
pub async fn publish_into(
    state: &AppState,
    org_id: uuid::Uuid,
    actor: &str,
    yaml: String,
) -> Result<crate::org_catalogue::PublishedStandard, crate::action::ActionError> {
    let catalogue = state.catalogue.clone();
    let actor = actor.to_owned();
    let (row, loaded) = state
        .db
        .write(move |conn| {
            crate::org_catalogue::publish(conn, &catalogue, org_id, &actor, &yaml, Utc::now())
        })
        .await?;
    state.catalogue.add_published(org_id, loaded);
    Ok(row)
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
    let org_id = super::path_id(&path)?;
    session.require(
        Action::UploadStandardMapping,
        &Resource::Organisation { org_id },
    )?;
    let yaml = body.into_inner().yaml;
    let catalogue = state.catalogue.clone();
    let actor = session.user_id.clone();
    let stored = state
        .db
        .write(move |conn| {
            crate::portfolio::moves::upload(conn, &catalogue, org_id, &actor, &yaml, Utc::now())
        })
        .await?;
    Ok(HttpResponse::Created().json(stored))
}
