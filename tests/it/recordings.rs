//! Issue 16.2, evidence you can see: safe types shown inline (with byte ranges for players), other
//! types kept as downloads, and time points marked in a recording against its criteria — through
//! the API and the pages, kept in the archive, audited — on every backend.

use std::io::{Cursor, Read};

use actix_web::http::StatusCode;
use actix_web::test;
use serde_json::{Value, json};

use crate::api;
use crate::helpers::{Reply, TestApp, World, backend_test, multipart};
use attest::http::build_app;

/// A real (tiny) WAV file: RIFF header, format chunk, a few samples of silence.
fn wav() -> Vec<u8> {
    let samples = [0u8; 64];
    let mut bytes = Vec::new();
    bytes.extend_from_slice(b"RIFF");
    bytes.extend_from_slice(&(36 + samples.len() as u32).to_le_bytes());
    bytes.extend_from_slice(b"WAVEfmt ");
    bytes.extend_from_slice(&16u32.to_le_bytes());
    bytes.extend_from_slice(&1u16.to_le_bytes()); // PCM
    bytes.extend_from_slice(&1u16.to_le_bytes()); // mono
    bytes.extend_from_slice(&8000u32.to_le_bytes());
    bytes.extend_from_slice(&8000u32.to_le_bytes());
    bytes.extend_from_slice(&1u16.to_le_bytes());
    bytes.extend_from_slice(&8u16.to_le_bytes());
    bytes.extend_from_slice(b"data");
    bytes.extend_from_slice(&(samples.len() as u32).to_le_bytes());
    bytes.extend_from_slice(&samples);
    bytes
}

async fn upload(app: &TestApp, w: &World, name: &str, bytes: &[u8], criteria: &[&str]) -> String {
    let record = json!({"method": "product_evidence", "setting": "workplace", "date": "2024-05-06",
        "title": name, "declaration": true,
        "criteria": criteria.iter().map(|c| json!({"criterion": c})).collect::<Vec<_>>()});
    let (ctype, body) = multipart(&record, name, bytes);
    let added = app
        .send_raw(
            &w.candidate,
            &api::enrolment(&w.enrolment).evidence_upload(),
            &ctype,
            body,
        )
        .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.text());
    added.json()["id"].as_str().unwrap().to_owned()
}

async fn file(app: &TestApp, token: &str, path: &str, range: Option<&str>) -> Reply {
    let service = test::init_service(build_app(app.state.clone())).await;
    let mut req = test::TestRequest::get()
        .uri(path)
        .insert_header(("Authorization", format!("Bearer {token}")));
    if let Some(range) = range {
        req = req.insert_header(("Range", range.to_owned()));
    }
    let response = test::call_service(&service, req.to_request()).await;
    Reply {
        status: response.status(),
        headers: response.headers().clone(),
        body: test::read_body(response).await.to_vec(),
    }
}

async fn mark(app: &TestApp, token: &str, w: &World, evidence: &str, body: Value) -> Reply {
    app.post_as(
        token,
        &api::enrolment(&w.enrolment)
            .evidence_item(evidence)
            .time_points(),
        body,
    )
    .await
}

backend_test!(safe_types_show_inline_with_ranges_and_the_rest_stay_downloads);
async fn safe_types_show_inline_with_ranges_and_the_rest_stay_downloads(app: TestApp) {
    let w = app.world("28268@2").await;
    let recording = upload(&app, &w, "call.wav", &wav(), &["1.1"]).await;
    let notes = upload(&app, &w, "notes.txt", b"Kia ora, call notes\n", &["1.1"]).await;
    let base = api::enrolment(&w.enrolment).evidence();

    // A download by default, as before.
    let plain = file(&app, &w.assessor, &format!("{base}/{recording}/file"), None).await;
    assert_eq!(plain.status, StatusCode::OK);
    assert!(
        plain
            .header("content-disposition")
            .unwrap()
            .starts_with("attachment")
    );
    assert_eq!(plain.header("x-content-type-options"), Some("nosniff"));

    // Inline: the detected type, byte ranges for the player.
    let inline = format!("{base}/{recording}/file?inline=1");
    let whole = file(&app, &w.assessor, &inline, None).await;
    assert_eq!(whole.status, StatusCode::OK);
    assert!(
        whole
            .header("content-disposition")
            .unwrap()
            .starts_with("inline")
    );
    assert!(whole.header("content-type").unwrap().starts_with("audio/"));
    assert_eq!(whole.header("accept-ranges"), Some("bytes"));
    assert_eq!(whole.body, wav());
    let part = file(&app, &w.assessor, &inline, Some("bytes=0-3")).await;
    assert_eq!(part.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(part.body, b"RIFF");
    let size = wav().len();
    assert_eq!(
        part.header("content-range"),
        Some(format!("bytes 0-3/{size}").as_str())
    );
    let tail = file(&app, &w.assessor, &inline, Some("bytes=-4")).await;
    assert_eq!(tail.body, wav()[size - 4..].to_vec());
    let past = file(&app, &w.assessor, &inline, Some(&format!("bytes={size}-"))).await;
    assert_eq!(past.status, StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(
        past.header("content-range"),
        Some(format!("bytes */{size}").as_str())
    );

    // Text is never rendered by the browser from here: asked inline, it is still a download.
    let text = file(
        &app,
        &w.candidate,
        &format!("{base}/{notes}/file?inline=1"),
        None,
    )
    .await;
    assert_eq!(text.status, StatusCode::OK);
    assert!(
        text.header("content-disposition")
            .unwrap()
            .starts_with("attachment")
    );

    // Someone who may not read the portfolio gets nothing, inline or not.
    app.seed_user(&w.org, "other@harbour.nz", "candidate");
    let other = app.login("other@harbour.nz").await;
    assert_eq!(
        file(&app, &other, &inline, None).await.status,
        StatusCode::FORBIDDEN
    );

    // The portfolio plays it in the page; the text file is a link.
    let page = app
        .browser(&w.candidate)
        .get(&app, &format!("/enrolments/{}", w.enrolment))
        .await
        .text();
    assert!(
        page.contains(&format!("<audio id=\"player-{recording}\"")),
        "{page}"
    );
    assert!(page.contains("Mark time points in the recording"), "{page}");
}

backend_test!(time_points_are_marked_against_mapped_criteria_and_kept);
async fn time_points_are_marked_against_mapped_criteria_and_kept(app: TestApp) {
    let w = app.world("28268@2").await;
    let recording = upload(&app, &w, "call.wav", &wav(), &["1.1", "1.3"]).await;
    let pdf = upload(&app, &w, "log.pdf", b"%PDF-1.4 call log", &["1.1"]).await;

    // Every problem at once, each naming its field.
    let bad = mark(
        &app,
        &w.candidate,
        &w,
        &recording,
        json!({"at": "4:75", "mapping": "2.9"}),
    )
    .await;
    assert_eq!(
        bad.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        bad.text()
    );
    let errors = &bad.json()["errors"];
    assert!(errors["at"].as_str().unwrap().contains("minutes:seconds"));
    assert!(
        errors["mapping"]
            .as_str()
            .unwrap()
            .contains("not mapped to this evidence; choose one of 1.1, 1.3"),
        "{errors}"
    );
    // Only recordings have time points.
    let not_a_recording = mark(
        &app,
        &w.candidate,
        &w,
        &pdf,
        json!({"at": "00:10", "mapping": "1.1"}),
    )
    .await;
    assert_eq!(not_a_recording.status, StatusCode::CONFLICT);

    let by_candidate = mark(
        &app,
        &w.candidate,
        &w,
        &recording,
        json!({"at": "04:12", "mapping": "1.3", "note": "establishing rapport"}),
    )
    .await;
    assert_eq!(
        by_candidate.status,
        StatusCode::CREATED,
        "{}",
        by_candidate.text()
    );
    let by_candidate = by_candidate.json();
    assert_eq!(by_candidate["at_seconds"], 252);
    let by_assessor = mark(
        &app,
        &w.assessor,
        &w,
        &recording,
        json!({"at": "0:35", "mapping": "1.1"}),
    )
    .await;
    assert_eq!(
        by_assessor.status,
        StatusCode::CREATED,
        "{}",
        by_assessor.text()
    );
    let by_assessor = by_assessor.json();

    // Listed in playing order, for anyone who reads the portfolio.
    let path = api::enrolment(&w.enrolment)
        .evidence_item(&recording)
        .time_points();
    let listed = app.get_as(&w.iv, &path).await.json();
    let at: Vec<i64> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["at_seconds"].as_i64().unwrap())
        .collect();
    assert_eq!(at, vec![35, 252]);
    // The IV reads but does not mark.
    assert_eq!(
        mark(
            &app,
            &w.iv,
            &w,
            &recording,
            json!({"at": "00:01", "mapping": "1.1"})
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );

    // The candidate may not remove the assessor's; the assessor may remove the candidate's.
    let remove = |id: &Value| format!("{path}/{}", id.as_str().unwrap());
    assert_eq!(
        app.delete_as(&w.candidate, &remove(&by_assessor["id"]))
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    // Shown beside the player on the judge page and the portfolio, and in the archive.
    let judge = app
        .browser(&w.assessor)
        .get(
            &app,
            &format!("/enrolments/{}/evidence/{recording}/judge", w.enrolment),
        )
        .await
        .text();
    assert!(
        judge.contains(&format!(
            "data-seek=\"252\" data-player=\"player-{recording}\">04:12</a>"
        )),
        "{judge}"
    );
    assert!(judge.contains("establishing rapport"), "{judge}");
    let zip = app
        .get_as(&w.admin, &api::enrolment(&w.enrolment).archive_zip())
        .await;
    assert_eq!(zip.status, StatusCode::OK);
    let mut archive = zip::ZipArchive::new(Cursor::new(&zip.body)).unwrap();
    let mut manifest = String::new();
    archive
        .by_name("manifest.json")
        .unwrap()
        .read_to_string(&mut manifest)
        .unwrap();
    assert!(
        manifest.contains("\"time_points\"") && manifest.contains("establishing rapport"),
        "{manifest}"
    );

    assert_eq!(
        app.delete_as(&w.assessor, &remove(&by_candidate["id"]))
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    let trail = app
        .get_as(&w.admin, &api::enrolment(&w.enrolment).audit())
        .await
        .text();
    for action in ["evidence.time_point.add", "evidence.time_point.remove"] {
        assert!(trail.contains(action), "{action}");
    }
}

backend_test!(the_recording_page_marks_a_time_point_and_shows_what_was_wrong);
async fn the_recording_page_marks_a_time_point_and_shows_what_was_wrong(app: TestApp) {
    let w = app.world("28268@2").await;
    let recording = upload(&app, &w, "call.wav", &wav(), &["1.1", "1.3"]).await;
    let page = format!("/enrolments/{}/evidence/{recording}/recording", w.enrolment);
    let candidate = app.browser(&w.candidate);
    let shown = candidate.get(&app, &page).await;
    assert_eq!(shown.status, StatusCode::OK);
    let html = shown.text();
    assert!(html.contains("<audio id=\"player\""), "{html}");
    assert!(html.contains("No time points yet."), "{html}");

    let action = format!(
        "/enrolments/{}/evidence/{recording}/time-points",
        w.enrolment
    );
    let refused = candidate
        .post(
            &app,
            &action,
            &[("at", "later"), ("mapping", ""), ("note", "kept")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = refused.text();
    assert!(html.contains("There is a problem"), "{html}");
    assert!(html.contains("id=\"f-at-error\""), "{html}");
    assert!(html.contains("id=\"f-mapping-error\""), "{html}");
    assert!(
        html.contains("value=\"kept\""),
        "what was typed stays: {html}"
    );

    let done = candidate
        .post(
            &app,
            &action,
            &[
                ("at", "04:12"),
                ("mapping", "1.3"),
                ("note", "establishing rapport"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.text());
    let html = candidate.get(&app, &page).await.text();
    assert!(html.contains("data-seek=\"252\""), "{html}");
    assert!(html.contains("establishing rapport"), "{html}");

    // A piece of evidence that is not a recording has no such page.
    let pdf = upload(&app, &w, "log.pdf", b"%PDF-1.4 call log", &["1.1"]).await;
    assert_eq!(
        candidate
            .get(
                &app,
                &format!("/enrolments/{}/evidence/{pdf}/recording", w.enrolment)
            )
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}
