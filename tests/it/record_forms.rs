//! Issue 19, item 3: forms read as types. The evidence forms whose names are built at run time
//! (checklist lines, question rows, witness details, range items) refuse a body no page makes
//! with a 400 naming the field, and change nothing.

use actix_web::http::StatusCode;

use crate::helpers::{TestApp, backend_test};

/// Posts `fields` to `path` as `token`'s browser: a 400 naming `named`, and no evidence added.
async fn refused(app: &TestApp, token: &str, path: &str, fields: &[(&str, &str)], named: &str) {
    let before = app.count("evidence");
    let reply = app.browser(token).post(app, path, fields).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.text());
    assert!(reply.text().contains(named), "{named}: {}", reply.text());
    assert_eq!(app.count("evidence"), before);
}

backend_test!(a_checklist_line_sent_twice_is_refused_naming_it);
async fn a_checklist_line_sent_twice_is_refused_naming_it(app: TestApp) {
    let w = app.world("28268@2").await;
    let observe = format!("/enrolments/{}/observations/new", w.enrolment);
    let base = [
        ("outcome", "1"),
        ("setting", "workplace"),
        ("date", "2024-05-06"),
    ];
    let mut twice = base.to_vec();
    twice.extend([("result.1.1", "shown"), ("result.1.1", "not_shown")]);
    refused(
        &app,
        &w.assessor,
        &observe,
        &twice,
        "result.1.1: is sent more than once",
    )
    .await;
    let mut start = base.to_vec();
    start.extend([("details.start", "09:00"), ("details.start", "10:00")]);
    refused(
        &app,
        &w.assessor,
        &observe,
        &start,
        "details.start: is sent more than once",
    )
    .await;
}

backend_test!(a_question_row_without_its_number_is_refused_naming_it);
async fn a_question_row_without_its_number_is_refused_naming_it(app: TestApp) {
    let w = app.world("28268@2").await;
    let questioning = format!("/enrolments/{}/questioning/new", w.enrolment);
    refused(
        &app,
        &w.assessor,
        &questioning,
        &[
            ("method", "oral_questioning"),
            ("setting", "workplace"),
            ("date", "2024-05-06"),
            ("criteria", "1.1"),
            ("question.first", "What did you say?"),
            ("answer.1", "Hello"),
        ],
        "question.first: is not a whole number",
    )
    .await;
}

backend_test!(a_witness_detail_sent_twice_is_refused_naming_it);
async fn a_witness_detail_sent_twice_is_refused_naming_it(app: TestApp) {
    let w = app.world("28268@2").await;
    let testimony = format!("/enrolments/{}/testimony/new", w.enrolment);
    refused(
        &app,
        &w.candidate,
        &testimony,
        &[
            ("details.witness.name", "Ngaio Marsh"),
            ("details.witness.name", "Someone else"),
            ("setting", "workplace"),
            ("date", "2024-05-08"),
            ("criteria", "3.1"),
            ("declaration", "yes"),
        ],
        "details.witness.name: is sent more than once",
    )
    .await;
}

backend_test!(a_range_item_list_as_rows_is_refused_naming_it);
async fn a_range_item_list_as_rows_is_refused_naming_it(app: TestApp) {
    let w = app.world("28268@2").await;
    let testimony = format!("/enrolments/{}/testimony/new", w.enrolment);
    // The shared record part: a channel sent as rows is no list of ticked boxes.
    refused(
        &app,
        &w.candidate,
        &testimony,
        &[
            ("setting", "workplace"),
            ("date", "2024-05-08"),
            ("channel", "phone"),
            ("channel[0]", "email"),
        ],
        "channel: is sent both as values and as rows",
    )
    .await;
}
