//! The API as a contract and input that must never hurt: control characters in any text (both
//! backends: PostgreSQL cannot store NUL), refused uploads that leave nothing on disk, and bodies
//! that are not exactly one JSON object of the documented shape.

use actix_web::http::{Method, StatusCode};

use crate::helpers::{PASSWORD, Reply, TestApp};
use crate::pages::pairs;

/// A 422 problem naming `field`.
fn assert_refused_field(reply: &Reply, field: &str) {
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.text()
    );
    assert_eq!(
        reply.header("content-type"),
        Some("application/problem+json")
    );
    let problem = reply.json();
    assert!(
        problem["errors"][field].is_string(),
        "{field} not named: {problem}"
    );
}

#[actix_web::test]
async fn nul_and_control_characters_are_refused_by_field_on_every_backend() {
    for app in TestApp::all() {
        let w = app.world("28268").await;
        // Unauthenticated sign-in, over the API and the page (which refuses before its CSRF check).
        let login = app
            .request(
                Method::POST,
                "/api/auth/login",
                Some(serde_json::json!({ "email": "admin@harbour.nz\u{0}", "password": PASSWORD })),
            )
            .await;
        assert_refused_field(&login, "email");
        let page = app
            .browse(
                &[],
                Method::POST,
                "/login",
                Some(pairs(&[("email", "x@y.nz"), ("password", "a\u{0}b")])),
            )
            .await;
        assert_refused_field(&page, "password");

        // A signed-in write, nested field paths, query parameters and path segments.
        let users = app.count("users");
        let created = app
            .request_as(
                Some(&w.admin),
                Method::POST,
                &format!("/api/orgs/{}/users", w.org),
                Some(serde_json::json!({
                    "email": "bell@harbour.nz", "name": "Bell\u{7}", "password": PASSWORD,
                    "role": "candidate"
                })),
            )
            .await;
        assert_refused_field(&created, "name");
        assert_eq!(app.count("users"), users, "nothing written");
        let query = app
            .request_as(
                Some(&w.admin),
                Method::GET,
                "/api/enrolments?standard=28%00268",
                None,
            )
            .await;
        assert_refused_field(&query, "standard");
        let path = app
            .request_as(
                Some(&w.admin),
                Method::GET,
                "/api/standards/282%0068/2",
                None,
            )
            .await;
        assert_refused_field(&path, "path");

        // A page form of a signed-in person.
        let browser = app.browser(&w.admin);
        let form = browser
            .post(
                &app,
                &format!("/orgs/{}/people", w.org),
                &[
                    ("email", "bell@harbour.nz"),
                    ("name", "Bell\u{1b}[31m"),
                    ("password", PASSWORD),
                    ("role", "candidate"),
                ],
            )
            .await;
        assert_refused_field(&form, "name");
        assert_eq!(app.count("users"), users, "nothing written");

        // Line breaks and tabs are text.
        let multi_line = app
            .request_as(
                Some(&w.admin),
                Method::POST,
                &format!("/api/orgs/{}/users", w.org),
                Some(serde_json::json!({
                    "email": "bell@harbour.nz", "name": "Bell\tHooks", "password": PASSWORD,
                    "role": "candidate"
                })),
            )
            .await;
        assert_eq!(
            multi_line.status,
            StatusCode::CREATED,
            "{}",
            multi_line.text()
        );
    }
}
