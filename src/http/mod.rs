//! The HTTP layer: the application state, the route table, the server, the error mapping.
//! Handlers are thin: extract and authorize, call one action, render.

pub mod api;
mod conditional;
pub mod download;
pub mod error;
pub mod extract;
mod health;
pub mod inline;
mod pages;
pub mod routes;
pub mod session;
mod shared;
mod state;
mod strict;
mod templates;
mod upload;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::{App, HttpServer, middleware, web};
use tracing_actix_web::TracingLogger;

pub use error::ApiError;
pub use state::{AppState, StateError};

/// The application exactly as the server runs it; tests build the same thing in-process.
pub fn build_app(
    state: AppState,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let secure = state.config.secure_cookies;
    App::new()
        .app_data(web::Data::new(state))
        // One limit for every JSON body, whichever extractor reads it (`Bytes` would stop at 256 KiB).
        .app_data(web::PayloadConfig::new(extract::JSON_LIMIT))
        .app_data(
            web::JsonConfig::default()
                .limit(extract::JSON_LIMIT)
                .error_handler(|err, _req| error::json_error(err).into()),
        )
        .app_data(
            web::PathConfig::default()
                .error_handler(|err, _req| ApiError::field("path", err.to_string()).into()),
        )
        .app_data(
            web::QueryConfig::default()
                .error_handler(|err, _req| ApiError::field("query", err.to_string()).into()),
        )
        .wrap(middleware::from_fn(extract::plain_url))
        .wrap(security_headers(secure))
        .wrap(middleware::from_fn(routes::request_id_header))
        .wrap(TracingLogger::<routes::RequestSpan>::new())
        .wrap(middleware::from_fn(routes::record_metrics))
        .configure(routes::configure)
}

/// The metrics application: `GET /metrics` only, served on `ATTEST_METRICS_ADDR` (never on the
/// public address). Tests call it in-process.
pub fn metrics_app(
    state: AppState,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new()
        .app_data(web::Data::new(state))
        .route("/metrics", web::get().to(metrics))
}

async fn metrics(state: web::Data<AppState>) -> actix_web::HttpResponse {
    actix_web::HttpResponse::Ok()
        .content_type(crate::metrics::CONTENT_TYPE)
        .body(state.render_metrics())
}

/// The policy every response carries: scripts, styles, images and fonts only from Attest itself
/// (no inline script, so injected markup cannot run), forms post only here, no framing (a signing
/// page cannot be overlaid), and no address leaves with a link followed elsewhere. Inline `style`
/// attributes are allowed for the chart bars' widths.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     style-src-attr 'unsafe-inline'; img-src 'self' data:; font-src 'self'; object-src 'none'; \
     base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Served only when cookies are Secure, i.e. Attest is reached over HTTPS: a browser that has seen
/// it refuses plain HTTP to this host for a year, so a session cookie is never sent in the clear.
const STRICT_TRANSPORT_SECURITY: &str = "max-age=31536000";

fn security_headers(https: bool) -> middleware::DefaultHeaders {
    let headers = middleware::DefaultHeaders::new()
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("Content-Security-Policy", CONTENT_SECURITY_POLICY))
        .add(("X-Frame-Options", "DENY"))
        .add(("Referrer-Policy", "same-origin"));
    if https {
        headers.add(("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY))
    } else {
        headers
    }
}

/// Serves `state` on its configured address until SIGINT or SIGTERM, then drains and stops.
pub async fn serve(state: AppState) -> std::io::Result<()> {
    let bind = state.config.bind;
    let state_for_checkpoints = state.clone();
    let metrics_server = match state.config.metrics_addr {
        Some(addr) => {
            let state = state.clone();
            let server = HttpServer::new(move || metrics_app(state.clone()))
                .workers(1)
                .bind(addr)?
                .shutdown_timeout(1)
                .run();
            tracing::info!(%addr, "metrics on http://{addr}/metrics");
            Some(server)
        }
        None => None,
    };
    // Every request's database work runs on a blocking thread that first waits for a pooled
    // connection, so more blocking threads than connections only add threads that wait, and
    // each keeps what it allocated in its allocator arena (64 connections left hundreds of MB).
    // Per worker, a few more than the pool, so a slow download's streaming thread does not
    // take a connection's turn.
    let (_, _, connections) = state.db.pool_use();
    let blocking = usize::try_from(connections).unwrap_or(8) + 2;
    let server = HttpServer::new(move || build_app(state.clone()))
        .worker_max_blocking_threads(blocking)
        .bind(bind)?
        .shutdown_timeout(10);
    tracing::info!(%bind, "listening on http://{bind}");
    if let Some(metrics_server) = metrics_server {
        actix_web::rt::spawn(metrics_server);
    }
    actix_web::rt::spawn(crate::checkpoints::periodically(
        state_for_checkpoints.db.clone(),
        state_for_checkpoints.keys.clone(),
        state_for_checkpoints.config.public_url.clone(),
    ));
    server.run().await
}
