//! Server-rendered pages (tera) and the embedded static files. One module per area (a folder with a
//! file per screen where an area outgrew one); handlers are as thin as the API's — find who is
//! asking (a page without a session redirects to sign-in), check the form's CSRF token, authorize
//! through the policy (mostly via the helpers in `http/shared`, never from `http/api`), call one
//! action, render. A refused form is shown again with what was typed and an error next to each
//! field (422); success answers `303 See Other`.

pub mod admin;
pub mod assessor;
pub mod audit;
pub mod auth;
pub mod dashboard;
pub mod decision;
pub mod evidence;
pub mod exports;
mod form;
pub mod grids;
pub mod inbox;
pub mod moves;
pub mod observation;
pub mod people;
pub mod plans;
pub mod portfolio;
pub mod questions;
mod record;
pub mod recording;
mod rows;
pub mod samples;
pub mod settings;
pub mod staff;
pub mod standards;
pub mod statements;
pub mod two_factor;
mod view;
pub mod witness;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

pub use dashboard::home;
pub use view::PageError;

use super::{ApiError, AppState};

/// Renders `template` with `context`; a template fault is an internal error, never a panic.
pub fn render<T: Serialize>(
    state: &AppState,
    template: &str,
    context: &T,
) -> Result<HttpResponse, ApiError> {
    view::page(state, None, template, context).map_err(|err| match err {
        PageError::Api(api) => api,
        PageError::SignIn { .. } => ApiError::Unauthorized,
        PageError::SetUpTwoFactor => {
            ApiError::Forbidden(crate::identity::two_factor::ENROL_FIRST.into())
        }
    })
}

#[derive(Serialize)]
struct ErrorView {
    title: String,
    status: u16,
    message: String,
}

/// Unknown paths: problem+json under /api, an HTML page elsewhere.
pub async fn not_found(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    if req.path().starts_with("/api/") {
        return Err(ApiError::NotFound);
    }
    let view = ErrorView {
        title: "Page not found".into(),
        status: 404,
        message: format!("There is no page at {}.", req.path()),
    };
    let mut response = render(&state, "pages/error.html", &view)?;
    *response.status_mut() = actix_web::http::StatusCode::NOT_FOUND;
    Ok(response)
}

const STATIC_FILES: &[(&str, &str, &[u8])] = &[
    (
        "favicon.svg",
        "image/svg+xml",
        include_bytes!("../../../static/img/favicon.svg"),
    ),
    (
        "attest.css",
        "text/css; charset=utf-8",
        include_bytes!("../../../static/css/attest.css"),
    ),
    (
        "attest.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../../static/js/attest.js"),
    ),
];

/// Static assets embedded in the binary, cached by the browser for a day.
pub async fn static_file(name: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let (_, mime, bytes) = STATIC_FILES
        .iter()
        .find(|(file, _, _)| *file == name.as_str())
        .ok_or(ApiError::NotFound)?;
    Ok(HttpResponse::Ok()
        .content_type(*mime)
        .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
        .body(*bytes))
}
