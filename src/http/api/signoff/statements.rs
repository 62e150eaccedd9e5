//! Statements: issuing, reading, the PDF, revoking, and the public verification.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use crate::action::ActionError;
use crate::auth::policy::Action;
use crate::db::ids::EnrolmentId;
use crate::http::extract::ValidJson;
use crate::http::extract::typed_path_id;
use crate::http::session::Session;
use crate::http::shared::statements::authorized_statement;
use crate::http::{ApiError, AppState};
use crate::signoff::actions;
use crate::signoff::statements::{self, Statement};

/// The enrolment's statement of competence (valid or revoked), with its verification link; the
/// PDF is `statement.pdf`, the Open Badge `credential.json`. 404 before one is issued.
#[utoipa::path(get, path = "/api/enrolments/{id}/statement", params(("id" = Uuid, Path)),
    responses((status = 200, body = Statement), (status = 404, body = crate::http::error::Problem)))]
pub async fn show_statement(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id: EnrolmentId = typed_path_id(&path)?;
    let statement = state
        .db
        .read(move |conn| {
            authorized_statement(conn, &session, id, Action::ReadStatement)?.summary()
        })
        .await?;
    Ok(HttpResponse::Ok().json(statement))
}

/// Issues the statement of competence once every required sign-off is in place (409 with what is
/// missing otherwise).
#[utoipa::path(post, path = "/api/enrolments/{id}/statement", params(("id" = Uuid, Path)),
    responses((status = 201, body = Statement), (status = 409, body = crate::http::error::Problem)))]
pub async fn issue_statement(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id: EnrolmentId = typed_path_id(&path)?;
    let tx_state = state.clone();
    let statement = state
        .db
        .write(move |conn| {
            actions::issue_statement(conn, tx_state.services(), &session.acting(), id)?.summary()
        })
        .await?;
    Ok(HttpResponse::Created().json(statement))
}

/// The statement as PDF, rendered again from its stored content (byte-identical each time).
#[utoipa::path(get, path = "/api/enrolments/{id}/statement.pdf", params(("id" = Uuid, Path)),
    responses((status = 200, description = "application/pdf"), (status = 404, body = crate::http::error::Problem)))]
pub async fn statement_pdf(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id: EnrolmentId = typed_path_id(&path)?;
    let tx_state = state.clone();
    let (row, credential) = state
        .db
        .read(move |conn| {
            let row = authorized_statement(conn, &session, id, Action::ReadStatement)?;
            if let (Some(at), Some(reason)) = (row.revoked_at, &row.revoke_reason) {
                // A revoked statement is never handed out again as if it stood.
                return Err(ActionError::Conflict(format!(
                    "statement {} was revoked on {}: {reason}; it is no longer valid (see /verify/{})",
                    row.code,
                    at.date(),
                    row.code
                )));
            }
            let credential = crate::credentials::of_statement(conn, row.id)?;
            Ok::<_, ActionError>((row, credential))
        })
        .await?;
    // Rendered with the connection given back: a statement takes milliseconds of CPU.
    let (code, bytes) = web::block(move || {
        let rendered =
            statements::render_pdf(&row.view()?, credential.as_ref(), tx_state.fonts.get()?)?;
        Ok::<_, ActionError>((row.code, rendered.bytes))
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))??;
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"statement-{code}.pdf\""),
        ))
        .body(bytes))
}

/// Why a statement is revoked.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevokeRequest {
    /// The reason, shown on the verification page.
    pub reason: String,
}

/// Revokes a statement; the verification page then says so.
#[utoipa::path(post, path = "/api/enrolments/{id}/statement/revoke", params(("id" = Uuid, Path)), request_body = RevokeRequest,
    responses((status = 200, body = Statement), (status = 422, body = crate::http::error::Problem)))]
pub async fn revoke_statement(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
    body: ValidJson<RevokeRequest>,
) -> Result<HttpResponse, ApiError> {
    let id: EnrolmentId = typed_path_id(&path)?;
    let reason = body.into_inner().reason;
    let statement = state
        .db
        .write(move |conn| {
            actions::revoke_statement(conn, &session.acting(), id, &reason)?.summary()
        })
        .await?;
    Ok(HttpResponse::Ok().json(statement))
}

/// Public verification: anyone with the code sees whether the statement is valid or revoked and
/// whose it is. HTML for people, JSON with `Accept: application/json`.
#[utoipa::path(get, path = "/verify/{code}", params(("code" = String, Path)), security(()),
    responses((status = 200, description = "The statement: JSON with `Accept: application/json`, a page otherwise",
        content((Statement = "application/json"), (String = "text/html"))),
        (status = 404, body = crate::http::error::Problem)))]
pub async fn verify(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let code = path.into_inner();
    let wants_json = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"));
    let found = state
        .db
        .read(move |conn| crate::credentials::actions::verify_statement(conn, &code))
        .await;
    match (found, wants_json) {
        (Ok(statement), true) => Ok(HttpResponse::Ok().json(statement)),
        (Ok(statement), false) => crate::http::pages::render(
            &state,
            "pages/verify.html",
            &serde_json::json!({
                "title": "Verify a statement", "statement": statement, "found": true
            }),
        ),
        (Err(ActionError::NotFound), false) => {
            let mut page = crate::http::pages::render(
                &state,
                "pages/verify.html",
                &serde_json::json!({
                    "title": "Verify a statement", "found": false
                }),
            )?;
            *page.status_mut() = actix_web::http::StatusCode::NOT_FOUND;
            Ok(page)
        }
        (Err(err), _) => Err(err.into()),
    }
}

/// The code someone typed on the verification page.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VerifyQuery {
    /// The verification code, as printed (any case, with or without dashes).
    #[serde(default)]
    code: Option<String>,
}

/// `GET /verify`: where a person holding a printed statement types its code; with `?code=` it
/// goes to that statement's verification page.
#[utoipa::path(get, path = "/verify", params(VerifyQuery), security(()),
    responses((status = 200, description = "The page to type a code in (or upload a statement)", content_type = "text/html", body = String),
        (status = 303, description = "To `/verify/{code}`, when a code with a letter or digit was given")))]
pub async fn verify_form(
    state: web::Data<AppState>,
    query: web::Query<VerifyQuery>,
) -> Result<HttpResponse, ApiError> {
    let typed = query.into_inner().code.unwrap_or_default();
    let compact: String = typed.chars().filter(char::is_ascii_alphanumeric).collect();
    if !compact.is_empty() {
        return Ok(HttpResponse::SeeOther()
            .insert_header((header::LOCATION, format!("/verify/{compact}")))
            .finish());
    }
    crate::http::pages::render(
        &state,
        "pages/verify.html",
        &serde_json::json!({ "title": "Verify a statement", "entry": true }),
    )
}
