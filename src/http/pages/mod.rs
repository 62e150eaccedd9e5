//! Server-rendered pages (tera) and the embedded static files.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use super::{ApiError, AppState};

/// Renders `template` with `context`; a template fault is an internal error, never a panic.
pub fn render<T: Serialize>(
    state: &AppState,
    template: &str,
    context: &T,
) -> Result<HttpResponse, ApiError> {
    let context = tera::Context::from_serialize(context)
        .map_err(|e| ApiError::Internal(format!("template context for {template}: {e}")))?;
    let html = state
        .templates
        .render(template, &context)
        .map_err(|e| ApiError::Internal(format!("rendering {template}: {e:?}")))?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(html))
}

#[derive(Serialize)]
struct HomeView {
    title: &'static str,
}

/// The landing page.
pub async fn home(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    render(&state, "pages/home.html", &HomeView { title: "Attest" })
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

const STATIC_FILES: &[(&str, &str, &[u8])] = &[(
    "attest.css",
    "text/css; charset=utf-8",
    include_bytes!("../../../static/css/attest.css"),
)];

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
