//! Sign-in throttling and the verification pool (issues 17 and 18), on every backend.

use std::net::SocketAddr;

use actix_web::http::StatusCode;
use actix_web::test;
use chrono::{TimeDelta, Utc};
use diesel::prelude::*;
use serde_json::json;

use crate::api;
use crate::helpers::{PASSWORD, Reply, TestApp, backend_test};
use attest::action::ActionError;
use attest::auth::verifier::Verifier;
use attest::db::schema::login_failures;
use attest::http::build_app;
use attest::identity::{self, Attempt};

/// A sign-in over the API from `peer`, with extra headers.
async fn login_from(
    app: &TestApp,
    peer: &str,
    headers: &[(&str, &str)],
    email: &str,
    password: &str,
) -> Reply {
    let service = test::init_service(build_app(app.state.clone())).await;
    let mut req = test::TestRequest::post()
        .uri(api::LOGIN)
        .peer_addr(peer.parse::<SocketAddr>().expect("peer"))
        .set_json(json!({ "email": email, "password": password }));
    for (name, value) in headers {
        req = req.insert_header((*name, *value));
    }
    let response = test::call_service(&service, req.to_request()).await;
    let status = response.status();
    let headers = response.headers().clone();
    let body = test::read_body(response).await.to_vec();
    Reply {
        status,
        headers,
        body,
    }
}

/// Pushes a failure record's count up to `failures` with a last failure just now, so the wait it
/// imposes (seconds to minutes) cannot elapse while the test runs.
fn stretch(app: &TestApp, scope: &str, subject: &str, failures: i32) {
    let mut conn = app.state.db.conn().unwrap();
    let rows = diesel::update(login_failures::table.find((scope, subject)))
        .set((
            login_failures::failures.eq(failures),
            login_failures::last_failure.eq(Utc::now().naive_utc()),
        ))
        .execute(&mut *conn)
        .unwrap();
    assert_eq!(rows, 1, "no {scope} record for {subject}");
}

fn stored_failures(app: &TestApp, scope: &str, subject: &str) -> Option<i32> {
    let mut conn = app.state.db.conn().unwrap();
    login_failures::table
        .find((scope, subject))
        .select(login_failures::failures)
        .first(&mut *conn)
        .optional()
        .unwrap()
}

backend_test!(known_and_unknown_emails_are_throttled_alike_after_five_failures);
async fn known_and_unknown_emails_are_throttled_alike_after_five_failures(app: TestApp) {
    let org = app.seed_org("Harbour Training");
    app.seed_user(&org, "ana@example.org", "candidate");
    let mut answers: Vec<(StatusCode, String)> = Vec::new();
    for email in ["ana@example.org", "nobody@example.org"] {
        for attempt in 1..=5 {
            let reply = login_from(&app, "192.0.2.1:5000", &[], email, "not the password").await;
            assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{email} #{attempt}");
        }
        assert_eq!(
            stored_failures(&app, "email", email),
            Some(5),
            "{:?}",
            app.backend
        );
        stretch(&app, "email", email, 10);
        // Even the right password is not checked now.
        let reply = login_from(&app, "192.0.2.1:5000", &[], email, PASSWORD).await;
        assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS, "{email}");
        let retry: u64 = reply.header("retry-after").unwrap().parse().unwrap();
        assert!(
            (20..=32).contains(&retry),
            "32 s after ten failures: {retry}"
        );
        answers.push((reply.status, reply.json()["detail"].to_string()));
    }
    assert_eq!(answers[0], answers[1], "the answers tell the emails apart");
}

backend_test!(one_address_is_throttled_across_many_emails);
async fn one_address_is_throttled_across_many_emails(app: TestApp) {
    let org = app.seed_org("Harbour Training");
    app.seed_user(&org, "ana@example.org", "candidate");
    let reply = login_from(&app, "198.51.100.7:4000", &[], "guess1@example.org", "x").await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    stretch(&app, "address", "198.51.100.7", 55);
    // A fresh email from that address waits; the same email from elsewhere does not.
    let blocked = login_from(&app, "198.51.100.7:4001", &[], "ana@example.org", PASSWORD).await;
    assert_eq!(
        blocked.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{:?}",
        app.backend
    );
    assert!(blocked.header("retry-after").is_some());
    let elsewhere = login_from(&app, "203.0.113.5:4000", &[], "ana@example.org", PASSWORD).await;
    assert_eq!(elsewhere.status, StatusCode::OK, "{}", elsewhere.text());
}

backend_test!(a_success_clears_the_email_and_refunds_only_its_own_claim_on_the_address);
async fn a_success_clears_the_email_and_refunds_only_its_own_claim_on_the_address(app: TestApp) {
    let org = app.seed_org("Harbour Training");
    app.seed_user(&org, "ana@example.org", "candidate");
    for _ in 0..3 {
        login_from(&app, "192.0.2.9:1", &[], "ana@example.org", "wrong guess").await;
    }
    assert_eq!(stored_failures(&app, "address", "192.0.2.9"), Some(3));
    let ok = login_from(&app, "192.0.2.9:1", &[], "ana@example.org", PASSWORD).await;
    assert_eq!(ok.status, StatusCode::OK);
    assert_eq!(stored_failures(&app, "email", "ana@example.org"), None);
    assert_eq!(stored_failures(&app, "address", "192.0.2.9"), Some(3));
}

#[actix_web::test]
async fn forwarded_for_is_believed_only_from_a_trusted_proxy() {
    let mut app = TestApp::new(crate::helpers::Backend::Sqlite);
    let mut config = (*app.state.config).clone();
    config.trusted_proxies = vec!["10.0.0.2".parse().unwrap()];
    app.state.config = std::sync::Arc::new(config);
    let forwarded = [("x-forwarded-for", "6.6.6.6, 198.51.100.20")];
    login_from(&app, "10.0.0.2:80", &forwarded, "a@example.org", "x").await;
    assert_eq!(stored_failures(&app, "address", "198.51.100.20"), Some(1));
    assert_eq!(stored_failures(&app, "address", "10.0.0.2"), None);
    // From anyone else the header is the client's own claim, and is ignored.
    login_from(&app, "192.0.2.50:80", &forwarded, "a@example.org", "x").await;
    assert_eq!(stored_failures(&app, "address", "192.0.2.50"), Some(1));
    assert_eq!(stored_failures(&app, "address", "6.6.6.6"), None);
}

backend_test!(concurrent_guesses_check_exactly_the_free_passwords);
async fn concurrent_guesses_check_exactly_the_free_passwords(app: TestApp) {
    let org = app.seed_org("Harbour Training");
    app.seed_user(&org, "ana@example.org", "candidate");
    // One instant for every guess: the count alone decides, however slowly the machine runs.
    let now = Utc::now();
    let guesses = (0..32).map(|i| {
        let attempt = Attempt {
            email: "ana@example.org".into(),
            password: format!("guess number {i}"),
            address: format!("192.0.2.{i}"),
            code: None,
        };
        let state = app.state.clone();
        async move { identity::login(&state.db, &state.verifier, attempt, now).await }
    });
    let outcomes = futures_util::future::join_all(guesses).await;
    let checked = outcomes
        .iter()
        .filter(|o| matches!(o, Err(ActionError::Unauthenticated(_))))
        .count();
    let throttled = outcomes
        .iter()
        .filter(|o| matches!(o, Err(ActionError::Throttled(_))))
        .count();
    assert_eq!(
        (checked, throttled),
        (5, 27),
        "{:?}: {outcomes:?}",
        app.backend
    );
    assert_eq!(stored_failures(&app, "email", "ana@example.org"), Some(5));
}

backend_test!(a_flood_of_sign_ins_is_refused_by_the_full_pool_while_writes_go_through);
/// A flood of sign-ins against a pool of one worker and a queue of one, filled on purpose (a
/// worker held until the test lets go, a real sign-in queued behind it): the flood is refused at
/// once with 429 and `Retry-After`, while the queued sign-in holds no transaction, so writes go
/// through. No sleeps, no timing: the test waits only for the pool's own counts.
async fn a_flood_of_sign_ins_is_refused_by_the_full_pool_while_writes_go_through(mut app: TestApp) {
    let w = app.world("28268@2").await;
    app.state.verifier = Verifier::new(1, 1);
    let verifier = app.state.verifier.clone();

    // Hold the only worker until the test lets go.
    let (release, gate) = std::sync::mpsc::channel::<()>();
    let (started, holding) = tokio::sync::oneshot::channel::<()>();
    let busy = actix_web::rt::spawn({
        let verifier = verifier.clone();
        async move {
            verifier
                .run(move || {
                    started.send(()).ok();
                    gate.recv().ok();
                })
                .await
        }
    });
    holding.await.unwrap();

    // A real sign-in queues behind it: its slot is claimed (and committed) before it waits.
    let queued = actix_web::rt::spawn({
        let state = app.state.clone();
        let attempt = Attempt {
            email: "aroha@harbour.nz".into(),
            password: PASSWORD.into(),
            address: "192.0.2.1".into(),
            code: None,
        };
        async move { identity::login(&state.db, &state.verifier, attempt, Utc::now()).await }
    });
    verifier.until_admitted(2).await;
    assert_eq!(stored_failures(&app, "email", "aroha@harbour.nz"), Some(1));

    // The flood: every sign-in beyond the queue is told to come back, known email or not.
    for (n, email) in ["admin@harbour.nz", "mere@harbour.nz", "nobody@harbour.nz"]
        .iter()
        .enumerate()
    {
        let refused = login_from(&app, &format!("198.51.100.{n}:4000"), &[], email, PASSWORD).await;
        assert_eq!(
            refused.status,
            StatusCode::TOO_MANY_REQUESTS,
            "{email} on {:?}: {}",
            app.backend,
            refused.text()
        );
        assert_eq!(refused.header("retry-after"), Some("1"));
        assert_eq!(
            refused.header("content-type"),
            Some("application/problem+json")
        );
    }
    assert_eq!(verifier.admitted(), 2, "the refused ones hold nothing");

    // Writes are not held up by the waiting sign-in (SQLite would refuse a second writer).
    let cohort = app
        .request_as(
            Some(&w.admin),
            actix_web::http::Method::POST,
            &api::org(&w.org).cohorts(),
            Some(json!({"name": "Flood intake", "standard": "28268@2"})),
        )
        .await;
    assert_eq!(cohort.status, StatusCode::CREATED, "{}", cohort.text());

    // Let go: the queued sign-in succeeds, and the pool takes sign-ins again.
    release.send(()).unwrap();
    busy.await.unwrap().unwrap();
    let signed_in = queued.await.unwrap();
    assert!(signed_in.is_ok(), "{signed_in:?}");
    let again = login_from(&app, "198.51.100.9:4000", &[], "mere@harbour.nz", PASSWORD).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.text());
    assert_eq!(verifier.admitted(), 0);
}

backend_test!(throttle_records_are_forgotten_a_day_after_the_last_failure);
async fn throttle_records_are_forgotten_a_day_after_the_last_failure(app: TestApp) {
    let now = Utc::now();
    let attempt = |email: &str| Attempt {
        email: email.into(),
        password: "wrong".into(),
        address: "192.0.2.1".into(),
        code: None,
    };
    let old = identity::login(
        &app.state.db,
        &app.state.verifier,
        attempt("old@example.org"),
        now - TimeDelta::days(2),
    )
    .await;
    assert!(matches!(old, Err(ActionError::Unauthenticated(_))));
    assert_eq!(stored_failures(&app, "email", "old@example.org"), Some(1));
    let _ = identity::login(
        &app.state.db,
        &app.state.verifier,
        attempt("new@example.org"),
        now,
    )
    .await;
    assert_eq!(stored_failures(&app, "email", "old@example.org"), None);
    assert_eq!(app.count("login_failures"), 2, "new email and the address");
}
