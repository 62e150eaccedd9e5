//! TestApp: a fresh database per test on each backend, and requests through the real app.

use std::io::Write as _;

use actix_web::http::{Method, StatusCode, header::HeaderMap};
use actix_web::test;
use diesel::{Connection, PgConnection, RunQueryDsl};

use attest::config::{Config, DatabaseUrl};
use attest::http::{AppState, build_app};

use crate::api;

/// Which backend a test app runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A PostgreSQL database made for one test and dropped after it.
struct PgScratch {
    admin_url: String,
    name: String,
}

impl Drop for PgScratch {
    fn drop(&mut self) {
        if let Ok(mut conn) = PgConnection::establish(&self.admin_url) {
            let _ = diesel::sql_query(format!(
                "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
                self.name
            ))
            .execute(&mut conn);
        }
    }
}

/// The application under test. Field order matters: the pool closes before the scratch database drops.
pub struct TestApp {
    pub state: AppState,
    pub backend: Backend,
    _pg: Option<PgScratch>,
    _dir: tempfile::TempDir,
}

/// A response read whole.
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("body is not JSON ({e}): {}", self.text()))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// The PostgreSQL server tests must use, if any. Set but unreachable is a failure, not a skip.
fn postgres_admin_url() -> Option<String> {
    std::env::var("ATTEST_TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty())
}

/// The backends every database test runs on.
pub fn backends() -> Vec<Backend> {
    let mut all = vec![Backend::Sqlite];
    if postgres_admin_url().is_some() {
        all.push(Backend::Postgres);
    }
    all
}

/// What a test written with [`backend_test!`] takes: a fresh app on the backend, or only the
/// backend when the test builds its apps itself (another configuration, a restore).
pub trait OnBackend {
    fn on(backend: Backend) -> Self;
}

impl OnBackend for TestApp {
    fn on(backend: Backend) -> Self {
        TestApp::new(backend)
    }
}

impl OnBackend for Backend {
    fn on(backend: Backend) -> Self {
        backend
    }
}

/// Whether the PostgreSQL variant `test` must stand down: true, after one line on stderr naming
/// the test, when ATTEST_TEST_POSTGRES_URL is not set (plain `cargo test` needs only Rust). Set
/// but unreachable is not a skip: the test then fails building its app.
pub fn postgres_skipped(test: &str) -> bool {
    let skipped = postgres_admin_url().is_none();
    if skipped {
        // Straight to the stream: `eprintln!` is captured by the test harness and shown only for a
        // failing test, and a skip must be seen.
        let _ = writeln!(
            std::io::stderr(),
            "{test}: not run, ATTEST_TEST_POSTGRES_URL is not set"
        );
    }
    skipped
}

/// One test per backend, so a failure names its backend: `backend_test!(name);` beside
/// `async fn name(app: TestApp)` (or `name(backend: Backend)`, for a test that builds its own apps)
/// makes the tests `name::sqlite` and `name::postgres`. `backend_test!(sync name);` is the same for
/// a plain `fn`. The PostgreSQL one runs only when ATTEST_TEST_POSTGRES_URL is set (see
/// [`postgres_skipped`]). A module, not `name_sqlite`, because `macro_rules!` cannot join
/// identifiers; `cargo test name::` still runs both.
#[allow(
    unused_macros,
    reason = "the browser suite shares these helpers and has no such test"
)]
macro_rules! backend_test {
    ($name:ident) => {
        mod $name {
            #[actix_web::test]
            async fn sqlite() {
                super::$name($crate::helpers::OnBackend::on(
                    $crate::helpers::Backend::Sqlite,
                ))
                .await
            }

            #[actix_web::test]
            async fn postgres() {
                if $crate::helpers::postgres_skipped(concat!(module_path!(), "::postgres")) {
                    return;
                }
                super::$name($crate::helpers::OnBackend::on(
                    $crate::helpers::Backend::Postgres,
                ))
                .await
            }
        }
    };
    (sync $name:ident) => {
        mod $name {
            #[test]
            fn sqlite() {
                super::$name($crate::helpers::OnBackend::on(
                    $crate::helpers::Backend::Sqlite,
                ))
            }

            #[test]
            fn postgres() {
                if $crate::helpers::postgres_skipped(concat!(module_path!(), "::postgres")) {
                    return;
                }
                super::$name($crate::helpers::OnBackend::on(
                    $crate::helpers::Backend::Postgres,
                ))
            }
        }
    };
}
#[allow(
    unused_imports,
    reason = "not every suite that shares these helpers uses it"
)]
pub(crate) use backend_test;

fn scratch_postgres() -> (PgScratch, String) {
    let admin_url = postgres_admin_url().expect("ATTEST_TEST_POSTGRES_URL");
    let mut conn = PgConnection::establish(&admin_url).unwrap_or_else(|e| {
        panic!(
            "ATTEST_TEST_POSTGRES_URL is set but PostgreSQL cannot be reached at {admin_url}: {e}"
        )
    });
    let name = format!("attest_test_{}", uuid::Uuid::new_v4().simple());
    diesel::sql_query(format!("CREATE DATABASE \"{name}\""))
        .execute(&mut conn)
        .unwrap_or_else(|e| panic!("cannot create test database {name}: {e}"));
    let base = admin_url
        .rsplit_once('/')
        .map(|(base, _)| base)
        .unwrap_or(&admin_url);
    let url = format!("{base}/{name}");
    (PgScratch { admin_url, name }, url)
}

/// Configuration for a test: a temp data dir, the repository's standards, the given database.
pub fn test_config(dir: &std::path::Path, database: DatabaseUrl) -> Config {
    let data_dir = dir.display().to_string();
    let standards = concat!(env!("CARGO_MANIFEST_DIR"), "/standards").to_owned();
    let mut config = Config::from_lookup(|name| match name {
        "ATTEST_DATA_DIR" => Some(data_dir.clone()),
        "ATTEST_STANDARDS_DIR" => Some(standards.clone()),
        "ATTEST_JWT_SECRET" => Some("test-secret-test-secret-test-secret-0123".into()),
        _ => None,
    })
    .expect("test configuration");
    config.database = database;
    config
}

impl TestApp {
    /// A fresh, migrated application on `backend`.
    pub fn new(backend: Backend) -> Self {
        Self::with_max_upload(backend, 100 * 1024 * 1024)
    }

    /// A fresh application whose upload limit is `bytes`.
    pub fn with_max_upload(backend: Backend, bytes: u64) -> Self {
        Self::build(backend, bytes, None)
    }

    /// A fresh application reading its standards from `standards`.
    pub fn with_standards(backend: Backend, standards: &std::path::Path) -> Self {
        Self::build(backend, 100 * 1024 * 1024, Some(standards.to_path_buf()))
    }

    fn build(backend: Backend, bytes: u64, standards: Option<std::path::PathBuf>) -> Self {
        Self::with_config(backend, |config| {
            config.max_upload_bytes = bytes;
            if let Some(standards) = standards {
                config.standards_dir = standards;
            }
        })
    }

    /// A fresh, migrated application on `backend` whose test configuration `edit` changes first
    /// (an object store, a shared key secret).
    pub fn with_config(backend: Backend, edit: impl FnOnce(&mut Config)) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let (pg, database) = match backend {
            Backend::Sqlite => (None, DatabaseUrl::Sqlite(dir.path().join("attest.db"))),
            Backend::Postgres => {
                let (scratch, url) = scratch_postgres();
                (Some(scratch), DatabaseUrl::Postgres(url))
            }
        };
        let mut config = test_config(dir.path(), database);
        edit(&mut config);
        let db = attest::setup::open_database(&config, false).expect("open database");
        db.migrate().expect("migrate");
        let catalogue = attest::setup::load_catalogue(&config, &db).expect("catalogue");
        let secret = attest::setup::jwt_secret(&config).expect("secret");
        let state = AppState::new(config, db, catalogue, secret).expect("state");
        Self {
            state,
            backend,
            _pg: pg,
            _dir: dir,
        }
    }

    /// A fresh data dir and empty database on `backend`, into which `attest restore` puts the
    /// backup in `from`; then the application on it.
    pub fn restored(backend: Backend, from: &std::path::Path) -> Self {
        Self::restored_with(backend, from, |_| {})
    }

    /// As [`TestApp::restored`], with the configuration `edit` changes (an object store).
    pub fn restored_with(
        backend: Backend,
        from: &std::path::Path,
        edit: impl FnOnce(&mut Config),
    ) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let (pg, database) = match backend {
            Backend::Sqlite => (None, DatabaseUrl::Sqlite(dir.path().join("attest.db"))),
            Backend::Postgres => {
                let (scratch, url) = scratch_postgres();
                (Some(scratch), DatabaseUrl::Postgres(url))
            }
        };
        let mut config = test_config(dir.path(), database);
        edit(&mut config);
        attest::backup::restore(&config, from).expect("restore");
        let db = attest::setup::open_database(&config, false).expect("open database");
        db.migrate().expect("migrate");
        let catalogue = attest::setup::load_catalogue(&config, &db).expect("catalogue");
        let secret = attest::setup::jwt_secret(&config).expect("secret");
        let state = AppState::new(config, db, catalogue, secret).expect("state");
        Self {
            state,
            backend,
            _pg: pg,
            _dir: dir,
        }
    }

    /// One fresh app per backend under test, for a test that shares something costly between
    /// them (the interop suite's mail server); elsewhere, [`backend_test!`].
    #[allow(dead_code, reason = "used by the interop suite only")]
    pub fn all() -> Vec<Self> {
        backends().into_iter().map(Self::new).collect()
    }

    /// Sends a request through the production app and reads the whole response.
    pub async fn request(
        &self,
        method: Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> Reply {
        self.request_as(None, method, path, body).await
    }

    /// Sends a request with `Authorization: Bearer token` when a token is given.
    pub async fn request_as(
        &self,
        token: Option<&str>,
        method: Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> Reply {
        let app = test::init_service(build_app(self.state.clone())).await;
        let mut req = test::TestRequest::default().method(method).uri(path);
        if let Some(token) = token {
            req = req.insert_header(("Authorization", format!("Bearer {token}")));
        }
        if let Some(body) = body {
            req = req.set_json(body);
        }
        let response = test::call_service(&app, req.to_request()).await;
        let status = response.status();
        let headers = response.headers().clone();
        let body = test::read_body(response).await.to_vec();
        Reply {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.request(Method::GET, path, None).await
    }

    /// `GET path` as the holder of `token`.
    pub async fn get_as(&self, token: &str, path: &str) -> Reply {
        self.request_as(Some(token), Method::GET, path, None).await
    }

    /// `POST path` with the JSON `body` as the holder of `token`.
    pub async fn post_as(&self, token: &str, path: &str, body: serde_json::Value) -> Reply {
        self.request_as(Some(token), Method::POST, path, Some(body))
            .await
    }

    /// `PUT path` with the JSON `body` as the holder of `token`.
    pub async fn put_as(&self, token: &str, path: &str, body: serde_json::Value) -> Reply {
        self.request_as(Some(token), Method::PUT, path, Some(body))
            .await
    }

    /// `DELETE path` as the holder of `token`.
    pub async fn delete_as(&self, token: &str, path: &str) -> Reply {
        self.request_as(Some(token), Method::DELETE, path, None)
            .await
    }
}

/// The password every seeded user gets.
pub const PASSWORD: &str = "correct horse battery staple";

impl TestApp {
    /// Runs `f` in a write transaction, synchronously (test set-up).
    pub fn tx<T>(
        &self,
        f: impl FnOnce(&mut attest::db::DbConnection) -> Result<T, attest::action::ActionError>,
    ) -> T {
        let mut conn = self.state.db.conn().expect("connection");
        attest::db::write_transaction(&mut conn, f).expect("set-up transaction")
    }

    /// Creates an organisation; returns its id.
    pub fn seed_org(&self, name: &str) -> String {
        self.tx(|c| {
            attest::identity::create_organisation(
                c,
                None,
                attest::identity::NewOrganisation {
                    name: name.into(),
                    country: "NZ".into(),
                    nzqa_provider_number: None,
                    sqa_centre_number: None,
                },
            )
        })
        .id
        .to_string()
    }

    /// Creates a user with `role` in `org_id`; returns their id.
    pub fn seed_user(&self, org_id: &str, email: &str, role: &str) -> String {
        self.tx(|c| {
            attest::identity::create_user(
                c,
                None,
                org_id.parse().unwrap(),
                attest::identity::NewUser {
                    email: email.into(),
                    name: format!("User {email}"),
                    password: Some(PASSWORD.into()),
                    role: role.into(),
                    national_learner_number: None,
                },
            )
        })
        .id
        .to_string()
    }

    /// Signs in over the API; returns the token.
    pub async fn login(&self, email: &str) -> String {
        let reply = self
            .request(
                Method::POST,
                api::LOGIN,
                Some(serde_json::json!({ "email": email, "password": PASSWORD })),
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::OK,
            "login {email}: {}",
            reply.text()
        );
        reply.json()["token"].as_str().expect("token").to_owned()
    }
}

/// A multipart/form-data body with a JSON `record` part and a `file` part.
pub fn multipart(record: &serde_json::Value, file_name: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "attest-test-boundary-7d1f";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"record\"\r\nContent-Type: application/json\r\n\r\n{record}\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// A multipart/form-data body with only a `file` part (the form `POST /verify` takes).
pub fn file_form(file_name: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "attest-test-boundary-7d1f";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

impl TestApp {
    /// Sends a raw body with a content type.
    pub async fn send_raw(
        &self,
        token: &str,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> Reply {
        let app = test::init_service(build_app(self.state.clone())).await;
        let req = test::TestRequest::post()
            .uri(path)
            .insert_header(("Authorization", format!("Bearer {token}")))
            .insert_header(("Content-Type", content_type.to_owned()))
            .set_payload(body)
            .to_request();
        let response = test::call_service(&app, req).await;
        let status = response.status();
        let headers = response.headers().clone();
        let body = test::read_body(response).await.to_vec();
        Reply {
            status,
            headers,
            body,
        }
    }

    /// Counts rows of a table.
    pub fn count(&self, table: &str) -> i64 {
        #[derive(diesel::QueryableByName)]
        struct Count {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let mut conn = self.state.db.conn().expect("connection");
        diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {table}"))
            .get_result::<Count>(&mut *conn)
            .expect("count")
            .n
    }

    /// Files in the evidence store (objects, then temporary uploads).
    pub fn stored_files(&self) -> (usize, usize) {
        let count = |dir: std::path::PathBuf| -> usize { walk(&dir) };
        let files = self.state.config.data_dir.join("files");
        (count(files.join("objects")), count(files.join("tmp")))
    }
}

fn walk(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| {
                    if e.path().is_dir() {
                        walk(&e.path())
                    } else {
                        1
                    }
                })
                .sum()
        })
        .unwrap_or(0)
}

/// An organisation with one user of each role and an enrolment on NZQA 28268.
pub struct World {
    pub org: String,
    pub admin: String,
    pub candidate: String,
    pub assessor: String,
    pub iv: String,
    pub candidate_id: String,
    pub assessor_id: String,
    pub iv_id: String,
    pub enrolment: String,
}

impl TestApp {
    /// Seeds a [`World`] and enrols the candidate on `standard` through the API.
    pub async fn world(&self, standard: &str) -> World {
        let org = self.seed_org("Harbour Training");
        self.seed_user(&org, "admin@harbour.nz", "provider_admin");
        let candidate_id = self.seed_user(&org, "aroha@harbour.nz", "candidate");
        let assessor_id = self.seed_user(&org, "mere@harbour.nz", "assessor");
        let iv_id = self.seed_user(&org, "iv@harbour.nz", "internal_verifier");
        let admin = self.login("admin@harbour.nz").await;
        let created = self
            .request_as(
                Some(&admin),
                Method::POST,
                api::ENROLMENTS,
                Some(serde_json::json!({
                    "org_id": org, "candidate_id": candidate_id, "assessor_id": assessor_id,
                    "iv_id": iv_id, "standard": standard, "start_date": "2024-05-01"
                })),
            )
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
        World {
            enrolment: created.json()["id"].as_str().unwrap().to_owned(),
            candidate: self.login("aroha@harbour.nz").await,
            assessor: self.login("mere@harbour.nz").await,
            iv: self.login("iv@harbour.nz").await,
            org,
            admin,
            candidate_id,
            assessor_id,
            iv_id,
        }
    }
}

impl TestApp {
    /// Serves the app on a real socket (for tests of what happens on the wire); stops when dropped.
    pub fn serve(&self) -> RunningServer {
        let state = self.state.clone();
        let (tx, rx) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                let server = actix_web::HttpServer::new(move || build_app(state.clone()))
                    .workers(1)
                    .bind("127.0.0.1:0")
                    .expect("bind");
                let addr = server.addrs()[0];
                let running = server.run();
                tx.send((addr, running.handle())).expect("hand over");
                running.await
            })
        });
        let (addr, handle) = rx.recv().expect("server started");
        RunningServer {
            addr,
            handle,
            thread: Some(thread),
        }
    }
}

/// A server started by [`TestApp::serve`].
pub struct RunningServer {
    pub addr: std::net::SocketAddr,
    handle: actix_web::dev::ServerHandle,
    thread: Option<std::thread::JoinHandle<std::io::Result<()>>>,
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        let handle = self.handle.clone();
        std::thread::spawn(move || actix_web::rt::System::new().block_on(handle.stop(false)))
            .join()
            .ok();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// GET with `Accept: application/json`, anonymously.
pub async fn get_json(app: &TestApp, path: &str) -> serde_json::Value {
    let service = test::init_service(build_app(app.state.clone())).await;
    let req = test::TestRequest::get()
        .uri(path)
        .insert_header(("Accept", "application/json"))
        .to_request();
    let response = test::call_service(&service, req).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    serde_json::from_slice(&test::read_body(response).await).expect("JSON")
}

// Shared by the integration tests and the browser journeys: a portfolio that meets every
// requirement of NZQA 28268 v2, recorded through the API.

/// The example complete portfolio's evidence, as API records (judgements stripped).
pub fn example_records() -> (Vec<(String, serde_json::Value)>, serde_json::Value) {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/portfolios/nzqa-28268-complete.yaml"
    ))
    .unwrap();
    let doc: serde_json::Value = serde_yaml::from_str(&text).unwrap();
    let mut records = Vec::new();
    for evidence in doc["evidence"].as_array().unwrap() {
        let mut record = evidence.clone();
        let object = record.as_object_mut().unwrap();
        let id = object.remove("id").unwrap().as_str().unwrap().to_owned();
        if let Some(criteria) = object
            .get_mut("criteria")
            .and_then(serde_json::Value::as_array_mut)
        {
            for c in criteria {
                c.as_object_mut().unwrap().remove("judgement");
            }
        }
        if let Some(knowledge) = object.remove("knowledge") {
            let items: Vec<serde_json::Value> = knowledge
                .as_array()
                .unwrap()
                .iter()
                .map(|k| k["item"].clone())
                .collect();
            object.insert("knowledge".into(), serde_json::Value::Array(items));
        }
        if object
            .get("channel")
            .is_some_and(serde_json::Value::is_string)
        {
            let one = object.remove("channel").unwrap();
            object.insert("channel".into(), serde_json::json!([one]));
        }
        if object["method"] == "oral_questioning" {
            object.insert(
                "details".into(),
                serde_json::json!({"questions": [{"question": "When would you escalate an enquiry?", "answer": "When it is outside my authority."}]}),
            );
        }
        records.push((id, record));
    }
    let marks = serde_json::json!({ "confirmations": doc["confirmations"] });
    (records, marks)
}

/// Records the example complete portfolio as the assessor, with the marks it needs.
pub async fn complete_portfolio(app: &TestApp, w: &World) {
    let base = api::enrolment(&w.enrolment);
    let (records, marks) = example_records();
    for (_, record) in records {
        let added = app
            .request_as(
                Some(&w.assessor),
                Method::POST,
                &base.evidence(),
                Some(record),
            )
            .await;
        assert_eq!(added.status, StatusCode::CREATED, "{}", added.text());
    }
    let marked = app
        .request_as(Some(&w.assessor), Method::PUT, &base.marks(), Some(marks))
        .await;
    assert_eq!(marked.status, StatusCode::OK, "{}", marked.text());
}

/// The credential inside an `EnvelopedVerifiableCredential`, decoded without checking it.
pub fn claims(enveloped: &serde_json::Value) -> serde_json::Value {
    let token = jws_of(enveloped);
    let payload = token.split('.').nth(1).expect("a compact JWS");
    serde_json::from_slice(
        &base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, payload)
            .expect("base64url"),
    )
    .expect("JSON")
}

/// The compact JWS of an `EnvelopedVerifiableCredential` (its `data:` URL's content).
pub fn jws_of(enveloped: &serde_json::Value) -> String {
    assert_eq!(enveloped["type"], "EnvelopedVerifiableCredential");
    enveloped["id"]
        .as_str()
        .and_then(|id| id.strip_prefix("data:application/vc+jwt,"))
        .expect("a data: URL of a VC-JOSE credential")
        .to_owned()
}
