//! Portfolio archives over HTTP (issue 9): one enrolment's archive for whoever may read it, a
//! cohort's zip of archives for the admin, the scratch files they are built in, and the links on
//! the pages.

use std::io::{Cursor, Read};

use actix_web::http::{Method, StatusCode};
use actix_web::test;
use serde_json::{Value, json};
use sha2::Digest;

use crate::api;
use crate::helpers::{Backend, Reply, TestApp, World, backend_test, multipart};
use attest::output::formats::archive::verify_archive;

/// Uploads `bytes` as the candidate's product evidence; returns the evidence id.
async fn upload(app: &TestApp, w: &World, name: &str, bytes: &[u8]) -> String {
    let record = json!({"method": "product_evidence", "setting": "workplace", "date": "2024-05-06",
        "title": "Call notes", "criteria": [{"criterion": "1.7"}], "declaration": true});
    let (ctype, body) = multipart(&record, name, bytes);
    let uploaded = app
        .send_raw(
            &w.candidate,
            &api::enrolment(&w.enrolment).evidence_upload(),
            &ctype,
            body,
        )
        .await;
    assert_eq!(uploaded.status, StatusCode::CREATED, "{}", uploaded.text());
    uploaded.json()["id"].as_str().unwrap().to_owned()
}

fn manifest_of(zip: &[u8]) -> Value {
    let mut archive = zip::ZipArchive::new(Cursor::new(zip)).expect("a zip");
    let mut text = String::new();
    archive
        .by_name("manifest.json")
        .expect("manifest.json")
        .read_to_string(&mut text)
        .unwrap();
    serde_json::from_str(&text).unwrap()
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(sha2::Sha256::digest(bytes))
}

/// Scratch files left in the upload folder, where archives are built.
fn scratch_files(app: &TestApp) -> usize {
    app.stored_files().1
}

backend_test!(an_enrolment_archive_downloads_and_verifies_over_http);
async fn an_enrolment_archive_downloads_and_verifies_over_http(app: TestApp) {
    let w = app.world("28268@2").await;
    let notes = "Kia ora — call notes\n".as_bytes();
    let evidence = upload(&app, &w, "notes for Tāne.txt", notes).await;
    let path = api::enrolment(&w.enrolment).archive_zip();

    for token in [&w.candidate, &w.assessor, &w.iv, &w.admin] {
        let reply = app.get_as(token, &path).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
        assert_eq!(reply.header("content-type"), Some("application/zip"));
        let disposition = reply.header("content-disposition").unwrap_or_default();
        assert!(
            disposition.starts_with("attachment")
                && disposition.contains("User_aroha_harbour_nz-28268-v2-"),
            "{disposition}"
        );
        assert_eq!(
            reply.header("x-content-sha256"),
            Some(sha256_hex(&reply.body).as_str()),
            "the header is the SHA-256 of the body"
        );
        assert!(reply.body.starts_with(b"PK"));
        let report = verify_archive(Cursor::new(&reply.body)).expect("readable archive");
        assert!(report.is_ok(), "{:?}", report.problems);
        assert_eq!(report.files_checked, 2, "the index and the evidence file");

        let manifest = manifest_of(&reply.body);
        let files = manifest["files"].as_array().unwrap();
        assert_eq!(files.len(), 1, "{manifest}");
        assert_eq!(files[0]["name"], "notes for Tāne.txt");
        assert_eq!(files[0]["sha256"], sha256_hex(notes).as_str());
        assert_eq!(files[0]["size"], notes.len());
        assert_eq!(files[0]["evidence"], json!([evidence]));
        assert_eq!(
            scratch_files(&app),
            0,
            "the scratch file is removed once the body is sent"
        );
    }

    app.seed_user(&w.org, "other@harbour.nz", "candidate");
    let other = app.login("other@harbour.nz").await;
    let refused = app.get_as(&other, &path).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.text());
    let elsewhere = app.seed_org("Summit College");
    app.seed_user(&elsewhere, "admin@summit.nz", "provider_admin");
    let stranger = app.login("admin@summit.nz").await;
    let hidden = app.get_as(&stranger, &path).await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    let unknown = app
        .get_as(
            &w.admin,
            "/api/enrolments/00000000-0000-0000-0000-000000000000/archive.zip",
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(scratch_files(&app), 0);
}

backend_test!(a_cohort_archive_holds_one_verified_archive_per_enrolment);
async fn a_cohort_archive_holds_one_verified_archive_per_enrolment(app: TestApp) {
    let w = app.world("28268@2").await;
    upload(&app, &w, "notes.txt", b"call notes\n").await;
    let second = crate::exports::seed_result(&app, &w, "b@harbour.nz", "28268@2", "2024-06-03");
    let admin = Some(w.admin.as_str());
    let created = app
        .request_as(
            admin,
            Method::POST,
            &api::org(&w.org).cohorts(),
            Some(json!({"name": "June intake"})),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let cohort = created.json()["id"].as_str().unwrap().to_owned();
    let added = app
        .request_as(
            admin,
            Method::POST,
            &api::cohort(&cohort).enrolments(),
            Some(json!({"add": [w.enrolment, second]})),
        )
        .await;
    assert_eq!(added.status, StatusCode::OK, "{}", added.text());

    let path = api::cohort(&cohort).archives_zip();
    let reply = app.request_as(admin, Method::GET, &path, None).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    assert_eq!(reply.header("content-type"), Some("application/zip"));
    assert!(
        reply
            .header("content-disposition")
            .unwrap_or_default()
            .contains("cohort-June_intake-portfolios.zip")
    );
    assert_eq!(scratch_files(&app), 0, "inner and outer scratch files go");
    let mut outer = zip::ZipArchive::new(Cursor::new(&reply.body)).expect("a zip");
    assert_eq!(outer.len(), 2, "one archive per enrolment");
    let mut names = Vec::new();
    for i in 0..outer.len() {
        let mut entry = outer.by_index(i).unwrap();
        assert_eq!(
            entry.compression(),
            zip::CompressionMethod::Stored,
            "archives are stored, not compressed again"
        );
        names.push(entry.name().to_owned());
        let mut inner = Vec::new();
        entry.read_to_end(&mut inner).unwrap();
        let report = verify_archive(Cursor::new(&inner)).expect("an inner archive");
        assert!(report.is_ok(), "{}: {:?}", entry.name(), report.problems);
    }
    assert!(
        names
            .iter()
            .any(|n| n.starts_with("User_aroha_harbour_nz-28268-v2-"))
            && names
                .iter()
                .any(|n| n.starts_with("Learner_b_harbour_nz-28268-v2-")),
        "{names:?}"
    );

    for token in [&w.candidate, &w.assessor] {
        let refused = app.get_as(token, &path).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
    }
}

/// Sends a request and drops the response without reading its body, as a client that goes away.
async fn abandon(app: &TestApp, token: &str, path: &str) -> StatusCode {
    let service = test::init_service(attest::http::build_app(app.state.clone())).await;
    let req = test::TestRequest::get()
        .uri(path)
        .insert_header(("Authorization", format!("Bearer {token}")))
        .to_request();
    let response = test::call_service(&service, req).await;
    response.status()
}

#[actix_web::test]
async fn the_scratch_file_is_removed_when_the_client_goes_away() {
    let app = TestApp::new(Backend::Sqlite);
    let w = app.world("28268@2").await;
    // A PNG is stored as it is, so the archive is as big as the picture: many more chunks than
    // the stream's channel holds, so the reader is still waiting when the client goes.
    let mut picture = b"\x89PNG\r\n\x1a\n".to_vec();
    picture.resize(3 * 1024 * 1024, 7);
    upload(&app, &w, "site photo.png", &picture).await;
    let status = abandon(
        &app,
        &w.candidate,
        &api::enrolment(&w.enrolment).archive_zip(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let mut left = scratch_files(&app);
    for _ in 0..100 {
        if left == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        left = scratch_files(&app);
    }
    assert_eq!(
        left, 0,
        "the scratch file is removed after the client went away"
    );
}

fn has(page: &Reply, text: &str) -> bool {
    page.text().contains(text)
}

backend_test!(the_archive_links_show_for_those_who_may_read_them);
async fn the_archive_links_show_for_those_who_may_read_them(app: TestApp) {
    let w = app.world("28268@2").await;
    let portfolio = format!("/enrolments/{}", w.enrolment);
    let link = api::enrolment(&w.enrolment).archive_zip();

    let mine = app.browser(&w.candidate).get(&app, &portfolio).await;
    assert_eq!(mine.status, StatusCode::OK);
    assert!(has(&mine, &link) && has(&mine, "Download my portfolio"));
    assert!(!has(&mine, "Download the portfolio archive"));
    assert!(has(&mine, "attest verify-archive FILE.zip"));
    for token in [&w.assessor, &w.iv, &w.admin] {
        let theirs = app.browser(token).get(&app, &portfolio).await;
        assert_eq!(theirs.status, StatusCode::OK);
        assert!(has(&theirs, &link) && has(&theirs, "Download the portfolio archive (zip)"));
        assert!(!has(&theirs, "Download my portfolio"));
    }
    app.seed_user(&w.org, "other@harbour.nz", "candidate");
    let other = app.login("other@harbour.nz").await;
    let refused = app.browser(&other).get(&app, &portfolio).await;
    assert_ne!(refused.status, StatusCode::OK);
    assert!(!has(&refused, &link));

    let cohort = app
        .post_as(
            &w.admin,
            &api::org(&w.org).cohorts(),
            json!({"name": "June intake"}),
        )
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.post_as(
        &w.admin,
        &api::cohort(&cohort).enrolments(),
        json!({"add": [w.enrolment]}),
    )
    .await;
    let page = app
        .browser(&w.admin)
        .get(&app, &format!("/cohorts/{cohort}"))
        .await;
    assert!(has(&page, &api::cohort(&cohort).archives_zip()));
    assert!(has(&page, "Download every portfolio of this cohort (zip)"));

    let exports = app
        .browser(&w.admin)
        .get(&app, &format!("/orgs/{}/exports", w.org))
        .await;
    assert!(has(
        &exports,
        &format!("formaction=\"/orgs/{}/exports/badges\"", w.org)
    ));
    assert!(has(&exports, "Download Open Badges"));
}

#[actix_web::test]
async fn the_command_line_writes_the_same_cohort_archives() {
    let app = TestApp::new(Backend::Sqlite);
    let w = app.world("28268@2").await;
    upload(&app, &w, "notes.txt", b"call notes\n").await;
    let created = app
        .post_as(
            &w.admin,
            &api::org(&w.org).cohorts(),
            json!({"name": "June intake"}),
        )
        .await;
    let cohort = created.json()["id"].as_str().unwrap().to_owned();
    app.post_as(
        &w.admin,
        &api::cohort(&cohort).enrolments(),
        json!({"add": [w.enrolment]}),
    )
    .await;
    let data = &app.state.config.data_dir;
    let dir = data.join("june");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_attest"))
        .args(["export", "archive", "--org", "Harbour Training"])
        .args(["--cohort", "June intake", "-o"])
        .arg(&dir)
        .env("ATTEST_DATA_DIR", data)
        .env("ATTEST_STANDARDS_DIR", &app.state.config.standards_dir)
        .env_remove("ATTEST_DATABASE_URL")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let name = files[0].file_name().unwrap().to_string_lossy().into_owned();
    let over_http = app
        .get_as(&w.admin, &api::enrolment(&w.enrolment).archive_zip())
        .await;
    assert!(
        over_http
            .header("content-disposition")
            .unwrap_or_default()
            .contains(&name),
        "the CLI and the API name an archive alike: {name}"
    );
    let report = verify_archive(std::fs::File::open(&files[0]).unwrap()).unwrap();
    assert!(report.is_ok(), "{:?}", report.problems);
}
