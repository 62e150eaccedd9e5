//! Issue 19, item 3: forms read as types. The evidence forms whose names are built at run time
//! (checklist lines, question rows, witness details, range items) refuse a body no page makes
//! with a 400 naming the field, and change nothing; the flat admin forms (enrolling, staff, issuing
//! a statement, interpretations) read as types too: a bad value is a 422 naming the field.

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

/// Posts `fields` to `path` as `token`'s browser: `status` with `named` in the reply, and no row
/// added to `table`.
async fn refused_with(
    app: &TestApp,
    (token, path): (&str, &str),
    fields: &[(&str, &str)],
    (status, named): (StatusCode, &str),
    table: &str,
) {
    let before = app.count(table);
    let reply = app.browser(token).post(app, path, fields).await;
    assert_eq!(reply.status, status, "{path}: {}", reply.text());
    assert!(reply.text().contains(named), "{named}: {}", reply.text());
    assert_eq!(app.count(table), before, "{path}: {table}");
}

const SHAPE: StatusCode = StatusCode::BAD_REQUEST;
const VALUE: StatusCode = StatusCode::UNPROCESSABLE_ENTITY;

backend_test!(the_flat_admin_forms_refuse_a_bad_value_naming_the_field);
async fn the_flat_admin_forms_refuse_a_bad_value_naming_the_field(app: TestApp) {
    let w = app.world("28268@2").await;
    let enrol = format!("/orgs/{}/enrolments", w.org);
    let admin = (w.admin.as_str(), enrol.as_str());
    let chosen = [
        ("candidate_id", w.candidate_id.as_str()),
        ("standard", "28268@2"),
    ];
    let mut bad_date = chosen.to_vec();
    bad_date.push(("start_date", "2024-13-40"));
    let enrolled = (VALUE, "Enter a real date");
    refused_with(&app, admin, &bad_date, enrolled, "enrolments").await;
    let nobody = [("candidate_id", "nobody"), ("standard", "28268@2")];
    let listed = (VALUE, "Choose someone from the list");
    refused_with(&app, admin, &nobody, listed, "enrolments").await;
    let mut twice = chosen.to_vec();
    twice.push(("candidate_id", w.assessor_id.as_str()));
    let repeated = (SHAPE, "candidate_id: is sent more than once");
    refused_with(&app, admin, &twice, repeated, "enrolments").await;

    let staff = format!("/enrolments/{}/staff", w.enrolment);
    let admin = (w.admin.as_str(), staff.as_str());
    let listed = (VALUE, "Choose someone from the list");
    refused_with(
        &app,
        admin,
        &[("assessor_id", "nobody")],
        listed,
        "audit_log",
    )
    .await;
    let twice = [("iv_id", w.iv_id.as_str()), ("iv_id", "")];
    let repeated = (SHAPE, "iv_id: is sent more than once");
    refused_with(&app, admin, &twice, repeated, "audit_log").await;

    let issue = format!("/orgs/{}/statements", w.org);
    let admin = (w.admin.as_str(), issue.as_str());
    let chosen = (VALUE, "Choose the enrolment");
    refused_with(
        &app,
        admin,
        &[("enrolment_id", "nope")],
        chosen,
        "statements",
    )
    .await;
    let twice = [("enrolment_id", w.enrolment.as_str()), ("enrolment_id", "")];
    let repeated = (SHAPE, "enrolment_id: is sent more than once");
    refused_with(&app, admin, &twice, repeated, "statements").await;

    let save = format!("/orgs/{}/settings/interpretations/28268/2", w.org);
    let admin = (w.admin.as_str(), save.as_str());
    let unknown = (VALUE, "no interpretation `nonsense`");
    refused_with(
        &app,
        admin,
        &[("rule.N9", "nonsense")],
        unknown,
        "audit_log",
    )
    .await;
    let twice = [("rule.N9", "rapport"), ("rule.N9", "customer_needs")];
    let repeated = (SHAPE, "rule.N9: is sent more than once");
    refused_with(&app, admin, &twice, repeated, "audit_log").await;
}

backend_test!(mark_all_and_the_questioning_method_sent_twice_are_refused_naming_them);
async fn mark_all_and_the_questioning_method_sent_twice_are_refused_naming_them(app: TestApp) {
    let w = app.world("28268@2").await;
    let observe = format!("/enrolments/{}/observations/new", w.enrolment);
    let assessor = (w.assessor.as_str(), observe.as_str());
    let twice = [("outcome", "1"), ("mark_all", "1"), ("mark_all", "2")];
    let repeated = (SHAPE, "mark_all: is sent more than once");
    refused_with(&app, assessor, &twice, repeated, "evidence").await;
    let questioning = format!("/enrolments/{}/questioning/new", w.enrolment);
    let assessor = (w.assessor.as_str(), questioning.as_str());
    let twice = [
        ("method", "oral_questioning"),
        ("method", "written_questioning"),
    ];
    let repeated = (SHAPE, "method: is sent more than once");
    refused_with(&app, assessor, &twice, repeated, "evidence").await;
}
