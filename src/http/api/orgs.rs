//! A provider admin's API: the organisation, its users, their roles, internal verifier assignments.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::action::ActionError;
use crate::auth::policy::{Action, Resource, Role};
use crate::http::extract::ValidJson;
use crate::http::session::Session;
use crate::http::shared::path_id;
use crate::http::{ApiError, AppState};
use crate::identity::invitations::InvitationLink;
use crate::identity::{self, NewUser, Organisation, User};

fn org_resource(org_id: Uuid) -> Resource {
    Resource::Organisation { org_id }
}

/// The organisation.
#[utoipa::path(get, path = "/api/orgs/{org_id}", params(("org_id" = Uuid, Path)),
    responses((status = 200, body = Organisation), (status = 404, body = crate::http::error::Problem)))]
pub async fn show(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let org_id = path_id(&path)?;
    session.require(Action::ReadOrganisation, &org_resource(org_id))?;
    let org = state
        .db
        .read(move |conn| identity::find_organisation(conn, &org_id.to_string()))
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
    let org_id = path_id(&path)?;
    session.require(Action::ListUsers, &org_resource(org_id))?;
    let users = state
        .db
        .read(move |conn| identity::list_users(conn, &org_id.to_string()))
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
    let org_id = path_id(&path)?;
    let new = body.into_inner();
    let action = if new.role.parse::<Role>() == Ok(Role::ExternalVerifier) {
        Action::GrantExternalVerifier
    } else {
        Action::CreateUser
    };
    session.require(action, &org_resource(org_id))?;
    let actor = session.user_id.clone();
    let (user, invitation) = state
        .db
        .write(move |conn| identity::create_and_invite(conn, &actor, &org_id.to_string(), new))
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

/// Loads the user as seen from the organisation: not a member there means not found.
async fn member(state: &AppState, org_id: Uuid, user_id: Uuid) -> Result<(), ApiError> {
    let found = state
        .db
        .read(move |conn| identity::is_member(conn, &user_id.to_string(), &org_id.to_string()))
        .await?;
    if found {
        Ok(())
    } else {
        Err(ApiError::NotFound)
    }
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
    let (org_id, user_id) = (path_id(&path.0)?, path_id(&path.1)?);
    let request = body.into_inner();
    let role = request
        .role
        .parse::<Role>()
        .map_err(|e| ApiError::field("role", e.to_string()))?;
    let action = match role {
        Role::ExternalVerifier => Action::GrantExternalVerifier,
        _ => Action::GrantRole,
    };
    session.require(action, &Resource::User { org_id, user_id })?;
    member(&state, org_id, user_id).await?;
    identity::check_grant_expiry(role, request.expires_at, Utc::now())?;
    let actor = session.user_id.clone();
    state
        .db
        .write(move |conn| {
            identity::grant_role(
                conn,
                Some(&actor),
                &user_id.to_string(),
                &org_id.to_string(),
                role,
                request.expires_at,
            )
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
    let (org_id, user_id) = (path_id(&path.0)?, path_id(&path.1)?);
    let role = path
        .2
        .parse::<Role>()
        .map_err(|e| ApiError::field("role", e.to_string()))?;
    session.require(Action::RevokeRole, &Resource::User { org_id, user_id })?;
    member(&state, org_id, user_id).await?;
    let actor = session.user_id.clone();
    state
        .db
        .write(move |conn| {
            identity::revoke_role(
                conn,
                Some(&actor),
                &user_id.to_string(),
                &org_id.to_string(),
                role,
            )
        })
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
    let (org_id, user_id) = (path_id(&path.0)?, path_id(&path.1)?);
    session.require(Action::DeactivateUser, &Resource::User { org_id, user_id })?;
    member(&state, org_id, user_id).await?;
    let actor = session.user_id.clone();
    state
        .db
        .write(move |conn| identity::deactivate_user(conn, Some(&actor), &user_id.to_string()))
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
    let org_id = path_id(&path)?;
    let request = body.into_inner();
    session.require(
        Action::AssignVerifierToAssessor,
        &Resource::User {
            org_id,
            user_id: request.assessor_id,
        },
    )?;
    let actor = session.user_id.clone();
    state
        .db
        .write(move |conn| {
            identity::assign_verifier(
                conn,
                Some(&actor),
                &org_id.to_string(),
                &request.iv_id.to_string(),
                &request.assessor_id.to_string(),
            )
        })
        .await
        .map_err(|e: ActionError| ApiError::from(e))?;
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
    let org_id = path_id(&path)?;
    session.require(Action::ListUsers, &org_resource(org_id))?;
    let assignments = state
        .db
        .read(move |conn| identity::verifier_assignments(conn, &org_id.to_string()))
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
    let org_id = path_id(&path.0)?;
    let (iv_id, assessor_id) = (path_id(&path.1)?, path_id(&path.2)?);
    session.require(
        Action::AssignVerifierToAssessor,
        &Resource::User {
            org_id,
            user_id: assessor_id,
        },
    )?;
    let actor = session.user_id.clone();
    state
        .db
        .write(move |conn| {
            identity::unassign_verifier(
                conn,
                Some(&actor),
                &org_id.to_string(),
                &iv_id.to_string(),
                &assessor_id.to_string(),
            )
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
    let org_id = path_id(&path)?;
    session.require(Action::ReadOrganisation, &org_resource(org_id))?;
    let witnesses = state
        .db
        .read(move |conn| identity::approved_witnesses(conn, &org_id.to_string()))
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
    let org_id = path_id(&path)?;
    session.require(Action::ManageOrganisation, &org_resource(org_id))?;
    let new = body.into_inner();
    let actor = session.user_id.clone();
    let witness = state
        .db
        .write(move |conn| {
            identity::approve_witness(conn, &org_id.to_string(), &actor, new, chrono::Utc::now())
        })
        .await?;
    Ok(HttpResponse::Created().json(witness))
}
