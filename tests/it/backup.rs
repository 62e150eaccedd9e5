//! `attest backup` / `attest restore`: a backup taken while the application runs, restored into an
//! empty data dir (and an empty database), holds every record, file, audit entry and statement.

use actix_web::http::{Method, StatusCode};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::api;
use crate::helpers::{Backend, TestApp, backend_test, complete_portfolio, get_json, multipart};

const TABLES: &[&str] = &[
    "organisations",
    "users",
    "role_grants",
    "enrolments",
    "evidence",
    "files",
    "sign_offs",
    "samples",
    "statements",
    "credentials",
    "signing_keys",
    "audit_log",
];

/// Every stored object's hash, recomputed from its bytes through the store.
fn stored_hashes(app: &TestApp) -> Vec<(String, String)> {
    let mut all: Vec<(String, String)> = app
        .state
        .store
        .objects()
        .unwrap()
        .into_iter()
        .map(|found| {
            let mut reader = app.state.store.open(&found.sha256).unwrap();
            let mut bytes = Vec::new();
            reader.read_to_end(&mut bytes).unwrap();
            (found.sha256, hex::encode(Sha256::digest(&bytes)))
        })
        .collect();
    all.sort();
    all
}

use std::io::Read;

pub(crate) async fn issue_statement(app: &TestApp, w: &crate::helpers::World) -> String {
    let base = api::enrolment(&w.enrolment);
    complete_portfolio(app, w).await;
    let steps = [
        (&w.candidate, "submit", Some(json!({"declaration": true}))),
        (&w.assessor, "decision", Some(json!({}))),
        (&w.iv, "samples", Some(json!({"decision": "agree"}))),
        (&w.admin, "statement", None),
    ];
    let mut last = None;
    for (token, step, body) in steps {
        let reply = app
            .request_as(Some(token), Method::POST, &format!("{base}/{step}"), body)
            .await;
        assert!(reply.status.is_success(), "{step}: {}", reply.text());
        last = Some(reply);
    }
    last.unwrap().json()["code"].as_str().unwrap().to_owned()
}

backend_test!(a_backup_restored_into_an_empty_data_dir_holds_everything);
async fn a_backup_restored_into_an_empty_data_dir_holds_everything(backend: Backend) {
    let app = TestApp::new(backend);
    let w = app.world("28268@2").await;
    let base = api::enrolment(&w.enrolment);
    let record = json!({
        "method": "product_evidence", "setting": "workplace", "date": "2024-05-06",
        "title": "Customer record screenshot", "criteria": [{"criterion": "1.7"}], "declaration": true
    });
    let bytes = b"%PDF-1.4 screenshot of the customer record".to_vec();
    let (ctype, body) = multipart(&record, "record.pdf", &bytes);
    let uploaded = app
        .send_raw(&w.candidate, &base.evidence_upload(), &ctype, body)
        .await;
    assert_eq!(uploaded.status, StatusCode::CREATED, "{}", uploaded.text());
    let evidence_id = uploaded.json()["id"].as_str().unwrap().to_owned();
    let code = issue_statement(&app, &w).await;

    let out = tempfile::tempdir().unwrap();
    let folder = out.path().join("backup");
    // Taken while the application holds its pool open, as a running server does.
    let manifest = attest::backup::backup(&app.state.config, &app.state.db, &folder).unwrap();
    assert_eq!(manifest.files.len(), stored_hashes(&app).len());
    assert!(
        manifest
            .files
            .iter()
            .any(|f| f.sha256 == hex::encode(Sha256::digest(&bytes))),
        "the uploaded file is in the manifest"
    );
    attest::backup::check(&folder).unwrap();

    // A second backup into the same folder is refused rather than mixed in.
    assert!(attest::backup::backup(&app.state.config, &app.state.db, &folder).is_err());

    let restored = TestApp::restored(backend, &folder);
    for table in TABLES {
        assert_eq!(
            restored.count(table),
            app.count(table),
            "{backend:?}: {table} rows"
        );
    }
    assert_eq!(stored_hashes(&restored), stored_hashes(&app), "{backend:?}");
    for (stored, recomputed) in stored_hashes(&restored) {
        assert_eq!(stored, recomputed, "restored file matches its hash");
    }
    let mut conn = restored.state.db.conn().unwrap();
    let chain = attest::audit::verify(&mut conn).unwrap();
    assert!(chain.broken.is_none(), "{backend:?}: audit chain intact");
    assert_eq!(
        i64::try_from(chain.entries).unwrap(),
        app.count("audit_log")
    );
    drop(conn);

    // The statement still verifies, the file downloads byte for byte, and the session signed
    // before the backup still works.
    let verified = get_json(&restored, &format!("/verify/{code}")).await;
    assert_eq!(verified["status"], "valid", "{verified}");
    let download = restored
        .get_as(&w.candidate, &base.evidence_item(&evidence_id).file())
        .await;
    assert_eq!(download.status, StatusCode::OK, "{}", download.text());
    assert_eq!(download.body, bytes);

    // Restoring over data is refused.
    let again = attest::backup::restore(&restored.state.config, &folder).unwrap_err();
    assert!(again.to_string().contains("empty"), "{again}");
}

#[actix_web::test]
async fn a_damaged_backup_is_refused_before_anything_is_restored() {
    let backend = Backend::Sqlite;
    let app = TestApp::new(backend);
    let w = app.world("28268@2").await;
    let record = json!({
        "method": "product_evidence", "setting": "workplace", "date": "2024-05-06",
        "title": "Notes", "criteria": [{"criterion": "1.7"}], "declaration": true
    });
    let (ctype, body) = multipart(&record, "notes.pdf", b"%PDF-1.4 notes");
    let uploaded = app
        .send_raw(
            &w.candidate,
            &api::enrolment(&w.enrolment).evidence_upload(),
            &ctype,
            body,
        )
        .await;
    assert_eq!(uploaded.status, StatusCode::CREATED);
    let out = tempfile::tempdir().unwrap();
    let folder = out.path().join("backup");
    let manifest = attest::backup::backup(&app.state.config, &app.state.db, &folder).unwrap();
    let victim = folder.join(&manifest.files[0].path);
    std::fs::write(&victim, b"%PDF-1.4 altered").unwrap();
    let err = attest::backup::check(&folder).unwrap_err();
    assert!(err.to_string().contains("does not match"), "{err}");
    let target = tempfile::tempdir().unwrap();
    let config = crate::helpers::test_config(
        target.path(),
        attest::config::DatabaseUrl::Sqlite(target.path().join("attest.db")),
    );
    assert!(attest::backup::restore(&config, &folder).is_err());
    assert!(
        !target.path().join("attest.db").exists(),
        "nothing restored from a damaged backup"
    );
}
