//! The API as a contract and input that must never hurt: control characters in any text (both
//! backends: PostgreSQL cannot store NUL), refused uploads that leave nothing on disk, and bodies
//! that are not exactly one JSON object of the documented shape.

use std::path::Path;
use std::time::{Duration, SystemTime};

use actix_web::http::{Method, StatusCode};
use attest::config::DatabaseUrl;

use serde_json::json;

use crate::api;
use crate::helpers::{PASSWORD, Reply, TestApp, backend_test, multipart};
use crate::pages::pairs;

/// A 422 problem naming `field`.
fn assert_refused_field(reply: &Reply, field: &str) {
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.text()
    );
    assert_eq!(
        reply.header("content-type"),
        Some("application/problem+json")
    );
    let problem = reply.json();
    assert!(
        problem["errors"][field].is_string(),
        "{field} not named: {problem}"
    );
}

backend_test!(nul_and_control_characters_are_refused_by_field_on_every_backend);
async fn nul_and_control_characters_are_refused_by_field_on_every_backend(app: TestApp) {
    let w = app.world("28268").await;
    // Unauthenticated sign-in, over the API and the page (which refuses before its CSRF check).
    let login = app
        .request(
            Method::POST,
            api::LOGIN,
            Some(serde_json::json!({ "email": "admin@harbour.nz\u{0}", "password": PASSWORD })),
        )
        .await;
    assert_refused_field(&login, "email");
    let page = app
        .browse(
            &[],
            Method::POST,
            "/login",
            Some(pairs(&[("email", "x@y.nz"), ("password", "a\u{0}b")])),
        )
        .await;
    assert_refused_field(&page, "password");

    // A signed-in write, nested field paths, query parameters and path segments.
    let users = app.count("users");
    let created = app
        .post_as(
            &w.admin,
            &api::org(&w.org).users(),
            serde_json::json!({
                "email": "bell@harbour.nz", "name": "Bell\u{7}", "password": PASSWORD,
                "role": "candidate"
            }),
        )
        .await;
    assert_refused_field(&created, "name");
    assert_eq!(app.count("users"), users, "nothing written");
    let query = app
        .get_as(&w.admin, "/api/enrolments?standard=28%00268")
        .await;
    assert_refused_field(&query, "standard");
    let path = app.get_as(&w.admin, "/api/standards/282%0068/2").await;
    assert_refused_field(&path, "path");

    // A page form of a signed-in person.
    let browser = app.browser(&w.admin);
    let form = browser
        .post(
            &app,
            &format!("/orgs/{}/people", w.org),
            &[
                ("email", "bell@harbour.nz"),
                ("name", "Bell\u{1b}[31m"),
                ("password", PASSWORD),
                ("role", "candidate"),
            ],
        )
        .await;
    assert_refused_field(&form, "name");
    assert_eq!(app.count("users"), users, "nothing written");

    // Line breaks and tabs are text.
    let multi_line = app
        .post_as(
            &w.admin,
            &api::org(&w.org).users(),
            serde_json::json!({
                "email": "bell@harbour.nz", "name": "Bell\tHooks", "password": PASSWORD,
                "role": "candidate"
            }),
        )
        .await;
    assert_eq!(
        multi_line.status,
        StatusCode::CREATED,
        "{}",
        multi_line.text()
    );
}

/// A PDF-looking body of about 1 MB, different for each `n`.
fn megabyte_pdf(n: usize) -> Vec<u8> {
    let mut bytes = format!("%PDF-1.4 upload {n}\n").into_bytes();
    bytes.resize(1 << 20, b'x');
    bytes
}

backend_test!(a_refused_upload_leaves_nothing_on_disk);
async fn a_refused_upload_leaves_nothing_on_disk(app: TestApp) {
    let w = app.world("28268@2").await;
    let path = api::enrolment(&w.enrolment).evidence_upload();
    let good = json!({"method": "product_evidence", "setting": "workplace", "date": "2024-05-06",
            "criteria": [{"criterion": "1.7"}], "declaration": true});
    // Each refused by the action only after the whole file has arrived.
    let mut unknown_criterion = good.clone();
    unknown_criterion["criteria"] = json!([{"criterion": "9.9"}]);
    let mut undeclared = good.clone();
    undeclared["declaration"] = json!(false);
    for (n, record) in [unknown_criterion, undeclared]
        .iter()
        .cycle()
        .take(10)
        .enumerate()
    {
        let (ctype, body) = multipart(record, "big.pdf", &megabyte_pdf(n));
        let refused = app.send_raw(&w.candidate, &path, &ctype, body).await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            refused.text()
        );
    }
    // The same body from someone who may not add evidence here.
    let (ctype, body) = multipart(&good, "big.pdf", &megabyte_pdf(99));
    let forbidden = app.send_raw(&w.iv, &path, &ctype, body).await;
    assert_eq!(
        forbidden.status,
        StatusCode::FORBIDDEN,
        "{}",
        forbidden.text()
    );
    assert_eq!(app.count("evidence"), 0);
    assert_eq!(app.count("files"), 0);
    assert_eq!(app.stored_files(), (0, 0), "no stored or staging file left");

    let (ctype, body) = multipart(&good, "big.pdf", &megabyte_pdf(100));
    let accepted = app.send_raw(&w.candidate, &path, &ctype, body).await;
    assert_eq!(accepted.status, StatusCode::CREATED, "{}", accepted.text());
    assert_eq!(
        app.stored_files(),
        (1, 0),
        "stored once its record committed"
    );
}

/// `attest files gc` on the app's data, as an operator runs it.
fn files_gc(app: &TestApp, dry_run: bool) -> (Option<i32>, String) {
    let database = match &app.state.config.database {
        DatabaseUrl::Sqlite(path) => path.display().to_string(),
        DatabaseUrl::Postgres(url) => url.clone(),
    };
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_attest"));
    cmd.args(["files", "gc"])
        .env("ATTEST_DATA_DIR", &app.state.config.data_dir)
        .env("ATTEST_DATABASE_URL", database)
        .env("RUST_LOG", "warn");
    if dry_run {
        cmd.arg("--dry-run");
    }
    let out = cmd.output().expect("attest runs");
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.code(), text)
}

/// Writes `bytes` at `path`, last changed `age` ago.
fn plant(path: &Path, bytes: &[u8], age: Duration) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
    std::fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(SystemTime::now() - age)
        .unwrap();
}

backend_test!(files_gc_removes_old_orphans_and_names_records_without_their_file);
async fn files_gc_removes_old_orphans_and_names_records_without_their_file(app: TestApp) {
    let w = app.world("28268@2").await;
    let path = api::enrolment(&w.enrolment).evidence_upload();
    let record = json!({"method": "product_evidence", "setting": "workplace", "date": "2024-05-06",
            "criteria": [{"criterion": "1.7"}], "declaration": true});
    let mut kept = Vec::new();
    for n in 0..2 {
        let (ctype, body) = multipart(&record, "a.pdf", &megabyte_pdf(n));
        let reply = app.send_raw(&w.candidate, &path, &ctype, body).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
        kept.push(reply.json());
    }
    let files = app.state.config.data_dir.join("files");
    let object = |sha: &str| files.join("objects").join(&sha[..2]).join(&sha[2..]);
    let sha_of = |reply: &serde_json::Value| reply["file"]["sha256"].as_str().unwrap().to_owned();
    // One record loses its file; the other's file is old but referenced.
    let lost = sha_of(&kept[1]);
    std::fs::remove_file(object(&lost)).unwrap();
    let referenced = object(&sha_of(&kept[0]));
    let bytes = std::fs::read(&referenced).unwrap();
    plant(&referenced, &bytes, Duration::from_secs(3 * 3600));
    let old_orphan = object(&"ab".repeat(32));
    plant(
        &old_orphan,
        b"left by a crash",
        Duration::from_secs(2 * 3600),
    );
    let young_orphan = object(&"cd".repeat(32));
    plant(&young_orphan, b"being committed", Duration::from_secs(60));
    let leftover = files.join("tmp").join("upload-left-by-a-crash");
    plant(&leftover, b"half an upload", Duration::from_secs(2 * 3600));
    let receiving = files.join("tmp").join("upload-under-way");
    plant(&receiving, b"arriving", Duration::ZERO);

    let (code, dry) = files_gc(&app, true);
    assert_eq!(code, Some(1), "a record lacks its file: {dry}");
    assert!(
        dry.contains(&format!("would remove {}", old_orphan.display())),
        "{dry}"
    );
    assert!(
        dry.contains(&format!("would remove {}", leftover.display())),
        "{dry}"
    );
    let evidence_id = kept[1]["id"].as_str().unwrap();
    assert!(
        dry.contains(&format!("MISSING evidence {evidence_id}")),
        "{dry}"
    );
    assert!(dry.contains(&lost), "{dry}");
    assert!(
        old_orphan.exists() && leftover.exists(),
        "a dry run removes nothing"
    );

    let (code, run) = files_gc(&app, false);
    assert_eq!(code, Some(1), "{run}");
    assert!(
        run.contains(&format!("removed {}", old_orphan.display())),
        "{run}"
    );
    assert!(!old_orphan.exists() && !leftover.exists());
    assert!(referenced.exists(), "a referenced file stays, however old");
    assert!(
        young_orphan.exists() && receiving.exists(),
        "young files stay"
    );

    std::fs::remove_file(&young_orphan).unwrap();
    plant(&object(&lost), b"restored from backup", Duration::ZERO);
    let (code, clean) = files_gc(&app, false);
    assert_eq!(code, Some(0), "{clean}");
    assert!(!clean.contains("MISSING"), "{clean}");
}

#[actix_web::test]
async fn bodies_must_be_one_object_of_the_documented_shape() {
    let app = TestApp::new(crate::helpers::Backend::Sqlite);
    let w = app.world("28268").await;
    let login = |body: &'static str| {
        let app = &app;
        async move {
            app.send_raw("", api::LOGIN, "application/json", body.as_bytes().to_vec())
                .await
        }
    };
    for body in [
        "[]",
        "[null, null]",
        r#"["admin@harbour.nz", "correct horse battery staple"]"#,
        r#"{"email": "admin@harbour.nz", "password": "correct horse battery staple"}}}}"#,
    ] {
        assert_refused_field(&login(body).await, "body");
    }
    let too_many = app.get_as(&w.admin, "/api/enrolments?per_page=201").await;
    assert_refused_field(&too_many, "per_page");
    let listed = app.get_as(&w.admin, "/api/enrolments?per_page=200").await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.text());
    let created_at = listed.json()["items"][0]["created_at"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        chrono::DateTime::parse_from_rfc3339(&created_at).is_ok(),
        "date-times carry their offset: {created_at}"
    );
}

#[actix_web::test]
async fn a_known_path_with_another_method_is_405_naming_the_methods() {
    let app = TestApp::new(crate::helpers::Backend::Sqlite);
    let reply = app.request(Method::DELETE, api::ENROLMENTS, None).await;
    assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(reply.header("allow"), Some("POST, GET"));
    assert_eq!(
        reply.header("content-type"),
        Some("application/problem+json")
    );
    let unknown = app.request(Method::DELETE, "/api/nothing-here", None).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

/// The route table and the document agree, so an operation added to one but not the other fails
/// `cargo test` (not only the schemathesis step): every API route is documented; a documented path
/// documents every method the table serves there (`Allow` lists exactly those); and asked without a
/// session, every operation that needs one answers 401 as a documented problem, and every public
/// one answers something it documents.
#[actix_web::test]
async fn every_route_answers_as_documented_without_a_session() {
    let app = TestApp::new(crate::helpers::Backend::Sqlite);
    let doc = app.get(api::OPENAPI).await.json();
    let routes = attest::http::routes::ROUTES;
    let mut wrong = Vec::new();
    for (method, path) in routes {
        let documented_path = doc["paths"][*path].is_object();
        let operation = &doc["paths"][*path][method.to_ascii_lowercase()];
        if operation.is_null() {
            if path.starts_with("/api/") || documented_path {
                wrong.push(format!("{method} {path}: not in the document"));
            }
            continue;
        }
        let responses = operation["responses"].as_object().unwrap();
        let public = operation["security"] == json!([{}]);
        if !public && !responses.contains_key("401") {
            wrong.push(format!(
                "{method} {path}: needs a session but documents no 401"
            ));
        }
        // Any id: a session is checked before anything is looked up.
        let uri = path
            .split('/')
            .map(|segment| match segment {
                s if s.starts_with('{') && s.contains("role") => "candidate",
                s if s.starts_with('{') => "00000000-0000-4000-8000-000000000000",
                s => s,
            })
            .collect::<Vec<_>>()
            .join("/");
        let body = operation
            .get("requestBody")
            .filter(|b| b["content"]["application/json"].is_object())
            .map(|_| json!({}));
        let reply = app
            .request(Method::from_bytes(method.as_bytes()).unwrap(), &uri, body)
            .await;
        let status = reply.status.as_u16();
        if !public && status != 401 {
            wrong.push(format!(
                "{method} {path}: {status} without a session, not 401"
            ));
        }
        if public && status == 401 {
            wrong.push(format!(
                "{method} {path}: documented as public but answers 401"
            ));
        }
        let listed = responses.contains_key(&status.to_string())
            || responses.contains_key(&format!("{}XX", status / 100));
        if !listed {
            wrong.push(format!("{method} {path}: answers {status}, not documented"));
        }
        if status >= 400 {
            let html = reply
                .header("content-type")
                .is_some_and(|t| t.starts_with("text/html"));
            let problem = reply.header("content-type") == Some("application/problem+json");
            let html_documented =
                responses[&status.to_string()]["content"]["text/html"].is_object();
            if !(problem || html && html_documented) {
                wrong.push(format!(
                    "{method} {path}: {status} as {:?}",
                    reply.header("content-type")
                ));
            }
        }
    }
    for (path, item) in doc["paths"].as_object().unwrap() {
        let mut served: Vec<String> = attest::http::routes::allowed_methods(path)
            .into_iter()
            .map(str::to_ascii_lowercase)
            .collect();
        let mut documented: Vec<String> = item.as_object().unwrap().keys().cloned().collect();
        served.sort();
        documented.sort();
        if served != documented {
            wrong.push(format!(
                "{path}: serves {served:?}, documents {documented:?}"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The verification form has one part, `file`: another is refused naming it, and a name with a
/// control character is named by its escape, so the problem is text the document allows.
#[actix_web::test]
async fn the_verify_form_refuses_other_parts_naming_them_printably() {
    let app = TestApp::new(crate::helpers::Backend::Sqlite);
    let boundary = "b0undary";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.jwt\"\r\n\r\nnot a credential\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"\u{84}\"\r\n\r\n\r\n--{boundary}--\r\n"
    );
    let reply = app
        .send_raw(
            "",
            "/verify",
            &format!("multipart/form-data; boundary={boundary}"),
            body.into_bytes(),
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.text()
    );
    let problem = reply.json();
    assert_eq!(
        problem["errors"]["\\u{84}"], "is not a part of this form (send file)",
        "{problem}"
    );
    assert!(!problem["detail"].as_str().unwrap().contains('\u{84}'));
}

/// A version that is not a whole number of the documented range (`u32`) matches no standard: 404
/// as a problem, never a 500 or a standard.
#[actix_web::test]
async fn a_bad_version_in_a_path_is_not_found() {
    let app = TestApp::new(crate::helpers::Backend::Sqlite);
    let w = app.world("28268@2").await;
    for version in ["abc", "-1", "2.0", "4294967296"] {
        for path in [
            api::standard("28268", version),
            api::org(&w.org).interpretations("28268", version),
        ] {
            let reply = app.get_as(&w.admin, &path).await;
            assert_eq!(
                reply.status,
                StatusCode::NOT_FOUND,
                "{path}: {}",
                reply.text()
            );
            assert_eq!(
                reply.header("content-type"),
                Some("application/problem+json")
            );
        }
    }
    let good = app.get_as(&w.admin, "/api/standards/28268/2").await;
    assert_eq!(good.status, StatusCode::OK);
}
