//! Signing in and out over the API.

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::auth::token::DEFAULT_TTL;
use crate::http::extract::ValidJson;
use crate::http::session::{Session, client_address, session_cookie};
use crate::http::{ApiError, AppState};
use crate::identity::{self, User};

/// Credentials.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// The account's email (any case).
    pub email: String,
    /// The password.
    pub password: String,
}

/// A session token.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LoginResponse {
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
    /// When the token stops working.
    pub expires_at: DateTime<Utc>,
}

/// Checks credentials and returns a token. Wrong email and wrong password get the same answer.
/// Attempts are throttled per email (known or not) and per client address: 429 with `Retry-After`,
/// also when too many sign-ins are being checked at once.
#[utoipa::path(post, path = "/api/auth/login", request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 401, body = crate::http::error::Problem),
              (status = 429, body = crate::http::error::Problem)))]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: ValidJson<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let token = sign_in(&state, &req, body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(token))
}

/// The sign-in shared by the API and the sign-in page.
pub async fn sign_in(
    state: &AppState,
    req: &HttpRequest,
    credentials: LoginRequest,
) -> Result<LoginResponse, ApiError> {
    let now = Utc::now();
    let attempt = identity::Attempt {
        email: credentials.email,
        password: credentials.password,
        address: client_address(req, &state.config.trusted_proxies),
    };
    let user = identity::login(&state.db, &state.verifier, attempt, now).await?;
    let user_id = crate::identity::parse_user_id(&user.id)?;
    let (token, expires_at) = state
        .tokens
        .issue(user_id, user.token_generation, now, DEFAULT_TTL)
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(LoginResponse { token, expires_at })
}

/// Ends every session of the signed-in user, on every device.
#[utoipa::path(post, path = "/api/auth/logout",
    responses((status = 204), (status = 401, body = crate::http::error::Problem)))]
pub async fn logout(
    state: web::Data<AppState>,
    session: Session,
) -> Result<HttpResponse, ApiError> {
    let user_id = session.user_id.clone();
    state
        .db
        .write(move |conn| identity::logout(conn, &user_id))
        .await?;
    let mut gone = session_cookie("", state.config.secure_cookies);
    gone.make_removal();
    Ok(HttpResponse::NoContent().cookie(gone).finish())
}

/// The signed-in user with their roles.
#[utoipa::path(get, path = "/api/me",
    responses((status = 200, body = User), (status = 401, body = crate::http::error::Problem)))]
pub async fn me(state: web::Data<AppState>, session: Session) -> Result<HttpResponse, ApiError> {
    let user_id = session.user_id.clone();
    let user = state
        .db
        .read(move |conn| identity::load_user(conn, &user_id))
        .await?;
    Ok(HttpResponse::Ok().json(user))
}
