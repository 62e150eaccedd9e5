//! Issue 16, item 1: one observation covers several outcomes, like the paper checklist — through
//! the page (chosen outcomes only, "mark all shown", start and end, narrative, feedback the
//! candidate sees) and through the API (`details.outcomes`, `start`, `end`, `narrative`,
//! `feedback`).

use std::io::{Cursor, Read};

use actix_web::http::StatusCode;
use serde_json::{Value, json};

use crate::api;
use crate::helpers::{TestApp, World, backend_test};

/// The evidence of the world's enrolment, as the API lists it.
async fn evidence(app: &TestApp, w: &World) -> Vec<Value> {
    let reply = app
        .get_as(&w.assessor, &api::enrolment(&w.enrolment).evidence())
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    reply.json().as_array().cloned().unwrap_or_default()
}

fn mapped(record: &Value) -> Vec<String> {
    record["instance"]["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["criterion"].as_str().unwrap().to_owned())
        .collect()
}

/// Whether the section of outcome `id` is on the page hidden.
fn hidden(html: &str, id: &str) -> bool {
    let start = format!("id=\"outcome-section-{id}\"");
    let at = html
        .find(&start)
        .unwrap_or_else(|| panic!("no section {id}: {html}"));
    let tag = &html[at..at + html[at..].find('>').unwrap()];
    tag.contains("hidden")
}

backend_test!(the_page_offers_every_outcome_and_shows_the_chosen_ones);
async fn the_page_offers_every_outcome_and_shows_the_chosen_ones(app: TestApp) {
    let w = app.world("28268@2").await;
    let assessor = app.browser(&w.assessor);
    let observe = format!("/enrolments/{}/observations/new", w.enrolment);

    // Several outcomes by a repeated `outcome=`; the others are on the page, hidden, and their
    // fields disabled so nothing of them is sent.
    let page = assessor
        .get(&app, &format!("{observe}?outcome=1&outcome=3"))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    let html = page.text();
    assert!(!hidden(&html, "1") && hidden(&html, "2") && !hidden(&html, "3"));
    assert!(html.contains("id=\"f-outcome-3\" name=\"outcome\" value=\"3\" data-outcome-toggle=\"outcome-section-3\" checked"));
    assert!(html.contains("<fieldset class=\"plain\" disabled>"));
    // Conditions and range items, like the paper form; a mark-all button per outcome.
    assert!(html.contains("Only where it arises: “In the case of escalation”."));
    assert!(html.contains("name=\"range.3.4.complaint_follow_up_actions\""));
    assert!(html.contains("name=\"mark_all\" value=\"3\""));
    // The attribute only outcome 2's rules use is asked for with outcome 2.
    let two = html.find("id=\"outcome-section-2\"").unwrap();
    let three = html.find("id=\"outcome-section-3\"").unwrap();
    let asked = html
        .find("name=\"attributes.challenging_customer_type\"")
        .unwrap();
    assert!(two < asked && asked < three, "with outcome 2");
    // Start and end replace the single time.
    assert!(html.contains("id=\"f-details-start\" name=\"details.start\" type=\"time\""));
    assert!(!html.contains("id=\"f-time\""));

    // The single-outcome link still picks that one; no outcome at all picks the first.
    let one = assessor.get(&app, &format!("{observe}?outcome=2")).await;
    assert!(hidden(&one.text(), "1") && !hidden(&one.text(), "2"));
    let plain = assessor.get(&app, &observe).await;
    assert_eq!(plain.status, StatusCode::OK);
    assert!(!hidden(&plain.text(), "1") && hidden(&plain.text(), "2"));

    // "Show checklist" with nothing ticked asks for an outcome.
    let none = assessor.get(&app, &format!("{observe}?choose=1")).await;
    assert_eq!(none.status, StatusCode::OK);
    let html = none.text();
    assert!(
        html.contains("href=\"#f-outcome\">Choose at least one outcome you observed"),
        "{html}"
    );
    assert!(hidden(&html, "1") && hidden(&html, "2") && hidden(&html, "3"));
    // … and so does saving with none.
    let saved = assessor
        .post(
            &app,
            &observe,
            &[("setting", "workplace"), ("date", "2024-05-07")],
        )
        .await;
    assert_eq!(saved.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        saved
            .text()
            .contains("Choose at least one outcome you observed")
    );
    assert!(evidence(&app, &w).await.is_empty());
}

backend_test!(mark_all_shown_without_the_script_keeps_what_was_typed);
async fn mark_all_shown_without_the_script_keeps_what_was_typed(app: TestApp) {
    let w = app.world("28268@2").await;
    let assessor = app.browser(&w.assessor);
    let observe = format!("/enrolments/{}/observations/new", w.enrolment);
    let page = assessor
        .post(
            &app,
            &observe,
            &[
                ("outcome", "1"),
                ("outcome", "3"),
                ("result.3.1", "not_shown"),
                ("notes.1.6", "Referred to the supervisor."),
                ("details.narrative", "A calm call."),
                ("mark_all", "1"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    let html = page.text();
    for criterion in ["1-1", "1-2", "1-8"] {
        assert!(
            html.contains(&format!(
                "id=\"f-result-{criterion}--shown\" name=\"result.{}\" value=\"shown\" checked",
                criterion.replace('-', ".")
            )),
            "{criterion}: {html}"
        );
    }
    assert!(html.contains("value=\"not_shown\" checked"), "3.1 kept");
    assert!(html.contains("Referred to the supervisor.") && html.contains("A calm call."));
    assert!(!hidden(&html, "3"), "the chosen outcomes stay chosen");
    assert!(evidence(&app, &w).await.is_empty(), "marking saves nothing");
}

/// Every criterion of outcomes 1 and 3 shown, but the conditional ones (1.2, 3.2, 3.3).
fn full_observation() -> Vec<(&'static str, &'static str)> {
    let mut fields = vec![
        ("outcome", "1"),
        ("outcome", "3"),
        ("setting", "workplace"),
        ("channel", "phone"),
        ("date", "2024-05-07"),
        ("attributes.enquiry_type", "complex"),
        ("attributes.complaint_outcome", "resolved"),
        // Outcome 2 was not observed: what is sent for it anyway is not read.
        ("result.2.1", "shown"),
        ("attributes.challenging_customer_type", "angry"),
        ("details.start", "09:30"),
        ("details.end", "10:05"),
        ("details.narrative", "Handled a billing complaint calmly."),
        (
            "details.feedback",
            "Great rapport; next time summarise before closing.",
        ),
        ("range.1.1.greeting_requirements", "courtesy"),
        ("range.3.4.complaint_follow_up_actions", "crediting_money"),
    ];
    for (criterion, result) in [
        ("result.1.1", "shown"),
        ("result.1.2", "not_applicable"),
        ("result.1.3", "shown"),
        ("result.1.4", "shown"),
        ("result.1.5", "shown"),
        ("result.1.6", "shown"),
        ("result.1.7", "shown"),
        ("result.1.8", "shown"),
        ("result.3.1", "shown"),
        ("result.3.2", "not_applicable"),
        ("result.3.3", "not_applicable"),
        ("result.3.4", "shown"),
    ] {
        fields.push((criterion, result));
    }
    fields
}

backend_test!(
    an_observation_of_two_outcomes_through_the_page_maps_both_and_the_candidate_sees_the_feedback
);
async fn an_observation_of_two_outcomes_through_the_page_maps_both_and_the_candidate_sees_the_feedback(
    app: TestApp,
) {
    let w = app.world("28268@2").await;
    let assessor = app.browser(&w.assessor);
    let observe = format!("/enrolments/{}/observations/new", w.enrolment);

    // A bad time range names the field, and keeps everything typed.
    let mut backwards = full_observation();
    backwards.retain(|(n, _)| *n != "details.end");
    backwards.push(("details.end", "09:00"));
    let refused = assessor.post(&app, &observe, &backwards).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = refused.text();
    assert!(
        html.contains("href=\"#f-details-end\"") && html.contains("must be after the start"),
        "{html}"
    );
    assert!(html.contains("Handled a billing complaint calmly."));
    let mut half = full_observation();
    half.retain(|(n, _)| *n != "details.end");
    let refused = assessor.post(&app, &observe, &half).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.text().contains("href=\"#f-details-end\""),
        "{}",
        refused.text()
    );
    let mut garbled = full_observation();
    garbled.push(("details.start", "half nine"));
    garbled.retain(|(n, v)| !(*n == "details.start" && *v == "09:30"));
    let refused = assessor.post(&app, &observe, &garbled).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().contains("href=\"#f-details-start\""));
    assert!(evidence(&app, &w).await.is_empty());

    let saved = assessor.post(&app, &observe, &full_observation()).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text());

    let records = evidence(&app, &w).await;
    assert_eq!(records.len(), 1);
    let record = &records[0];
    assert_eq!(record["details"]["outcomes"], json!(["1", "3"]));
    assert_eq!(record["details"]["start"], "09:30:00");
    assert_eq!(record["details"]["end"], "10:05:00");
    assert_eq!(
        record["details"]["narrative"],
        "Handled a billing complaint calmly."
    );
    assert_eq!(record["details"]["checklist"].as_array().unwrap().len(), 12);
    // The engine sees the criteria shown in both outcomes, and the start as the time.
    assert_eq!(
        mapped(record),
        vec![
            "1.1", "1.3", "1.4", "1.5", "1.6", "1.7", "1.8", "3.1", "3.4"
        ]
    );
    assert_eq!(record["instance"]["time"], "09:30:00");
    assert_eq!(
        record["instance"]["attributes"],
        json!({ "enquiry_type": "complex", "complaint_outcome": "resolved" })
    );

    // The candidate reads the feedback (and the rest) on their portfolio.
    let portfolio = format!("/enrolments/{}", w.enrolment);
    let html = app.browser(&w.candidate).get(&app, &portfolio).await.text();
    assert!(
            html.contains(
                "<dt>Feedback to the candidate</dt><dd class=\"feedback\">Great rapport; next time summarise before closing.</dd>"
            ),
            "{html}"
        );
    assert!(html.contains("<dt>Outcomes observed</dt><dd>1, 3</dd>"));
    assert!(html.contains("<dt>Observed</dt><dd>09:30 to 10:05</dd>"));
}

backend_test!(an_observation_of_two_outcomes_through_the_api_maps_both_and_names_bad_fields);
async fn an_observation_of_two_outcomes_through_the_api_maps_both_and_names_bad_fields(
    app: TestApp,
) {
    let w = app.world("28268@2").await;
    let path = api::enrolment(&w.enrolment).evidence();
    let record = |details: Value| {
        json!({
            "method": "observation_checklist", "setting": "workplace", "date": "2024-05-07",
            "details": details,
        })
    };
    let lines = json!([
        { "criterion": "1.1", "result": "shown", "range": { "greeting_requirements": ["courtesy"] } },
        { "criterion": "1.2", "result": "not_applicable" },
        { "criterion": "3.4", "result": "shown" },
    ]);
    let send = |body: Value| {
        let app = &app;
        let token = w.assessor.clone();
        let path = path.clone();
        async move { app.post_as(&token, &path, body).await }
    };

    let backwards = send(record(json!({
        "checklist": lines, "outcomes": ["1", "3"], "start": "10:00", "end": "09:45",
    })))
    .await;
    assert_eq!(backwards.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        backwards.json()["errors"]["details.end"].is_string(),
        "{}",
        backwards.text()
    );
    let alone = send(record(json!({ "checklist": lines, "start": "10:00" }))).await;
    assert_eq!(alone.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(alone.json()["errors"]["details.end"].is_string());
    let unknown = send(record(
        json!({ "checklist": lines, "outcomes": ["1", "9"] }),
    ))
    .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        unknown.json()["errors"]["details.outcomes[1]"].is_string(),
        "{}",
        unknown.text()
    );
    let outside = send(record(json!({ "checklist": lines, "outcomes": ["1"] }))).await;
    assert_eq!(outside.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        outside.json()["errors"]["details.checklist[2].criterion"].is_string(),
        "{}",
        outside.text()
    );
    assert!(evidence(&app, &w).await.is_empty());

    let added = send(record(json!({
        "checklist": lines, "outcomes": ["1", "3"], "start": "09:30", "end": "09:50",
        "narrative": "Two calls, one a complaint.", "feedback": "Well closed.",
    })))
    .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.text());
    let record = added.json();
    assert_eq!(mapped(&record), vec!["1.1", "3.4"]);
    assert_eq!(record["details"]["feedback"], "Well closed.");
    assert_eq!(record["details"]["outcomes"], json!(["1", "3"]));

    // Feedback to the candidate is the assessor's: a candidate cannot write their own.
    let own = app
        .post_as(
            &w.candidate,
            &path,
            json!({
                "method": "electronic_data_record", "setting": "workplace",
                "date": "2024-05-07", "declaration": true,
                "criteria": [{ "criterion": "1.7" }],
                "details": { "summary": "Call log", "feedback": "Excellent work." },
            }),
        )
        .await;
    assert_eq!(own.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        own.json()["errors"]["details.feedback"].is_string(),
        "{}",
        own.text()
    );

    // The archive keeps the observation beside the mapping, and its index shows the feedback.
    let zip = app
        .get_as(&w.assessor, &api::enrolment(&w.enrolment).archive_zip())
        .await;
    assert_eq!(zip.status, StatusCode::OK, "{}", zip.text());
    let mut archive = zip::ZipArchive::new(Cursor::new(zip.body.clone())).unwrap();
    let mut read = |name: &str| {
        let mut text = String::new();
        archive
            .by_name(name)
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        text
    };
    let manifest: Value = serde_json::from_str(&read("manifest.json")).unwrap();
    let kept = &manifest["evidence"][0]["observation"];
    assert_eq!(kept["outcomes"], json!(["1", "3"]));
    assert_eq!(kept["feedback"], "Well closed.");
    assert_eq!(kept["start"], "09:30:00");
    assert_eq!(kept["checklist"].as_array().unwrap().len(), 3);
    let index = read("index.html");
    assert!(
            index.contains("<br>Observed 09:30 to 09:50<br>Observed: Two calls, one a complaint.<br>Feedback to the candidate: Well closed."),
            "{index}"
        );

    // The engine counts both outcomes' criteria: each is claimed in the progress report.
    let progress = app
        .get_as(&w.candidate, &api::enrolment(&w.enrolment).progress())
        .await;
    assert_eq!(progress.status, StatusCode::OK, "{}", progress.text());
    let text = progress.text();
    assert!(
        text.contains("\"1.1\"") && text.contains("\"3.4\""),
        "{text}"
    );
}
