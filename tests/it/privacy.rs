//! Retention rules (API, `retention apply`), erasure on request and the subject-access export:
//! personal data and files go, the certification record and the audit chain stay intact.

use actix_web::http::{Method, StatusCode};
use chrono::{Duration, Utc};
use serde_json::json;

use crate::api;
use crate::backup::issue_statement;
use crate::helpers::{Backend, TestApp, backend_test, get_json, multipart};

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

backend_test!(retention_erasure_and_subject_access_keep_the_certification_record);
async fn retention_erasure_and_subject_access_keep_the_certification_record(backend: Backend) {
    let app = TestApp::new(backend);
    let w = app.world("28268@2").await;
    let base = api::enrolment(&w.enrolment);
    let record = json!({
        "method": "product_evidence", "setting": "workplace", "date": "2024-05-06",
        "title": "Aroha's customer record", "criteria": [{"criterion": "1.7"}], "declaration": true
    });
    let (ctype, body) = multipart(&record, "record.pdf", b"%PDF-1.4 aroha's record");
    let uploaded = app
        .send_raw(&w.candidate, &base.evidence_upload(), &ctype, body)
        .await;
    assert_eq!(uploaded.status, StatusCode::CREATED, "{}", uploaded.text());
    let code = issue_statement(&app, &w).await;

    // Rules through the API: shown, validated (naming the field), audited.
    let retention = api::org(&w.org).retention();
    let empty = app.get_as(&w.admin, &retention).await;
    assert_eq!(
        empty.json(),
        json!({"evidence_files": null, "portfolios": null, "certification_records": null, "audit": null})
    );
    let bad = app
        .put_as(
            &w.admin,
            &retention,
            json!({"evidence_files": 30, "portfolios": 10}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.json()["errors"]["portfolios"].is_string(),
        "{}",
        bad.text()
    );
    let rules = json!({"evidence_files": 30, "portfolios": 60, "certification_records": 3650, "audit": 3650});
    let set = app.put_as(&w.admin, &retention, rules.clone()).await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.text());
    assert_eq!(app.get_as(&w.admin, &retention).await.json(), rules);
    assert!(audit_actions(&app).contains(&"retention.set".to_owned()));

    // Subject-access export, before anything is erased.
    let out = tempfile::tempdir().unwrap();
    let folder = out.path().join("subject");
    let store = attest::storage::LocalStore::open(app.state.config.data_dir.join("files")).unwrap();
    {
        let mut conn = app.state.db.conn().unwrap();
        let n = attest::exports::subject::write(
            &mut conn,
            &app.state.catalogue,
            app.state.fonts.get().unwrap(),
            &store,
            w.candidate_id.parse().unwrap(),
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
    let report =
        attest::output::formats::archive::verify_archive(std::fs::File::open(zip.path()).unwrap())
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
    let evidence = app.get_as(&w.admin, &base.evidence()).await;
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
    let erase = api::org(&w.org).user(&w.candidate_id).erase();
    let bare = app.post_as(&w.admin, &erase, json!({"reason": ""})).await;
    assert_eq!(bare.status, StatusCode::UNPROCESSABLE_ENTITY);
    let erased = app
        .post_as(
            &w.admin,
            &erase,
            json!({"reason": "GDPR art. 17 request of 2026-12-01"}),
        )
        .await;
    assert_eq!(erased.status, StatusCode::OK, "{}", erased.text());
    assert_eq!(erased.json()["enrolments_kept"], 1);
    let again = app
        .post_as(&w.admin, &erase, json!({"reason": "again"}))
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let login = app
        .request(
            Method::POST,
            api::LOGIN,
            Some(json!({"email": "aroha@harbour.nz", "password": crate::helpers::PASSWORD})),
        )
        .await;
    assert_eq!(login.status, StatusCode::UNAUTHORIZED, "{}", login.text());
    let old_session = app.get_as(&w.candidate, &base).await;
    assert_eq!(old_session.status, StatusCode::UNAUTHORIZED, "sessions end");
    let evidence = app.get_as(&w.admin, &base.evidence()).await;
    assert!(
        !evidence.text().contains("Aroha's customer record"),
        "content cleared: {}",
        evidence.text()
    );
    let enrolment = app.get_as(&w.admin, &base).await;
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

/// Every entry of the chain, oldest first.
fn entries(app: &TestApp) -> Vec<attest::audit::Entry> {
    use attest::db::schema::audit_log;
    use diesel::prelude::*;
    let mut conn = app.state.db.conn().unwrap();
    audit_log::table
        .order(audit_log::seq)
        .select(attest::audit::Entry::as_select())
        .load(&mut *conn)
        .unwrap()
}

/// Rewrites the chain as it was before content digests (each entry hashed over its content),
/// as a database made by an older release holds it.
fn as_before_digests(app: &TestApp) {
    use attest::db::schema::audit_log;
    use diesel::prelude::*;
    let mut conn = app.state.db.conn().unwrap();
    let mut prev = attest::audit::GENESIS.to_owned();
    for mut entry in entries(app) {
        entry.prev_hash = prev;
        entry.content_sha256 = None;
        entry.hash = entry.legacy_hash();
        diesel::update(audit_log::table.find(entry.seq))
            .set((
                audit_log::prev_hash.eq(&entry.prev_hash),
                audit_log::hash.eq(&entry.hash),
                audit_log::content_sha256.eq(None::<String>),
            ))
            .execute(&mut *conn)
            .unwrap();
        prev = entry.hash;
    }
}

fn verify(app: &TestApp) -> attest::audit::Verification {
    let mut conn = app.state.db.conn().unwrap();
    attest::audit::verify(&mut conn).unwrap()
}

/// Runs `sql`, checks the chain breaks at `seq`, and undoes it with `undo`.
fn breaks_at(app: &TestApp, sql: &str, undo: &str, seq: i64) {
    use diesel::RunQueryDsl;
    let mut conn = app.state.db.conn().unwrap();
    diesel::sql_query(sql).execute(&mut *conn).unwrap();
    let found = attest::audit::verify(&mut conn).unwrap();
    assert_eq!(
        found.broken.as_ref().map(|b| b.seq),
        Some(seq),
        "{sql}: {found:?}"
    );
    diesel::sql_query(undo).execute(&mut *conn).unwrap();
    assert!(
        attest::audit::verify(&mut conn).unwrap().broken.is_none(),
        "{undo}"
    );
}

fn sql_text(text: &Option<String>) -> String {
    text.as_ref().map_or_else(
        || "NULL".to_owned(),
        |t| format!("'{}'", t.replace('\'', "''")),
    )
}

backend_test!(erasure_anonymises_the_audit_trail_and_the_chain_still_verifies);
async fn erasure_anonymises_the_audit_trail_and_the_chain_still_verifies(backend: Backend) {
    let app = TestApp::new(backend);
    let w = app.world("28268@2").await;
    // The first entries (the world's set-up) as an older release wrote them.
    as_before_digests(&app);
    let legacy = entries(&app).len() as i64;
    assert!(verify(&app).broken.is_none(), "an old chain still verifies");
    let code = issue_statement(&app, &w).await;
    let before = entries(&app);
    let personal = |e: &attest::audit::Entry| {
        let text = format!("{:?}{:?}", e.before_json, e.after_json);
        text.contains("aroha@harbour.nz") || text.contains("User aroha")
    };
    let named: Vec<i64> = before
        .iter()
        .filter(|e| personal(e))
        .map(|e| e.seq)
        .collect();
    assert!(
        named.iter().any(|s| *s <= legacy) && named.iter().any(|s| *s > legacy),
        "entries from before and after digests name the person: {named:?}"
    );
    let erased = app
        .post_as(
            &w.admin,
            &api::org(&w.org).user(&w.candidate_id).erase(),
            json!({"reason": "GDPR art. 17 request of 2026-12-01"}),
        )
        .await;
    assert_eq!(erased.status, StatusCode::OK, "{}", erased.text());
    let anonymised = erased.json()["audit_entries_anonymised"].as_u64().unwrap();
    assert!(anonymised >= named.len() as u64, "{}", erased.text());

    // Nothing in the trail names them now; every entry keeps its hash, and the chain verifies,
    // counting the anonymised entries as erased, not broken.
    let after = entries(&app);
    assert!(after.iter().all(|e| !personal(e)), "{after:?}");
    for (old, new) in before.iter().zip(&after) {
        assert_eq!(old.hash, new.hash, "entry {} keeps its hash", old.seq);
    }
    let eraser = after
        .iter()
        .find(|e| e.action == attest::audit::ERASE_ACTION)
        .expect("the erasure of the trail is itself an entry");
    let admin_id = app.get_as(&w.admin, api::ME).await.json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(eraser.actor_id.as_deref(), Some(admin_id.as_str()));
    let marked: Vec<i64> = after
        .iter()
        .filter(|e| e.erased_by == Some(eraser.seq))
        .map(|e| e.seq)
        .collect();
    assert_eq!(marked.len() as u64, anonymised);
    assert!(named.iter().all(|s| marked.contains(s)));
    let found = verify(&app);
    assert!(found.broken.is_none(), "{backend:?}: {found:?}");
    assert_eq!(found.erased, anonymised);
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_attest"))
        .args(["audit", "verify"])
        .env(
            "ATTEST_DATABASE_URL",
            app.state.config.database.connection_string(),
        )
        .env("ATTEST_DATA_DIR", &app.state.config.data_dir)
        .env("ATTEST_STANDARDS_DIR", &app.state.config.standards_dir)
        .output()
        .unwrap();
    let out =
        String::from_utf8_lossy(&run.stdout).into_owned() + &String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{out}");
    assert!(
            out.contains(&format!(
                "audit trail chain intact: {} entries ({anonymised} with their content erased on request",
                after.len()
            )),
            "{out}"
        );
    assert_eq!(found.entries, after.len() as u64);
    assert_eq!(
        get_json(&app, &format!("/verify/{code}")).await["status"],
        "valid"
    );

    // Tampering is still found: with content that was not erased (before and after digests),
    // with an anonymised entry's content, and with the erasure marks.
    let untouched = |from_legacy: bool| {
        after
            .iter()
            .find(|e| {
                e.erased_by.is_none()
                    && (e.seq <= legacy) == from_legacy
                    && e.after_json.is_some()
                    && e.action != attest::audit::ERASE_ACTION
            })
            .unwrap()
            .clone()
    };
    for entry in [untouched(true), untouched(false)] {
        breaks_at(
            &app,
            &format!(
                "UPDATE audit_log SET after_json = '{{\"status\":\"certified\"}}' WHERE seq = {}",
                entry.seq
            ),
            &format!(
                "UPDATE audit_log SET after_json = {} WHERE seq = {}",
                sql_text(&entry.after_json),
                entry.seq
            ),
            entry.seq,
        );
        // Marked erased by the erasure entry, which does not name it.
        breaks_at(
            &app,
            &format!(
                "UPDATE audit_log SET after_json = NULL, erased_by = {} WHERE seq = {}",
                eraser.seq, entry.seq
            ),
            &format!(
                "UPDATE audit_log SET after_json = {}, erased_by = NULL WHERE seq = {}",
                sql_text(&entry.after_json),
                entry.seq
            ),
            entry.seq,
        );
    }
    let gone = after.iter().find(|e| e.seq == marked[0]).unwrap().clone();
    breaks_at(
        &app,
        &format!(
            "UPDATE audit_log SET after_json = '{{\"status\":\"certified\"}}' WHERE seq = {}",
            gone.seq
        ),
        &format!(
            "UPDATE audit_log SET after_json = {} WHERE seq = {}",
            sql_text(&gone.after_json),
            gone.seq
        ),
        gone.seq,
    );
    breaks_at(
        &app,
        &format!(
            "UPDATE audit_log SET erased_by = NULL WHERE seq = {}",
            gone.seq
        ),
        &format!(
            "UPDATE audit_log SET erased_by = {} WHERE seq = {}",
            eraser.seq, gone.seq
        ),
        gone.seq,
    );

    // The trail as a file checks too, erased entries included.
    let mut file = Vec::new();
    {
        let mut conn = app.state.db.conn().unwrap();
        attest::audit_trail::write_file(
            &mut conn,
            &attest::audit_trail::Scope::Enrolment(w.enrolment.clone()),
            &attest::audit_trail::TrailQuery::default().check().unwrap(),
            attest::audit_trail::TrailFormat::Json,
            &mut file,
        )
        .unwrap();
    }
    let read = attest::audit_trail::read_file(std::str::from_utf8(&file).unwrap()).unwrap();
    let check = attest::audit_trail::check_file(&read);
    assert!(check.problems.is_empty(), "{check:?}");
    assert!(check.erased > 0, "{check:?}");
}

/// The entries of a zip, by name.
fn unzip(bytes: &[u8]) -> std::collections::BTreeMap<String, Vec<u8>> {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    (0..zip.len())
        .map(|i| {
            let mut file = zip.by_index(i).unwrap();
            let mut content = Vec::new();
            file.read_to_end(&mut content).unwrap();
            (file.name().to_owned(), content)
        })
        .collect()
}

backend_test!(a_subject_access_export_through_the_api_for_the_person_and_their_admin);
async fn a_subject_access_export_through_the_api_for_the_person_and_their_admin(backend: Backend) {
    let app = TestApp::new(backend);
    let w = app.world("28268@2").await;
    let record = json!({
        "method": "product_evidence", "setting": "workplace", "date": "2024-05-06",
        "title": "Aroha's customer record", "criteria": [{"criterion": "1.7"}], "declaration": true
    });
    let (ctype, body) = multipart(&record, "record.pdf", b"%PDF-1.4 aroha's record");
    let uploaded = app
        .send_raw(
            &w.candidate,
            &api::enrolment(&w.enrolment).evidence_upload(),
            &ctype,
            body,
        )
        .await;
    assert_eq!(uploaded.status, StatusCode::CREATED, "{}", uploaded.text());
    let path = api::subject_access_zip(&w.candidate_id);

    // The person themself: everything, as one zip.
    let own = app.get_as(&w.candidate, &path).await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.text());
    assert_eq!(own.header("content-type"), Some("application/zip"));
    assert!(
        own.header("content-disposition")
            .is_some_and(|d| d.contains("subject-access-")),
        "{:?}",
        own.headers
    );
    use sha2::Digest;
    assert_eq!(
        own.header("x-content-sha256"),
        Some(hex::encode(sha2::Sha256::digest(&own.body)).as_str())
    );
    let entries = unzip(&own.body);
    let account: serde_json::Value = serde_json::from_slice(&entries["account.json"]).unwrap();
    assert_eq!(account["account"]["email"], "aroha@harbour.nz");
    assert_eq!(account["scope"], "everything held about the person");
    assert_eq!(account["roles"][0]["role"], "candidate");
    assert_eq!(account["enrolments"][0]["id"], w.enrolment.as_str());
    assert_eq!(account["declarations"].as_array().unwrap().len(), 1);
    assert!(account["sign_in"]["successful_sign_ins"].is_string());
    assert!(account["notifications"].is_array());
    assert!(account["mails"].is_array());
    assert!(
        account["audit_trail"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "evidence.add")
    );
    assert!(
        !account.to_string().contains("argon2id$"),
        "no password hash"
    );
    let archives: Vec<&String> = entries.keys().filter(|k| k.ends_with(".zip")).collect();
    assert_eq!(archives.len(), 1, "{entries:?}", entries = entries.keys());
    let report = attest::output::formats::archive::verify_archive(std::io::Cursor::new(
        entries[archives[0]].clone(),
    ))
    .unwrap();
    assert!(
        report.problems.is_empty(),
        "the portfolio archive checks out"
    );

    // Their organisation's admin: what the organisation holds.
    let by_admin = app.get_as(&w.admin, &path).await;
    assert_eq!(by_admin.status, StatusCode::OK, "{}", by_admin.text());
    let account: serde_json::Value =
        serde_json::from_slice(&unzip(&by_admin.body)["account.json"]).unwrap();
    assert_eq!(account["scope"]["organisations"], json!([w.org]));
    assert_eq!(account["enrolments"][0]["id"], w.enrolment.as_str());

    // Nobody else: not their assessor, not an admin elsewhere.
    let assessor = app.get_as(&w.assessor, &path).await;
    assert_eq!(assessor.status, StatusCode::FORBIDDEN);
    let elsewhere = app.seed_org("Elsewhere Training");
    app.seed_user(&elsewhere, "admin@elsewhere.nz", "provider_admin");
    let other_admin = app.login("admin@elsewhere.nz").await;
    let refused = app.get_as(&other_admin, &path).await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    let missing = app
        .get_as(
            &w.admin,
            "/api/users/00000000-0000-4000-8000-000000000000/subject-access.zip",
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);

    // Each export given out is audited, without personal data.
    let given: Vec<String> = audit_actions(&app)
        .into_iter()
        .filter(|a| a == "user.subject_access")
        .collect();
    assert_eq!(given.len(), 2);
    assert!(chain_intact(&app));

    // Linked from the person's row on the people page and from the user's own account page.
    let people = app
        .get_as(&w.admin, &format!("/orgs/{}/people", w.org))
        .await;
    assert!(
        people.text().contains(&format!(
            "&#x2F;api&#x2F;users&#x2F;{}&#x2F;subject-access.zip",
            w.candidate_id
        )) || people.text().contains(&path),
        "{}",
        people.text()
    );
    let mine = app.get_as(&w.candidate, "/account/two-factor").await;
    assert_eq!(mine.status, StatusCode::OK);
    assert!(
        mine.text().contains("Download your data (zip)"),
        "{}",
        mine.text()
    );
}
