//! Enrolling, listing, reading, submitting, reopening, staffing, withdrawing and extending an
//! enrolment.

use actix_web::{HttpResponse, web};
use chrono::Utc;
use serde::Deserialize;
use uuid::Uuid;

use crate::action::ActionError;
use crate::auth::policy::{self, Action, Resource};
use crate::db::ids::EnrolmentId;
use crate::http::extract::ValidJson;
use crate::http::extract::typed_path_id;
use crate::http::session::Session;
use crate::http::shared::enrolments::authorize;
use crate::http::{ApiError, AppState};
use crate::portfolio::{
    self, Enrolment, EnrolmentFilter, EnrolmentPage, EvidenceRecord, NewEnrolment, Staff,
};

/// Enrols a candidate on a standard.
#[utoipa::path(post, path = "/api/enrolments", request_body = NewEnrolment,
    responses((status = 201, body = Enrolment), (status = 422, body = crate::http::error::Problem)))]
pub async fn create(
    state: web::Data<AppState>,
    session: Session,
    body: ValidJson<NewEnrolment>,
) -> Result<HttpResponse, ApiError> {
    let new = body.into_inner();
    session.require(
        Action::CreateEnrolment,
        &Resource::Organisation { org_id: new.org_id },
    )?;
    let catalogue = state.catalogue.clone();
    let actor = session.user_id.clone();
    let enrolment = state
        .db
        .write(move |conn| {
            portfolio::create_enrolment(conn, &catalogue, Some(&actor), new, Utc::now())
        })
        .await?;
    Ok(HttpResponse::Created().json(enrolment))
}

/// The enrolments the user may see, filtered and paginated.
#[utoipa::path(get, path = "/api/enrolments", params(EnrolmentFilter),
    responses((status = 200, body = EnrolmentPage), (status = 422, body = crate::http::error::Problem)))]
pub async fn list(
    state: web::Data<AppState>,
    session: Session,
    query: web::Query<EnrolmentFilter>,
) -> Result<HttpResponse, ApiError> {
    let filter = query.into_inner();
    let now = Utc::now();
    let org_id = match filter.org_id {
        Some(org) => org,
        None => {
            let mut orgs: Vec<Uuid> = session
                .actor
                .grants
                .iter()
                .filter(|g| g.is_live(now))
                .map(|g| g.org_id)
                .collect();
            orgs.sort();
            orgs.dedup();
            match orgs.as_slice() {
                [only] => *only,
                [] => return Err(ApiError::NotFound),
                _ => {
                    return Err(ApiError::field(
                        "org_id",
                        "you belong to several organisations: name one",
                    ));
                }
            }
        }
    };
    session.require(Action::ListEnrolments, &Resource::Organisation { org_id })?;
    let scope = policy::enrolment_scope(&session.actor, org_id, now).ok_or(ApiError::NotFound)?;
    let page = state
        .db
        .read(move |conn| portfolio::list_enrolments(conn, &scope, &filter))
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// An enrolment with its evidence.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct EnrolmentDetail {
    /// The enrolment.
    pub enrolment: Enrolment,
    /// Its evidence, oldest first.
    pub evidence: Vec<EvidenceRecord>,
}

/// One enrolment with its evidence.
#[utoipa::path(get, path = "/api/enrolments/{id}", params(("id" = Uuid, Path)),
    responses((status = 200, body = EnrolmentDetail), (status = 404, body = crate::http::error::Problem)))]
pub async fn show(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id: EnrolmentId = typed_path_id(&path)?;
    let detail = state
        .db
        .read(move |conn| {
            let enrolment = authorize(conn, &session, id, Action::ReadEnrolment)?;
            let evidence = portfolio::list_evidence(conn, enrolment.id)?;
            Ok::<_, ActionError>(EnrolmentDetail {
                enrolment,
                evidence,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(detail))
}

/// The candidate's declaration on submitting.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmitRequest {
    /// "I confirm that the evidence in this portfolio is my own work."
    pub declaration: bool,
}

/// The candidate submits the portfolio; their edits are refused from then on.
#[utoipa::path(post, path = "/api/enrolments/{id}/submit", params(("id" = Uuid, Path)), request_body = SubmitRequest,
    responses((status = 200, body = Enrolment), (status = 409, body = crate::http::error::Problem)))]
pub async fn submit(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
    body: ValidJson<SubmitRequest>,
) -> Result<HttpResponse, ApiError> {
    let id: EnrolmentId = typed_path_id(&path)?;
    let declaration = body.into_inner().declaration;
    let enrolment = state
        .db
        .write(move |conn| {
            crate::signoff::actions::submit(conn, &session.acting(), id, declaration)
        })
        .await?;
    Ok(HttpResponse::Ok().json(enrolment))
}

/// Why a portfolio is reopened or an enrolment withdrawn.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonRequest {
    /// The reason, kept in the audit trail.
    pub reason: String,
}

/// The assessor reopens a submitted or assessed portfolio.
#[utoipa::path(post, path = "/api/enrolments/{id}/reopen", params(("id" = Uuid, Path)), request_body = ReasonRequest,
    responses((status = 200, body = Enrolment), (status = 409, body = crate::http::error::Problem)))]
pub async fn reopen(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
    body: ValidJson<ReasonRequest>,
) -> Result<HttpResponse, ApiError> {
    let id: EnrolmentId = typed_path_id(&path)?;
    let reason = body.into_inner().reason;
    let enrolment = state
        .db
        .write(move |conn| portfolio::actions::reopen(conn, &session.acting(), id, &reason))
        .await?;
    Ok(HttpResponse::Ok().json(enrolment))
}

/// Sets who assesses and who internally verifies the enrolment.
#[utoipa::path(put, path = "/api/enrolments/{id}/staff", params(("id" = Uuid, Path)), request_body = Staff,
    responses((status = 200, body = Enrolment), (status = 409, body = crate::http::error::Problem), (status = 422, body = crate::http::error::Problem)))]
pub async fn assign_staff(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
    body: ValidJson<Staff>,
) -> Result<HttpResponse, ApiError> {
    let id: EnrolmentId = typed_path_id(&path)?;
    let staff = body.into_inner();
    let enrolment = state
        .db
        .write(move |conn| portfolio::actions::assign_staff(conn, &session.acting(), id, staff))
        .await?;
    Ok(HttpResponse::Ok().json(enrolment))
}

/// Withdraws the enrolment: nothing more is added, judged or signed.
#[utoipa::path(post, path = "/api/enrolments/{id}/withdraw", params(("id" = Uuid, Path)), request_body = ReasonRequest,
    responses((status = 200, body = Enrolment), (status = 409, body = crate::http::error::Problem), (status = 422, body = crate::http::error::Problem)))]
pub async fn withdraw(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
    body: ValidJson<ReasonRequest>,
) -> Result<HttpResponse, ApiError> {
    let id: EnrolmentId = typed_path_id(&path)?;
    let reason = body.into_inner().reason;
    let enrolment = state
        .db
        .write(move |conn| portfolio::actions::withdraw(conn, &session.acting(), id, &reason))
        .await?;
    Ok(HttpResponse::Ok().json(enrolment))
}

/// Lets the enrolment be assessed after its standard version's last date for assessment, until
/// the given day (audited; the latest extension is the one in force).
#[utoipa::path(post, path = "/api/enrolments/{id}/assessment-extension", params(("id" = Uuid, Path)),
    request_body = portfolio::expiry::ExtensionRequest,
    responses((status = 200, body = portfolio::expiry::Extension),
        (status = 401, body = crate::http::error::Problem), (status = 403, body = crate::http::error::Problem),
        (status = 404, body = crate::http::error::Problem), (status = 409, body = crate::http::error::Problem),
        (status = 422, body = crate::http::error::Problem)))]
pub async fn extend_assessment(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
    body: ValidJson<portfolio::expiry::ExtensionRequest>,
) -> Result<HttpResponse, ApiError> {
    let id: EnrolmentId = typed_path_id(&path)?;
    let request = body.into_inner();
    let tx_state = state.clone();
    let extension = state
        .db
        .write(move |conn| {
            portfolio::actions::extend_assessment(
                conn,
                tx_state.services(),
                &session.acting(),
                id,
                request,
            )
        })
        .await?;
    Ok(HttpResponse::Ok().json(extension))
}
