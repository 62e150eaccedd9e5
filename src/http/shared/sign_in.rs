//! Signing in with a password (and a second factor): the API's token and the sign-in page's cookie
//! come from the same check.

use actix_web::HttpRequest;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::auth::token::DEFAULT_TTL;
use crate::http::session::client_address;
use crate::http::{ApiError, AppState};
use crate::identity::{self};

/// Credentials.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// The account's email (any case).
    pub email: String,
    /// The password.
    pub password: String,
    /// For accounts with two-factor sign-in: the six digits the authenticator app shows, or an
    /// unused recovery code. Missing or wrong: 422 naming `code` (and the attempt counts as failed).
    #[serde(default)]
    pub code: Option<String>,
}

/// A session token.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LoginResponse {
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
    /// When the token stops working.
    pub expires_at: DateTime<Utc>,
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
        code: credentials.code,
    };
    let user = identity::login(&state.db, &state.verifier, attempt, now).await?;
    let (token, expires_at) = state
        .tokens
        .issue(user.id.into(), user.token_generation, now, DEFAULT_TTL)
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(LoginResponse { token, expires_at })
}
