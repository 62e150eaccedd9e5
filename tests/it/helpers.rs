//! TestApp: a fresh database per test on each backend, and requests through the real app.

use actix_web::http::{Method, StatusCode, header::HeaderMap};
use actix_web::test;
use diesel::{Connection, PgConnection, RunQueryDsl};

use attest::config::{Config, DatabaseUrl};
use attest::http::{AppState, build_app};

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
        let dir = tempfile::tempdir().expect("temp dir");
        let (pg, database) = match backend {
            Backend::Sqlite => (None, DatabaseUrl::Sqlite(dir.path().join("attest.db"))),
            Backend::Postgres => {
                let (scratch, url) = scratch_postgres();
                (Some(scratch), DatabaseUrl::Postgres(url))
            }
        };
        let config = test_config(dir.path(), database);
        let db = attest::setup::open_database(&config, false).expect("open database");
        db.migrate().expect("migrate");
        let secret = attest::setup::jwt_secret(&config).expect("secret");
        let state = AppState::new(config, db, secret).expect("state");
        Self {
            state,
            backend,
            _pg: pg,
            _dir: dir,
        }
    }

    /// One fresh app per backend under test.
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
    }

    /// Creates a user with `role` in `org_id`; returns their id.
    pub fn seed_user(&self, org_id: &str, email: &str, role: &str) -> String {
        self.tx(|c| {
            attest::identity::create_user(
                c,
                None,
                org_id,
                attest::identity::NewUser {
                    email: email.into(),
                    name: format!("User {email}"),
                    password: PASSWORD.into(),
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
                "/api/auth/login",
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
