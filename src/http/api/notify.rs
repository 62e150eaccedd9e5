//! Notifications (the signed-in person's inbox), the organisation's mail outbox, and witness
//! testimony requests with the witness's own (account-free) link.

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use serde::Serialize;

use crate::db::ids::{EnrolmentId, EvidenceId, NotificationId, OrgId, WitnessRequestId};
use crate::http::extract::{ValidJson, typed_path_id};
use crate::http::session::{Session, client_address};
use crate::http::shared::witness::check_token;
use crate::http::{ApiError, AppState};
use crate::notify::actions::{self as notify_actions, Inbox};
use crate::notify::{Notification, OutboxMail};
use crate::portfolio::witness::{self, RequestInput, Testimony, WitnessRequest, WitnessView};

/// The signed-in person's inbox.
#[utoipa::path(get, path = "/api/me/notifications",
    responses((status = 200, body = Inbox), (status = 401, body = crate::http::error::Problem)))]
pub async fn inbox(state: web::Data<AppState>, session: Session) -> Result<HttpResponse, ApiError> {
    let inbox = state
        .db
        .read(move |conn| notify_actions::inbox(conn, &session.acting(), 200))
        .await?;
    Ok(HttpResponse::Ok().json(inbox))
}

/// Marks one of the signed-in person's notifications read.
#[utoipa::path(post, path = "/api/me/notifications/{id}/read", params(("id" = Uuid, Path)),
    responses((status = 200, body = Notification), (status = 401, body = crate::http::error::Problem),
        (status = 404, body = crate::http::error::Problem)))]
pub async fn mark_read(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id: NotificationId = typed_path_id(&path)?;
    let item = state
        .db
        .write(move |conn| notify_actions::mark_read(conn, &session.acting(), id))
        .await?;
    Ok(HttpResponse::Ok().json(item))
}

/// How many were marked.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Marked {
    /// Items that were unread.
    pub marked: usize,
}

/// Marks all the signed-in person's notifications read.
#[utoipa::path(post, path = "/api/me/notifications/read",
    responses((status = 200, body = Marked), (status = 401, body = crate::http::error::Problem)))]
pub async fn mark_all_read(
    state: web::Data<AppState>,
    session: Session,
) -> Result<HttpResponse, ApiError> {
    let marked = state
        .db
        .write(move |conn| notify_actions::mark_all_read(conn, &session.acting()))
        .await?;
    Ok(HttpResponse::Ok().json(Marked { marked }))
}

/// The organisation's mail outbox, newest first (500): what was sent, what waits (all of it,
/// when no SMTP server is configured), and what failed after every retry.
#[utoipa::path(get, path = "/api/orgs/{org_id}/outbox", params(("org_id" = Uuid, Path)),
    responses((status = 200, body = Vec<OutboxMail>), (status = 401, body = crate::http::error::Problem),
        (status = 403, body = crate::http::error::Problem), (status = 404, body = crate::http::error::Problem)))]
pub async fn outbox(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let org_id: OrgId = typed_path_id(&path)?;
    let mail = state
        .db
        .read(move |conn| notify_actions::outbox(conn, &session.acting(), org_id, 500))
        .await?;
    Ok(HttpResponse::Ok().json(mail))
}

/// The witness requests for a piece of witness testimony, newest first.
#[utoipa::path(get, path = "/api/enrolments/{id}/evidence/{evidence_id}/witness-requests",
    params(("id" = Uuid, Path), ("evidence_id" = Uuid, Path)),
    responses((status = 200, body = Vec<WitnessRequest>), (status = 401, body = crate::http::error::Problem),
        (status = 403, body = crate::http::error::Problem), (status = 404, body = crate::http::error::Problem)))]
pub async fn list_requests(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let id: EnrolmentId = typed_path_id(&path.0)?;
    let evidence_id: EvidenceId = typed_path_id(&path.1)?;
    let requests = state
        .db
        .read(move |conn| witness::actions::requests(conn, &session.acting(), id, evidence_id))
        .await?;
    Ok(HttpResponse::Ok().json(requests))
}

/// Asks a witness to attest to a piece of witness testimony: the link is mailed to the witness
/// (never returned here); any earlier open link for it stops working.
#[utoipa::path(post, path = "/api/enrolments/{id}/evidence/{evidence_id}/witness-requests",
    params(("id" = Uuid, Path), ("evidence_id" = Uuid, Path)), request_body = RequestInput,
    responses((status = 201, body = WitnessRequest), (status = 401, body = crate::http::error::Problem),
        (status = 403, body = crate::http::error::Problem), (status = 404, body = crate::http::error::Problem),
        (status = 409, body = crate::http::error::Problem), (status = 422, body = crate::http::error::Problem)))]
pub async fn request_witness(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<(String, String)>,
    body: ValidJson<RequestInput>,
) -> Result<HttpResponse, ApiError> {
    let id: EnrolmentId = typed_path_id(&path.0)?;
    let evidence_id: EvidenceId = typed_path_id(&path.1)?;
    let input = body.into_inner();
    let tx_state = state.clone();
    let request = state
        .db
        .write(move |conn| {
            let acting = session.acting();
            witness::actions::request(conn, tx_state.services(), &acting, id, evidence_id, input)
        })
        .await?;
    Ok(HttpResponse::Created().json(request))
}

/// Withdraws an open witness link.
#[utoipa::path(post, path = "/api/enrolments/{id}/witness-requests/{request_id}/revoke",
    params(("id" = Uuid, Path), ("request_id" = Uuid, Path)),
    responses((status = 200, body = WitnessRequest), (status = 401, body = crate::http::error::Problem),
        (status = 403, body = crate::http::error::Problem), (status = 404, body = crate::http::error::Problem),
        (status = 409, body = crate::http::error::Problem)))]
pub async fn revoke_request(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let id: EnrolmentId = typed_path_id(&path.0)?;
    let request_id: WitnessRequestId = typed_path_id(&path.1)?;
    let request = state
        .db
        .write(move |conn| witness::actions::revoke(conn, &session.acting(), id, request_id))
        .await?;
    Ok(HttpResponse::Ok().json(request))
}

/// What the witness reads through their link (no account: the link is the credential).
#[utoipa::path(get, path = "/api/witness/{token}", params(("token" = String, Path)), security(()),
    responses((status = 200, body = WitnessView), (status = 404, body = crate::http::error::Problem),
        (status = 409, body = crate::http::error::Problem)))]
pub async fn witness_view(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let token = check_token(&path)?;
    let view = state
        .db
        .read(move |conn| witness::actions::view(conn, &token, Utc::now()))
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .json(view))
}

/// The confirmation's receipt.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Confirmed {
    /// SHA-256 of exactly what the witness confirmed.
    pub confirmed_hash: String,
}

/// The witness confirms their testimony; the link is spent.
#[utoipa::path(post, path = "/api/witness/{token}", params(("token" = String, Path)), security(()), request_body = Testimony,
    responses((status = 200, body = Confirmed), (status = 404, body = crate::http::error::Problem),
        (status = 409, body = crate::http::error::Problem), (status = 422, body = crate::http::error::Problem)))]
pub async fn witness_confirm(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    body: ValidJson<Testimony>,
) -> Result<HttpResponse, ApiError> {
    let token = check_token(&path)?;
    let testimony = body.into_inner();
    let address = client_address(&req, &state.config.trusted_proxies);
    let tx_state = state.clone();
    let hash = state
        .db
        .write(move |conn| {
            let services = tx_state.services();
            witness::actions::confirm(conn, services, &token, testimony, &address, Utc::now())
        })
        .await?;
    Ok(HttpResponse::Ok().json(Confirmed {
        confirmed_hash: hash,
    }))
}
