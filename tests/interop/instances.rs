//! Several instances: two `attest serve` processes (the real binary) on one PostgreSQL database
//! and one object store (s3s-fs), with one SMTP server (aiosmtpd), as a load balancer would put
//! them. What one does, the other sees; what must happen once happens once. Needs
//! `ATTEST_TEST_POSTGRES_URL`, s3s-fs and aiosmtpd, and fails, never skips, without them.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chrono::Utc;
use diesel::prelude::*;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::api;
use crate::helpers::{Backend, PASSWORD, TestApp, World, multipart};
use crate::s3::{self, S3Server};
use crate::smtp::{self, free_port};
use attest::db::schema::{enrolments, login_failures};

const JWT_SECRET: &str = "test-secret-test-secret-test-secret-0123";
const KEY_SECRET: &str = "instances-key-secret-0123456789abcdef";

/// One `attest serve`, stopped when dropped.
struct Instance {
    child: Child,
    base: String,
    _dir: tempfile::TempDir,
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Instance {
    /// Starts `attest serve` on the app's database and object store, with its own data dir.
    fn start(app: &TestApp, files: &S3Server, prefix: &str, smtp_port: u16) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let config = &app.state.config;
        let child = Command::new(env!("CARGO_BIN_EXE_attest"))
            .arg("serve")
            .env("ATTEST_DATABASE_URL", config.database.connection_string())
            .env("ATTEST_DATA_DIR", dir.path())
            .env("ATTEST_BIND", format!("127.0.0.1:{port}"))
            .env("ATTEST_PUBLIC_URL", "http://attest.test")
            .env("ATTEST_STANDARDS_DIR", &config.standards_dir)
            .env("ATTEST_JWT_SECRET", JWT_SECRET)
            .env("ATTEST_KEY_SECRET", KEY_SECRET)
            .env("ATTEST_FILES_URL", files.url(prefix))
            .envs(files.env())
            .env("ATTEST_SMTP_URL", format!("smtp://127.0.0.1:{smtp_port}"))
            .env("ATTEST_MAIL_FROM", "Attest <attest@harbour.nz>")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut instance = Self {
            child,
            base: format!("http://127.0.0.1:{port}"),
            _dir: dir,
        };
        instance.wait_ready();
        instance
    }

    fn wait_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("attest serve exited ({status}) before it was ready");
            }
            if status_of(&self.base, "/readyz") == Some(200) {
                return;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        panic!(
            "attest serve at {} was not ready within a minute",
            self.base
        );
    }
}

/// The status code of `GET path` over plain HTTP/1.0, or none when nothing answers.
fn status_of(base: &str, path: &str) -> Option<u16> {
    use std::io::{Read, Write};
    let address = base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(address).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {address}\r\n\r\n").ok()?;
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).ok()?;
    std::str::from_utf8(&head[9..12]).ok()?.parse().ok()
}

struct Answer {
    status: u16,
    body: Vec<u8>,
    headers: reqwest::header::HeaderMap,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
}

async fn call(
    client: &reqwest::Client,
    method: reqwest::Method,
    url: String,
    token: Option<&str>,
    body: Option<(String, Vec<u8>)>,
) -> Answer {
    let mut request = client.request(method, url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some((content_type, bytes)) = body {
        request = request.header("content-type", content_type).body(bytes);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.bytes().await.unwrap().to_vec();
    Answer {
        status,
        body,
        headers,
    }
}

fn json_body(value: Value) -> Option<(String, Vec<u8>)> {
    Some(("application/json".into(), value.to_string().into_bytes()))
}

/// Candidates with a decided result on 28268, for the export ledger.
fn seed_results(app: &TestApp, w: &World, n: usize) {
    for i in 0..n {
        let org = w.org.clone();
        let email = format!("learner{i}@harbour.nz");
        let nsn = format!("{:09}", 100_000_000 + i);
        let candidate = app
            .tx(|c| {
                attest::identity::create_user(
                    c,
                    None,
                    org.parse().unwrap(),
                    attest::identity::NewUser {
                        email,
                        name: format!("Learner {i}"),
                        password: Some(PASSWORD.into()),
                        role: "candidate".into(),
                        national_learner_number: Some(nsn),
                    },
                )
            })
            .id;
        let catalogue = app.state.catalogue.clone();
        let assessor = w.assessor_id.clone();
        app.tx(move |c| {
            let enrolment = attest::portfolio::create_enrolment(
                c,
                &catalogue,
                Some(&assessor),
                serde_json::from_value(json!({
                    "org_id": org, "candidate_id": candidate, "assessor_id": assessor,
                    "standard": "28268@2", "start_date": "2024-01-10"
                }))
                .unwrap(),
                Utc::now(),
            )?;
            let at = chrono::NaiveDate::from_ymd_opt(2024, 6, 3)
                .unwrap()
                .and_hms_opt(10, 0, 0)
                .unwrap();
            diesel::update(enrolments::table.find(&enrolment.id))
                .set((
                    enrolments::status.eq("assessed"),
                    enrolments::submitted_at.eq(at),
                    enrolments::assessed_at.eq(at + chrono::TimeDelta::days(3)),
                    enrolments::decided_by.eq(&assessor),
                ))
                .execute(c)?;
            Ok(())
        });
    }
}

fn failures(app: &TestApp, email: &str) -> Option<i32> {
    let mut conn = app.state.db.conn().unwrap();
    login_failures::table
        .find(("email", email))
        .select(login_failures::failures)
        .first(&mut *conn)
        .optional()
        .unwrap()
}

fn maildir_count(maildir: &Path, to: &str) -> usize {
    if !maildir.join("new").is_dir() {
        return 0;
    }
    smtp::received(maildir)
        .iter()
        .filter(|m| m["to"].as_str().is_some_and(|t| t.contains(to)))
        .count()
}

/// The value of the `name` cookie an answer sets.
fn set_cookie(answer: &Answer, name: &str) -> Option<String> {
    answer
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.strip_prefix(&format!("{name}=")))
        .map(|rest| rest.split(';').next().unwrap_or_default().to_owned())
        .filter(|v| !v.is_empty())
}

/// The value of the first hidden `csrf` field of a page.
fn csrf_field(page: &Answer) -> String {
    let html = String::from_utf8_lossy(&page.body);
    let marker = r#"name="csrf" value=""#;
    let start = html
        .find(marker)
        .unwrap_or_else(|| panic!("no CSRF field in the page: {html}"))
        + marker.len();
    html[start..]
        .split('"')
        .next()
        .unwrap_or_default()
        .to_owned()
}

async fn browser_call(
    client: &reqwest::Client,
    method: reqwest::Method,
    url: String,
    cookie: &str,
    form: Option<&[(&str, &str)]>,
) -> Answer {
    let mut request = client.request(method, url).header("cookie", cookie);
    if let Some(fields) = form {
        let encode = |text: &str| {
            percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC)
                .to_string()
        };
        let body: Vec<String> = fields
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect();
        request = request
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.join("&"));
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.bytes().await.unwrap().to_vec();
    Answer {
        status,
        body,
        headers,
    }
}

async fn cookie_session_crosses_instances(a: &Instance, b: &Instance) {
    use reqwest::Method;
    // As a browser does it: no redirects followed, cookies sent by hand.
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let form = browser_call(&browser, Method::GET, format!("{}/login", a.base), "", None).await;
    assert_eq!(form.status, 200);
    let login_cookie = set_cookie(&form, "attest_login").expect("the sign-in form's cookie");
    let token = csrf_field(&form);
    let signed_in = browser_call(
        &browser,
        Method::POST,
        format!("{}/login", a.base),
        &format!("attest_login={login_cookie}"),
        Some(&[
            ("csrf", token.as_str()),
            ("email", "aroha@harbour.nz"),
            ("password", PASSWORD),
            ("next", "/inbox"),
        ]),
    )
    .await;
    assert_eq!(
        signed_in.status,
        303,
        "{}",
        String::from_utf8_lossy(&signed_in.body)
    );
    let session = set_cookie(&signed_in, "attest_session").expect("the session cookie");
    let cookie = format!("attest_session={session}");

    // B shows the signed-in page, with the user's name and a CSRF token for its forms.
    let page = browser_call(
        &browser,
        Method::GET,
        format!("{}/inbox", b.base),
        &cookie,
        None,
    )
    .await;
    assert_eq!(
        page.status,
        200,
        "a cookie from A signs in on B: {}",
        String::from_utf8_lossy(&page.body)
    );
    assert!(String::from_utf8_lossy(&page.body).contains("User aroha@harbour.nz"));
    let csrf = csrf_field(&page);

    // A form post on B with the token A's session gave: accepted.
    let posted = browser_call(
        &browser,
        Method::POST,
        format!("{}/inbox/read", b.base),
        &cookie,
        Some(&[("csrf", csrf.as_str())]),
    )
    .await;
    assert_eq!(
        posted.status,
        303,
        "{}",
        String::from_utf8_lossy(&posted.body)
    );
    // Without it (or with another), refused: the protection is real, not skipped.
    let forged = browser_call(
        &browser,
        Method::POST,
        format!("{}/inbox/read", b.base),
        &cookie,
        Some(&[("csrf", "0123456789abcdef0123456789abcdef")]),
    )
    .await;
    assert_eq!(forged.status, 403);
    // The API with the cookie: the CSRF header is checked the same way on B.
    let api = browser
        .post(format!("{}{}", b.base, api::ME_NOTIFICATIONS_READ))
        .header("cookie", &cookie)
        .header("x-csrf-token", &csrf)
        .send()
        .await
        .unwrap();
    assert!(api.status().is_success(), "{}", api.status());
    let api = browser
        .post(format!("{}{}", b.base, api::ME_NOTIFICATIONS_READ))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(api.status().as_u16(), 403);
}

#[actix_web::test]
async fn two_instances_share_one_database_and_one_object_store() {
    smtp::require_aiosmtpd();
    assert!(
        std::env::var("ATTEST_TEST_POSTGRES_URL").is_ok_and(|u| !u.is_empty()),
        "the two-instance test runs on PostgreSQL: set ATTEST_TEST_POSTGRES_URL (e.g. postgres://postgres@127.0.0.1:5432/test)"
    );
    let files = s3::start();
    let prefix = "instances";
    let app = TestApp::with_config(Backend::Postgres, |c| {
        c.files = Some(files.location(prefix));
        c.key_secret = Some(KEY_SECRET.as_bytes().to_vec());
    });
    let w = app.world("28268@2").await;
    const RESULTS: usize = 6;
    seed_results(&app, &w, RESULTS);
    let mail_dir = tempfile::tempdir().unwrap();
    let maildir = mail_dir.path().join("maildir");
    let smtp_port = free_port();
    let _smtp = smtp::start_smtp(smtp_port, &maildir);
    let a = Instance::start(&app, &files, prefix, smtp_port);
    let b = Instance::start(&app, &files, prefix, smtp_port);
    let client = reqwest::Client::new();
    use reqwest::Method;
    let enrolment = api::enrolment(&w.enrolment);

    // A session signed in through A works on B.
    let login = call(
        &client,
        Method::POST,
        format!("{}{}", a.base, api::LOGIN),
        None,
        json_body(json!({"email": "aroha@harbour.nz", "password": PASSWORD})),
    )
    .await;
    assert_eq!(
        login.status,
        200,
        "{}",
        String::from_utf8_lossy(&login.body)
    );
    let candidate = login.json()["token"].as_str().unwrap().to_owned();
    let me = call(
        &client,
        Method::GET,
        format!("{}{}", b.base, api::ME),
        Some(&candidate),
        None,
    )
    .await;
    assert_eq!(me.status, 200, "a token from A is accepted by B");
    assert_eq!(me.json()["email"], "aroha@harbour.nz");

    // A cookie session: signed in through A's sign-in form, used on B for a page and for a
    // CSRF-protected form post (and refused there without the token).
    cookie_session_crosses_instances(&a, &b).await;

    // A file uploaded through A downloads through B, whole and with its hash.
    let bytes = s3::large_text();
    let sha256 = hex::encode(Sha256::digest(&bytes));
    let record = json!({
        "method": "product_evidence", "setting": "workplace", "date": "2024-05-06",
        "title": "Site diary", "criteria": [{"criterion": "1.7"}], "declaration": true
    });
    let uploaded = call(
        &client,
        Method::POST,
        format!("{}{}", a.base, enrolment.evidence_upload()),
        Some(&candidate),
        Some(multipart(&record, "diary.txt", &bytes)),
    )
    .await;
    assert_eq!(
        uploaded.status,
        201,
        "{}",
        String::from_utf8_lossy(&uploaded.body)
    );
    let evidence = uploaded.json()["id"].as_str().unwrap().to_owned();
    let downloaded = call(
        &client,
        Method::GET,
        format!("{}{}", b.base, enrolment.evidence_item(&evidence).file()),
        Some(&candidate),
        None,
    )
    .await;
    assert_eq!(downloaded.status, 200);
    assert_eq!(
        downloaded
            .headers
            .get("x-content-sha256")
            .and_then(|v| v.to_str().ok()),
        Some(sha256.as_str())
    );
    assert_eq!(hex::encode(Sha256::digest(&downloaded.body)), sha256);

    // A witness request through A: one mail, sent by whichever worker claims it first.
    let witnessed = call(
        &client,
        Method::POST,
        format!("{}{}", a.base, enrolment.evidence()),
        Some(&candidate),
        json_body(json!({"method": "witness_testimony", "setting": "workplace", "date": "2024-05-08",
            "criteria": [{"criterion": "3.1"}], "declaration": true,
            "details": {"witness": {"name": "Ngāio Marsh", "job_title": "Team leader", "relationship": "team leader",
                "contact": "ngaio@harbour.nz", "statement": "Resolved a billing complaint."}}})),
    )
    .await;
    assert_eq!(
        witnessed.status,
        201,
        "{}",
        String::from_utf8_lossy(&witnessed.body)
    );
    let witness_evidence = witnessed.json()["id"].as_str().unwrap().to_owned();
    let requested = call(
        &client,
        Method::POST,
        format!(
            "{}{}",
            a.base,
            enrolment
                .evidence_item(&witness_evidence)
                .witness_requests()
        ),
        Some(&candidate),
        json_body(json!({})),
    )
    .await;
    assert_eq!(
        requested.status,
        201,
        "{}",
        String::from_utf8_lossy(&requested.body)
    );

    // Concurrent writes through both: the audit chain stays one unbroken chain.
    let mut writes = Vec::new();
    for i in 0..12 {
        let base = if i % 2 == 0 { &a.base } else { &b.base };
        writes.push(call(
            &client,
            Method::POST,
            format!("{base}{}", enrolment.evidence()),
            Some(&candidate),
            json_body(
                json!({"method": "witness_testimony", "setting": "workplace", "date": "2024-05-09",
                "criteria": [{"criterion": "3.1"}], "declaration": true,
                "details": {"witness": {"name": format!("Witness {i}"), "job_title": "Team leader",
                    "relationship": "team leader", "contact": format!("witness{i}@harbour.nz"),
                    "statement": "Handled a complaint well."}}}),
            ),
        ));
    }
    for written in futures_util::future::join_all(writes).await {
        assert_eq!(
            written.status,
            201,
            "{}",
            String::from_utf8_lossy(&written.body)
        );
    }

    // Concurrent export batches through both: every result is reported once, in one batch.
    let mut batches = Vec::new();
    for i in 0..6 {
        let base = if i % 2 == 0 { &a.base } else { &b.base };
        batches.push(call(
            &client,
            Method::POST,
            format!("{base}{}", api::org(&w.org).export_batches()),
            Some(&w.admin),
            json_body(json!({"format": "csv"})),
        ));
    }
    let mut reported = 0;
    for batch in futures_util::future::join_all(batches).await {
        match batch.status {
            201 => reported += batch.json()["row_count"].as_u64().unwrap(),
            // Nothing left to report is a refusal, not an empty batch.
            409 | 422 => {}
            other => panic!(
                "export batch: {other}: {}",
                String::from_utf8_lossy(&batch.body)
            ),
        }
    }
    assert_eq!(
        reported, RESULTS as u64,
        "each result reported exactly once"
    );

    let verify = Command::new(env!("CARGO_BIN_EXE_attest"))
        .args(["audit", "verify"])
        .env(
            "ATTEST_DATABASE_URL",
            app.state.config.database.connection_string(),
        )
        .env("ATTEST_DATA_DIR", &app.state.config.data_dir)
        .env("ATTEST_STANDARDS_DIR", &app.state.config.standards_dir)
        .env("ATTEST_KEY_SECRET", KEY_SECRET)
        .output()
        .unwrap();
    assert!(
        verify.status.success(),
        "attest audit verify: {}{}",
        String::from_utf8_lossy(&verify.stdout),
        String::from_utf8_lossy(&verify.stderr)
    );

    // Sign-in throttling counts failures made through either instance.
    let email = "mere@harbour.nz";
    let mut counted = 0;
    let mut tries = 0;
    while counted < 6 {
        tries += 1;
        assert!(tries < 40, "failures are not being counted");
        let base = if tries % 2 == 0 { &a.base } else { &b.base };
        let reply = call(
            &client,
            Method::POST,
            format!("{base}{}", api::LOGIN),
            None,
            json_body(json!({"email": email, "password": "not the password"})),
        )
        .await;
        match reply.status {
            401 => counted += 1,
            // Past the free failures a wait applies; let it pass.
            429 => actix_web::rt::time::sleep(Duration::from_millis(1100)).await,
            other => panic!("login: {other}"),
        }
    }
    assert_eq!(
        failures(&app, email),
        Some(6),
        "one count across both instances"
    );
    for base in [&a.base, &b.base] {
        let reply = call(
            &client,
            Method::POST,
            format!("{base}{}", api::LOGIN),
            None,
            json_body(json!({"email": email, "password": PASSWORD})),
        )
        .await;
        assert_eq!(reply.status, 429, "{base} makes the same wait apply");
        assert!(reply.headers.get("retry-after").is_some());
    }

    // The mail arrives once, though both workers ran while it waited.
    let deadline = Instant::now() + Duration::from_secs(90);
    while maildir_count(&maildir, "ngaio@harbour.nz") == 0 {
        assert!(Instant::now() < deadline, "the witness mail never arrived");
        actix_web::rt::time::sleep(Duration::from_millis(500)).await;
    }
    // Both workers poll every 15 s: give each more than one more round.
    actix_web::rt::time::sleep(Duration::from_secs(20)).await;
    assert_eq!(
        maildir_count(&maildir, "ngaio@harbour.nz"),
        1,
        "sent once, not twice"
    );
    drop((a, b));
}
