//! What every request is observed with: its tracing span, its metrics and its request id.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, web};
use tracing_actix_web::{DefaultRootSpanBuilder, RequestId, RootSpanBuilder};

use crate::http::AppState;

/// The full pattern of the route that answered, kept with its resource when it is registered so
/// the metrics middleware labels a request without matching its path again.
#[derive(Debug, Clone, Copy)]
pub(super) struct RouteLabel(pub(super) &'static str);

/// The span each request runs in. Its route is recorded from the [`RouteLabel`] of the resource
/// that answered, once routing is done: tracing-actix-web's default span matches the path against
/// every pattern again before routing (a tenth of a progress read's instructions) and formats
/// its fields even when the level is off; here fields are read only when the span is enabled.
pub struct RequestSpan;

impl RootSpanBuilder for RequestSpan {
    fn on_request_start(request: &ServiceRequest) -> tracing::Span {
        tracing::info_span!(
            "HTTP request",
            http.method = %request.method(),
            http.route = tracing::field::Empty,
            http.target = %request.path(),
            http.status_code = tracing::field::Empty,
            otel.status_code = tracing::field::Empty,
            request_id = %request
                .extensions()
                .get::<RequestId>()
                .map(ToString::to_string)
                .unwrap_or_default(),
            exception.message = tracing::field::Empty,
            exception.details = tracing::field::Empty,
        )
    }

    fn on_request_end<B: MessageBody>(
        span: tracing::Span,
        outcome: &Result<ServiceResponse<B>, actix_web::Error>,
    ) {
        if let Ok(response) = outcome
            && let Some(RouteLabel(route)) = response.request().app_data::<RouteLabel>()
        {
            span.record("http.route", route);
        }
        DefaultRootSpanBuilder::on_request_end(span, outcome);
    }
}

/// Counts every request and its latency under its route pattern (`/api/enrolments/{id}`, never the
/// raw path, so ids do not make a series each); paths no route matches count as `unmatched`.
pub async fn record_metrics(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return next.call(req).await;
    };
    let method = req.method().as_str().to_owned();
    let in_flight = state.metrics.start();
    let result = next.call(req).await;
    match &result {
        Ok(response) => {
            let request = response.request();
            let status = response.status().as_u16();
            match request.app_data::<RouteLabel>() {
                Some(RouteLabel(route)) => in_flight.done(&method, route, status),
                // The fallback answered: a known path asked with another method is still
                // labelled with its pattern (matched here, off the common path).
                None => in_flight.done(
                    &method,
                    request.match_pattern().as_deref().unwrap_or("unmatched"),
                    status,
                ),
            }
        }
        Err(err) => in_flight.done(
            &method,
            "unmatched",
            err.as_response_error().status_code().as_u16(),
        ),
    }
    result
}

/// Echoes the request id that tracing logged, so a user's report can be matched to the log.
pub async fn request_id_header(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = req.extensions().get::<RequestId>().map(|id| id.to_string());
    let mut response = next.call(req).await?;
    if let Some(value) = id.and_then(|id| HeaderValue::from_str(&id).ok()) {
        response
            .headers_mut()
            .insert(HeaderName::from_static("x-request-id"), value);
    }
    Ok(response)
}
