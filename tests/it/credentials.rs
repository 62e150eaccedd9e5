//! Credentials anyone can verify (issue 21): signed Open Badges checked by an independent
//! verifier, the revocation status list, the statement PDF carrying its credential, key rotation,
//! and the audit checkpoints that catch a truncated or rewritten trail (issue 18).

use actix_web::http::{Method, StatusCode};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use crate::api;
use crate::helpers::{Backend, TestApp, World, backend_test, claims, complete_portfolio, jws_of};
use attest::checkpoints::{self, Finding};
use attest::credentials::verify::{self, StatusList, Verdict};

/// A candidate with an issued statement; returns the world and the statement's code.
async fn certified(app: &TestApp) -> (World, String) {
    let w = app.world("28268@2").await;
    let base = api::enrolment(&w.enrolment);
    complete_portfolio(app, &w).await;
    let steps = [
        (&w.candidate, "submit", json!({"declaration": true})),
        (&w.assessor, "decision", json!({})),
        (&w.iv, "samples", json!({"decision": "agree"})),
    ];
    for (token, step, body) in steps {
        let reply = app.post_as(token, &format!("{base}/{step}"), body).await;
        assert!(reply.status.is_success(), "{step}: {}", reply.text());
    }
    let issued = app
        .request_as(Some(&w.admin), Method::POST, &base.statement(), None)
        .await;
    assert_eq!(issued.status, StatusCode::CREATED, "{}", issued.text());
    let code = issued.json()["code"].as_str().unwrap().to_owned();
    (w, code)
}

/// Runs the independent verifier (Python, joserfc); returns its exit code and output.
fn independent(
    dir: &std::path::Path,
    did: &Value,
    token: &str,
    list: Option<&str>,
) -> (i32, String) {
    let did_path = dir.join("did.json");
    let token_path = dir.join("credential.jwt");
    std::fs::write(&did_path, did.to_string()).unwrap();
    std::fs::write(&token_path, token).unwrap();
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/verifier/vc_jose_verify.py"
    );
    let mut command = std::process::Command::new("python3");
    command.arg(script).arg(&did_path).arg(&token_path);
    if let Some(list) = list {
        let list_path = dir.join("status.jwt");
        std::fs::write(&list_path, list).unwrap();
        command.arg(list_path);
    }
    let out = command.output().unwrap_or_else(|e| {
        panic!("python3 is needed for the independent credential check (pip install joserfc): {e}")
    });
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !text.contains("ModuleNotFoundError"),
        "install joserfc from PyPI (pip install joserfc): {text}"
    );
    (out.status.code().unwrap_or(-1), text)
}

/// One byte of the payload changed, the signature kept.
fn tamper(token: &str) -> String {
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    let mut payload = URL_SAFE_NO_PAD.decode(&parts[1]).unwrap();
    let at = payload
        .windows(5)
        .position(|w| w == b"28268")
        .expect("the unit code");
    payload[at] = b'9';
    parts[1] = URL_SAFE_NO_PAD.encode(payload);
    parts.join(".")
}

async fn status_list(app: &TestApp, org: &str) -> String {
    let reply = app.get(&format!("/credentials/status/{org}")).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    assert_eq!(reply.header("content-type"), Some("application/vc+jwt"));
    assert!(
        reply
            .header("cache-control")
            .unwrap_or_default()
            .contains("max-age")
    );
    reply.text()
}

async fn verify_upload(app: &TestApp, token: &str, name: &str, bytes: &[u8]) -> String {
    let (ctype, body) = crate::helpers::file_form(name, bytes);
    let reply = app.send_raw(token, "/verify", &ctype, body).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    reply.text()
}

backend_test!(a_statement_is_a_signed_badge_that_an_independent_verifier_checks_until_revoked);
async fn a_statement_is_a_signed_badge_that_an_independent_verifier_checks_until_revoked(
    app: TestApp,
) {
    let (w, code) = certified(&app).await;
    let base = api::enrolment(&w.enrolment);

    // The candidate downloads the badge for a wallet.
    let download = app.get_as(&w.candidate, &base.credential_json()).await;
    assert_eq!(download.status, StatusCode::OK, "{}", download.text());
    let enveloped = download.json();
    let token = jws_of(&enveloped);
    let badge = claims(&enveloped);
    let did = app.get(&format!("/orgs/{}/did.json", w.org)).await.json();
    assert_eq!(badge["issuer"]["id"], did["id"]);
    assert!(
        did["id"]
            .as_str()
            .unwrap()
            .starts_with("did:web:127.0.0.1%3A8080:orgs:")
    );
    let unit = &badge["credentialSubject"]["achievement"];
    assert_eq!(unit["humanCode"], "28268");
    assert_eq!(unit["version"], "2");
    assert_eq!(unit["alignment"][0]["targetFramework"], "NZQA");
    assert!(unit["creditsAvailable"].as_f64().is_some(), "{unit}");
    assert_eq!(badge["credentialSubject"]["result"][0]["value"], "Achieved");
    assert!(
        badge["evidence"][0]["name"]
            .as_str()
            .unwrap()
            .contains(&code)
    );
    let chain = app.get_as(&w.admin, &base.signoffs()).await.json();
    let assessor_hash = chain["sign_offs"]
        .as_array()
        .unwrap()
        .iter()
        .rfind(|s| s["role"] == "assessor")
        .unwrap()["snapshot_hash"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        badge["evidence"][0]["narrative"]
            .as_str()
            .unwrap()
            .contains(&assessor_hash),
        "the evidence hash the sign-off bound"
    );
    assert_eq!(
        badge["credentialStatus"]["type"],
        "BitstringStatusListEntry"
    );

    // An implementation that is not Attest's accepts it, and refuses it altered by one byte.
    let dir = tempfile::tempdir().unwrap();
    let list = status_list(&app, &w.org).await;
    assert_eq!(
        independent(dir.path(), &did, &token, Some(&list)),
        (0, "valid\n".into())
    );
    let (refused, why) = independent(dir.path(), &did, &tamper(&token), None);
    assert_eq!(refused, 1, "{why}");

    // The statement PDF carries the same credential, checked offline.
    let pdf = app.get_as(&w.candidate, &base.statement_pdf()).await;
    assert_eq!(pdf.status, StatusCode::OK);
    let embedded = verify::extract(&pdf.body).expect("a credential attached");
    assert_eq!(embedded, token);
    let attached = attest::output::pdf::attachments(&pdf.body).unwrap();
    assert!(
        attached
            .iter()
            .any(|(name, _)| name == checkpoints::ATTACHMENT)
    );
    let keys = attest::keys::keys_from_document(&did);
    let report = verify::check(&embedded, &keys, Some(StatusList { jws: &list })).unwrap();
    assert_eq!(report.verdict, Verdict::Valid, "{}", report.detail);
    assert_eq!(
        verify::check(&tamper(&token), &keys, None).unwrap().verdict,
        Verdict::Tampered
    );
    assert_eq!(
        verify::check(&token, &[], None).unwrap().verdict,
        Verdict::UnknownKey
    );
    assert!(
        verify_upload(&app, &w.candidate, "statement.pdf", &pdf.body)
            .await
            .contains("<strong>Valid.</strong>")
    );
    let altered = json!({"type": "EnvelopedVerifiableCredential", "id": format!("data:application/vc+jwt,{}", tamper(&token))});
    assert!(
        verify_upload(
            &app,
            &w.candidate,
            "badge.json",
            altered.to_string().as_bytes()
        )
        .await
        .contains("<strong>Altered.</strong>")
    );

    // The list is cached: unchanged, a conditional request gets 304.
    let etag = app
        .get(&format!("/credentials/status/{}", w.org))
        .await
        .header("etag")
        .unwrap()
        .to_owned();
    let app_service =
        actix_web::test::init_service(attest::http::build_app(app.state.clone())).await;
    let again = actix_web::test::call_service(
        &app_service,
        actix_web::test::TestRequest::get()
            .uri(&format!("/credentials/status/{}", w.org))
            .insert_header(("If-None-Match", etag.clone()))
            .to_request(),
    )
    .await;
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);

    // Revoking flips the bit, audited; the independent verifier and /verify both see it.
    let revoked = app
        .post_as(
            &w.admin,
            &base.statement_revoke(),
            json!({"reason": "Issued against the wrong standard version"}),
        )
        .await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.text());
    let list = status_list(&app, &w.org).await;
    assert_ne!(
        app.get(&format!("/credentials/status/{}", w.org))
            .await
            .header("etag")
            .unwrap(),
        etag
    );
    assert_eq!(
        independent(dir.path(), &did, &token, Some(&list)),
        (3, "revoked\n".into())
    );
    let report = verify::check(&token, &keys, Some(StatusList { jws: &list })).unwrap();
    assert_eq!(report.verdict, Verdict::Revoked);
    assert!(
        verify_upload(&app, &w.candidate, "statement.pdf", &pdf.body)
            .await
            .contains("<strong>Revoked.</strong>")
    );
    let mut conn = app.state.db.conn().unwrap();
    let history = attest::audit::history(&mut conn, "enrolment", &w.enrolment).unwrap();
    let revocation = history
        .iter()
        .find(|e| e.action == "statement.revoke")
        .unwrap();
    assert!(
        revocation
            .after_json
            .as_deref()
            .unwrap()
            .contains("\"status_index\":0"),
        "{revocation:?}"
    );
    // A revoked statement's badge is not handed out again.
    let gone = app.get_as(&w.candidate, &base.credential_json()).await;
    assert_eq!(gone.status, StatusCode::CONFLICT);
}

backend_test!(keys_rotate_and_what_the_old_key_signed_still_verifies);
async fn keys_rotate_and_what_the_old_key_signed_still_verifies(app: TestApp) {
    let (w, code) = certified(&app).await;
    let jwks = app.get("/.well-known/jwks.json").await.json();
    let before = jwks["keys"].as_array().unwrap().len();
    assert_eq!(
        before, 2,
        "the organisation's key and the instance's (checkpoints): {jwks}"
    );
    let old = app.tx(|c| Ok(attest::credentials::of_code(c, &code)?.unwrap()));
    let scope = app.state.keys.scope_of(w.org.parse().unwrap());
    let new = app.tx(|c| Ok(app.state.keys.rotate(c, &scope, chrono::Utc::now())?));
    assert_ne!(new.kid, old.kid);
    let jwks = app.get("/.well-known/jwks.json").await.json();
    assert_eq!(
        jwks["keys"].as_array().unwrap().len(),
        before + 1,
        "the old key stays published"
    );
    let did = app.get(&format!("/orgs/{}/did.json", w.org)).await.json();
    let keys = attest::keys::keys_from_document(&did);
    assert_eq!(
        verify::check(&old.jws, &keys, None).unwrap().verdict,
        Verdict::Valid
    );
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(independent(dir.path(), &did, &old.jws, None).0, 0);
    // The next signature is the new key's.
    let list = status_list(&app, &w.org).await;
    let (kid, _) = attest::keys::jws::peek(&list).unwrap();
    assert!(kid.ends_with(&format!("#{}", new.kid)), "{kid}");
    // Keys are sealed at rest: the stored private key is not the key.
    let sealed = app.count("signing_keys");
    assert_eq!(sealed, 3);
}

/// Entries of the trail, rewritten from `from` on with every later hash recomputed, as someone
/// covering their tracks would.
fn rewrite_history(conn: &mut attest::db::DbConnection, from: i64) {
    use attest::db::schema::audit_log;
    use diesel::prelude::*;
    let mut entries: Vec<attest::audit::Entry> = audit_log::table
        .order(audit_log::seq.asc())
        .select(attest::audit::Entry::as_select())
        .load(conn)
        .unwrap();
    let mut prev = attest::audit::GENESIS.to_owned();
    for entry in &mut entries {
        if entry.seq == from {
            entry.after_json = Some("{\"status\":\"certified\"}".into());
        }
        entry.prev_hash = prev.clone();
        // A thorough forger recomputes the content digest too.
        entry.reseal();
        prev = entry.hash.clone();
    }
    diesel::delete(audit_log::table).execute(conn).unwrap();
    for entry in &entries {
        diesel::insert_into(audit_log::table)
            .values(entry)
            .execute(conn)
            .unwrap();
    }
}

backend_test!(signed_checkpoints_catch_a_missing_tail_and_a_rewritten_history);
async fn signed_checkpoints_catch_a_missing_tail_and_a_rewritten_history(app: TestApp) {
    let _ = app.world("28268@2").await;
    let url = app.state.config.public_url.clone();
    let keys_of = |app: &TestApp| {
        let mut conn = app.state.db.conn().unwrap();
        attest::keys::public_keys(&mut conn, Some(attest::keys::INSTANCE)).unwrap()
    };
    let checkpoint = app.tx(|c| {
        Ok(checkpoints::take(
            c,
            &app.state.keys,
            &url,
            chrono::Utc::now(),
        )?)
    });
    let keys = keys_of(&app);
    let mut conn = app.state.db.conn().unwrap();
    assert!(
        checkpoints::check(&mut conn, &checkpoint, &keys)
            .unwrap()
            .holds()
    );
    let count = app.count("audit_log");

    // Truncated: the chain alone still verifies, the checkpoint does not.
    use diesel::RunQueryDsl;
    diesel::sql_query(format!("DELETE FROM audit_log WHERE seq >= {}", count - 1))
        .execute(&mut *conn)
        .unwrap();
    assert!(
        attest::audit::verify(&mut conn).unwrap().broken.is_none(),
        "the chain alone misses it"
    );
    let finding = checkpoints::check(&mut conn, &checkpoint, &keys).unwrap();
    assert!(
        matches!(finding, Finding::MissingTail { now, .. } if now == count - 2),
        "{finding:?}"
    );
    assert!(finding.describe().contains("tail has been removed"));

    // Rewritten with every later hash recomputed.
    let app = TestApp::new(app.backend);
    let _ = app.world("28268@2").await;
    let checkpoint = app.tx(|c| {
        Ok(checkpoints::take(
            c,
            &app.state.keys,
            &url,
            chrono::Utc::now(),
        )?)
    });
    let keys = keys_of(&app);
    let mut conn = app.state.db.conn().unwrap();
    rewrite_history(&mut conn, 2);
    assert!(
        attest::audit::verify(&mut conn).unwrap().broken.is_none(),
        "the chain alone misses it"
    );
    let finding = checkpoints::check(&mut conn, &checkpoint, &keys).unwrap();
    assert!(matches!(finding, Finding::Rewritten { .. }), "{finding:?}");

    // A forged checkpoint is refused for its signature.
    let forged = tamper_checkpoint(&checkpoint);
    assert!(matches!(
        checkpoints::check(&mut conn, &forged, &keys).unwrap(),
        Finding::BadSignature(_)
    ));
    if app.backend == Backend::Sqlite {
        cli_audit_verify(&app, &checkpoint);
    }
}

fn tamper_checkpoint(token: &str) -> String {
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    let mut payload: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(&parts[1]).unwrap()).unwrap();
    payload["count"] = json!(1);
    parts[1] = URL_SAFE_NO_PAD.encode(payload.to_string());
    parts.join(".")
}

/// `attest audit verify --checkpoint FILE` fails on the rewritten trail, naming the checkpoint.
fn cli_audit_verify(app: &TestApp, checkpoint: &str) {
    let file = app.state.config.data_dir.join("kept-checkpoint.jwt");
    std::fs::write(&file, checkpoint).unwrap();
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_attest"))
        .args(["audit", "verify", "--checkpoint"])
        .arg(&file)
        .env("ATTEST_DATA_DIR", &app.state.config.data_dir)
        .env("ATTEST_STANDARDS_DIR", &app.state.config.standards_dir)
        .env_remove("ATTEST_DATABASE_URL")
        .output()
        .unwrap();
    let out =
        String::from_utf8_lossy(&run.stdout).into_owned() + &String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{out}");
    assert!(out.contains("history has been rewritten"), "{out}");
}

#[actix_web::test]
async fn verify_statement_checks_a_pdf_offline_with_exit_codes() {
    let app = TestApp::new(Backend::Sqlite);
    let (w, _) = certified(&app).await;
    let base = api::enrolment(&w.enrolment);
    let dir = app.state.config.data_dir.clone();
    let pdf = app.get_as(&w.candidate, &base.statement_pdf()).await;
    std::fs::write(dir.join("s.pdf"), &pdf.body).unwrap();
    std::fs::write(
        dir.join("keys.json"),
        app.get("/.well-known/jwks.json").await.text(),
    )
    .unwrap();
    std::fs::write(dir.join("list.jwt"), status_list(&app, &w.org).await).unwrap();
    std::fs::write(dir.join("other-keys.json"), r#"{"keys": []}"#).unwrap();
    std::fs::write(dir.join("not.pdf"), b"%PDF-1.4 nothing here").unwrap();
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_attest"))
            .arg("verify-statement")
            .args(args)
            .current_dir(&dir)
            .env("ATTEST_DATA_DIR", &dir)
            .env_remove("ATTEST_DATABASE_URL")
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr),
        )
    };
    let (code, out) = run(&["s.pdf", "--keys", "keys.json", "--status-list", "list.jwt"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.starts_with("valid"), "{out}");
    let (code, out) = run(&["s.pdf", "--keys", "other-keys.json"]);
    assert_eq!((code, out.starts_with("unknown key")), (1, true), "{out}");
    let (code, out) = run(&["not.pdf", "--keys", "keys.json"]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("not.pdf"), "names the file: {out}");

    let revoked = app
        .post_as(
            &w.admin,
            &base.statement_revoke(),
            json!({"reason": "Wrong learner"}),
        )
        .await;
    assert_eq!(revoked.status, StatusCode::OK);
    std::fs::write(dir.join("list.jwt"), status_list(&app, &w.org).await).unwrap();
    let (code, out) = run(&["s.pdf", "--keys", "keys.json", "--status-list", "list.jwt"]);
    assert_eq!((code, out.starts_with("revoked")), (1, true), "{out}");

    // Tampered: the attached credential altered inside the PDF.
    let token = verify::extract(&pdf.body).unwrap();
    std::fs::write(dir.join("t.jwt"), tamper(&token)).unwrap();
    let (code, out) = run(&["t.jwt", "--keys", "keys.json"]);
    assert_eq!((code, out.starts_with("tampered")), (1, true), "{out}");
}

backend_test!(the_archive_holds_the_statement_the_badge_the_keys_and_a_checkpoint);
async fn the_archive_holds_the_statement_the_badge_the_keys_and_a_checkpoint(app: TestApp) {
    let (w, code) = certified(&app).await;
    let reply = app
        .get_as(&w.candidate, &api::enrolment(&w.enrolment).archive_zip())
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let report =
        attest::output::formats::archive::verify_archive(std::io::Cursor::new(reply.body.clone()))
            .unwrap();
    assert!(report.is_ok(), "{report:?}");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(reply.body)).unwrap();
    let mut read = |name: &str| {
        use std::io::Read;
        let mut bytes = Vec::new();
        zip.by_name(name)
            .unwrap_or_else(|e| panic!("{name}: {e}"))
            .read_to_end(&mut bytes)
            .unwrap();
        bytes
    };
    let pdf = read(&format!("credentials/statement-{code}.pdf"));
    let badge: Value =
        serde_json::from_slice(&read(&format!("credentials/badge-{code}.json"))).unwrap();
    let jwks: Value = serde_json::from_slice(&read("credentials/issuer-keys.json")).unwrap();
    let manifest: Value = serde_json::from_slice(&read("manifest.json")).unwrap();
    let token = verify::extract(&pdf).unwrap();
    assert_eq!(token, jws_of(&badge));
    let keys = attest::keys::keys_from_document(&jwks);
    assert_eq!(
        verify::check(&token, &keys, None).unwrap().verdict,
        Verdict::Valid
    );
    let checkpoint = manifest["audit_checkpoint"]
        .as_str()
        .expect("a checkpoint in the manifest");
    let mut conn = app.state.db.conn().unwrap();
    assert!(
        checkpoints::check(&mut conn, checkpoint, &keys)
            .unwrap()
            .holds()
    );
}
