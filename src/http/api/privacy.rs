//! Retention rules and erasure on request (docs/privacy.md): a provider admin's API.

use actix_web::{HttpResponse, web};
use chrono::Utc;
use serde::Deserialize;

use crate::action::ActionError;
use crate::auth::policy::{Action, Resource};
use crate::http::extract::ValidJson;
use crate::http::session::Session;
use crate::http::shared::path_id;
use crate::http::{ApiError, AppState};
use crate::privacy::{self, Erasure, RetentionRules, SubjectScope};

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

/// Which part of a person's data the session may export: everything for the person themself;
/// for anyone else, what the organisations hold where they may read the person's account (their
/// provider admin). Refused (403, or 404 when the session is in none of the person's
/// organisations) otherwise.
pub(crate) fn subject_scope(
    conn: &mut crate::db::DbConnection,
    session: &Session,
    user_id: uuid::Uuid,
) -> Result<SubjectScope, ActionError> {
    let person = user_id.to_string();
    crate::identity::load_user(conn, &person)?;
    if session.user_id == person {
        return Ok(SubjectScope::All);
    }
    let mut allowed = Vec::new();
    let mut refusal = ActionError::NotFound;
    for org in privacy::orgs_of(conn, &person)? {
        let org_id = uuid::Uuid::parse_str(&org).map_err(|_| ActionError::NotFound)?;
        match session.require(Action::ReadUser, &Resource::User { org_id, user_id }) {
            Ok(()) => allowed.push(org),
            Err(e @ ActionError::Forbidden(_)) => refusal = e,
            Err(_) => {}
        }
    }
    if allowed.is_empty() {
        return Err(refusal);
    }
    Ok(SubjectScope::Orgs(allowed))
}

/// A subject-access export as one zip: `account.json` (the account without its password hash,
/// roles, enrolments, sign-in records, notifications, mails, declarations, acknowledgements and
/// the audit entries about them) and the portfolio archive of each enrolment. The person
/// themself gets everything; a provider admin what their organisation holds. Audited
/// (`user.subject_access`).
#[utoipa::path(get, path = "/api/users/{user_id}/subject-access.zip", params(("user_id" = Uuid, Path)),
    responses((status = 200, description = "the subject-access export (docs/privacy.md); `X-Content-SHA256` is the zip's SHA-256",
            content_type = "application/zip"),
        (status = 401, body = crate::http::error::Problem),
        (status = 403, body = crate::http::error::Problem), (status = 404, body = crate::http::error::Problem)))]
pub async fn subject_access(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let user_id = path_id(&path)?;
    let catalogue = state.catalogue.clone();
    let fonts = state.fonts.clone();
    let (actor, asked) = (session.user_id.clone(), session.clone());
    let (export, scope) = state
        .db
        .read(move |conn| {
            let scope = subject_scope(conn, &asked, user_id)?;
            let export = crate::exports::subject::gather(
                conn,
                &catalogue,
                &fonts,
                &user_id.to_string(),
                &scope,
            )?;
            Ok::<_, ActionError>((export, scope))
        })
        .await?;
    let archives = export.archives.len();
    let store = state.store.clone();
    let scratch_dir = state.upload_dir.clone();
    let built = super::archives::build(&state, move |scratch| {
        crate::exports::subject::write_zip(&export, store.as_ref(), &scratch_dir, scratch.file())?;
        Ok(export.file_name)
    })
    .await?;
    state
        .db
        .write(move |conn| {
            privacy::record_subject_access(
                conn,
                Some(&actor),
                &user_id.to_string(),
                &scope,
                archives,
            )
        })
        .await?;
    crate::http::download::send(built)
}
