//! Issue 15, the hand-offs between people, on every backend: the IV's disagreement reaches the
//! assessor and their answers reach the IV; the candidate acknowledges assessment records; the
//! decision is one form with "competent" and "not yet competent"; the certified candidate gets
//! their statement; the candidate's dashboard lists what needs them.

use std::io::{Cursor, Read};

use actix_web::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::api;
use crate::helpers::{Reply, TestApp, World, backend_test, complete_portfolio, multipart};

async fn call(
    app: &TestApp,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> Reply {
    app.request_as(Some(token), method, path, body).await
}

async fn ok(app: &TestApp, token: &str, path: &str, body: Value) -> Value {
    let reply = call(app, token, Method::POST, path, Some(body)).await;
    assert!(
        reply.status.is_success(),
        "{path}: {} {}",
        reply.status,
        reply.text()
    );
    reply.json()
}

/// Completed, submitted and decided "competent" through the API.
async fn decided(app: &TestApp, w: &World) {
    let base = api::enrolment(&w.enrolment);
    complete_portfolio(app, w).await;
    ok(
        app,
        &w.candidate,
        &base.submit(),
        json!({"declaration": true}),
    )
    .await;
    ok(app, &w.assessor, &base.decision(), json!({})).await;
}

/// The inbox items of the person signed in with `token`, as (kind, message).
async fn inbox(app: &TestApp, token: &str) -> Vec<(String, String)> {
    let reply = call(app, token, Method::GET, api::ME_NOTIFICATIONS, None)
        .await
        .json();
    reply["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["kind"].as_str().unwrap().to_owned(),
                n["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn audit_actions(app: &TestApp) -> Vec<String> {
    app.tx(|c| {
        use attest::db::schema::audit_log;
        use diesel::prelude::*;
        Ok(audit_log::table
            .select(audit_log::action)
            .load::<String>(c)?)
    })
}

backend_test!(the_ivs_disagreement_reaches_the_assessor_and_their_answers_reach_the_iv);
async fn the_ivs_disagreement_reaches_the_assessor_and_their_answers_reach_the_iv(app: TestApp) {
    let w = app.world("28268@2").await;
    let base = api::enrolment(&w.enrolment);
    decided(&app, &w).await;
    // A second candidate of the same assessor, listed before the sent-back one otherwise.
    let other = app.seed_user(&w.org, "tane@harbour.nz", "candidate");
    ok(
        &app,
        &w.admin,
        api::ENROLMENTS,
        json!({
            "org_id": w.org, "candidate_id": other, "assessor_id": w.assessor_id,
            "iv_id": w.iv_id, "standard": "28268@2", "start_date": "2024-05-01"}),
    )
    .await;

    ok(&app, &w.iv, &base.samples(), json!({"decision": "disagree",
            "feedback": "The 1.3 evidence does not show the caller's need was confirmed.",
            "action_points": "1. Re-observe one call for 1.3\n2. Record how the need was confirmed"})).await;

    // The caseload flags it and lists it first, in every sort.
    let assessor = app.browser(&w.assessor);
    for sort in ["waiting", "close", "idle"] {
        let caseload = assessor
            .get(&app, &format!("/caseload?sort={sort}"))
            .await
            .text();
        assert!(caseload.contains("sent back by the IV"), "{caseload}");
        let first_row = caseload
            .split("<tbody>")
            .nth(1)
            .and_then(|b| b.split("</tr>").next())
            .unwrap_or_default();
        assert!(
            first_row.contains("sent back by the IV") && first_row.contains("aroha@harbour.nz"),
            "{sort}: {first_row}"
        );
    }
    // The portfolio and the decision page show the feedback and each action point.
    let portfolio = assessor
        .get(&app, &format!("/enrolments/{}", w.enrolment))
        .await
        .text();
    assert!(
        portfolio.contains("Sent back by the internal verifier"),
        "{portfolio}"
    );
    assert!(
        portfolio.contains("does not show the caller&#x27;s need")
            || portfolio.contains("does not show the caller's need"),
        "{portfolio}"
    );
    assert!(
        portfolio.contains("<li>Re-observe one call for 1.3</li>"),
        "{portfolio}"
    );
    let page = format!("/enrolments/{}/decision", w.enrolment);
    let decision = assessor.get(&app, &page).await.text();
    assert!(
        decision.contains("Action point 1: Re-observe one call for 1.3"),
        "{decision}"
    );
    assert!(decision.contains("name=\"responses.1\""), "{decision}");
    // The candidate does not see the IV's words to the assessor.
    let own = app
        .browser(&w.candidate)
        .get(&app, &format!("/enrolments/{}", w.enrolment))
        .await
        .text();
    assert!(!own.contains("Sent back by the internal verifier"));
    let chain = call(&app, &w.assessor, Method::GET, &base.signoffs(), None)
        .await
        .json();
    assert_eq!(
        chain["sent_back"]["action_points"],
        json!([
            "Re-observe one call for 1.3",
            "Record how the need was confirmed"
        ]),
        "{chain}"
    );

    // No new decision until each action point is answered: the refusal names each.
    let bare = call(
        &app,
        &w.assessor,
        Method::POST,
        &base.decision(),
        Some(json!({})),
    )
    .await;
    assert_eq!(
        bare.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        bare.text()
    );
    let errors = bare.json()["errors"].clone();
    assert!(
        errors.get("responses.0").is_some() && errors.get("responses.1").is_some(),
        "{errors}"
    );
    // The page keeps what was typed and names the missing answer.
    let half = assessor
        .post(
            &app,
            &page,
            &[
                ("outcome", "competent"),
                ("responses.0", "Re-observed a call on 4 June"),
                ("comments", "Clear"),
            ],
        )
        .await;
    assert_eq!(
        half.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        half.text()
    );
    let html = half.text();
    assert!(html.contains("id=\"f-responses-1-error\""), "{html}");
    assert!(
        html.contains("Re-observed a call on 4 June</textarea>"),
        "{html}"
    );
    assert!(html.contains("value=\"competent\" checked"), "{html}");

    // Answered through the API, then decided again through the page.
    let answered = call(&app, &w.assessor, Method::POST, &base.iv_response(),
            Some(json!({"responses": ["Re-observed a call on 4 June: 1.3 shown", "Added the caller's confirmation to the notes"]}))).await;
    assert_eq!(answered.status, StatusCode::CREATED, "{}", answered.text());
    assert_eq!(
        answered.json()["responses"][1]["point"],
        "Record how the need was confirmed"
    );
    // The IV who sent it back is told the assessor has answered.
    assert!(
        inbox(&app, &w.iv)
            .await
            .iter()
            .any(|(kind, _)| kind == "iv_responded"),
        "the IV hears of the answer"
    );
    let again = call(
        &app,
        &w.assessor,
        Method::POST,
        &base.iv_response(),
        Some(json!({"responses": ["x", "y"]})),
    )
    .await;
    assert_eq!(
        again.status,
        StatusCode::CONFLICT,
        "one answer per disagreement"
    );
    let caseload = assessor.get(&app, "/caseload").await.text();
    assert!(
        !caseload.contains("sent back by the IV"),
        "the flag goes with the answer"
    );
    let signed = assessor
        .post(
            &app,
            &page,
            &[("outcome", "competent"), ("comments", "Clear")],
        )
        .await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER, "{}", signed.text());

    // The IV reads the answers and the new decision in the sample's history.
    let history = app
        .browser(&w.iv)
        .get(&app, &format!("/orgs/{}/samples", w.org))
        .await
        .text();
    assert!(
        history.contains("The assessor&#x27;s response")
            || history.contains("The assessor's response"),
        "{history}"
    );
    assert!(
        history.contains("Added the caller&#x27;s confirmation to the notes")
            || history.contains("Added the caller's confirmation to the notes"),
        "{history}"
    );
    assert!(
        history.contains("New decision:</strong> competent, signed by User mere@harbour.nz"),
        "{history}"
    );
    ok(&app, &w.iv, &base.samples(), json!({"decision": "agree"})).await;
    let chain = call(&app, &w.admin, Method::GET, &base.signoffs(), None)
        .await
        .json();
    assert_eq!(chain["status"]["can_issue"], true, "{chain}");
    assert!(chain["sent_back"].is_null());
    assert_eq!(chain["iv_responses"].as_array().unwrap().len(), 1);

    // Audited, and in the portfolio archive.
    assert!(audit_actions(&app).iter().any(|a| a == "iv.respond"));
    let zip = call(&app, &w.admin, Method::GET, &base.archive_zip(), None).await;
    assert_eq!(zip.status, StatusCode::OK);
    let mut archive = zip::ZipArchive::new(Cursor::new(&zip.body)).unwrap();
    let mut manifest = String::new();
    archive
        .by_name("manifest.json")
        .unwrap()
        .read_to_string(&mut manifest)
        .unwrap();
    assert!(
        manifest.contains("\"iv_response\"")
            && manifest.contains("Re-observed a call on 4 June: 1.3 shown"),
        "{manifest}"
    );
}

backend_test!(the_candidate_acknowledges_an_observation_and_the_assessor_sees_it);
async fn the_candidate_acknowledges_an_observation_and_the_assessor_sees_it(app: TestApp) {
    let w = app.world("28268@2").await;
    let base = api::enrolment(&w.enrolment);
    complete_portfolio(&app, &w).await;
    let listed = call(
        &app,
        &w.candidate,
        Method::GET,
        &base.acknowledgements(),
        None,
    )
    .await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.text());
    let waiting: Vec<String> = listed.json()["waiting"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    assert!(
        !waiting.is_empty(),
        "the assessor's records wait for the candidate"
    );
    let (first, second) = (&waiting[0], &waiting[1]);

    // The dashboard asks for it.
    let candidate = app.browser(&w.candidate);
    let home = candidate.get(&app, "/").await.text();
    assert!(home.contains("Needs your attention"), "{home}");
    assert!(home.contains(&format!("#ack-{first}")), "{home}");

    // Through the page, with a comment; through the API, without.
    let done = candidate
        .post(
            &app,
            &format!("/enrolments/{}/evidence/{first}/acknowledge", w.enrolment),
            &[("comment", "I remember this call")],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.text());
    assert!(
        done.header("location")
            .unwrap()
            .contains(&format!("acknowledged={first}"))
    );
    let twice = call(
        &app,
        &w.candidate,
        Method::POST,
        &base.evidence_item(first).acknowledgement(),
        Some(json!({})),
    )
    .await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    let api = call(
        &app,
        &w.candidate,
        Method::POST,
        &base.evidence_item(second).acknowledgement(),
        Some(json!({})),
    )
    .await;
    assert_eq!(api.status, StatusCode::CREATED, "{}", api.text());
    assert_eq!(api.json()["comment"], "");
    // The assessor who made the record is told, with the comment.
    let told: Vec<String> = inbox(&app, &w.assessor)
        .await
        .into_iter()
        .filter(|(kind, _)| kind == "record_acknowledged")
        .map(|(_, message)| message)
        .collect();
    assert_eq!(told.len(), 2, "{told:?}");
    assert!(
        told.iter().any(|m| m.contains("I remember this call")),
        "{told:?}"
    );
    let by_assessor = call(
        &app,
        &w.assessor,
        Method::POST,
        &base.evidence_item(&waiting[2]).acknowledgement(),
        Some(json!({})),
    )
    .await;
    assert_eq!(by_assessor.status, StatusCode::FORBIDDEN);

    // The assessor sees whether.
    let portfolio = app
        .browser(&w.assessor)
        .get(&app, &format!("/enrolments/{}", w.enrolment))
        .await
        .text();
    assert!(
        portfolio.contains("The candidate acknowledged this record on"),
        "{portfolio}"
    );
    assert!(portfolio.contains("I remember this call"), "{portfolio}");
    assert!(
        portfolio.contains("The candidate has not acknowledged this record yet"),
        "{portfolio}"
    );
    let listed = call(
        &app,
        &w.assessor,
        Method::GET,
        &base.acknowledgements(),
        None,
    )
    .await
    .json();
    assert_eq!(listed["acknowledged"].as_array().unwrap().len(), 2);
    assert_eq!(
        listed["waiting"].as_array().unwrap().len(),
        waiting.len() - 2
    );
    assert!(
        audit_actions(&app)
            .iter()
            .any(|a| a == "evidence.acknowledge")
    );
}

backend_test!(
    one_decision_form_keeps_every_tick_and_not_yet_competent_gives_the_candidate_things_to_do
);
async fn one_decision_form_keeps_every_tick_and_not_yet_competent_gives_the_candidate_things_to_do(
    app: TestApp,
) {
    let w = app.world("28268@2").await;
    let base = api::enrolment(&w.enrolment);
    complete_portfolio(&app, &w).await;
    let marks = call(
        &app,
        &w.assessor,
        Method::PUT,
        &base.marks(),
        Some(json!({})),
    )
    .await;
    assert_eq!(marks.status, StatusCode::OK);
    ok(
        &app,
        &w.candidate,
        &base.submit(),
        json!({"declaration": true}),
    )
    .await;
    let page = format!("/enrolments/{}/decision", w.enrolment);
    let assessor = app.browser(&w.assessor);
    let form = assessor.get(&app, &page).await.text();
    assert_eq!(
        form.matches("<form class=\"stack\" method=\"post\"")
            .count(),
        1,
        "one form: {form}"
    );
    assert!(
        form.contains("name=\"confirm\"") && form.contains("name=\"outcome\""),
        "{form}"
    );

    // Ticks, a not-applicable mark without its reason and no decision: every problem named,
    // every tick kept.
    let refused = assessor
        .post(
            &app,
            &page,
            &[
                ("marks", "1"),
                ("confirm", "N3"),
                ("confirm", "N4"),
                ("na", "1.2"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = refused.text();
    assert!(
        html.contains("id=\"f-reason-1-2-error\"") && html.contains("id=\"f-outcome-error\""),
        "{html}"
    );
    for value in ["N3", "N4", "1.2"] {
        assert!(
            html.contains(&format!("value=\"{value}\" checked")),
            "{value} stays ticked"
        );
    }
    // A form no page makes is refused naming the field: a reason sent twice, an answer to no
    // action point.
    for (fields, named) in [
        (
            [("na", "1.2"), ("reason-1.2", "a"), ("reason-1.2", "b")],
            "reason-1.2: is sent more than once",
        ),
        (
            [
                ("outcome", "competent"),
                ("comments", ""),
                ("responses.first", "x"),
            ],
            "responses.first: is not a whole number",
        ),
    ] {
        let bad = assessor.post(&app, &page, &fields).await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.text());
        assert!(bad.text().contains(named), "{}", bad.text());
    }
    // Ticks and the decision together: signed in one go.
    let signed = assessor
        .post(
            &app,
            &page,
            &[
                ("marks", "1"),
                ("confirm", "N3"),
                ("confirm", "N4"),
                ("na", "1.2"),
                ("reason-1.2", "Every caller was greeted by name already"),
                ("outcome", "competent"),
            ],
        )
        .await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER, "{}", signed.text());
    let status = call(&app, &w.admin, Method::GET, &base, None).await.json();
    assert_eq!(status["enrolment"]["status"], "assessed");

    // Another portfolio, not complete: "not yet competent" needs feedback, then goes back
    // to the candidate with the gaps as things to do.
    let w2_candidate = app.seed_user(&w.org, "tane@harbour.nz", "candidate");
    let created = ok(
        &app,
        &w.admin,
        api::ENROLMENTS,
        json!({
            "org_id": w.org, "candidate_id": w2_candidate, "assessor_id": w.assessor_id,
            "iv_id": w.iv_id, "standard": "28268@2", "start_date": "2024-05-01"}),
    )
    .await;
    let second = created["id"].as_str().unwrap().to_owned();
    let tane = app.login("tane@harbour.nz").await;
    ok(
        &app,
        &tane,
        &api::enrolment(&second).submit(),
        json!({"declaration": true}),
    )
    .await;
    let page = format!("/enrolments/{second}/decision");
    let bare = assessor
        .post(&app, &page, &[("outcome", "not_yet_competent")])
        .await;
    assert_eq!(bare.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bare.text().contains("id=\"f-comments-error\""),
        "{}",
        bare.text()
    );
    let nyc = assessor
        .post(
            &app,
            &page,
            &[
                ("outcome", "not_yet_competent"),
                ("comments", "Record two more enquiries, one by email."),
            ],
        )
        .await;
    assert_eq!(nyc.status, StatusCode::SEE_OTHER, "{}", nyc.text());
    assert!(
        nyc.header("location")
            .unwrap()
            .ends_with("?decided=not_yet_competent")
    );
    let after = call(
        &app,
        &w.admin,
        Method::GET,
        &api::enrolment(&second).path(),
        None,
    )
    .await
    .json();
    assert_eq!(after["enrolment"]["status"], "active");
    let chain = call(
        &app,
        &w.admin,
        Method::GET,
        &api::enrolment(&second).signoffs(),
        None,
    )
    .await
    .json();
    let nyc = &chain["not_yet_competent"][0];
    assert_eq!(nyc["feedback"], "Record two more enquiries, one by email.");
    assert!(
        nyc["gaps"].as_array().is_some_and(|g| !g.is_empty()),
        "{nyc}"
    );
    assert!(
        !chain["sign_offs"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["role"] == "assessor"),
        "not yet competent is no signature"
    );
    let tane_browser = app.browser(&tane);
    let own = tane_browser
        .get(&app, &format!("/enrolments/{second}"))
        .await
        .text();
    assert!(
        own.contains("Things to do: not yet competent")
            && own.contains("Record two more enquiries"),
        "{own}"
    );
    let home = tane_browser.get(&app, "/").await.text();
    assert!(home.contains("Not yet competent (decided"), "{home}");
    assert!(
        inbox(&app, &tane)
            .await
            .iter()
            .any(|(kind, message)| kind == "not_yet_competent"
                && message.contains("Record two more enquiries")),
        "the candidate is told, with the feedback"
    );
    // Through the API the same outcome is refused once the portfolio is active again.
    let twice = call(
        &app,
        &w.assessor,
        Method::POST,
        &api::enrolment(&second).decision(),
        Some(json!({"outcome": "not_yet_competent", "comments": "again"})),
    )
    .await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    assert!(
        audit_actions(&app)
            .iter()
            .any(|a| a == "enrolment.not_yet_competent")
    );
}

backend_test!(a_certified_candidate_sees_their_statement_and_what_needs_them);
async fn a_certified_candidate_sees_their_statement_and_what_needs_them(app: TestApp) {
    let w = app.world("28268@2").await;
    let base = api::enrolment(&w.enrolment);
    // Rejected evidence with feedback, while the portfolio is open.
    let record = json!({"method": "product_evidence", "setting": "workplace", "date": "2024-05-06",
            "title": "Call log", "criteria": [{"criterion": "1.7"}], "declaration": true});
    let (ctype, body) = multipart(&record, "call-log.pdf", b"%PDF-1.4 call log");
    let added = app
        .send_raw(&w.candidate, &base.evidence_upload(), &ctype, body)
        .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.text());
    let added = added.json();
    let id = added["id"].as_str().unwrap();
    ok(&app, &w.assessor, &base.evidence_item(id).judgements(),
            json!({"criteria": [{"id": "1.7", "judgement": "rejected", "feedback": "The log does not show the follow-up"}]})).await;
    let candidate = app.browser(&w.candidate);
    let home = candidate.get(&app, "/").await.text();
    assert!(home.contains("Needs your attention"), "{home}");
    assert!(
        home.contains("“Call log” was not accepted")
            && home.contains("1.7: The log does not show the follow-up"),
        "{home}"
    );
    assert!(
        home.contains(&format!("/enrolments/{}#evidence-{id}", w.enrolment)),
        "{home}"
    );
    // The portfolio's evidence tables stack on a phone, judgement and feedback labelled.
    let portfolio = candidate
        .get(&app, &format!("/enrolments/{}", w.enrolment))
        .await
        .text();
    assert!(
        portfolio.contains("<table class=\"stacked\">")
            && portfolio.contains("data-label=\"Judgement\""),
        "{portfolio}"
    );

    // Certified: the statement, its code and link, the PDF and the Open Badge.
    complete_portfolio(&app, &w).await;
    ok(
        &app,
        &w.candidate,
        &base.submit(),
        json!({"declaration": true}),
    )
    .await;
    ok(&app, &w.assessor, &base.decision(), json!({})).await;
    ok(&app, &w.iv, &base.samples(), json!({"decision": "agree"})).await;
    let before = call(&app, &w.candidate, Method::GET, &base.statement(), None).await;
    assert_eq!(before.status, StatusCode::NOT_FOUND);
    let issued = ok(&app, &w.admin, &base.statement(), json!(null)).await;
    let code = issued["code"].as_str().unwrap().to_owned();
    assert!(
        inbox(&app, &w.candidate)
            .await
            .iter()
            .any(|(kind, message)| kind == "statement_issued" && message.contains(&code)),
        "the candidate is told, with the code"
    );
    let shown = call(&app, &w.candidate, Method::GET, &base.statement(), None).await;
    assert_eq!(shown.status, StatusCode::OK, "{}", shown.text());
    assert_eq!(shown.json()["code"], code.as_str());
    for page in ["/".to_owned(), format!("/enrolments/{}", w.enrolment)] {
        let html = candidate.get(&app, &page).await.text();
        assert!(
            html.contains(&format!("<strong class=\"code\">{code}</strong>")),
            "{page}: {html}"
        );
        assert!(html.contains(&format!("/verify/{code}")), "{page}");
        assert!(
            html.contains(&format!("href=\"{base}/statement.pdf\" download")),
            "{page}"
        );
        assert!(
            html.contains(&format!("href=\"{base}/credential.json\" download")),
            "{page}"
        );
    }
    let pdf = call(&app, &w.candidate, Method::GET, &base.statement_pdf(), None).await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert!(pdf.body.starts_with(b"%PDF-"));
    let badge = call(
        &app,
        &w.candidate,
        Method::GET,
        &base.credential_json(),
        None,
    )
    .await;
    assert_eq!(badge.status, StatusCode::OK, "{}", badge.text());
}
