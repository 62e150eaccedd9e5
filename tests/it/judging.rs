//! Issue 16, item 3: "accept all" for a piece of evidence, and "next item waiting" from the
//! caseload to the judge page and on after each save — through the API and the pages.

use actix_web::http::StatusCode;
use serde_json::{Value, json};

use crate::api;
use crate::helpers::{TestApp, World, backend_test, multipart};

/// Uploads a product record mapped to `criteria` as the candidate; its id.
async fn upload(app: &TestApp, w: &World, title: &str, criteria: &[&str]) -> String {
    let criteria: Vec<Value> = criteria.iter().map(|c| json!({"criterion": c})).collect();
    let record = json!({"method": "product_evidence", "setting": "workplace", "date": "2024-05-06",
        "title": title, "criteria": criteria, "declaration": true});
    let (ctype, body) = multipart(&record, "record.pdf", b"%PDF-1.4 record");
    let added = app
        .send_raw(
            &w.candidate,
            &api::enrolment(&w.enrolment).evidence_upload(),
            &ctype,
            body,
        )
        .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.text());
    // Recorded one after the other: "oldest first" must not depend on a tie.
    actix_web::rt::time::sleep(std::time::Duration::from_millis(20)).await;
    added.json()["id"].as_str().unwrap().to_owned()
}

async fn next(app: &TestApp, token: &str) -> (StatusCode, Value) {
    let reply = app.get_as(token, api::ME_NEXT_JUDGEMENT).await;
    (reply.status, reply.json())
}

fn judgements_of(record: &Value) -> Vec<(String, String, Option<String>)> {
    record["instance"]["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["criterion"].as_str().unwrap().to_owned(),
                c["judgement"].as_str().unwrap().to_owned(),
                c["feedback"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

backend_test!(next_item_waiting_and_accept_all_through_the_api);
async fn next_item_waiting_and_accept_all_through_the_api(app: TestApp) {
    let w = app.world("28268@2").await;
    let (status, problem) = next(&app, &w.assessor).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{problem}");
    assert_eq!(problem["status"], 404);

    // Testimony still awaiting its witness is not waiting for the assessor.
    let testimony = json!({
        "method": "witness_testimony", "setting": "workplace", "date": "2024-05-08",
        "criteria": [{"criterion": "2.1"}],
        "details": {"witness": {"name": "Ngaio Marsh", "job_title": "Team leader",
            "relationship": "team leader", "contact": "ngaio@harbour.nz",
            "statement": "Aroha resolved a billing complaint calmly.", "declaration": false}},
        "declaration": true
    });
    let added = app
        .post_as(
            &w.candidate,
            &api::enrolment(&w.enrolment).evidence(),
            testimony,
        )
        .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.text());
    assert_eq!(next(&app, &w.assessor).await.0, StatusCode::NOT_FOUND);

    let first = upload(&app, &w, "Call log", &["1.2", "2.1", "2.3"]).await;
    let second = upload(&app, &w, "Email", &["1.2"]).await;
    let (status, found) = next(&app, &w.assessor).await;
    assert_eq!(status, StatusCode::OK, "{found}");
    assert_eq!(
        found,
        json!({"enrolment_id": w.enrolment, "evidence_id": first, "waiting": 3})
    );
    // Only the assessor of the enrolment has anything waiting.
    assert_eq!(next(&app, &w.candidate).await.0, StatusCode::NOT_FOUND);

    let judge = api::enrolment(&w.enrolment)
        .evidence_item(&first)
        .judgements();
    // A rejection still needs its feedback when the rest is accepted.
    let refused = app
        .post_as(
            &w.assessor,
            &judge,
            json!({"accept_rest": true,
                    "criteria": [{"id": "2.1", "judgement": "rejected"}]}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.json()["errors"]["criteria[0].feedback"].is_string(),
        "{}",
        refused.text()
    );
    let judged = app
            .post_as(&w.assessor, &judge, json!({"accept_rest": true, "criteria": [
                    {"id": "2.1", "judgement": "rejected", "feedback": "Say what you told the customer."}]}))
            .await;
    assert_eq!(judged.status, StatusCode::OK, "{}", judged.text());
    assert_eq!(
        judgements_of(&judged.json()),
        vec![
            ("1.2".to_owned(), "accepted".to_owned(), None),
            (
                "2.1".to_owned(),
                "rejected".to_owned(),
                Some("Say what you told the customer.".to_owned())
            ),
            ("2.3".to_owned(), "accepted".to_owned(), None),
        ]
    );
    // "Accept all" again leaves the rejection as it is.
    let again = app
        .post_as(&w.assessor, &judge, json!({"accept_rest": true}))
        .await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.text());
    assert_eq!(judgements_of(&again.json())[1].1, "rejected");
    // Old clients (no accept_rest) work as before: nothing listed is still refused.
    let empty = app.post_as(&w.assessor, &judge, json!({})).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);

    let (status, found) = next(&app, &w.assessor).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(found["evidence_id"], json!(second));
    // Every judgement is in the audit trail.
    let entries: i64 = app.tx(|c| {
        use attest::db::schema::audit_log;
        use diesel::prelude::*;
        Ok::<_, attest::action::ActionError>(
            audit_log::table
                .filter(audit_log::action.eq("evidence.judge"))
                .count()
                .get_result(c)?,
        )
    });
    assert_eq!(entries, 2, "{:?}", app.backend);
}

backend_test!(caseload_next_item_accept_all_and_on_to_the_next_through_the_pages);
async fn caseload_next_item_accept_all_and_on_to_the_next_through_the_pages(app: TestApp) {
    let w = app.world("28268@2").await;
    let assessor = app.browser(&w.assessor);
    let nothing = assessor.get(&app, "/caseload/next").await;
    assert_eq!(nothing.status, StatusCode::SEE_OTHER);
    assert_eq!(nothing.header("location"), Some("/caseload?nothing=1"));

    let first = upload(&app, &w, "Call log", &["1.2", "2.1", "2.3"]).await;
    let second = upload(&app, &w, "Email", &["1.2"]).await;
    let caseload = assessor.get(&app, "/caseload").await.text();
    assert!(
        caseload.contains("href=\"&#x2F;caseload&#x2F;next\"")
            || caseload.contains("href=\"/caseload/next\""),
        "{caseload}"
    );
    assert!(!caseload.contains("Nothing else is waiting"));

    // One action from the caseload: the judge page of the oldest item waiting.
    let to = assessor.get(&app, "/caseload/next").await;
    assert_eq!(to.status, StatusCode::SEE_OTHER);
    let judge = format!("/enrolments/{}/evidence/{first}/judge", w.enrolment);
    assert_eq!(to.header("location"), Some(judge.as_str()));
    let page = assessor.get(&app, &judge).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    // The buttons come before the evidence, the evidence before the mappings.
    let buttons = html.find("name=\"accept_rest\" value=\"1\"").unwrap();
    let evidence = html.find("id=\"judged-title\"").unwrap();
    let mappings = html.find("name=\"criteria[0].id\"").unwrap();
    assert!(buttons < evidence && evidence < mappings, "{html}");
    assert!(
        html.contains("3 mappings, 3 waiting for your judgement"),
        "{html}"
    );

    // Accept all but the one marked rejected, which needs its feedback.
    let mut fields = vec![
        ("criteria[0].id", "1.2"),
        ("criteria[0].judgement", "pending"),
        ("criteria[1].id", "2.1"),
        ("criteria[1].judgement", "rejected"),
        ("criteria[2].id", "2.3"),
        ("accept_rest", "1"),
    ];
    let refused = assessor.post(&app, &judge, &fields).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .text()
            .contains("Say why, so the candidate knows what to do next"),
        "{}",
        refused.text()
    );
    fields.push(("criteria[1].feedback", "Say what you told the customer."));
    let saved = assessor.post(&app, &judge, &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text());
    let next_judge = format!(
        "/enrolments/{}/evidence/{second}/judge?saved=1",
        w.enrolment
    );
    assert_eq!(saved.header("location"), Some(next_judge.as_str()));
    let page = assessor.get(&app, &next_judge).await.text();
    assert!(page.contains("Judgements saved."), "{page}");

    // The last item: back to the caseload, which says so.
    let judge = format!("/enrolments/{}/evidence/{second}/judge", w.enrolment);
    let saved = assessor
        .post(
            &app,
            &judge,
            &[("criteria[0].id", "1.2"), ("accept_rest", "1")],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text());
    assert_eq!(saved.header("location"), Some("/caseload?nothing=1"));
    let caseload = assessor.get(&app, "/caseload?nothing=1").await.text();
    assert!(
        caseload.contains("Nothing else is waiting for your judgement.")
            && caseload.contains("0 mappings waiting for your judgement"),
        "{caseload}"
    );
    let listed = app
        .get_as(&w.assessor, &api::enrolment(&w.enrolment).evidence())
        .await
        .json();
    let words: Vec<Vec<(String, String, Option<String>)>> = listed
        .as_array()
        .unwrap_or_else(|| listed["items"].as_array().unwrap())
        .iter()
        .map(judgements_of)
        .collect();
    assert_eq!(
        words,
        vec![
            vec![
                ("1.2".to_owned(), "accepted".to_owned(), None),
                (
                    "2.1".to_owned(),
                    "rejected".to_owned(),
                    Some("Say what you told the customer.".to_owned())
                ),
                ("2.3".to_owned(), "accepted".to_owned(), None),
            ],
            vec![("1.2".to_owned(), "accepted".to_owned(), None)],
        ]
    );
}

backend_test!(a_malformed_judge_form_is_refused_naming_the_field);
async fn a_malformed_judge_form_is_refused_naming_the_field(app: TestApp) {
    let w = app.world("28268@2").await;
    let assessor = app.browser(&w.assessor);
    let first = upload(&app, &w, "Call log", &["1.2", "2.1"]).await;
    let judge = format!("/enrolments/{}/evidence/{first}/judge", w.enrolment);
    for (fields, named) in [
        (
            vec![("criteria[x].id", "1.2"), ("accept_rest", "1")],
            "criteria[x]: is not a row of",
        ),
        (
            vec![
                ("criteria[0].id", "1.2"),
                ("criteria[0].judgement", "accepted"),
                ("criteria[0].judgement", "rejected"),
            ],
            "criteria[0].judgement: is sent more than once",
        ),
    ] {
        let refused = assessor.post(&app, &judge, &fields).await;
        assert_eq!(
            refused.status,
            StatusCode::BAD_REQUEST,
            "{}",
            refused.text()
        );
        assert!(refused.text().contains(named), "{}", refused.text());
    }
    // Nothing was judged.
    let listed = app
        .get_as(&w.assessor, &api::enrolment(&w.enrolment).evidence())
        .await
        .json();
    let items = listed
        .as_array()
        .unwrap_or_else(|| listed["items"].as_array().unwrap());
    assert!(
        items
            .iter()
            .flat_map(judgements_of)
            .all(|(_, word, _)| word == "pending")
    );
}
