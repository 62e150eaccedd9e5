//! Who is asking: the `Session` extractor reads a Bearer token (API clients) or the session cookie
//! (pages), checks it, and loads the user as the policy sees them.

use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;

use actix_web::cookie::{Cookie, SameSite};
use actix_web::{FromRequest, HttpRequest, web};
use chrono::Utc;
use sha2::{Digest, Sha256};

use super::{ApiError, AppState};
use crate::action::ActionError;
use crate::auth::policy::{Action, Actor, Resource};
use crate::auth::throttle::address_subject;
use crate::identity;

/// The session cookie's name.
pub const COOKIE: &str = "attest_session";
/// The header API clients that use the cookie send the CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// A signed-in user.
#[derive(Debug, Clone)]
pub struct Session {
    /// Their id (text, as stored).
    pub user_id: String,
    /// Their name.
    pub name: String,
    /// Their email.
    pub email: String,
    /// The user as the policy sees them.
    pub actor: Actor,
    /// The CSRF token that forms and cookie-based API calls must carry.
    pub csrf: String,
    /// Whether the credentials came from the cookie (then unsafe methods need the CSRF token).
    pub via_cookie: bool,
    /// An organisation requires two-factor sign-in of them and they have not set it up: until
    /// they do, only [`allowed_before_enrolment`] paths are open to them.
    pub must_enrol: bool,
    /// Their unread notifications (the count in the page header).
    pub unread: i64,
}

/// What someone who must set up two-factor sign-in may still reach: the enrolment itself, who
/// they are, signing out, and the stylesheet.
pub fn allowed_before_enrolment(path: &str) -> bool {
    path.starts_with("/account/two-factor")
        || path.starts_with("/api/me")
        || path.starts_with("/static/")
        || matches!(path, "/logout" | "/api/auth/logout")
}

impl Session {
    /// Asks the policy; a refusal becomes 403 or 404.
    pub fn require(&self, action: Action, resource: &Resource) -> Result<(), ActionError> {
        self.acting().require(action, resource)
    }

    /// The person as actions see them, acting now.
    pub fn acting(&self) -> crate::action::Acting<'_> {
        crate::action::Acting {
            actor: &self.actor,
            user_id: &self.user_id,
            now: Utc::now(),
        }
    }
}

/// The CSRF token bound to one session token: only someone who can read the session can make it.
pub fn csrf_token(secret: &[u8], session_token: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"attest-csrf\0");
    hasher.update(secret);
    hasher.update(session_token.as_bytes());
    hex::encode(&hasher.finalize()[..16])
}

/// The session cookie carrying `token`: HttpOnly, SameSite=Strict, Secure when configured.
pub fn session_cookie(token: &str, secure: bool) -> Cookie<'static> {
    Cookie::build(COOKIE, token.to_owned())
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .finish()
}

fn bearer(req: &HttpRequest) -> Option<String> {
    let value = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
}

/// The client's address as sign-in throttling counts it: the peer, or — when the peer is a trusted
/// reverse proxy — the nearest `X-Forwarded-For` entry that is not itself a trusted proxy (entries
/// further left are whatever the client chose to send, so they are never believed).
pub fn client_address(req: &HttpRequest, trusted_proxies: &[IpAddr]) -> String {
    let mut client = req.peer_addr().map(|peer| peer.ip());
    if client.is_some_and(|peer| trusted_proxies.contains(&peer)) {
        let forwarded: Vec<IpAddr> = req
            .headers()
            .get_all("x-forwarded-for")
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .filter_map(|part| part.trim().parse().ok())
            .collect();
        for hop in forwarded.iter().rev() {
            client = Some(*hop);
            if !trusted_proxies.contains(hop) {
                break;
            }
        }
    }
    client.map_or_else(|| "unknown".to_owned(), address_subject)
}

/// The raw token and whether it came from the cookie.
pub fn credentials(req: &HttpRequest) -> Option<(String, bool)> {
    bearer(req)
        .map(|t| (t, false))
        .or_else(|| req.cookie(COOKIE).map(|c| (c.value().to_owned(), true)))
}

/// A request's credentials whose token checked out (signature, issuer, audience, expiry) without
/// the database. [`Credentials::session`] finishes the check — the user is active, the token's
/// generation is current (sign-out and deactivation take effect on the next request, on every
/// instance), two-factor enrolment, CSRF — inside whatever transaction the caller runs, so a
/// handler that reads anyway does it in the same blocking round trip as its own work.
#[derive(Debug, Clone)]
pub struct Credentials {
    token: String,
    via_cookie: bool,
    claims: crate::auth::token::Claims,
    path: String,
    /// An unsafe method on an API path: a cookie must come with the CSRF token.
    unsafe_api: bool,
    csrf_sent: Option<String>,
    csrf_secret: std::sync::Arc<[u8]>,
}

impl Credentials {
    /// Reads and verifies the token of `req` (no database): 401 when it is missing or invalid.
    pub fn of(req: &HttpRequest) -> Result<Self, ApiError> {
        let state = req
            .app_data::<web::Data<AppState>>()
            .ok_or_else(|| ApiError::Internal("application state missing".into()))?;
        let (token, via_cookie) = credentials(req).ok_or(ApiError::Unauthorized)?;
        let claims = state
            .tokens
            .verify(&token, Utc::now())
            .map_err(|_| ApiError::Unauthorized)?;
        Ok(Self {
            token,
            via_cookie,
            claims,
            path: req.path().to_owned(),
            unsafe_api: !req.method().is_safe() && req.path().starts_with("/api/"),
            csrf_sent: req
                .headers()
                .get(CSRF_HEADER)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
            csrf_secret: state.csrf_secret.clone(),
        })
    }

    /// The signed-in user, read in the caller's transaction; 401 when the user is gone,
    /// deactivated or signed out since the token was issued, 403 when two-factor enrolment or the
    /// CSRF token is missing.
    pub fn session(self, conn: &mut crate::db::DbConnection) -> Result<Session, ApiError> {
        let now = Utc::now();
        let is_api = self.path.starts_with("/api/");
        let loaded = (|| {
            let (row, actor, must_enrol) =
                identity::load_session_actor(conn, self.claims.sub.into(), now)?;
            // Pages show the unread count in their header; the API does not need it.
            let unread = if is_api {
                0
            } else {
                crate::notify::unread_count(conn, actor.user_id.into())?
            };
            Ok::<_, ActionError>((row, actor, must_enrol, unread))
        })();
        let (row, actor, must_enrol, unread) = match loaded {
            Ok(found) => found,
            Err(ActionError::NotFound) => return Err(ApiError::Unauthorized),
            Err(other) => return Err(other.into()),
        };
        if !row.active || !self.claims.is_current(row.token_generation) {
            return Err(ApiError::Unauthorized);
        }
        if must_enrol && is_api && !allowed_before_enrolment(&self.path) {
            return Err(ApiError::Forbidden(
                identity::two_factor::ENROL_FIRST.into(),
            ));
        }
        let csrf = csrf_token(&self.csrf_secret, &self.token);
        if self.via_cookie && self.unsafe_api && self.csrf_sent.as_deref() != Some(csrf.as_str()) {
            return Err(ApiError::Forbidden("missing or wrong CSRF token".into()));
        }
        Ok(Session {
            user_id: row.id.to_string(),
            name: row.name,
            email: row.email,
            actor,
            csrf,
            via_cookie: self.via_cookie,
            must_enrol,
            unread,
        })
    }
}

impl FromRequest for Credentials {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _payload: &mut actix_web::dev::Payload) -> Self::Future {
        std::future::ready(Self::of(req))
    }
}

async fn authenticate(req: HttpRequest) -> Result<Session, ApiError> {
    let credentials = Credentials::of(&req)?;
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::Internal("application state missing".into()))?
        .clone();
    state.db.read(move |conn| credentials.session(conn)).await
}

impl FromRequest for Session {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _payload: &mut actix_web::dev::Payload) -> Self::Future {
        Box::pin(authenticate(req.clone()))
    }
}
