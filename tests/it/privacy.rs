//! Retention rules (API, `retention apply`), erasure on request and the subject-access export:
//! personal data and files go, the certification record and the audit chain stay intact.

use actix_web::http::{Method, StatusCode};
use chrono::{Duration, Utc};
use serde_json::json;

use crate::backup::issue_statement;
use crate::helpers::{TestApp, backends, get_json, multipart};

fn audit_actions(app: &TestApp) -> Vec<String> {
    use attest::db::schema::audit_log;
    use diesel::prelude::*;
    let mut conn = app.state.db.conn().unwrap();
    audit_log::table
        .select(audit_log::action)
        .order(audit_log::seq)
        .load(&mut *conn)
        .unwrap()
}

fn chain_intact(app: &TestApp) -> bool {
    let mut conn = app.state.db.conn().unwrap();
    attest::audit::verify(&mut conn).unwrap().broken.is_none()
}

#[actix_web::test]
async fn retention_erasure_and_subject_access_keep_the_certification_record() {
    for backend in backends() {
        let app = TestApp::new(backend);
        let w = app.world("28268@2").await;
        let base = format!("/api/enrolments/{}", w.enrolment);
        let record = json!({
            "method": "product_evidence", "setting": "workplace", "date": "2024-05-06",
            "title": "Aroha's customer record", "criteria": [{"criterion": "1.7"}], "declaration": true
        });
        let (ctype, body) = multipart(&record, "record.pdf", b"%PDF-1.4 aroha's record");
        let uploaded = app
            .send_raw(
                &w.candidate,
                &format!("{base}/evidence/upload"),
                &ctype,
                body,
            )
            .await;
        assert_eq!(uploaded.status, StatusCode::CREATED, "{}", uploaded.text());
        let code = issue_statement(&app, &w).await;

        // Rules through the API: shown, validated (naming the field), audited.
        let retention = format!("/api/orgs/{}/retention", w.org);
        let empty = app
            .request_as(Some(&w.admin), Method::GET, &retention, None)
            .await;
        assert_eq!(
            empty.json(),
            json!({"evidence_files": null, "portfolios": null, "certification_records": null, "audit": null})
        );
        let bad = app
            .request_as(
                Some(&w.admin),
                Method::PUT,
                &retention,
                Some(json!({"evidence_files": 30, "portfolios": 10})),
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            bad.json()["errors"]["portfolios"].is_string(),
            "{}",
            bad.text()
        );
        let rules = json!({"evidence_files": 30, "portfolios": 60, "certification_records": 3650, "audit": 3650});
        let set = app
            .request_as(Some(&w.admin), Method::PUT, &retention, Some(rules.clone()))
            .await;
        assert_eq!(set.status, StatusCode::OK, "{}", set.text());
        assert_eq!(
            app.request_as(Some(&w.admin), Method::GET, &retention, None)
                .await
                .json(),
            rules
        );
        assert!(audit_actions(&app).contains(&"retention.set".to_owned()));

        // Subject-access export, before anything is erased.
        let out = tempfile::tempdir().unwrap();
        let folder = out.path().join("subject");
        let store =
            attest::storage::LocalStore::open(app.state.config.data_dir.join("files")).unwrap();
        {
            let mut conn = app.state.db.conn().unwrap();
            let n = attest::exports::subject::write(
                &mut conn,
                &app.state.catalogue,
                &app.state.fonts,
                &store,
                &w.candidate_id,
                &folder,
            )
            .unwrap();
            assert_eq!(n, 1);
        }
        let account: serde_json::Value =
            serde_json::from_slice(&std::fs::read(folder.join("account.json")).unwrap()).unwrap();
        assert_eq!(account["account"]["email"], "aroha@harbour.nz");
        assert_eq!(account["enrolments"][0]["id"], w.enrolment.as_str());
        assert!(!account["audit_trail"].as_array().unwrap().is_empty());
        assert!(
            !account.to_string().contains("argon2id$"),
            "no password hash"
        );
        let zip = std::fs::read_dir(&folder)
            .unwrap()
            .filter_map(Result::ok)
            .find(|e| e.path().extension().is_some_and(|x| x == "zip"))
            .unwrap();
        let report = attest::output::export::archive::verify_archive(
            std::fs::File::open(zip.path()).unwrap(),
        )
        .unwrap();
        assert!(report.problems.is_empty(), "the archive checks out");

        // Nothing is past its period yet; 45 days on, the evidence files are; the records stay.
        let files_before = app.count("files");
        {
            let mut conn = app.state.db.conn().unwrap();
            let now = attest::privacy::apply(&mut conn, Utc::now(), true).unwrap();
            assert!(
                now.actions.iter().all(|a| !a.record_type.removable()),
                "{now:?}"
            );
            let later = Utc::now() + Duration::days(45);
            let dry = attest::privacy::apply(&mut conn, later, true).unwrap();
            let files = dry
                .actions
                .iter()
                .find(|a| a.record_type.as_str() == "evidence_files")
                .unwrap();
            assert_eq!(files.evidence.len(), 1, "{dry:?}");
            assert_eq!(
                app.count("files"),
                files_before,
                "a dry run changes nothing"
            );
            attest::db::write_transaction(&mut conn, |c| attest::privacy::apply(c, later, false))
                .unwrap();
        }
        assert_eq!(
            app.count("files"),
            files_before - 1,
            "the file's record is gone"
        );
        let evidence = app
            .request_as(
                Some(&w.admin),
                Method::GET,
                &format!("{base}/evidence"),
                None,
            )
            .await;
        assert_eq!(evidence.status, StatusCode::OK);
        assert!(
            !evidence.text().contains("record.pdf"),
            "{}",
            evidence.text()
        );
        assert!(audit_actions(&app).contains(&"retention.apply".to_owned()));
        assert_eq!(
            get_json(&app, &format!("/verify/{code}")).await["status"],
            "valid"
        );

        // Erasure on request: refused without a reason; then the account is anonymised.
        let erase = format!("/api/orgs/{}/users/{}/erase", w.org, w.candidate_id);
        let bare = app
            .request_as(
                Some(&w.admin),
                Method::POST,
                &erase,
                Some(json!({"reason": ""})),
            )
            .await;
        assert_eq!(bare.status, StatusCode::UNPROCESSABLE_ENTITY);
        let erased = app
            .request_as(
                Some(&w.admin),
                Method::POST,
                &erase,
                Some(json!({"reason": "GDPR art. 17 request of 2026-12-01"})),
            )
            .await;
        assert_eq!(erased.status, StatusCode::OK, "{}", erased.text());
        assert_eq!(erased.json()["enrolments_kept"], 1);
        let again = app
            .request_as(
                Some(&w.admin),
                Method::POST,
                &erase,
                Some(json!({"reason": "again"})),
            )
            .await;
        assert_eq!(again.status, StatusCode::CONFLICT);
        let login = app
            .request(
                Method::POST,
                "/api/auth/login",
                Some(json!({"email": "aroha@harbour.nz", "password": crate::helpers::PASSWORD})),
            )
            .await;
        assert_eq!(login.status, StatusCode::UNAUTHORIZED, "{}", login.text());
        let old_session = app
            .request_as(Some(&w.candidate), Method::GET, &base, None)
            .await;
        assert_eq!(old_session.status, StatusCode::UNAUTHORIZED, "sessions end");
        let evidence = app
            .request_as(
                Some(&w.admin),
                Method::GET,
                &format!("{base}/evidence"),
                None,
            )
            .await;
        assert!(
            !evidence.text().contains("Aroha's customer record"),
            "content cleared: {}",
            evidence.text()
        );
        let enrolment = app
            .request_as(Some(&w.admin), Method::GET, &base, None)
            .await;
        assert_eq!(
            enrolment.status,
            StatusCode::OK,
            "the enrolment (certification record) stays"
        );
        assert!(
            !enrolment.text().contains("aroha@harbour.nz"),
            "{}",
            enrolment.text()
        );
        assert_eq!(
            get_json(&app, &format!("/verify/{code}")).await["status"],
            "valid"
        );
        assert!(audit_actions(&app).contains(&"user.erase".to_owned()));
        assert!(chain_intact(&app), "{backend:?}: the audit chain is intact");
    }
}
