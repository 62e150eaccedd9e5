//! Signing in and out on the web. The sign-in form has no session to bind a CSRF token to, so it
//! uses a double-submit token: a random value in a short-lived cookie and in the form, which must
//! match; a page on another site can set neither.

use std::collections::BTreeMap;

use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};

use super::form::{Fields, FormState};
use super::view::{
    Html, PageError, PageSession, check_csrf, page_with_status, safe_next, same_secret, see_other,
};
use crate::db::ids::UserId;
use crate::http::session::session_cookie;
use crate::http::shared::sign_in::{LoginRequest, sign_in as api_sign_in};
use crate::http::{ApiError, AppState};
use crate::identity;

/// The cookie holding the sign-in form's CSRF token.
const LOGIN_COOKIE: &str = "attest_login";

#[derive(Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
    /// Set after choosing a password through an invitation.
    welcome: Option<String>,
}

#[derive(Serialize)]
struct LoginView {
    title: &'static str,
    /// The layout leaves out its own "Sign in" link here.
    on_sign_in: bool,
    next: Option<String>,
    csrf: String,
    form: FormState,
    problem: Option<String>,
    /// Just chose their password through an invitation.
    welcome: bool,
}

fn login_cookie(token: &str, secure: bool) -> Cookie<'static> {
    Cookie::build(LOGIN_COOKIE, token.to_owned())
        .path("/login")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .finish()
}

/// `GET /login`: the sign-in form (or straight on, when already signed in).
pub async fn form(
    state: web::Data<AppState>,
    signed_in: Option<PageSession>,
    query: web::Query<LoginQuery>,
) -> Html {
    let next = safe_next(query.next.as_deref());
    if signed_in.is_some() {
        return Html(Ok(see_other(next.as_deref().unwrap_or("/"))));
    }
    let token = hex::encode(rand::random::<[u8; 16]>());
    let view = LoginView {
        title: "Sign in",
        on_sign_in: true,
        next,
        csrf: token.clone(),
        form: FormState::default(),
        problem: None,
        welcome: query.welcome.is_some(),
    };
    Html(
        page_with_status(&state, None, "pages/login.html", &view, StatusCode::OK).map(
            |mut response| {
                // Fails only for a malformed cookie, which this one is not.
                let _ = response.add_cookie(&login_cookie(&token, state.config.secure_cookies));
                response
            },
        ),
    )
}

/// The sign-in form as posted (absent fields are blank).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SignInForm {
    email: String,
    password: String,
    /// The second factor, for accounts that have one.
    code: String,
    /// Where to go once signed in (checked by `safe_next`).
    next: String,
}

/// `POST /login`: checks the credentials and sets the session cookie.
pub async fn sign_in(state: web::Data<AppState>, req: HttpRequest, fields: Fields) -> Html {
    Html(sign_in_page(&state, &req, fields).await)
}

async fn sign_in_page(
    state: &AppState,
    req: &HttpRequest,
    fields: Fields,
) -> Result<HttpResponse, PageError> {
    let token = req
        .cookie(LOGIN_COOKIE)
        .map(|c| c.value().to_owned())
        .filter(|cookie| fields.csrf().is_some_and(|sent| same_secret(sent, cookie)))
        .ok_or_else(PageError::csrf)?;
    let form: SignInForm = fields.read()?;
    let next = safe_next(Some(&form.next));
    let mut errors = BTreeMap::new();
    if form.email.trim().is_empty() {
        errors.insert("email".to_owned(), "Enter your email address".to_owned());
    }
    if form.password.is_empty() {
        errors.insert("password".to_owned(), "Enter your password".to_owned());
    }
    let again = |errors, problem: Option<String>, status| {
        let view = LoginView {
            title: "Sign in",
            on_sign_in: true,
            next: next.clone(),
            csrf: token.clone(),
            form: FormState::again(&fields, errors),
            problem,
            welcome: false,
        };
        page_with_status(state, None, "pages/login.html", &view, status)
    };
    if !errors.is_empty() {
        return again(errors, None, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let code = form.code.trim();
    let credentials = LoginRequest {
        email: form.email.trim().to_owned(),
        password: form.password,
        code: (!code.is_empty()).then(|| code.to_owned()),
    };
    match api_sign_in(state, req, credentials).await {
        Ok(login) => {
            let mut gone = login_cookie("", state.config.secure_cookies);
            gone.make_removal();
            Ok(HttpResponse::SeeOther()
                .insert_header((
                    actix_web::http::header::LOCATION,
                    next.unwrap_or_else(|| "/".to_owned()),
                ))
                .cookie(session_cookie(&login.token, state.config.secure_cookies))
                .cookie(gone)
                .finish())
        }
        Err(ApiError::Unauthorized) => again(
            BTreeMap::new(),
            Some("The email or password is wrong.".into()),
            StatusCode::UNAUTHORIZED,
        ),
        Err(ApiError::Validation { errors, .. }) if errors.contains_key("code") => {
            let reason = errors.get("code").cloned().unwrap_or_default();
            let errors = BTreeMap::from([("code".to_owned(), format!("The code {reason}"))]);
            again(errors, None, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(ApiError::TooManyRequests(seconds)) => again(
            BTreeMap::new(),
            Some(format!(
                "Too many sign-in attempts: try again in {seconds} seconds."
            )),
            StatusCode::TOO_MANY_REQUESTS,
        ),
        Err(other) => Err(other.into()),
    }
}

/// `POST /logout`: ends every session of the user, on every device, and clears the cookie.
pub async fn sign_out(state: web::Data<AppState>, session: PageSession, fields: Fields) -> Html {
    Html(sign_out_page(&state, session, fields).await)
}

async fn sign_out_page(
    state: &AppState,
    session: PageSession,
    fields: Fields,
) -> Result<HttpResponse, PageError> {
    check_csrf(&session, fields.csrf())?;
    let user_id = UserId::from(session.actor.user_id);
    state
        .db
        .write(move |conn| identity::logout(conn, user_id))
        .await?;
    let mut gone = session_cookie("", state.config.secure_cookies);
    gone.make_removal();
    Ok(HttpResponse::SeeOther()
        .insert_header((actix_web::http::header::LOCATION, "/login"))
        .cookie(gone)
        .finish())
}
