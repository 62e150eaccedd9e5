//! Issue 16, item 8: tracking grids on screen — criterion × evidence for a portfolio, learner ×
//! criterion for a cohort — through the API and the pages.

use actix_web::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::api;
use crate::helpers::{TestApp, World, backend_test, multipart};

/// Uploads a product record mapped to `criteria` as the candidate; its id.
async fn upload(app: &TestApp, w: &World, title: &str, criteria: &[&str]) -> String {
    let criteria: Vec<Value> = criteria.iter().map(|c| json!({"criterion": c})).collect();
    let record = json!({"method": "product_evidence", "setting": "workplace", "date": "2024-05-06",
        "title": title, "criteria": criteria, "declaration": true});
    let (ctype, body) = multipart(&record, "record.pdf", b"%PDF-1.4 record");
    let added = app
        .send_raw(
            &w.candidate,
            &api::enrolment(&w.enrolment).evidence_upload(),
            &ctype,
            body,
        )
        .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.text());
    actix_web::rt::time::sleep(std::time::Duration::from_millis(20)).await;
    added.json()["id"].as_str().unwrap().to_owned()
}

async fn get(app: &TestApp, token: &str, path: &str) -> Value {
    let reply = app.get_as(token, path).await;
    assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.text());
    reply.json()
}

/// The grid's row for `item`.
fn row<'a>(grid: &'a Value, item: &str) -> &'a Value {
    grid["sections"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["rows"].as_array().unwrap())
        .find(|r| r["id"] == item)
        .unwrap_or_else(|| panic!("no row {item} in {grid}"))
}

/// The marks in `item`'s row as (column, mark).
fn marks(grid: &Value, item: &str) -> Vec<(u64, String)> {
    row(grid, item)["cells"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["column"].as_u64().unwrap(),
                c["mark"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

backend_test!(the_portfolio_grid_shows_which_evidence_shows_which_criterion_and_its_judgement);
async fn the_portfolio_grid_shows_which_evidence_shows_which_criterion_and_its_judgement(
    app: TestApp,
) {
    let w = app.world("28268@2").await;
    let path = api::enrolment(&w.enrolment).grid();
    let empty = get(&app, &w.candidate, &path).await;
    assert_eq!(empty["evidence"], json!([]));
    assert_eq!(row(&empty, "1.2")["confirmed"], "not_started");
    assert_eq!(marks(&empty, "1.2"), vec![]);

    let first = upload(&app, &w, "Call log", &["1.2", "2.1"]).await;
    let second = upload(&app, &w, "Email", &["1.2"]).await;
    let waiting = get(&app, &w.assessor, &path).await;
    let columns: Vec<&str> = waiting["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert_eq!(columns, vec![first.as_str(), second.as_str()]);
    assert_eq!(
        marks(&waiting, "1.2"),
        vec![(0, "waiting".into()), (1, "waiting".into())]
    );
    assert_eq!(marks(&waiting, "2.1"), vec![(0, "waiting".into())]);
    assert_eq!(marks(&waiting, "1.1"), vec![]);
    // Nothing is accepted yet: mapped, so partly met, but met only as claimed.
    assert_eq!(row(&waiting, "1.2")["confirmed"], "partly_met");
    assert_eq!(row(&waiting, "1.2")["claimed"], "met");

    let judged = app
            .post_as(&w.assessor, &api::enrolment(&w.enrolment).evidence_item(&first).judgements(), json!({"accept_rest": true, "criteria": [
                    {"id": "2.1", "judgement": "rejected", "feedback": "Say what you told the customer."}]}))
            .await;
    assert_eq!(judged.status, StatusCode::OK, "{}", judged.text());
    let grid = get(&app, &w.candidate, &path).await;
    assert_eq!(
        marks(&grid, "1.2"),
        vec![(0, "accepted".into()), (1, "waiting".into())]
    );
    assert_eq!(marks(&grid, "2.1"), vec![(0, "rejected".into())]);
    assert_eq!(
        row(&grid, "2.1")["cells"][0]["note"],
        "Say what you told the customer."
    );
    assert_eq!(row(&grid, "1.2")["confirmed"], "met");

    // Accepted evidence the standard does not count for a criterion says why: 2.1 asks for
    // questioning or a professional discussion (rule N14), not a product.
    let third = upload(&app, &w, "Escalation note", &["2.1"]).await;
    let judged = app
        .post_as(
            &w.assessor,
            &api::enrolment(&w.enrolment)
                .evidence_item(&third)
                .judgements(),
            json!({"accept_rest": true}),
        )
        .await;
    assert_eq!(judged.status, StatusCode::OK, "{}", judged.text());
    let grid = get(&app, &w.candidate, &path).await;
    assert_eq!(
        marks(&grid, "2.1"),
        vec![(0, "rejected".into()), (2, "not_counted".into())]
    );
    let note = row(&grid, "2.1")["cells"][1]["note"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(note.contains("questioning"), "{note}");
    assert_ne!(row(&grid, "2.1")["confirmed"], "met");

    // The page says the same, in symbols and words.
    let page = app
        .browser(&w.candidate)
        .get(&app, &format!("/enrolments/{}/grid", w.enrolment))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(
        html.contains("E1: rejected — Say what you told the customer."),
        "{html}"
    );
    assert!(html.contains("E1: accepted"), "{html}");
    assert!(html.contains("E2: waiting for judgement"), "{html}");
    assert!(html.contains("id=\"row-1.2\""), "{html}");
    // The portfolio links to it.
    let portfolio = app
        .browser(&w.candidate)
        .get(&app, &format!("/enrolments/{}", w.enrolment))
        .await
        .text();
    assert!(portfolio.contains("grid\">Tracking grid"), "{portfolio}");
}

backend_test!(the_cohort_grid_shows_each_learner_against_each_criterion);
async fn the_cohort_grid_shows_each_learner_against_each_criterion(app: TestApp) {
    let w = app.world("28268@2").await;
    let admin = Some(w.admin.as_str());
    let created = app
        .request_as(
            admin,
            Method::POST,
            &api::org(&w.org).cohorts(),
            Some(json!({"name": "2024 intake", "standard": "28268@2"})),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let cohort = created.json()["id"].as_str().unwrap().to_owned();
    let added = app
        .request_as(
            admin,
            Method::POST,
            &api::cohort(&cohort).enrolments(),
            Some(json!({"add": [w.enrolment]})),
        )
        .await;
    assert_eq!(added.status, StatusCode::OK, "{}", added.text());
    let path = api::cohort(&cohort).grid();
    let standing = |grid: &Value, item: &str| {
        let standard = &grid["standards"][0];
        let column = standard["items"]
            .as_array()
            .unwrap()
            .iter()
            .position(|i| i["id"] == item)
            .unwrap();
        standard["learners"][0]["standings"][column]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let grid = get(&app, &w.admin, &path).await;
    assert_eq!(grid["standards"][0]["code"], "28268");
    assert_eq!(
        grid["standards"][0]["learners"][0]["enrolment_id"],
        w.enrolment.as_str()
    );
    assert_eq!(standing(&grid, "1.2"), "missing");

    let evidence = upload(&app, &w, "Call log", &["1.2", "2.1"]).await;
    let grid = get(&app, &w.admin, &path).await;
    assert_eq!(standing(&grid, "1.2"), "claimed");
    assert_eq!(standing(&grid, "1.1"), "missing");

    let judged = app
        .post_as(
            &w.assessor,
            &api::enrolment(&w.enrolment)
                .evidence_item(&evidence)
                .judgements(),
            json!({"accept_rest": true}),
        )
        .await;
    assert_eq!(judged.status, StatusCode::OK, "{}", judged.text());
    let grid = get(&app, &w.admin, &path).await;
    assert_eq!(standing(&grid, "1.2"), "met");
    // Accepted, but 2.1 asks for questioning or a professional discussion, not a product.
    assert_eq!(standing(&grid, "2.1"), "missing");
    assert_eq!(grid["standards"][0]["learners"][0]["complete"], false);

    let admin_browser = app.browser(&w.admin);
    let page = admin_browser
        .get(&app, &format!("/cohorts/{cohort}/grid"))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(html.contains("1.2: met"), "{html}");
    assert!(html.contains("1.1: no evidence yet"), "{html}");
    let cohort_page = admin_browser
        .get(&app, &format!("/cohorts/{cohort}"))
        .await
        .text();
    assert!(
        cohort_page.contains("grid\">Tracking grid"),
        "{cohort_page}"
    );
    // The candidate is no cohort reader.
    let refused = app.get_as(&w.candidate, &path).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

backend_test!(
    the_portfolio_grid_page_shows_readers_the_candidate_and_refuses_others_as_the_api_does
);
/// The page takes the enrolment (for the candidate's name and the standard) from the grid action's
/// one load and policy check, opening it no second time: its readers still see it, and everyone
/// else is refused exactly as the API refuses them.
async fn the_portfolio_grid_page_shows_readers_the_candidate_and_refuses_others_as_the_api_does(
    app: TestApp,
) {
    let w = app.world("28268@2").await;
    let page_path = format!("/enrolments/{}/grid", w.enrolment);
    for reader in [&w.candidate, &w.assessor, &w.iv, &w.admin] {
        let page = app.browser(reader).get(&app, &page_path).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text());
        assert!(
            page.text().contains("User aroha@harbour.nz"),
            "{}",
            page.text()
        );
    }

    // Another candidate of the organisation, and an admin of another organisation.
    app.seed_user(&w.org, "tama@harbour.nz", "candidate");
    let other_org = app.seed_org("Other Training");
    app.seed_user(&other_org, "admin@other.nz", "provider_admin");
    let api_path = api::enrolment(&w.enrolment).grid();
    for outsider in ["tama@harbour.nz", "admin@other.nz"] {
        let token = app.login(outsider).await;
        let by_api = app.get_as(&token, &api_path).await;
        assert!(
            by_api.status == StatusCode::FORBIDDEN || by_api.status == StatusCode::NOT_FOUND,
            "{outsider}: {}",
            by_api.status
        );
        let page = app.browser(&token).get(&app, &page_path).await;
        assert_eq!(page.status, by_api.status, "{outsider}: {}", page.text());
        assert!(!page.text().contains("User aroha@harbour.nz"), "{outsider}");
    }

    // A malformed id and one naming nothing are both not found.
    for id in ["not-an-id", "00000000-0000-4000-8000-000000000000"] {
        let page = app
            .browser(&w.admin)
            .get(&app, &format!("/enrolments/{id}/grid"))
            .await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{id}");
    }
}
