//! A provider admin's API: the organisation, its users, their roles, internal verifier assignments.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::auth::policy::{Action, Role};
use crate::db::ids::{OrgId, UserId};
use crate::http::extract::{ValidJson, typed_path_id};
use crate::http::session::Session;
use crate::http::{ApiError, AppState};
use crate::identity::actions;
use crate::identity::invitations::InvitationLink;
use crate::identity::{self, NewUser, Organisation, User};

/// The organisation.
#[utoipa::path(get, path = "/api/orgs/{org_id}", params(("org_id" = Uuid, Path)),
    responses((status = 200, body = Organisation), (status = 404, body = crate::http::error::Problem)))]
pub async fn show(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let org_id: OrgId = typed_path_id(&path)?;
    let org = state
        .db
        .read(move |conn| {
            actions::organisation(conn, &session.acting(), org_id, Action::ReadOrganisation)
        })
        .await?;
    Ok(HttpResponse::Ok().json(org))
}

/// The organisation's users with their roles.
#[utoipa::path(get, path = "/api/orgs/{org_id}/users", params(("org_id" = Uuid, Path)),
    responses((status = 200, body = Vec<User>), (status = 403, body = crate::http::error::Problem)))]
pub async fn list_users(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let org_id: OrgId = typed_path_id(&path)?;
    let users = state
        .db
        .read(move |conn| actions::list_users(conn, &session.acting(), org_id))
        .await?;
    Ok(HttpResponse::Ok().json(users))
}

/// A person just created, with the link to send them when no password was given.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CreatedUser {
    /// The person, as seen from this organisation.
    #[serde(flatten)]
    pub user: User,
    /// The one-time link through which they choose their password (shown this once).
    pub invitation: Option<InvitationLink>,
}

/// Creates a user with a first role. Without a password the answer carries an invitation link
/// through which they choose their own. An email registered in another organisation is answered
/// like a new one: that person gets the role here and keeps their own password.
#[utoipa::path(post, path = "/api/orgs/{org_id}/users", params(("org_id" = Uuid, Path)), request_body = NewUser,
    responses((status = 201, body = CreatedUser), (status = 422, body = crate::http::error::Problem)))]
pub async fn create_user(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
    body: ValidJson<NewUser>,
) -> Result<HttpResponse, ApiError> {
    let org_id: OrgId = typed_path_id(&path)?;
    let new = body.into_inner();
    let (user, invitation) = state
        .db
        .write(move |conn| actions::create_user(conn, &session.acting(), org_id, new))
        .await?;
    Ok(HttpResponse::Created().json(CreatedUser { user, invitation }))
}

/// A role to grant.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantRequest {
    /// candidate, assessor, internal_verifier, provider_admin, external_verifier or standards_editor.
    pub role: String,
    /// Required for external verifiers: when their read-only access ends.
    #[serde(default)]
    pub expires_at: Option<DateTime<Utc>>,
}

/// Grants a role in the organisation to one of its users.
#[utoipa::path(post, path = "/api/orgs/{org_id}/users/{user_id}/grants",
    params(("org_id" = Uuid, Path), ("user_id" = Uuid, Path)), request_body = GrantRequest,
    responses((status = 204), (status = 422, body = crate::http::error::Problem)))]
pub async fn grant(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<(String, String)>,
    body: ValidJson<GrantRequest>,
) -> Result<HttpResponse, ApiError> {
    let org_id: OrgId = typed_path_id(&path.0)?;
    let user_id: UserId = typed_path_id(&path.1)?;
    let request = body.into_inner();
    let role = request
        .role
        .parse::<Role>()
        .map_err(|e| ApiError::field("role", e.to_string()))?;
    state
        .db
        .write(move |conn| {
            let acting = session.acting();
            actions::grant_role(conn, &acting, org_id, user_id, role, request.expires_at)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Revokes a role.
#[utoipa::path(delete, path = "/api/orgs/{org_id}/users/{user_id}/grants/{role}",
    params(("org_id" = Uuid, Path), ("user_id" = Uuid, Path), ("role" = String, Path)),
    responses((status = 204), (status = 404, body = crate::http::error::Problem)))]
pub async fn revoke(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<(String, String, String)>,
) -> Result<HttpResponse, ApiError> {
    let org_id: OrgId = typed_path_id(&path.0)?;
    let user_id: UserId = typed_path_id(&path.1)?;
    let role = path
        .2
        .parse::<Role>()
        .map_err(|e| ApiError::field("role", e.to_string()))?;
    state
        .db
        .write(move |conn| actions::revoke_role(conn, &session.acting(), org_id, user_id, role))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Deactivates a user; their sessions end at once.
#[utoipa::path(post, path = "/api/orgs/{org_id}/users/{user_id}/deactivate",
    params(("org_id" = Uuid, Path), ("user_id" = Uuid, Path)),
    responses((status = 204), (status = 404, body = crate::http::error::Problem)))]
pub async fn deactivate(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let org_id: OrgId = typed_path_id(&path.0)?;
    let user_id: UserId = typed_path_id(&path.1)?;
    state
        .db
        .write(move |conn| actions::deactivate(conn, &session.acting(), org_id, user_id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// An internal verifier to assign to an assessor.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifierAssignmentRequest {
    /// The internal verifier.
    pub iv_id: Uuid,
    /// The assessor whose decisions they sample.
    pub assessor_id: Uuid,
}

/// Assigns an internal verifier to an assessor.
#[utoipa::path(post, path = "/api/orgs/{org_id}/iv-assignments", params(("org_id" = Uuid, Path)),
    request_body = VerifierAssignmentRequest,
    responses((status = 204), (status = 422, body = crate::http::error::Problem)))]
pub async fn assign_verifier(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
    body: ValidJson<VerifierAssignmentRequest>,
) -> Result<HttpResponse, ApiError> {
    let org_id: OrgId = typed_path_id(&path)?;
    let request = body.into_inner();
    let (iv_id, assessor_id): (UserId, UserId) = (request.iv_id.into(), request.assessor_id.into());
    state
        .db
        .write(move |conn| {
            let acting = session.acting();
            actions::assign_verifier(conn, &acting, org_id, iv_id, assessor_id, false)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The organisation's internal verifier assignments: who verifies which assessor.
#[utoipa::path(get, path = "/api/orgs/{org_id}/iv-assignments", params(("org_id" = Uuid, Path)),
    responses((status = 200, body = Vec<identity::IvAssignment>), (status = 403, body = crate::http::error::Problem)))]
pub async fn list_assignments(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let org_id: OrgId = typed_path_id(&path)?;
    let assignments = state
        .db
        .read(move |conn| actions::verifier_assignments(conn, &session.acting(), org_id))
        .await?;
    Ok(HttpResponse::Ok().json(assignments))
}

/// Ends an internal verifier's assignment to an assessor (404 when there is none).
#[utoipa::path(delete, path = "/api/orgs/{org_id}/iv-assignments/{iv_id}/{assessor_id}",
    params(("org_id" = Uuid, Path), ("iv_id" = Uuid, Path), ("assessor_id" = Uuid, Path)),
    responses((status = 204), (status = 404, body = crate::http::error::Problem)))]
pub async fn unassign_verifier(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<(String, String, String)>,
) -> Result<HttpResponse, ApiError> {
    let org_id: OrgId = typed_path_id(&path.0)?;
    let iv_id: UserId = typed_path_id(&path.1)?;
    let assessor_id: UserId = typed_path_id(&path.2)?;
    state
        .db
        .write(move |conn| {
            let acting = session.acting();
            actions::unassign_verifier(conn, &acting, org_id, iv_id, assessor_id)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The organisation's approved witnesses.
#[utoipa::path(get, path = "/api/orgs/{org_id}/witnesses", params(("org_id" = Uuid, Path)),
    responses((status = 200, body = Vec<identity::ApprovedWitness>), (status = 404, body = crate::http::error::Problem)))]
pub async fn list_witnesses(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let org_id: OrgId = typed_path_id(&path)?;
    let witnesses = state
        .db
        .read(move |conn| actions::approved_witnesses(conn, &session.acting(), org_id))
        .await?;
    Ok(HttpResponse::Ok().json(witnesses))
}

/// Adds a witness to the organisation's approved list.
#[utoipa::path(post, path = "/api/orgs/{org_id}/witnesses", params(("org_id" = Uuid, Path)), request_body = identity::NewWitness,
    responses((status = 201, body = identity::ApprovedWitness), (status = 422, body = crate::http::error::Problem)))]
pub async fn approve_witness(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
    body: ValidJson<identity::NewWitness>,
) -> Result<HttpResponse, ApiError> {
    let org_id: OrgId = typed_path_id(&path)?;
    let new = body.into_inner();
    let witness = state
        .db
        .write(move |conn| actions::approve_witness(conn, &session.acting(), org_id, new))
        .await?;
    Ok(HttpResponse::Created().json(witness))
}
