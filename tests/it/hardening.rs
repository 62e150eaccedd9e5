//! Issue 18's small ones: blank passwords, external verifiers' expiry on the command line, token
//! lifetimes, HSTS, the JSON body limit, and creating a user whose email another provider holds.

use std::io::Write;
use std::process::{Command, Stdio};

use actix_web::http::{Method, StatusCode};
use chrono::Utc;
use jsonwebtoken::{EncodingKey, Header, encode};
use serde_json::json;

use crate::api;
use crate::helpers::{Backend, PASSWORD, TestApp, backend_test};

backend_test!(a_password_of_only_spaces_is_refused);
async fn a_password_of_only_spaces_is_refused(app: TestApp) {
    let org = app.seed_org("Harbour Training");
    app.seed_user(&org, "admin@example.org", "provider_admin");
    let admin = app.login("admin@example.org").await;
    let reply = app
            .post_as(&admin, &api::org(&org).users(), json!({"email": "sp@example.org", "name": "Spacey", "password": " ".repeat(10), "role": "candidate"}))
            .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        reply.json()["errors"]["password"],
        "the password must not be only spaces"
    );
}

fn attest(dir: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_attest"));
    cmd.env_remove("ATTEST_DATABASE_URL")
        .env("ATTEST_DATA_DIR", dir)
        .env("RUST_LOG", "warn");
    cmd
}

fn run(dir: &std::path::Path, args: &[&str], stdin: &str) -> (Option<i32>, String) {
    let mut child = attest(dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code(), text)
}

#[test]
fn the_cli_gives_an_external_verifier_access_only_with_an_expiry() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    assert_eq!(run(d, &["org", "add", "Harbour Training"], "").0, Some(0));
    let pw = format!("{PASSWORD}\n");
    let add = |role: &str| {
        run(
            d,
            &[
                "user",
                "add",
                "--org",
                "Harbour Training",
                "--email",
                "ev@example.org",
                "--name",
                "Eva Verifier",
                "--role",
                role,
                "--password-stdin",
            ],
            &pw,
        )
    };
    let (code, text) = add("external_verifier");
    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains("external verifiers need an expiry"), "{text}");
    assert_eq!(add("candidate").0, Some(0));
    let grant = |extra: &[&str]| {
        let mut args = vec![
            "user",
            "grant",
            "--org",
            "Harbour Training",
            "--email",
            "ev@example.org",
            "--role",
            "external_verifier",
        ];
        args.extend_from_slice(extra);
        run(d, &args, "")
    };
    let (code, text) = grant(&[]);
    assert_eq!(code, Some(2), "{text}");
    assert!(
        text.contains("--expires: is required for an external verifier"),
        "{text}"
    );
    let (code, text) = grant(&["--expires", "2001-01-01"]);
    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains("must be in the future"), "{text}");
    let (code, text) = grant(&["--expires", "someday"]);
    assert_eq!(code, Some(2), "{text}");
    let (code, text) = grant(&["--expires", "2099-06-30"]);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("until 2099-07-01T00:00:00+00:00"), "{text}");
}

#[actix_web::test]
async fn tokens_living_too_long_or_issued_in_the_future_are_refused() {
    let app = TestApp::new(Backend::Sqlite);
    let org = app.seed_org("Harbour Training");
    let user_id = app.seed_user(&org, "ana@example.org", "candidate");
    let now = Utc::now().timestamp();
    let secret = b"test-secret-test-secret-test-secret-0123";
    let token = |iat: i64, exp: i64| {
        let claims = json!({"sub": user_id, "gen": 0, "iat": iat, "exp": exp, "iss": "attest", "aud": "attest"});
        encode(
            &Header::default(),
            &claims,
            &EncodingKey::from_secret(secret),
        )
        .unwrap()
    };
    let cases = [
        (token(now - 10, now + 600), StatusCode::OK, "the control"),
        (
            token(now - 10, 253_402_300_799),
            StatusCode::UNAUTHORIZED,
            "year 9999",
        ),
        (
            token(now + 3_600, now + 7_200),
            StatusCode::UNAUTHORIZED,
            "issued in an hour",
        ),
    ];
    for (token, expected, case) in cases {
        let reply = app.get_as(&token, api::ME).await;
        assert_eq!(reply.status, expected, "{case}");
    }
}

#[actix_web::test]
async fn hsts_is_sent_exactly_when_cookies_are_secure() {
    let mut app = TestApp::new(Backend::Sqlite);
    assert_eq!(
        app.get("/healthz")
            .await
            .header("strict-transport-security"),
        None
    );
    let mut config = (*app.state.config).clone();
    config.secure_cookies = true;
    app.state.config = std::sync::Arc::new(config);
    assert_eq!(
        app.get("/login").await.header("strict-transport-security"),
        Some("max-age=31536000")
    );
}

#[actix_web::test]
async fn json_bodies_up_to_the_documented_mebibyte_are_read() {
    let app = TestApp::new(Backend::Sqlite);
    let org = app.seed_org("Harbour Training");
    app.seed_user(&org, "admin@example.org", "provider_admin");
    let admin = app.login("admin@example.org").await;
    let path = api::org(&org).users();
    let with_name = |len: usize| json!({"email": "big@example.org", "name": "n".repeat(len), "password": PASSWORD, "role": "candidate"});
    // 300 KiB: over actix's default 256 KiB, under the 1 MiB limit, so the answer is about the name.
    let big = app.post_as(&admin, &path, with_name(300 * 1024)).await;
    assert_eq!(
        big.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        big.text()
    );
    assert!(big.json()["errors"]["name"].is_string());
    assert_eq!(attest::http::extract::JSON_LIMIT, 1 << 20);
    let too_big = app.post_as(&admin, &path, with_name(1 << 20)).await;
    assert_eq!(
        too_big.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        too_big.text()
    );
}

backend_test!(an_admin_cannot_tell_whether_an_email_exists_in_another_organisation);
async fn an_admin_cannot_tell_whether_an_email_exists_in_another_organisation(app: TestApp) {
    let elsewhere = app.seed_org("Summit College");
    app.seed_user(&elsewhere, "kiri@example.org", "assessor");
    let org = app.seed_org("Harbour Training");
    app.seed_user(&org, "admin@example.org", "provider_admin");
    let admin = app.login("admin@example.org").await;
    let path = api::org(&org).users();
    let create = |email: &str| json!({"email": email, "name": "Kiri Te Kanawa", "password": "a fresh password 77", "role": "candidate"});
    let fresh = app.post_as(&admin, &path, create("new@example.org")).await;
    let taken = app.post_as(&admin, &path, create("kiri@example.org")).await;
    assert_eq!(fresh.status, StatusCode::CREATED, "{}", fresh.text());
    assert_eq!(
        taken.status,
        StatusCode::CREATED,
        "{:?}: {}",
        app.backend,
        taken.text()
    );
    let shape = |reply: &crate::helpers::Reply| {
        let body = reply.json();
        let grants = body["grants"].as_array().unwrap().clone();
        let keys: Vec<String> = body.as_object().unwrap().keys().cloned().collect();
        (
            keys,
            grants.len(),
            grants[0]["org_id"].clone(),
            grants[0]["role"].clone(),
        )
    };
    assert_eq!(
        shape(&fresh),
        shape(&taken),
        "only this organisation's grant shows"
    );
    // The person keeps their own password: the admin's choice is not a way into their account.
    let own = app
        .request(
            Method::POST,
            api::LOGIN,
            Some(json!({"email": "kiri@example.org", "password": PASSWORD})),
        )
        .await;
    assert_eq!(own.status, StatusCode::OK);
    let admins = app
        .request(
            Method::POST,
            api::LOGIN,
            Some(json!({"email": "kiri@example.org", "password": "a fresh password 77"})),
        )
        .await;
    assert_eq!(admins.status, StatusCode::UNAUTHORIZED);
    // The list of people here shows nothing of Summit College either.
    let listed = app.get_as(&admin, &path).await.json();
    let kiri = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == "kiri@example.org")
        .unwrap()
        .clone();
    assert_eq!(kiri["grants"].as_array().unwrap().len(), 1, "{kiri}");
    // Creating the same person again here is refused: this admin can see them.
    let again = app.post_as(&admin, &path, create("kiri@example.org")).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
}
