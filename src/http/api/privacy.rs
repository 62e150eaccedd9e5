//! Retention rules and erasure on request (docs/privacy.md): a provider admin's API.

use actix_web::{HttpResponse, web};
use chrono::Utc;
use serde::Deserialize;

use super::path_id;
use crate::action::ActionError;
use crate::auth::policy::{Action, Resource};
use crate::http::extract::ValidJson;
use crate::http::session::Session;
use crate::http::{ApiError, AppState};
use crate::privacy::{self, Erasure, RetentionRules};

/// The organisation's retention rules: days after an enrolment closes, by record type (null: kept
/// indefinitely).
#[utoipa::path(get, path = "/api/orgs/{org_id}/retention", params(("org_id" = Uuid, Path)),
    responses((status = 200, body = RetentionRules), (status = 401, body = crate::http::error::Problem),
              (status = 403, body = crate::http::error::Problem), (status = 404, body = crate::http::error::Problem)))]
pub async fn show(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let org_id = path_id(&path)?;
    session.require(
        Action::ManageOrganisation,
        &Resource::Organisation { org_id },
    )?;
    let rules = state
        .db
        .read(move |conn| privacy::rules(conn, &org_id.to_string()))
        .await?;
    Ok(HttpResponse::Ok().json(rules))
}

/// Replaces the organisation's retention rules (audited). `attest retention apply` acts on them.
#[utoipa::path(put, path = "/api/orgs/{org_id}/retention", params(("org_id" = Uuid, Path)),
    request_body = RetentionRules,
    responses((status = 200, body = RetentionRules), (status = 401, body = crate::http::error::Problem),
              (status = 403, body = crate::http::error::Problem), (status = 404, body = crate::http::error::Problem),
              (status = 422, body = crate::http::error::Problem)))]
pub async fn set(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
    body: ValidJson<RetentionRules>,
) -> Result<HttpResponse, ApiError> {
    let org_id = path_id(&path)?;
    session.require(
        Action::ManageOrganisation,
        &Resource::Organisation { org_id },
    )?;
    let (actor, rules) = (session.user_id.clone(), body.into_inner());
    let saved = state
        .db
        .write(move |conn| {
            privacy::set_rules(conn, Some(&actor), &org_id.to_string(), rules, Utc::now())
        })
        .await?;
    Ok(HttpResponse::Ok().json(saved))
}

/// Why a person's data is erased.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EraseRequest {
    /// The request and the law it rests on; kept in the audit trail.
    pub reason: String,
}

/// Erases a person's personal data on request: the account is anonymised and can no longer sign
/// in, the content and files of their evidence are removed; their certification records and the
/// audit trail are kept. 409 while one of their enrolments is open, when already erased, or when
/// they belong to another organisation too (the operator then runs `attest erase`).
#[utoipa::path(post, path = "/api/orgs/{org_id}/users/{user_id}/erase",
    params(("org_id" = Uuid, Path), ("user_id" = Uuid, Path)), request_body = EraseRequest,
    responses((status = 200, body = Erasure), (status = 401, body = crate::http::error::Problem),
              (status = 403, body = crate::http::error::Problem), (status = 404, body = crate::http::error::Problem),
              (status = 409, body = crate::http::error::Problem), (status = 422, body = crate::http::error::Problem)))]
pub async fn erase(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<(String, String)>,
    body: ValidJson<EraseRequest>,
) -> Result<HttpResponse, ApiError> {
    let (org_id, user_id) = (path_id(&path.0)?, path_id(&path.1)?);
    session.require(Action::DeactivateUser, &Resource::User { org_id, user_id })?;
    let (actor, reason) = (session.user_id.clone(), body.into_inner().reason);
    let erasure = state
        .db
        .write(move |conn| {
            let (org, user) = (org_id.to_string(), user_id.to_string());
            if !privacy::belongs_to(conn, &org, &user)? {
                return Err(ActionError::NotFound);
            }
            if privacy::elsewhere(conn, &org, &user)? {
                return Err(ActionError::Conflict(
                    "this person belongs to another organisation too: the instance's operator erases them with `attest erase`".into(),
                ));
            }
            privacy::erase_person(conn, Some(&actor), &user, &reason, Utc::now())
        })
        .await?;
    Ok(HttpResponse::Ok().json(erasure))
}
