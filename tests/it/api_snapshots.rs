//! Reviewed snapshots (insta) of what the API says: the problem+json bodies of representative
//! refusals, with the plain-words gaps a refused decision lists, and the whole OpenAPI document.
//! They live in `tests/it/snapshots/`; a change of wording or of the contract shows up as a diff to
//! review, not as silence. A mismatch fails the test; `.ci/run` sets `INSTA_UPDATE=no` so CI never
//! writes a `.snap.new` either. Accept a reviewed change with
//! `INSTA_UPDATE=always cargo test --test it api_snapshots` (or `cargo insta review`).
//! The engine's gap texts for every example portfolio are kept by `tests/rules/snapshots.rs`.

use actix_web::http::StatusCode;
use serde_json::{Value, json};

use crate::api;
use crate::helpers::{Backend, Reply, TestApp, backend_test};

/// `value` against the reviewed snapshot `name`, shared by both backends' tests (so it also
/// checks that they answer alike): the snapshot's file name leaves out the test's module.
fn snapshot(name: &str, value: &Value) {
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| insta::assert_json_snapshot!(name, value));
}

/// The problem+json body of `reply`, after checking its status and content type.
fn problem(reply: &Reply, status: StatusCode) -> Value {
    assert_eq!(reply.status, status, "{}", reply.text());
    assert_eq!(
        reply.header("content-type"),
        Some("application/problem+json"),
        "{}",
        reply.text()
    );
    reply.json()
}

backend_test!(problem_bodies_of_representative_refusals);
async fn problem_bodies_of_representative_refusals(app: TestApp) {
    let w = app.world("28268@2").await;
    let enrolment = api::enrolment(&w.enrolment);

    // No credentials at all.
    let anonymous = app.get(&enrolment.progress()).await;
    snapshot(
        "problem-401-signed-out",
        &problem(&anonymous, StatusCode::UNAUTHORIZED),
    );

    // An enrolment that does not exist (or that the caller may not know of).
    let missing = app
        .get_as(&w.assessor, &api::enrolment(uuid::Uuid::nil()).progress())
        .await;
    snapshot(
        "problem-404-unknown-enrolment",
        &problem(&missing, StatusCode::NOT_FOUND),
    );

    // Bad input names each field.
    let invalid = app
        .post_as(
            &w.assessor,
            &enrolment.evidence(),
            json!({"method": "observation", "date": "next Tuesday", "criteria": [{}]}),
        )
        .await;
    snapshot(
        "problem-422-invalid-evidence",
        &problem(&invalid, StatusCode::UNPROCESSABLE_ENTITY),
    );

    // A decision on a submitted but empty portfolio is refused with what is still needed, in
    // plain words (the engine's gap texts as the API hands them on).
    let submitted = app
        .post_as(
            &w.candidate,
            &enrolment.submit(),
            json!({"declaration": true}),
        )
        .await;
    assert_eq!(submitted.status, StatusCode::OK, "{}", submitted.text());
    let refused = app
        .post_as(&w.assessor, &enrolment.decision(), json!({}))
        .await;
    snapshot(
        "problem-409-decision-with-gaps",
        &problem(&refused, StatusCode::CONFLICT),
    );
}

/// The OpenAPI document changes exactly when the API's contract does. The document does not
/// depend on the database, so one backend is enough; the crate's version is left out, so a
/// release does not count as a change of contract.
#[actix_web::test]
async fn the_openapi_document_is_the_reviewed_one() {
    let app = TestApp::new(Backend::Sqlite);
    let reply = app.get(api::OPENAPI).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let mut doc = reply.json();
    let version = doc
        .pointer_mut("/info/version")
        .expect("the document names a version");
    assert_eq!(version, env!("CARGO_PKG_VERSION"));
    *version = json!("[version]");
    snapshot("openapi", &doc);
}
