//! Moving a candidate to the next version of a standard (issue 22 item 4): a mapping file, the
//! engine's preview of what still holds and what is newly missing, the move (audited, the
//! original mappings kept) and its undo until the next change.

use actix_web::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::api;
use crate::authoring::{editor, inscc003};
use crate::helpers::{TestApp, backend_test, multipart};

/// INSCC003 version 2: criterion 1 becomes 1a, and 1b is new.
fn version_two() -> String {
    let text = inscc003(2, "current");
    let old = "      - id: \"1\"\n        text: \"identify and greet customers following organisational guidelines\"\n";
    assert!(text.contains(old));
    text.replacen(
        old,
        "      - id: \"1a\"\n        text: \"identify and greet customers following organisational guidelines\"\n      - id: \"1b\"\n        text: \"confirm the customer's identity before discussing their account\"\n",
        1,
    )
}

const MAPPING: &str = "code: INSCC003\nfrom_version: 1\nto_version: 2\ncriteria:\n  - from: \"1\"\n    to: [\"1a\"]\n    note: Greeting is now 1a; 1b (identity) is new\n";

fn criteria(record: &Value) -> Vec<String> {
    record["instance"]["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["criterion"].as_str().unwrap().to_owned())
        .collect()
}

backend_test!(an_enrolment_moves_to_the_next_version_with_a_preview_and_can_be_undone);
async fn an_enrolment_moves_to_the_next_version_with_a_preview_and_can_be_undone(app: TestApp) {
    let w = app.world("INSCC003").await;
    let editor = editor(&app, &w).await;
    let base = api::enrolment(&w.enrolment);

    // Evidence on criteria 1 and 2, accepted by the assessor.
    let record = json!({"method": "product_evidence", "setting": "workplace", "date": "2024-05-06",
            "title": "Greeting a caller", "criteria": [{"criterion": "1"}, {"criterion": "2"}],
            "knowledge": ["K1"], "declaration": true});
    let (ctype, body) = multipart(&record, "call.pdf", b"%PDF-1.4 call");
    let uploaded = app
        .send_raw(&w.candidate, &base.evidence_upload(), &ctype, body)
        .await;
    assert_eq!(uploaded.status, StatusCode::CREATED, "{}", uploaded.text());
    let evidence_id = uploaded.json()["id"].as_str().unwrap().to_owned();
    let judge = base.evidence_item(&evidence_id).judgements();
    let judged = app
            .post_as(&w.assessor, &judge, json!({"criteria": [{"id": "1", "judgement": "accepted"}, {"id": "2", "judgement": "accepted"}]}))
            .await;
    assert_eq!(judged.status, StatusCode::OK, "{}", judged.text());

    // The editor publishes version 2 and its mapping file; a file naming ids the versions do
    // not have is refused, naming each.
    let published = app
        .post_as(
            &editor,
            &api::org(&w.org).standards(),
            json!({"yaml": version_two()}),
        )
        .await;
    assert_eq!(
        published.status,
        StatusCode::CREATED,
        "{}",
        published.text()
    );
    let v2_hash = published.json()["content_hash"]
        .as_str()
        .unwrap()
        .to_owned();
    let mappings = api::org(&w.org).standard_mappings();
    let wrong = app
            .post_as(&editor, &mappings, json!({"yaml": "code: INSCC003\nfrom_version: 1\nto_version: 2\ncriteria:\n  - from: \"99\"\n    to: [\"1\"]\n"}))
            .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    let errors = &wrong.json()["errors"];
    assert!(
        errors["criteria[0].from"]
            .as_str()
            .unwrap()
            .contains("no criterion 99"),
        "{errors}"
    );
    assert!(
        errors["criteria[0].to[0]"]
            .as_str()
            .unwrap()
            .contains("has no 1"),
        "{errors}"
    );
    let by_admin = app
        .post_as(&w.admin, &mappings, json!({"yaml": MAPPING}))
        .await;
    assert_eq!(by_admin.status, StatusCode::FORBIDDEN);
    let stored = app
        .post_as(&editor, &mappings, json!({"yaml": MAPPING}))
        .await;
    assert_eq!(stored.status, StatusCode::CREATED, "{}", stored.text());
    let mapping_id = stored.json()["id"].as_str().unwrap().to_owned();

    // The preview: what still holds and what is newly missing; nothing changes.
    let preview = app
        .post_as(
            &w.admin,
            &base.move_preview(),
            json!({"mapping_id": mapping_id}),
        )
        .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.text());
    let preview = preview.json();
    assert_eq!(preview["before"]["version"], 1);
    assert_eq!(preview["after"]["version"], 2);
    assert_eq!(preview["evidence"][0]["original"], json!(["1", "2", "K1"]));
    assert_eq!(preview["evidence"][0]["mapped"], json!(["1a", "2", "K1"]));
    assert_eq!(
        preview["notes"][0],
        "1 → 1a: Greeting is now 1a; 1b (identity) is new"
    );
    let missing = preview["newly_missing"].as_array().unwrap();
    assert!(
        missing.iter().any(|g| g.as_str().unwrap().contains("1b")
            || g.as_str()
                .unwrap()
                .contains("confirm the customer's identity")),
        "{preview}"
    );
    let refused = app
        .post_as(
            &w.assessor,
            &base.move_preview(),
            json!({"mapping_id": mapping_id}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    // A mapping id that is not an id is refused at the edge, naming the field.
    let malformed = app
        .post_as(
            &w.admin,
            &base.move_preview(),
            json!({"mapping_id": "none"}),
        )
        .await;
    assert_eq!(malformed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        malformed.json()["errors"]["mapping_id"].is_string(),
        "{}",
        malformed.text()
    );
    let still = app.get_as(&w.admin, &base).await.json();
    assert_eq!(still["enrolment"]["standard_version"], 1);

    // The page shows the same preview; confirming there moves the enrolment.
    let page = app
        .get_as(
            &w.admin,
            &format!("/enrolments/{}/move?mapping={mapping_id}", w.enrolment),
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("Move to version 2"), "{}", page.text());
    let moved = app
        .send_form(
            Some(&w.admin),
            &format!("/enrolments/{}/move", w.enrolment),
            &crate::pages::pairs(&[("mapping_id", &mapping_id)]),
        )
        .await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.text());
    let enrolment = app.get_as(&w.admin, &base).await.json();
    assert_eq!(enrolment["enrolment"]["standard_version"], 2);
    assert_eq!(enrolment["enrolment"]["standard_hash"], v2_hash.as_str());
    let list = app.get_as(&w.admin, &base.evidence()).await.json();
    let record = &list.as_array().unwrap()[0];
    assert_eq!(criteria(record), ["1a", "2"]);
    assert_eq!(record["instance"]["criteria"][0]["judgement"], "accepted");
    // Evaluated against version 2: 1b is missing.
    let progress = app.get_as(&w.candidate, &base.progress()).await;
    assert_eq!(progress.status, StatusCode::OK, "{}", progress.text());
    assert_eq!(progress.json()["confirmed"]["standard"]["version"], 2);
    // Audited, with the original mapping kept.
    let trail = app.get_as(&w.admin, &base.audit()).await.text();
    assert!(trail.contains("enrolment.move_version"), "{trail}");
    let portfolio = app
        .get_as(&w.candidate, &format!("/enrolments/{}", w.enrolment))
        .await
        .text();
    assert!(portfolio.contains("Moved to version 2"), "{portfolio}");

    // Undo: back to version 1 with the original mappings.
    let undone = app
        .request_as(Some(&w.admin), Method::POST, &base.move_undo(), None)
        .await;
    assert_eq!(undone.status, StatusCode::OK, "{}", undone.text());
    let enrolment = app.get_as(&w.admin, &base).await.json();
    assert_eq!(enrolment["enrolment"]["standard_version"], 1);
    let list = app.get_as(&w.admin, &base.evidence()).await.json();
    assert_eq!(criteria(&list.as_array().unwrap()[0]), ["1", "2"]);
    let again = app
        .request_as(Some(&w.admin), Method::POST, &base.move_undo(), None)
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);

    // Moved again, then the assessor judges: the move can no longer be undone.
    let moved = app
        .post_as(
            &w.admin,
            &base.move_version(),
            json!({"mapping_id": mapping_id}),
        )
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.text());
    let judged = app
        .post_as(
            &w.assessor,
            &judge,
            json!({"criteria": [{"id": "1a", "judgement": "accepted"}]}),
        )
        .await;
    assert_eq!(judged.status, StatusCode::OK, "{}", judged.text());
    let late = app
        .request_as(Some(&w.admin), Method::POST, &base.move_undo(), None)
        .await;
    assert_eq!(late.status, StatusCode::CONFLICT);
    assert!(late.text().contains("since the move"), "{}", late.text());
    let trail = app.get_as(&w.admin, &base.audit()).await.text();
    assert!(trail.contains("enrolment.undo_move"), "{trail}");
}
