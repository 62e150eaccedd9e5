//! Conditional GET on progress: an ETag that follows the content, 304 while it is unchanged.

use actix_web::http::StatusCode;
use actix_web::test;

use attest::http::build_app;

use crate::api;
use crate::helpers::{Reply, TestApp, World, backend_test};
use crate::portfolio::complete_portfolio;

async fn progress(app: &TestApp, w: &World, if_none_match: Option<&str>) -> Reply {
    request(app, w, Some(&w.assessor), if_none_match).await
}

async fn request(
    app: &TestApp,
    w: &World,
    token: Option<&str>,
    if_none_match: Option<&str>,
) -> Reply {
    let tag = if_none_match.map(|tag| ("If-None-Match", tag));
    request_with(app, w, token, tag.as_slice()).await
}

async fn request_with(
    app: &TestApp,
    w: &World,
    token: Option<&str>,
    headers: &[(&str, &str)],
) -> Reply {
    let service = test::init_service(build_app(app.state.clone())).await;
    let mut req = test::TestRequest::get().uri(&api::enrolment(&w.enrolment).progress());
    if let Some(token) = token {
        req = req.insert_header(("Authorization", format!("Bearer {token}")));
    }
    for (name, value) in headers {
        req = req.insert_header((*name, value.to_string()));
    }
    let response = test::call_service(&service, req.to_request()).await;
    Reply {
        status: response.status(),
        headers: response.headers().clone(),
        body: test::read_body(response).await.to_vec(),
    }
}

/// The text of a gzip body.
fn gunzip(body: &[u8]) -> String {
    use std::io::Read;
    let mut text = String::new();
    flate2::read::GzDecoder::new(body)
        .read_to_string(&mut text)
        .expect("gzip");
    text
}

/// The enrolment's stored report columns: (`progress`, `progress_gzip`).
fn stored_columns(app: &TestApp, w: &World) -> (String, Option<Vec<u8>>) {
    use diesel::prelude::*;
    let enrolment = w.enrolment.clone();
    app.tx(move |c| {
        Ok(attest::db::schema::evaluations::table
            .find(&enrolment)
            .select((
                attest::db::schema::evaluations::progress,
                attest::db::schema::evaluations::progress_gzip,
            ))
            .first(c)?)
    })
}

/// Each coding's tag, sent back by a client that takes gzip or by one that does not, answers 304
/// with no body and no coding, and with the tag the client sent.
async fn either_tag_answers_304(app: &TestApp, w: &World, plain: &Reply, packed: &Reply) {
    let tags = [
        plain.header("etag").unwrap(),
        packed.header("etag").unwrap(),
    ];
    assert_ne!(tags[0], tags[1], "two codings, two representations");
    for tag in tags {
        for coding in [Some(("Accept-Encoding", "gzip")), None] {
            let headers: Vec<_> = coding.into_iter().chain([("If-None-Match", tag)]).collect();
            let same = request_with(app, w, Some(&w.assessor), &headers).await;
            assert_eq!(
                same.status,
                StatusCode::NOT_MODIFIED,
                "{tag} {coding:?} {:?}",
                app.backend
            );
            assert!(same.body.is_empty());
            assert_eq!(same.header("content-encoding"), None);
            assert_eq!(same.header("etag"), Some(tag));
        }
    }
}

backend_test!(progress_answers_304_until_the_portfolio_changes);
async fn progress_answers_304_until_the_portfolio_changes(app: TestApp) {
    let w = app.world("28268@2").await;
    let first = progress(&app, &w, None).await;
    assert_eq!(first.status, StatusCode::OK);
    let tag = first.header("etag").expect("an ETag").to_owned();
    assert!(tag.starts_with('"') && tag.ends_with('"'), "{tag}");
    assert_eq!(first.header("cache-control"), Some("private, no-cache"));
    assert_eq!(first.json()["confirmed"]["complete"], false);

    let same = progress(&app, &w, Some(&tag)).await;
    assert_eq!(same.status, StatusCode::NOT_MODIFIED, "{:?}", app.backend);
    assert!(same.body.is_empty());
    assert_eq!(same.header("etag"), Some(tag.as_str()));
    let listed = progress(&app, &w, Some(&format!("\"stale\", W/{tag}"))).await;
    assert_eq!(listed.status, StatusCode::NOT_MODIFIED, "weak comparison");
    let stale = progress(&app, &w, Some("\"stale\"")).await;
    assert_eq!(stale.status, StatusCode::OK);
    assert_eq!(stale.body, first.body);

    complete_portfolio(&app, &w).await;
    let changed = progress(&app, &w, Some(&tag)).await;
    assert_eq!(changed.status, StatusCode::OK, "{:?}", app.backend);
    assert_ne!(changed.header("etag"), Some(tag.as_str()));
    assert_eq!(changed.json()["confirmed"]["complete"], true);

    // A tag is no key: without a session the answer is 401, never 304.
    let anonymous = request(&app, &w, None, Some(&tag)).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
}

backend_test!(a_report_is_kept_as_json_and_gzip_and_sent_as_the_client_takes_it);
/// A report under a megabyte is kept twice: the JSON for clients without gzip, gzip of it for
/// the rest (compressed when stored, not on each read). Both answers vary with
/// `Accept-Encoding`, each coding has its own tag, and either tag answers 304.
async fn a_report_is_kept_as_json_and_gzip_and_sent_as_the_client_takes_it(app: TestApp) {
    let w = app.world("28268@2").await;
    complete_portfolio(&app, &w).await;
    let plain = progress(&app, &w, None).await;
    assert_eq!(plain.status, StatusCode::OK);
    assert_eq!(plain.header("content-encoding"), None);
    assert_eq!(plain.header("vary"), Some("Accept-Encoding"));
    assert_eq!(plain.json()["confirmed"]["complete"], true);

    let gzip = [("Accept-Encoding", "br;q=1.0, gzip;q=0.8")];
    let packed = request_with(&app, &w, Some(&w.assessor), &gzip).await;
    assert_eq!(packed.status, StatusCode::OK);
    assert_eq!(packed.header("content-encoding"), Some("gzip"));
    assert_eq!(packed.header("vary"), Some("Accept-Encoding"));
    assert_eq!(
        gunzip(&packed.body).as_bytes(),
        plain.body,
        "gzip of the same JSON"
    );
    assert!(
        packed.body.len() * 4 < plain.body.len(),
        "{} of {}",
        packed.body.len(),
        plain.body.len()
    );
    let (plain_tag, packed_tag) = (
        plain.header("etag").unwrap(),
        packed.header("etag").unwrap(),
    );
    assert_eq!(
        packed_tag.trim_matches('"'),
        format!("{}-gzip", plain_tag.trim_matches('"'))
    );
    either_tag_answers_304(&app, &w, &plain, &packed).await;
    // A client that refuses gzip gets the JSON.
    let refused = [("Accept-Encoding", "gzip;q=0, identity")];
    let refusing = request_with(&app, &w, Some(&w.assessor), &refused).await;
    assert_eq!(refusing.header("content-encoding"), None);
    assert_eq!(refusing.body, plain.body);

    // Both are what the stored row holds.
    let (kept_json, kept_gzip) = stored_columns(&app, &w);
    assert_eq!(kept_json.as_bytes(), plain.body.as_slice());
    assert_eq!(kept_gzip.as_deref(), Some(packed.body.as_slice()));
}

backend_test!(a_report_kept_in_memory_is_sent_only_while_its_tag_is_current);
/// Reports read are kept in memory by their tag, in both codings; a change made behind the
/// service's back (here a direct update of the candidate's name, which the report shows) makes
/// the stored row stale, and the next read in either coding sends the new report, not the kept
/// one.
async fn a_report_kept_in_memory_is_sent_only_while_its_tag_is_current(app: TestApp) {
    use diesel::prelude::*;
    let w = app.world("28268@2").await;
    let gzip = [("Accept-Encoding", "gzip")];
    for _ in 0..2 {
        let plain = progress(&app, &w, None).await;
        assert_eq!(plain.status, StatusCode::OK);
        assert!(!plain.text().contains("Renamed Candidate"));
        let packed = request_with(&app, &w, Some(&w.assessor), &gzip).await;
        assert_eq!(gunzip(&packed.body).as_bytes(), plain.body.as_slice());
    }
    assert!(app.state.reports.bytes() > 0, "kept after a read");
    let candidate = w.candidate_id.clone();
    app.tx(move |c| {
        diesel::sql_query(format!(
            "UPDATE users SET name = 'Renamed Candidate' WHERE id = '{candidate}'"
        ))
        .execute(c)?;
        Ok(())
    });
    let plain = progress(&app, &w, None).await;
    assert_eq!(plain.status, StatusCode::OK);
    assert_eq!(
        plain.json()["confirmed"]["candidate"],
        "Renamed Candidate",
        "{:?}",
        app.backend
    );
    let packed = request_with(&app, &w, Some(&w.assessor), &gzip).await;
    assert_eq!(gunzip(&packed.body).as_bytes(), plain.body.as_slice());
    // Twice more: the first keeps the JSON of the new tag, the second is sent from memory.
    for _ in 0..2 {
        assert_eq!(progress(&app, &w, None).await.body, plain.body);
    }
}

backend_test!(a_row_stored_before_gzip_copies_is_sent_as_json_to_clients_that_take_gzip);
/// A row stored before every report was also kept as gzip: a client that takes gzip gets the
/// JSON, with the JSON's tag, every time.
async fn a_row_stored_before_gzip_copies_is_sent_as_json_to_clients_that_take_gzip(app: TestApp) {
    use diesel::prelude::*;
    let w = app.world("28268@2").await;
    let plain = progress(&app, &w, None).await;
    assert_eq!(plain.status, StatusCode::OK);
    let enrolment = w.enrolment.clone();
    app.tx(move |c| {
        diesel::sql_query(format!(
            "UPDATE evaluations SET progress_gzip = NULL WHERE enrolment_id = '{enrolment}'"
        ))
        .execute(c)?;
        Ok(())
    });
    let gzip = [("Accept-Encoding", "gzip")];
    for _ in 0..2 {
        let old = request_with(&app, &w, Some(&w.assessor), &gzip).await;
        assert_eq!(old.status, StatusCode::OK);
        assert_eq!(old.header("content-encoding"), None, "{:?}", app.backend);
        assert_eq!(old.header("etag"), plain.header("etag"));
        assert_eq!(old.body, plain.body);
    }
}

backend_test!(a_large_report_is_kept_as_gzip_and_sent_as_gzip_to_clients_that_take_it);
/// A report of a megabyte or more is stored as gzip: a client that accepts gzip gets it as it is
/// (`Content-Encoding: gzip`, a tag of its own), any other the same JSON unpacked; both vary with
/// `Accept-Encoding`, and either tag answers 304.
async fn a_large_report_is_kept_as_gzip_and_sent_as_gzip_to_clients_that_take_it(app: TestApp) {
    use diesel::prelude::*;
    let w = app.world("28268@2").await;
    complete_portfolio(&app, &w).await;
    // Copies of one record, each about 1.6 KB of report in both views: well past a megabyte.
    let enrolment = w.enrolment.clone();
    app.tx(move |c| {
        let source: String = attest::db::schema::evidence::table
            .filter(attest::db::schema::evidence::enrolment_id.eq(&enrolment))
            .select(attest::db::schema::evidence::id)
            .first(c)?;
        for _ in 0..1_000 {
            let copy = uuid::Uuid::new_v4();
            diesel::sql_query(format!(
                "INSERT INTO evidence (id, enrolment_id, kind, instance, details, file_sha256, \
                 file_name, recorded_by, recorded_at, updated_at, declared_at) \
                 SELECT '{copy}', enrolment_id, kind, REPLACE(instance, id, '{copy}'), details, \
                 file_sha256, file_name, recorded_by, recorded_at, updated_at, declared_at \
                 FROM evidence WHERE id = '{source}'"
            ))
            .execute(c)?;
        }
        Ok(())
    });
    let gzip = [("Accept-Encoding", "gzip, deflate")];
    let packed = request_with(&app, &w, Some(&w.assessor), &gzip).await;
    assert_eq!(packed.status, StatusCode::OK, "{}", packed.text());
    assert_eq!(
        packed.header("content-encoding"),
        Some("gzip"),
        "{:?}",
        app.backend
    );
    assert_eq!(packed.header("vary"), Some("Accept-Encoding"));
    let json = gunzip(&packed.body);
    assert!(json.len() >= 1 << 20, "{} bytes", json.len());
    assert!(
        packed.body.len() * 4 < json.len(),
        "{} of {}",
        packed.body.len(),
        json.len()
    );

    let plain = progress(&app, &w, None).await;
    assert_eq!(plain.status, StatusCode::OK);
    assert_eq!(plain.header("content-encoding"), None);
    assert_eq!(plain.header("vary"), Some("Accept-Encoding"));
    assert_eq!(plain.body, json.as_bytes(), "the same JSON, unpacked");
    let records = usize::try_from(app.count("evidence")).unwrap();
    assert_eq!(
        plain.json()["confirmed"]["evidence"]
            .as_array()
            .map(Vec::len),
        Some(records),
        "every record in the report"
    );
    either_tag_answers_304(&app, &w, &plain, &packed).await;
    // Kept as gzip: the JSON column is empty, the report column holds what was sent.
    let (progress_text, kept) = stored_columns(&app, &w);
    assert_eq!(progress_text, "");
    assert_eq!(kept.as_deref(), Some(packed.body.as_slice()));

    // The portfolio page reads the same report from it.
    let page = app
        .browser(&w.candidate)
        .get(&app, &format!("/enrolments/{}", w.enrolment))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    let percent = plain.json()["confirmed"]["progress"]["percent"]
        .as_u64()
        .unwrap();
    assert!(page.text().contains(&format!("{percent}%")));
}
