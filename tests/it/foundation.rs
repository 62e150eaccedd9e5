//! Health, readiness, error shape, static files: on every backend.

use actix_web::http::StatusCode;
use diesel::RunQueryDsl;

use crate::api;
use crate::helpers::{Backend, TestApp, backend_test, backends};

#[actix_web::test]
async fn postgres_is_exercised_when_configured() {
    // CI sets ATTEST_TEST_POSTGRES_URL; this fails loudly if the suite silently ran SQLite only.
    if std::env::var("CI").is_ok() {
        assert!(
            backends().contains(&Backend::Postgres),
            "CI must set ATTEST_TEST_POSTGRES_URL so the tests exercise PostgreSQL"
        );
    }
}

backend_test!(healthz_and_readyz_answer_on_a_migrated_database);
async fn healthz_and_readyz_answer_on_a_migrated_database(app: TestApp) {
    let health = app.get("/healthz").await;
    assert_eq!(health.status, StatusCode::OK, "{:?}", app.backend);
    assert_eq!(health.json()["status"], "ok");
    let ready = app.get("/readyz").await;
    assert_eq!(
        ready.status,
        StatusCode::OK,
        "{:?}: {}",
        app.backend,
        ready.text()
    );
    assert!(health.header("x-request-id").is_some(), "request id echoed");
}

backend_test!(readyz_is_503_while_migrations_are_pending);
async fn readyz_is_503_while_migrations_are_pending(app: TestApp) {
    let mut conn = app.state.db.conn().unwrap();
    diesel::sql_query("DELETE FROM __diesel_schema_migrations")
        .execute(&mut *conn)
        .unwrap();
    drop(conn);
    let ready = app.get("/readyz").await;
    assert_eq!(
        ready.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{:?}",
        app.backend
    );
    assert_eq!(
        ready.header("content-type"),
        Some("application/problem+json")
    );
    assert!(
        ready.json()["detail"]
            .as_str()
            .unwrap()
            .contains("migrations pending")
    );
}

#[actix_web::test]
async fn unknown_api_path_is_problem_json_and_unknown_page_is_html() {
    let app = TestApp::new(Backend::Sqlite);
    let api = app.get("/api/nothing-here").await;
    assert_eq!(api.status, StatusCode::NOT_FOUND);
    assert_eq!(api.header("content-type"), Some("application/problem+json"));
    assert_eq!(api.json()["status"], 404);
    let page = app.get("/nothing-here").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    let html = page.text();
    assert!(
        html.contains("There is no page at") && html.contains("nothing-here"),
        "{html}"
    );
}

#[actix_web::test]
async fn stylesheet_is_served() {
    let app = TestApp::new(Backend::Sqlite);
    let css = app.get("/static/attest.css").await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(css.header("content-type").unwrap().starts_with("text/css"));
    assert_eq!(
        app.get("/static/missing.css").await.status,
        StatusCode::NOT_FOUND
    );
}

#[actix_web::test]
async fn openapi_describes_every_api_route() {
    let app = TestApp::new(Backend::Sqlite);
    let doc = app.get(api::OPENAPI).await;
    assert_eq!(doc.status, StatusCode::OK);
    let doc = doc.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let mut missing = Vec::new();
    for (method, path) in attest::http::routes::ROUTES {
        if !path.starts_with("/api/") {
            continue;
        }
        let operation = &doc["paths"][*path][method.to_ascii_lowercase()];
        if operation.is_null() {
            missing.push(format!("{method} {path}"));
        } else {
            assert!(
                operation["responses"]
                    .as_object()
                    .is_some_and(|r| !r.is_empty()),
                "{method} {path} has responses"
            );
        }
    }
    assert!(
        missing.is_empty(),
        "routes missing from the OpenAPI document: {missing:?}"
    );
    let routes: std::collections::BTreeSet<&str> = attest::http::routes::ROUTES
        .iter()
        .map(|(_, p)| *p)
        .collect();
    for documented in doc["paths"].as_object().unwrap().keys() {
        assert!(
            routes.contains(documented.as_str()),
            "{documented} is documented but has no route"
        );
    }
}
