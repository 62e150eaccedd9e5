//! Conditional GET on progress: an ETag that follows the content, 304 while it is unchanged.

use actix_web::http::StatusCode;
use actix_web::test;

use attest::http::build_app;

use crate::api;
use crate::helpers::{Reply, TestApp, World, backend_test};
use crate::portfolio::complete_portfolio;

async fn progress(app: &TestApp, w: &World, if_none_match: Option<&str>) -> Reply {
    request(app, w, Some(&w.assessor), if_none_match).await
}

async fn request(
    app: &TestApp,
    w: &World,
    token: Option<&str>,
    if_none_match: Option<&str>,
) -> Reply {
    let service = test::init_service(build_app(app.state.clone())).await;
    let mut req = test::TestRequest::get().uri(&api::enrolment(&w.enrolment).progress());
    if let Some(token) = token {
        req = req.insert_header(("Authorization", format!("Bearer {token}")));
    }
    if let Some(tag) = if_none_match {
        req = req.insert_header(("If-None-Match", tag.to_owned()));
    }
    let response = test::call_service(&service, req.to_request()).await;
    Reply {
        status: response.status(),
        headers: response.headers().clone(),
        body: test::read_body(response).await.to_vec(),
    }
}

backend_test!(progress_answers_304_until_the_portfolio_changes);
async fn progress_answers_304_until_the_portfolio_changes(app: TestApp) {
    let w = app.world("28268@2").await;
    let first = progress(&app, &w, None).await;
    assert_eq!(first.status, StatusCode::OK);
    let tag = first.header("etag").expect("an ETag").to_owned();
    assert!(tag.starts_with('"') && tag.ends_with('"'), "{tag}");
    assert_eq!(first.header("cache-control"), Some("private, no-cache"));
    assert_eq!(first.json()["confirmed"]["complete"], false);

    let same = progress(&app, &w, Some(&tag)).await;
    assert_eq!(same.status, StatusCode::NOT_MODIFIED, "{:?}", app.backend);
    assert!(same.body.is_empty());
    assert_eq!(same.header("etag"), Some(tag.as_str()));
    let listed = progress(&app, &w, Some(&format!("\"stale\", W/{tag}"))).await;
    assert_eq!(listed.status, StatusCode::NOT_MODIFIED, "weak comparison");
    let stale = progress(&app, &w, Some("\"stale\"")).await;
    assert_eq!(stale.status, StatusCode::OK);
    assert_eq!(stale.body, first.body);

    complete_portfolio(&app, &w).await;
    let changed = progress(&app, &w, Some(&tag)).await;
    assert_eq!(changed.status, StatusCode::OK, "{:?}", app.backend);
    assert_ne!(changed.header("etag"), Some(tag.as_str()));
    assert_eq!(changed.json()["confirmed"]["complete"], true);

    // A tag is no key: without a session the answer is 401, never 304.
    let anonymous = request(&app, &w, None, Some(&tag)).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
}
