//! Retention rules and erasure on request (docs/privacy.md): a provider admin's API.

use actix_web::{HttpResponse, web};
use serde::Deserialize;

use crate::db::ids::{OrgId, UserId};
use crate::http::extract::{ValidJson, typed_path_id};
use crate::http::session::Session;
use crate::http::{ApiError, AppState};
use crate::privacy::actions;
use crate::privacy::{Erasure, RetentionRules};

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
    let org_id: OrgId = typed_path_id(&path)?;
    let rules = state
        .db
        .read(move |conn| actions::retention_rules(conn, &session.acting(), org_id))
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
    let org_id: OrgId = typed_path_id(&path)?;
    let rules = body.into_inner();
    let saved = state
        .db
        .write(move |conn| actions::set_retention_rules(conn, &session.acting(), org_id, rules))
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
    let org_id: OrgId = typed_path_id(&path.0)?;
    let user_id: UserId = typed_path_id(&path.1)?;
    let reason = body.into_inner().reason;
    let erasure = state
        .db
        .write(move |conn| {
            actions::erase_in_organisation(conn, &session.acting(), org_id, user_id, &reason)
        })
        .await?;
    Ok(HttpResponse::Ok().json(erasure))
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
    let user_id: UserId = typed_path_id(&path)?;
    let catalogue = state.catalogue.clone();
    let fonts = state.fonts.clone();
    let asked = session.clone();
    let (export, scope) = state
        .db
        .read(move |conn| {
            actions::subject_export(conn, &catalogue, fonts.get()?, &asked.acting(), user_id)
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
            actions::record_subject_access(conn, &session.acting(), user_id, &scope, archives)
        })
        .await?;
    crate::http::download::send(built)
}
