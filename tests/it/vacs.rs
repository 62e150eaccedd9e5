//! Issue 16, item 7: the internal verifier's VACS checklist (valid, authentic, current,
//! sufficient), each yes or no with a note, stored with the sample — through the API (optional,
//! so older clients keep working) and the sample form, shown in the sampling history.

use actix_web::http::StatusCode;
use serde_json::json;

use crate::api;
use crate::helpers::{TestApp, backend_test};

backend_test!(the_vacs_checklist_is_kept_with_the_sample_through_the_api);
async fn the_vacs_checklist_is_kept_with_the_sample_through_the_api(app: TestApp) {
    let w = app.world("28268@2").await;
    let samples = api::enrolment(&w.enrolment).samples();
    let post = |body| app.post_as(&w.iv, &samples, body);

    // A "no" needs its note; a question left out is refused.
    let no_note = post(json!({"decision": "agree", "vacs": {
            "valid": {"met": true}, "authentic": {"met": true},
            "current": {"met": false}, "sufficient": {"met": true}}}))
    .await;
    assert_eq!(no_note.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        no_note.json()["errors"]["vacs.current.note"].is_string(),
        "{}",
        no_note.text()
    );
    let missing = post(json!({"decision": "agree", "vacs": {"valid": {"met": true}}})).await;
    assert!(
        missing.status.is_client_error(),
        "{}: {}",
        missing.status,
        missing.text()
    );

    let vacs = json!({
            "valid": {"met": true, "note": "Maps to 1.2 and 2.1 as claimed."},
            "authentic": {"met": true, "note": "Declared, and the call log names her."},
            "current": {"met": false, "note": "The log is from 2021."},
            "sufficient": {"met": true, "note": ""}});
    let recorded = post(json!({"decision": "agree", "vacs": vacs})).await;
    assert_eq!(recorded.status, StatusCode::CREATED, "{}", recorded.text());
    assert_eq!(recorded.json()["vacs"], vacs);
    assert_eq!(recorded.json()["kind"], "interim");

    // Older clients: no checklist, none stored.
    let old = post(json!({"decision": "agree"})).await;
    assert_eq!(old.status, StatusCode::CREATED, "{}", old.text());
    assert!(old.json()["vacs"].is_null());

    // The audit entry carries the checklist.
    let after: Vec<String> = app.tx(|c| {
        use attest::db::schema::audit_log;
        use diesel::prelude::*;
        Ok(audit_log::table
            .filter(audit_log::action.eq("iv.sample"))
            .select(audit_log::after_json)
            .load::<Option<String>>(c)?
            .into_iter()
            .flatten()
            .collect())
    });
    assert!(
        after.iter().any(|a| a.contains("The log is from 2021.")),
        "{after:?}"
    );
}

backend_test!(the_sample_form_asks_vacs_and_the_history_shows_it);
async fn the_sample_form_asks_vacs_and_the_history_shows_it(app: TestApp) {
    let w = app.world("28268@2").await;
    let iv = app.browser(&w.iv);
    let sample = format!("/enrolments/{}/sample", w.enrolment);
    let form = iv.get(&app, &sample).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.text());
    let html = form.text();
    for name in ["valid", "authentic", "current", "sufficient"] {
        assert!(
            html.contains(&format!("name=\"vacs.{name}\" value=\"no\""))
                && html.contains(&format!("name=\"vacs.{name}.note\"")),
            "{name}: {html}"
        );
    }

    // One question answered: the others are asked for, and what was typed is kept.
    let partial = iv
        .post(
            &app,
            &sample,
            &[
                ("decision", "agree"),
                ("vacs.valid", "yes"),
                ("vacs.valid.note", "Maps as claimed."),
            ],
        )
        .await;
    assert_eq!(partial.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = partial.text();
    assert!(
        html.contains("Answer yes or no: is the evidence authentic?")
            && html.contains("href=\"#f-vacs-authentic\"")
            && html.contains("Maps as claimed.")
            && html.contains("id=\"f-vacs-valid--yes\" name=\"vacs.valid\" value=\"yes\" checked"),
        "{html}"
    );

    // A "no" without a note is refused by the note.
    let mut fields = vec![
        ("decision", "agree"),
        ("vacs.valid", "yes"),
        ("vacs.valid.note", "Maps as claimed."),
        ("vacs.authentic", "yes"),
        ("vacs.current", "no"),
        ("vacs.sufficient", "yes"),
    ];
    let refused = iv.post(&app, &sample, &fields).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.text().contains("href=\"#f-vacs-current-note\""),
        "{}",
        refused.text()
    );
    fields.push(("vacs.current.note", "The log is from 2021."));
    let saved = iv.post(&app, &sample, &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text());

    let history = iv
        .get(&app, &format!("/orgs/{}/samples", w.org))
        .await
        .text();
    assert!(
        history.contains("<strong>Valid:</strong> yes — Maps as claimed.")
            && history.contains("<strong>Current:</strong> no — The log is from 2021.")
            && history.contains("<strong>Sufficient:</strong> yes</li>"),
        "{history}"
    );
}
