//! The candidate–assessor journey over HTTP, uploads, locking, and the audit trail: every backend.

use actix_web::http::{Method, StatusCode};
use serde_json::json;

use crate::api;
use crate::helpers::{TestApp, backend_test, multipart};
pub use crate::helpers::{complete_portfolio, example_records};

backend_test!(candidate_and_assessor_complete_a_portfolio);
async fn candidate_and_assessor_complete_a_portfolio(app: TestApp) {
    let w = app.world("28268@2").await;
    let base = api::enrolment(&w.enrolment);

    // The candidate may not record an observation: that is the assessor's record.
    let (records, marks) = example_records();
    let observation = records[0].1.clone();
    let refused = app
        .post_as(&w.candidate, &base.evidence(), observation)
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{:?}", app.backend);

    // The candidate uploads product evidence mapped to 1.7 and declares it their own.
    let record = json!({
        "method": "product_evidence", "setting": "workplace", "date": "2024-05-06",
        "title": "Customer record screenshot", "criteria": [{"criterion": "1.7"}], "declaration": true
    });
    let (ctype, body) = multipart(
        &record,
        "../../record 1.pdf",
        b"%PDF-1.4 screenshot of the customer record",
    );
    let uploaded = app
        .send_raw(&w.candidate, &base.evidence_upload(), &ctype, body)
        .await;
    assert_eq!(
        uploaded.status,
        StatusCode::CREATED,
        "{:?}: {}",
        app.backend,
        uploaded.text()
    );
    let upload = uploaded.json();
    assert_eq!(upload["file"]["content_type"], "application/pdf");
    assert_eq!(upload["file"]["name"], "record 1.pdf");
    assert_eq!(upload["instance"]["criteria"][0]["judgement"], "pending");
    let upload_id = upload["id"].as_str().unwrap().to_owned();

    // Claimed counts the pending mapping; confirmed does not.
    let progress = app.get_as(&w.candidate, &base.progress()).await;
    assert_eq!(progress.status, StatusCode::OK);
    assert_eq!(progress.json()["confirmed"]["complete"], false);
    assert!(
        !progress.json()["confirmed"]["gaps"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    // The assessor records every observation of the example portfolio (their records are judged by them).
    for (_, record) in &records {
        let added = app
            .post_as(&w.assessor, &base.evidence(), record.clone())
            .await;
        assert_eq!(
            added.status,
            StatusCode::CREATED,
            "{:?}: {}",
            app.backend,
            added.text()
        );
    }
    let marked = app.put_as(&w.assessor, &base.marks(), marks).await;
    assert_eq!(marked.status, StatusCode::OK, "{}", marked.text());

    // Rejecting needs feedback.
    let judge = base.evidence_item(&upload_id).judgements();
    let bare = app
        .post_as(
            &w.assessor,
            &judge,
            json!({"criteria": [{"id": "1.7", "judgement": "rejected"}]}),
        )
        .await;
    assert_eq!(bare.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bare.json()["errors"]["criteria[0].feedback"].is_string());
    let accepted = app
        .post_as(
            &w.assessor,
            &judge,
            json!({"criteria": [{"id": "1.7", "judgement": "accepted"}]}),
        )
        .await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.text());
    let candidate_judging = app
        .post_as(
            &w.candidate,
            &judge,
            json!({"criteria": [{"id": "1.7", "judgement": "accepted"}]}),
        )
        .await;
    assert_eq!(candidate_judging.status, StatusCode::FORBIDDEN);

    let progress = app.get_as(&w.assessor, &base.progress()).await.json();
    assert_eq!(
        progress["confirmed"]["complete"], true,
        "{:?}: {}",
        app.backend, progress["confirmed"]["gaps"]
    );

    // Submission locks the candidate out; reopening needs a reason.
    let no = app
        .post_as(&w.candidate, &base.submit(), json!({"declaration": false}))
        .await;
    assert_eq!(no.status, StatusCode::UNPROCESSABLE_ENTITY);
    let yes = app
        .post_as(&w.candidate, &base.submit(), json!({"declaration": true}))
        .await;
    assert_eq!(yes.status, StatusCode::OK);
    assert_eq!(yes.json()["status"], "submitted");
    let (ctype, body) = multipart(&record, "late.pdf", b"%PDF-1.4 late");
    let late = app
        .send_raw(&w.candidate, &base.evidence_upload(), &ctype, body)
        .await;
    assert_eq!(late.status, StatusCode::FORBIDDEN, "{}", late.text());
    assert!(
        late.json()["detail"]
            .as_str()
            .unwrap()
            .contains("submitted")
    );
    let reason = app
        .post_as(&w.assessor, &base.reopen(), json!({"reason": " "}))
        .await;
    assert_eq!(reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    let reopened = app
        .post_as(
            &w.assessor,
            &base.reopen(),
            json!({"reason": "Add the follow-up email"}),
        )
        .await;
    assert_eq!(reopened.json()["status"], "active");

    // The file comes back whole, as an attachment with a safe name.
    let file = app
        .get_as(&w.candidate, &base.evidence_item(&upload_id).file())
        .await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(file.body, b"%PDF-1.4 screenshot of the customer record");
    assert!(
        file.header("content-disposition")
            .unwrap()
            .starts_with("attachment")
    );

    // Every change is in the audit chain, and the chain is intact.
    let mut conn = app.state.db.conn().unwrap();
    let verified = attest::audit::verify(&mut conn).unwrap();
    assert!(verified.broken.is_none());
    assert!(verified.entries >= 14, "{}", verified.entries);
}

backend_test!(evidence_validation_names_each_field);
async fn evidence_validation_names_each_field(app: TestApp) {
    let w = app.world("28268@2").await;
    let path = api::enrolment(&w.enrolment).evidence();
    let bad = json!({
        "method": "witness_testimony", "setting": "workplace", "date": "2024-05-06",
        "attributes": {"enquiry_type": "urgent", "colour": "red"},
        "criteria": [{"criterion": "9.9"}, {"criterion": "1.1", "range": {"greeting_requirements": ["courtesy"], "nope": ["x"]}}],
        "details": {"witness": {"name": "Hemi", "job_title": "Team leader", "relationship": "my brother", "contact": "hemi@example.org", "statement": "Saw it.", "declaration": true, "declared_on": "2024-05-07"}}
    });
    let reply = app.post_as(&w.candidate, &path, bad).await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}: {}",
        app.backend,
        reply.text()
    );
    assert_eq!(
        reply.header("content-type"),
        Some("application/problem+json")
    );
    let errors = reply.json()["errors"].clone();
    for field in [
        "declaration",
        "attributes.enquiry_type",
        "attributes.colour",
        "details.witness.relationship",
        "details.witness.declaration",
        "criteria[0].criterion",
    ] {
        assert!(errors.get(field).is_some(), "{field} missing from {errors}");
    }
    // A type error in the body names its path too.
    let typed = app
        .request_as(
            Some(&w.candidate),
            Method::POST,
            &path,
            Some(
                json!({"method": "product_evidence", "setting": "workplace", "date": "yesterday"}),
            ),
        )
        .await;
    assert_eq!(typed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        typed.json()["errors"].get("date").is_some(),
        "{}",
        typed.text()
    );
    assert_eq!(app.count("evidence"), 0, "nothing half-written");
}

backend_test!(uploads_are_checked_and_stored_once);
async fn uploads_are_checked_and_stored_once(app: TestApp) {
    let w = app.world("28268@2").await;
    let path = api::enrolment(&w.enrolment).evidence_upload();
    let record = json!({"method": "product_evidence", "setting": "workplace", "date": "2024-05-06", "criteria": [{"criterion": "1.7"}], "declaration": true});

    let (ctype, body) = multipart(&record, "tool.pdf", b"\x7fELF\x02\x01\x01\0 not a document");
    let wrong = app.send_raw(&w.candidate, &path, &ctype, body).await;
    assert_eq!(
        wrong.status,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "{}",
        wrong.text()
    );

    let (ctype, body) = multipart(&record, "empty.pdf", b"");
    let empty = app.send_raw(&w.candidate, &path, &ctype, body).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.json()["errors"]["file"].is_string());

    let (ctype, body) = multipart(
        &json!({"method": "product_evidence"}),
        "a.pdf",
        b"%PDF-1.4 x",
    );
    let bad_record = app.send_raw(&w.candidate, &path, &ctype, body).await;
    assert_eq!(bad_record.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad_record.json()["errors"]["record.setting"].is_string(),
        "{}",
        bad_record.text()
    );

    for _ in 0..2 {
        let (ctype, body) = multipart(&record, "same.pdf", b"%PDF-1.4 the same bytes twice");
        let ok = app.send_raw(&w.candidate, &path, &ctype, body).await;
        assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.text());
    }
    assert_eq!(app.count("evidence"), 2);
    assert_eq!(app.count("files"), 1, "the same content is recorded once");
    assert_eq!(
        app.stored_files(),
        (1, 0),
        "one stored object, no temporary files"
    );
}

#[actix_web::test]
async fn uploads_over_the_limit_are_refused() {
    let app = TestApp::with_max_upload(crate::helpers::Backend::Sqlite, 1024 * 1024);
    let w = app.world("28268@2").await;
    let record = json!({"method": "product_evidence", "setting": "workplace", "date": "2024-05-06", "declaration": true});
    let mut big = b"%PDF-1.4 ".to_vec();
    big.resize(1024 * 1024 + 10, b'x');
    let (ctype, body) = multipart(&record, "big.pdf", &big);
    let reply = app
        .send_raw(
            &w.candidate,
            &api::enrolment(&w.enrolment).evidence_upload(),
            &ctype,
            body,
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        reply.text()
    );
    assert_eq!(app.count("evidence"), 0);
    assert_eq!(app.stored_files(), (0, 0));
}

backend_test!(tampering_with_the_audit_trail_is_detected);
async fn tampering_with_the_audit_trail_is_detected(app: TestApp) {
    let _ = app.world("28268@2").await;
    let mut conn = app.state.db.conn().unwrap();
    assert!(attest::audit::verify(&mut conn).unwrap().broken.is_none());
    use diesel::RunQueryDsl;
    diesel::sql_query(
        "UPDATE audit_log SET after_json = '{\"status\":\"certified\"}' WHERE seq = 3",
    )
    .execute(&mut *conn)
    .unwrap();
    let result = attest::audit::verify(&mut conn).unwrap();
    let broken = result.broken.expect("tampering detected");
    assert_eq!(broken.seq, 3, "{:?}", app.backend);
    assert_eq!(result.entries, 2);
}

backend_test!(an_upload_cut_off_midway_leaves_nothing);
async fn an_upload_cut_off_midway_leaves_nothing(app: TestApp) {
    use std::io::Write;
    let w = app.world("28268@2").await;
    let server = app.serve();
    let record = json!({"method": "product_evidence", "setting": "workplace", "date": "2024-05-06", "declaration": true});
    let mut content = b"%PDF-1.4 ".to_vec();
    content.resize(512 * 1024, b'x');
    let (ctype, body) = multipart(&record, "call.pdf", &content);
    let mut stream = std::net::TcpStream::connect(server.addr).unwrap();
    write!(
            stream,
            "POST /api/enrolments/{}/evidence/upload HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\n\r\n",
            w.enrolment,
            server.addr,
            w.candidate,
            body.len()
        )
        .unwrap();
    stream.write_all(&body[..body.len() / 2]).unwrap();
    stream.flush().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    drop(stream);
    // The server notices the cut and cleans up; give it a moment.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while app.stored_files() != (0, 0) && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert_eq!(
        app.stored_files(),
        (0, 0),
        "{:?}: no stored or temporary file",
        app.backend
    );
    assert_eq!(app.count("evidence"), 0);
    assert_eq!(app.count("files"), 0);
}

#[actix_web::test]
async fn a_portfolio_archive_is_written_and_verified_from_the_command_line() {
    let app = TestApp::new(crate::helpers::Backend::Sqlite);
    let w = app.world("28268@2").await;
    let record = json!({"method": "product_evidence", "setting": "workplace", "date": "2024-05-06",
        "title": "Call notes", "criteria": [{"criterion": "1.7"}], "declaration": true});
    let (ctype, body) = multipart(
        &record,
        "notes for Tāne.txt",
        "Kia ora — call notes\n".as_bytes(),
    );
    let uploaded = app
        .send_raw(
            &w.candidate,
            &api::enrolment(&w.enrolment).evidence_upload(),
            &ctype,
            body,
        )
        .await;
    assert_eq!(uploaded.status, StatusCode::CREATED, "{}", uploaded.text());

    let data = &app.state.config.data_dir;
    let zip = data.join("portfolio.zip");
    let attest = |args: &[&std::ffi::OsStr]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_attest"))
            .args(args)
            .env("ATTEST_DATA_DIR", data)
            .env("ATTEST_STANDARDS_DIR", &app.state.config.standards_dir)
            .env_remove("ATTEST_DATABASE_URL")
            .output()
            .unwrap()
    };
    let export = attest(&[
        "export".as_ref(),
        "archive".as_ref(),
        w.enrolment.as_ref(),
        "-o".as_ref(),
        zip.as_os_str(),
    ]);
    assert!(
        export.status.success(),
        "{}",
        String::from_utf8_lossy(&export.stderr)
    );
    let verify = attest(&["verify-archive".as_ref(), zip.as_os_str()]);
    assert_eq!(
        verify.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );
    assert!(String::from_utf8_lossy(&verify.stdout).contains("intact"));

    let not_zip = data.join("not.zip");
    std::fs::write(&not_zip, b"plain text").unwrap();
    let unreadable = attest(&["verify-archive".as_ref(), not_zip.as_os_str()]);
    assert_eq!(unreadable.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unreadable.stderr).contains("not.zip"));
}

backend_test!(an_admin_reassigns_the_assessor_and_withdraws_the_enrolment);
async fn an_admin_reassigns_the_assessor_and_withdraws_the_enrolment(app: TestApp) {
    let w = app.world("28268@2").await;
    let base = api::enrolment(&w.enrolment);
    let new_assessor = app.seed_user(&w.org, "tama@harbour.nz", "assessor");
    let new_token = app.login("tama@harbour.nz").await;
    let record = json!({"method": "observation_checklist", "setting": "workplace", "date": "2024-05-06",
            "criteria": [{"criterion": "1.7"}]});
    let before = app
        .post_as(&new_token, &base.evidence(), record.clone())
        .await;
    assert_eq!(before.status, StatusCode::FORBIDDEN, "{}", before.text());

    // The verifier cannot be the assessor; every problem names its field.
    let clash = app
        .put_as(
            &w.admin,
            &base.staff(),
            json!({"assessor_id": w.iv_id, "iv_id": w.iv_id}),
        )
        .await;
    assert_eq!(clash.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        clash.json()["errors"]["assessor_id"].is_string(),
        "{}",
        clash.text()
    );
    assert!(
        clash.json()["errors"]["iv_id"].is_string(),
        "{}",
        clash.text()
    );

    let audit_before = app.count("audit_log");
    let moved = app
        .put_as(
            &w.admin,
            &base.staff(),
            json!({"assessor_id": new_assessor, "iv_id": w.iv_id}),
        )
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.text());
    assert_eq!(moved.json()["assessor_id"], new_assessor.as_str());
    assert_eq!(app.count("audit_log"), audit_before + 1);
    let after = app
        .post_as(&new_token, &base.evidence(), record.clone())
        .await;
    assert_eq!(after.status, StatusCode::CREATED, "{}", after.text());
    let old = app
        .post_as(&w.assessor, &base.evidence(), record.clone())
        .await;
    assert_eq!(old.status, StatusCode::FORBIDDEN, "{}", old.text());

    let no_reason = app
        .post_as(&w.admin, &base.withdraw(), json!({"reason": "  "}))
        .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_reason.json()["errors"]["reason"].is_string());
    let withdrawn = app
        .post_as(
            &w.admin,
            &base.withdraw(),
            json!({"reason": "Left the company"}),
        )
        .await;
    assert_eq!(withdrawn.status, StatusCode::OK, "{}", withdrawn.text());
    assert_eq!(withdrawn.json()["status"], "withdrawn");
    let closed = app
        .post_as(&w.candidate, &base.evidence(), record.clone())
        .await;
    assert!(closed.status.is_client_error(), "{}", closed.text());
    let again = app
        .post_as(&w.admin, &base.withdraw(), json!({"reason": "twice"}))
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.text());
}

backend_test!(a_candidate_cannot_be_made_the_verifier_of_their_own_portfolio);
async fn a_candidate_cannot_be_made_the_verifier_of_their_own_portfolio(app: TestApp) {
    let w = app.world("28268@2").await;
    app.tx(|c| {
        attest::identity::grant_role(
            c,
            None,
            w.candidate_id.parse().unwrap(),
            w.org.parse().unwrap(),
            attest::auth::policy::Role::InternalVerifier,
            None,
        )
    });
    let refused = app
        .put_as(
            &w.admin,
            &api::enrolment(&w.enrolment).staff(),
            json!({"assessor_id": w.assessor_id, "iv_id": w.candidate_id}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.json()["errors"]["iv_id"]
            .as_str()
            .unwrap_or_default()
            .contains("own portfolio"),
        "{}",
        refused.text()
    );
}
