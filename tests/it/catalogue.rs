//! The catalogue: versions pinned by enrolments cannot change under them; expired standards take no
//! new enrolments.

use actix_web::http::StatusCode;
use serde_json::json;

use crate::api;
use crate::helpers::{Backend, TestApp, backend_test};

fn copy_standards() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/standards")).unwrap() {
        let path = entry.unwrap().path();
        // The standards only: `standards/sources/` holds their source documents.
        if path.is_file() {
            std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
        }
    }
    dir
}

backend_test!(a_changed_file_of_an_enrolled_version_is_refused_at_start);
async fn a_changed_file_of_an_enrolled_version_is_refused_at_start(backend: Backend) {
    let standards = copy_standards();
    let app = TestApp::with_standards(backend, standards.path());
    let _ = app.world("28268@2").await;
    let file = standards.path().join("nzqa-28268-v2.yaml");
    let mut text = std::fs::read_to_string(&file).unwrap();
    text.push_str("\n# an edit after enrolment\n");
    std::fs::write(&file, text).unwrap();
    let err = attest::setup::load_catalogue(&app.state.config, &app.state.db).unwrap_err();
    let message = err.to_string();
    assert!(message.contains("nzqa-28268-v2.yaml"), "{message}");
    assert!(
        message.contains("has enrolments") && message.contains("publish"),
        "{message}"
    );
    assert!(err.is_configuration(), "exit code 2 at start");
}

#[actix_web::test]
async fn a_changed_file_without_enrolments_is_recorded_again() {
    let standards = copy_standards();
    let app = TestApp::with_standards(Backend::Sqlite, standards.path());
    let file = standards.path().join("nos-inscc007.yaml");
    let mut text = std::fs::read_to_string(&file).unwrap();
    text.push_str("\n# a correction before anyone enrolled\n");
    std::fs::write(&file, text).unwrap();
    attest::setup::load_catalogue(&app.state.config, &app.state.db)
        .expect("no enrolments: the new text is taken");
}

#[actix_web::test]
async fn a_standard_past_its_last_date_takes_no_new_enrolments() {
    let standards = copy_standards();
    let file = standards.path().join("nos-inscc007.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    let doc: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    let mut doc = doc;
    doc["dates"]["last_date_for_assessment"] = serde_yaml::Value::String("2020-06-30".into());
    std::fs::write(&file, serde_yaml::to_string(&doc).unwrap()).unwrap();
    let app = TestApp::with_standards(Backend::Sqlite, standards.path());
    let org = app.seed_org("Harbour Training");
    app.seed_user(&org, "admin@harbour.nz", "provider_admin");
    let candidate = app.seed_user(&org, "aroha@harbour.nz", "candidate");
    let admin = app.login("admin@harbour.nz").await;
    let reply = app
        .post_as(
            &admin,
            api::ENROLMENTS,
            json!({"org_id": org, "candidate_id": candidate, "standard": "INSCC007"}),
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.text()
    );
    assert!(
        reply.json()["errors"]["standard"]
            .as_str()
            .unwrap()
            .contains("last date for assessment")
    );
    let listed = app.get_as(&admin, api::STANDARDS).await.json();
    let inscc007 = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["code"] == "INSCC007")
        .unwrap()
        .clone();
    assert_eq!(inscc007["open_for_enrolment"], false);
}
