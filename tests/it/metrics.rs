//! GET /metrics: served only by the metrics app (ATTEST_METRICS_ADDR), never on the public one;
//! requests counted by route pattern, pool use, queues and evaluation time.

use actix_web::http::StatusCode;
use actix_web::test;

use crate::api;
use crate::helpers::{TestApp, backend_test};

async fn scrape(app: &TestApp) -> String {
    let service = test::init_service(attest::http::metrics_app(app.state.clone())).await;
    let response = test::call_service(
        &service,
        test::TestRequest::get().uri("/metrics").to_request(),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/openmetrics-text")),
        "Prometheus content type"
    );
    String::from_utf8(test::read_body(response).await.to_vec()).unwrap()
}

/// The value of the first sample line that starts with `prefix`.
fn value(text: &str, prefix: &str) -> Option<f64> {
    text.lines()
        .find(|line| line.starts_with(prefix))
        .and_then(|line| line.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

backend_test!(metrics_are_not_on_the_public_address);
async fn metrics_are_not_on_the_public_address(app: TestApp) {
    let reply = app.get("/metrics").await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND, "{:?}", app.backend);
}

backend_test!(requests_are_counted_by_route_pattern_with_latency_pool_queues_and_evaluation_time);
async fn requests_are_counted_by_route_pattern_with_latency_pool_queues_and_evaluation_time(
    app: TestApp,
) {
    let w = app.world("28268@2").await;
    for _ in 0..3 {
        let reply = app
            .get_as(&w.candidate, &api::enrolment(&w.enrolment).progress())
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    }
    app.get("/healthz").await;
    app.get("/no/such/page").await;
    let text = scrape(&app).await;
    let series = "attest_http_requests_total{method=\"GET\",route=\"/api/enrolments/{id}/progress\",status=\"200\"}";
    assert_eq!(value(&text, series), Some(3.0), "{text}");
    assert!(
        !text.contains(&w.enrolment),
        "ids never become labels: {text}"
    );
    assert_eq!(
        value(
            &text,
            "attest_http_requests_total{method=\"GET\",route=\"unmatched\",status=\"404\"}"
        ),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        value(
            &text,
            "attest_http_request_duration_seconds_count{method=\"GET\",route=\"/api/enrolments/{id}/progress\"}"
        ),
        Some(3.0),
        "{text}"
    );
    assert!(text.contains("# TYPE attest_http_request_duration_seconds histogram"));
    // The first read evaluates (both views) and stores the result; the next two send the
    // stored evaluation without running the engine again.
    let evaluations = value(&text, "attest_evaluation_duration_seconds_count").unwrap_or(0.0);
    assert!((1.0..3.0).contains(&evaluations), "{text}");
    assert!(
        value(&text, "attest_db_pool_max_connections").unwrap_or(0.0) >= 1.0,
        "{text}"
    );
    assert!(
        value(&text, "attest_db_pool_connections").unwrap_or(0.0) >= 1.0,
        "{text}"
    );
    assert_eq!(
        value(&text, "attest_signin_queue_length"),
        Some(0.0),
        "{text}"
    );
    assert_eq!(
        value(&text, "attest_uploads_in_progress"),
        Some(0.0),
        "{text}"
    );
    assert_eq!(
        value(&text, "attest_http_requests_in_flight"),
        Some(0.0),
        "{text}"
    );
    assert!(text.trim_end().ends_with("# EOF"));
}
