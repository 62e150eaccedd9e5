//! What every page needs: who is asking (or a redirect to sign in), the CSRF check on every form,
//! rendering inside the layout, and HTML error pages.

use std::future::Future;
use std::ops::Deref;
use std::pin::Pin;

use actix_web::body::BoxBody;
use actix_web::http::{StatusCode, header};
use actix_web::{
    FromRequest, HttpMessage, HttpRequest, HttpResponse, Responder, ResponseError, web,
};
use chrono::Utc;
use serde::Serialize;

use crate::action::ActionError;
use crate::auth::policy::Role;
use crate::http::session::Session;
use crate::http::{ApiError, AppState};

/// Why a page could not be shown.
#[derive(Debug, thiserror::Error)]
pub enum PageError {
    /// Nobody (valid) is signed in: go to the sign-in page, then come back to `next`.
    #[error("sign in to continue")]
    SignIn {
        /// Where to return after signing in (a local path).
        next: Option<String>,
    },
    /// Their organisation requires two-factor sign-in and they have not set it up yet.
    #[error("set up two-factor sign-in to continue")]
    SetUpTwoFactor,
    /// Anything else, with the API's status and wording.
    #[error(transparent)]
    Api(#[from] ApiError),
}

impl From<ActionError> for PageError {
    fn from(err: ActionError) -> Self {
        Self::Api(err.into())
    }
}

impl PageError {
    /// The form POST carried no CSRF token, or the wrong one.
    pub fn csrf() -> Self {
        Self::Api(ApiError::Forbidden(
            "this form has expired or did not come from Attest: go back, reload the page and try again"
                .into(),
        ))
    }
}

/// Only reached when an extractor fails (handlers' errors go through [`Html`], which renders the
/// error page): a redirect for sign-in, the API's problem answer for the rest.
impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::SignIn { .. } | Self::SetUpTwoFactor => StatusCode::SEE_OTHER,
            Self::Api(err) => err.status_code(),
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            Self::SignIn { next } => see_other(&sign_in_path(next.as_deref())),
            Self::SetUpTwoFactor => see_other("/account/two-factor"),
            Self::Api(err) => err.error_response(),
        }
    }
}

fn sign_in_path(next: Option<&str>) -> String {
    match next {
        Some(next) if next != "/" => format!("/login?next={}", encode_query(next)),
        _ => "/login".to_owned(),
    }
}

/// Percent-encodes a query value (everything but unreserved characters and `/`).
pub fn encode_query(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(char::from(byte));
            }
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

/// A `303 See Other` to a local path: the answer to every successful form POST.
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location.to_owned()))
        .finish()
}

/// A return path after sign-in, if it is safe: a local absolute path, never another site.
pub fn safe_next(raw: Option<&str>) -> Option<String> {
    let next = raw?.trim();
    let local = next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.chars().any(char::is_control);
    (local && !next.starts_with("/login")).then(|| next.to_owned())
}

/// A signed-in user on a page. Without a valid session the page answers with a redirect to
/// `/login?next=…` (the page asked for, for GET requests) instead of the API's 401.
#[derive(Debug, Clone)]
pub struct PageSession(pub Session);

impl Deref for PageSession {
    type Target = Session;
    fn deref(&self) -> &Session {
        &self.0
    }
}

impl FromRequest for PageSession {
    type Error = PageError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let request = req.clone();
        let session = Session::from_request(req, payload);
        Box::pin(async move {
            match session.await {
                Ok(session)
                    if session.must_enrol
                        && !crate::http::session::allowed_before_enrolment(request.path()) =>
                {
                    Err(PageError::SetUpTwoFactor)
                }
                Ok(session) => {
                    // The error page (rendered later, from the request alone) shows who is signed in.
                    request.extensions_mut().insert(session.clone());
                    Ok(PageSession(session))
                }
                Err(ApiError::Unauthorized) => {
                    let next = (request.method() == actix_web::http::Method::GET)
                        .then(|| {
                            request
                                .uri()
                                .path_and_query()
                                .map(|p| p.as_str().to_owned())
                        })
                        .flatten();
                    Err(PageError::SignIn {
                        next: safe_next(next.as_deref()),
                    })
                }
                Err(other) => Err(PageError::Api(other)),
            }
        })
    }
}

/// Checks the CSRF token a form carried. Forms are sent with the session cookie, which the browser
/// adds by itself, so the token must prove the page came from us; a Bearer token is never added by
/// a browser, so requests carrying one need no CSRF token.
pub fn check_csrf(session: &Session, sent: Option<&str>) -> Result<(), PageError> {
    if !session.via_cookie {
        return Ok(());
    }
    match sent {
        Some(sent) if same_secret(sent, &session.csrf) => Ok(()),
        _ => Err(PageError::csrf()),
    }
}

/// Compares two secrets in time that depends only on their length.
pub fn same_secret(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |diff, (x, y)| diff | (x ^ y)) == 0
}

/// What the layout shows of the signed-in user: name, sign-out form, and the links their roles use.
#[derive(Debug, Serialize)]
pub struct Viewer {
    name: String,
    csrf: String,
    assessor: bool,
    admin_org: Option<String>,
    verifier_org: Option<String>,
    unread: i64,
}

impl Viewer {
    /// The layout's view of a session.
    pub fn of(session: &Session) -> Self {
        let now = Utc::now();
        let live = || session.actor.grants.iter().filter(move |g| g.is_live(now));
        let orgs_as = |role: Role| {
            let mut orgs: Vec<String> = live()
                .filter(|g| g.role == role)
                .map(|g| g.org_id.to_string())
                .collect();
            orgs.sort();
            orgs.dedup();
            orgs
        };
        let mut admin_orgs = orgs_as(Role::ProviderAdmin);
        let mut verifier_orgs = orgs_as(Role::InternalVerifier);
        Self {
            name: session.name.clone(),
            csrf: session.csrf.clone(),
            assessor: live().any(|g| g.role == Role::Assessor),
            // With several organisations the dashboard lists each; the header keeps one link.
            admin_org: (admin_orgs.len() == 1).then(|| admin_orgs.remove(0)),
            verifier_org: (verifier_orgs.len() == 1).then(|| verifier_orgs.remove(0)),
            unread: session.unread,
        }
    }
}

/// Renders a page inside the layout, with the signed-in user (if any) as `viewer`.
pub fn page<T: Serialize>(
    state: &AppState,
    session: Option<&Session>,
    template: &str,
    view: &T,
) -> Result<HttpResponse, PageError> {
    let mut context = tera::Context::from_serialize(view)
        .map_err(|e| ApiError::Internal(format!("template context for {template}: {e}")))?;
    if let Some(session) = session {
        context.insert("viewer", &Viewer::of(session));
    }
    let html = state
        .templates
        .render(template, &context)
        .map_err(|e| ApiError::Internal(format!("rendering {template}: {e:?}")))?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(html))
}

/// [`page`] with another status (a form shown again with its errors is 422).
pub fn page_with_status<T: Serialize>(
    state: &AppState,
    session: Option<&Session>,
    template: &str,
    view: &T,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let mut response = page(state, session, template, view)?;
    *response.status_mut() = status;
    Ok(response)
}

/// A page handler's answer: the page, or its error rendered as an HTML page with the right status.
pub struct Html(pub Result<HttpResponse, PageError>);

impl<E: Into<PageError>> From<Result<HttpResponse, E>> for Html {
    fn from(result: Result<HttpResponse, E>) -> Self {
        Html(result.map_err(Into::into))
    }
}

#[derive(Serialize)]
struct ErrorView {
    title: String,
    status: u16,
    message: String,
}

impl Responder for Html {
    type Body = BoxBody;

    fn respond_to(self, req: &HttpRequest) -> HttpResponse {
        let err = match self.0 {
            Ok(response) => return response,
            Err(err) => err,
        };
        let api = match err {
            PageError::SignIn { .. } | PageError::SetUpTwoFactor => return err.error_response(),
            PageError::Api(api) => api,
        };
        let status = api.status_code();
        let (title, message) = match &api {
            ApiError::NotFound => (
                "Page not found",
                "This page does not exist, or it is not yours to see.".to_owned(),
            ),
            ApiError::Internal(cause) => {
                tracing::error!(%cause, "internal error on a page");
                (
                    "Something went wrong",
                    "Something went wrong on our side; the error has been logged. Please try again."
                        .to_owned(),
                )
            }
            ApiError::Forbidden(reason) => ("Not allowed", capitalise(reason)),
            ApiError::Conflict(reason) => ("Not possible now", capitalise(reason)),
            other => ("Something is not right", capitalise(&other.to_string())),
        };
        let view = ErrorView {
            title: title.to_owned(),
            status: status.as_u16(),
            message,
        };
        let session = req.extensions().get::<Session>().cloned();
        let rendered = req
            .app_data::<web::Data<AppState>>()
            .ok_or_else(|| PageError::Api(ApiError::Internal("application state missing".into())))
            .and_then(|state| page(state, session.as_ref(), "pages/error.html", &view));
        match rendered {
            Ok(mut response) => {
                *response.status_mut() = status;
                response
            }
            Err(_) => api.error_response(),
        }
    }
}

/// A sentence starts with a capital letter.
pub fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        assert_eq!(
            safe_next(Some("/enrolments/1")),
            Some("/enrolments/1".into())
        );
        assert_eq!(
            safe_next(Some("/caseload?sort=idle")),
            Some("/caseload?sort=idle".into())
        );
        for bad in [
            "https://evil.example/",
            "//evil.example/",
            "/\\evil.example",
            "evil",
            "/login?next=/x",
            "",
        ] {
            assert_eq!(safe_next(Some(bad)), None, "{bad}");
        }
        assert_eq!(safe_next(None), None);
    }

    #[test]
    fn secrets_compare_exactly() {
        assert!(same_secret("abc123", "abc123"));
        assert!(!same_secret("abc123", "abc124"));
        assert!(!same_secret("abc", "abc123"));
        assert!(!same_secret("", "x"));
    }

    #[test]
    fn sign_in_redirect_keeps_the_page_encoded() {
        assert_eq!(
            sign_in_path(Some("/caseload?sort=idle&x=1")),
            "/login?next=/caseload%3Fsort%3Didle%26x%3D1"
        );
        assert_eq!(sign_in_path(Some("/")), "/login");
        assert_eq!(sign_in_path(None), "/login");
    }
}
