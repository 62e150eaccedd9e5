//! The admin's settings pages on every backend: each renders for the admin and is refused to
//! others; each form saves through the same action as the API (checked through the API's new read
//! routes), and a bad value comes back 422 with the error next to its field and what was typed.

use actix_web::http::StatusCode;
use serde_json::{Value, json};

use crate::api;
use crate::helpers::{TestApp, World, backend_test, complete_portfolio};

async fn api_get(app: &TestApp, token: &str, path: &str) -> Value {
    let reply = app.get_as(token, path).await;
    assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.text());
    reply.json()
}

/// The error `message` is shown with the control `id` (inside its field, before the next field).
fn error_by(html: &str, id: &str, message: &str) {
    let at = html
        .find(&format!("id=\"{id}-error\""))
        .unwrap_or_else(|| panic!("no error for {id}: {html}"));
    let rest = &html[at..];
    let end = rest.find("</p>").unwrap_or(rest.len());
    assert!(
        rest[..end].contains(message),
        "{id}: expected {message:?} in {:?}",
        &rest[..end]
    );
}

fn settings(w: &World, part: &str) -> String {
    format!("/orgs/{}/settings{part}", w.org)
}

backend_test!(every_settings_page_renders_for_the_admin_and_is_refused_to_others);
async fn every_settings_page_renders_for_the_admin_and_is_refused_to_others(app: TestApp) {
    let w = app.world("28268@2").await;
    let admin = app.browser(&w.admin);
    let home = admin.get(&app, "/").await.text();
    assert!(home.contains(&format!(r#"href="/orgs/{}/settings""#, w.org)));
    for (part, heading) in [
        ("", "<h1>Settings</h1>"),
        ("/verifiers", "<h1>Internal verification</h1>"),
        ("/witnesses", "<h1>Approved witnesses</h1>"),
        ("/sampling", "<h1>Sampling</h1>"),
        ("/interpretations", "<h1>Readings of ambiguous rules</h1>"),
    ] {
        let path = settings(&w, part);
        let shown = admin.get(&app, &path).await;
        assert_eq!(shown.status, StatusCode::OK, "{path}");
        let html = shown.text();
        assert!(html.contains(heading), "{path}: {html}");
        for other in [&w.assessor, &w.iv, &w.candidate] {
            let refused = app.browser(other).get(&app, &path).await;
            assert_eq!(refused.status, StatusCode::FORBIDDEN, "{path}");
        }
        let anonymous = app.get(&path).await;
        assert_eq!(anonymous.status, StatusCode::SEE_OTHER, "{path}");
    }
    // Another organisation's admin does not learn that the organisation exists.
    let other = app.seed_org("Summit College");
    app.seed_user(&other, "admin@summit.nz", "provider_admin");
    let stranger = app.login("admin@summit.nz").await;
    let hidden = app
        .browser(&stranger)
        .get(&app, &settings(&w, "/sampling"))
        .await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
}

backend_test!(internal_verifiers_are_assigned_changed_and_removed_through_the_page);
async fn internal_verifiers_are_assigned_changed_and_removed_through_the_page(app: TestApp) {
    let w = app.world("28268@2").await;
    let admin = app.browser(&w.admin);
    let path = settings(&w, "/verifiers");
    let api = api::org(&w.org).iv_assignments();
    assert_eq!(api_get(&app, &w.admin, &api).await, json!([]));
    assert!(
        admin
            .get(&app, &path)
            .await
            .text()
            .contains("None assigned")
    );

    // An assessor who is no internal verifier: refused by the field, the choices kept.
    let own = admin
        .post(
            &app,
            &path,
            &[("assessor_id", &w.assessor_id), ("iv_id", &w.assessor_id)],
        )
        .await;
    assert_eq!(own.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = own.text();
    error_by(
        &html,
        "f-iv-id",
        "is not an internal verifier in this organisation",
    );
    assert!(html.contains(&format!(r#"value="{}" selected"#, w.assessor_id)));
    let blank = admin.post(&app, &path, &[("assessor_id", "")]).await;
    assert_eq!(blank.status, StatusCode::UNPROCESSABLE_ENTITY);
    error_by(&blank.text(), "f-assessor-id", "Choose someone");

    let assigned = admin
        .post(
            &app,
            &path,
            &[
                ("assessor_id", &w.assessor_id),
                ("iv_id", &w.iv_id),
                ("replace", "yes"),
            ],
        )
        .await;
    assert_eq!(
        assigned.status,
        StatusCode::SEE_OTHER,
        "{}",
        assigned.text()
    );
    let now = api_get(&app, &w.admin, &api).await;
    assert_eq!(now.as_array().map(Vec::len), Some(1), "{now}");
    assert_eq!(now[0]["iv_id"], w.iv_id.as_str());
    assert_eq!(now[0]["assessor_id"], w.assessor_id.as_str());

    // Changing: another verifier instead of the current one.
    let iv2 = app.seed_user(&w.org, "iv2@harbour.nz", "internal_verifier");
    let changed = admin
        .post(
            &app,
            &path,
            &[
                ("assessor_id", &w.assessor_id),
                ("iv_id", &iv2),
                ("replace", "yes"),
            ],
        )
        .await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER);
    let now = api_get(&app, &w.admin, &api).await;
    assert_eq!(now.as_array().map(Vec::len), Some(1), "{now}");
    assert_eq!(now[0]["iv_id"], iv2.as_str());
    assert!(
        admin
            .get(&app, &path)
            .await
            .text()
            .contains("User iv2@harbour.nz")
    );

    let remove = settings(&w, "/verifiers/remove");
    let fields = [
        ("iv_id", iv2.as_str()),
        ("assessor_id", w.assessor_id.as_str()),
    ];
    let removed = admin.post(&app, &remove, &fields).await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER);
    assert_eq!(api_get(&app, &w.admin, &api).await, json!([]));
    let again = admin.post(&app, &remove, &fields).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    let without_token = admin.post_without_csrf(&app, &remove, &fields).await;
    assert_eq!(without_token.status, StatusCode::FORBIDDEN);
}

backend_test!(witnesses_are_approved_through_the_page);
async fn witnesses_are_approved_through_the_page(app: TestApp) {
    let w = app.world("28268@2").await;
    let admin = app.browser(&w.admin);
    let path = settings(&w, "/witnesses");
    let refused = admin
        .post(
            &app,
            &path,
            &[
                ("name", "Hemi Walker"),
                ("job_title", ""),
                ("relationship", "my brother"),
                ("contact", "hemi@x.nz"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = refused.text();
    error_by(&html, "f-relationship", "A relative cannot be a witness");
    error_by(&html, "f-job-title", "Job title is required");
    assert!(html.contains(r#"value="Hemi Walker""#), "{html}");

    let approved = admin
        .post(
            &app,
            &path,
            &[
                ("name", "Hemi Walker"),
                ("job_title", "Shift supervisor"),
                ("relationship", "Team leader"),
                ("contact", "hemi@x.nz"),
            ],
        )
        .await;
    assert_eq!(
        approved.status,
        StatusCode::SEE_OTHER,
        "{}",
        approved.text()
    );
    let listed = api_get(&app, &w.admin, &api::org(&w.org).witnesses()).await;
    assert_eq!(listed[0]["name"], "Hemi Walker", "{listed}");
    assert_eq!(listed[0]["job_title"], "Shift supervisor");
    assert!(
        admin
            .get(&app, &path)
            .await
            .text()
            .contains("Shift supervisor")
    );
}

backend_test!(sampling_rates_and_risk_ratings_are_set_through_the_page);
async fn sampling_rates_and_risk_ratings_are_set_through_the_page(app: TestApp) {
    let w = app.world("28268@2").await;
    let admin = app.browser(&w.admin);
    let rates_api = api::org(&w.org).sampling_rates();
    let defaults = json!({"new": 100, "low": 10, "medium": 25, "high": 50});
    assert_eq!(api_get(&app, &w.admin, &rates_api).await, defaults);
    let page = admin.get(&app, &settings(&w, "/sampling")).await.text();
    assert!(page.contains("Default 50%; now 50%."), "{page}");

    let rates = settings(&w, "/sampling/rates");
    let bad = admin
        .post(
            &app,
            &rates,
            &[("medium", "101"), ("low", "ten"), ("high", "60")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = bad.text();
    error_by(
        &html,
        "f-medium",
        "must be between 0 and 100 percent, not 101",
    );
    error_by(&html, "f-low", "Enter a whole number");
    assert!(html.contains(r#"value="101""#) && html.contains(r#"value="ten""#));
    assert_eq!(api_get(&app, &w.admin, &rates_api).await, defaults);

    let saved = admin
        .post(
            &app,
            &rates,
            &[
                ("new", "100"),
                ("low", ""),
                ("medium", "30"),
                ("high", "60"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text());
    assert_eq!(
        api_get(&app, &w.admin, &rates_api).await,
        json!({"new": 100, "low": 10, "medium": 30, "high": 60})
    );

    let risk_api = api::org(&w.org).assessors_risk();
    let before = api_get(&app, &w.admin, &risk_api).await;
    assert_eq!(before[0]["assessor_id"], w.assessor_id.as_str(), "{before}");
    assert_eq!(before[0]["risk"], "new");
    assert_eq!(before[0]["rated"], false);
    let risk = settings(&w, &format!("/sampling/assessors/{}", w.assessor_id));
    let wrong = admin.post(&app, &risk, &[("risk", "extreme")]).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    error_by(
        &wrong.text(),
        &format!("f-risk-{}", w.assessor_id),
        "Choose new, low",
    );
    let set = admin.post(&app, &risk, &[("risk", "high")]).await;
    assert_eq!(set.status, StatusCode::SEE_OTHER, "{}", set.text());
    let after = api_get(&app, &w.admin, &risk_api).await;
    assert_eq!(after[0]["risk"], "high", "{after}");
    assert_eq!(after[0]["rated"], true);
    // Someone who is not an assessor cannot be rated.
    let not_assessor = settings(&w, &format!("/sampling/assessors/{}", w.candidate_id));
    let refused = admin.post(&app, &not_assessor, &[("risk", "low")]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .text()
            .contains("is not an assessor in this organisation")
    );
}

backend_test!(choosing_another_reading_on_the_page_makes_a_complete_portfolio_incomplete);
async fn choosing_another_reading_on_the_page_makes_a_complete_portfolio_incomplete(app: TestApp) {
    let w = app.world("28268@2").await;
    complete_portfolio(&app, &w).await;
    let progress = api::enrolment(&w.enrolment).progress();
    let before = api_get(&app, &w.assessor, &progress).await;
    assert_eq!(before["confirmed"]["complete"], true);

    let admin = app.browser(&w.admin);
    let page = settings(&w, "/interpretations");
    let html = admin.get(&app, &page).await.text();
    let rapport =
        r#"id="rule--28268-2--N9--rapport" type="radio" name="rule.N9" value="rapport" checked"#;
    assert!(html.contains(rapport), "{html}");
    assert!(html.contains("<legend>Rule N9 · Outcome 1, PC 1.3, Range</legend>"));
    assert!(html.contains("Three examples of customer needs for each enquiry"));
    assert!(html.contains(r#"<span class="badge">default</span>"#));

    let save = settings(&w, "/interpretations/28268/2");
    let bad = admin.post(&app, &save, &[("rule.N9", "nonsense")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    error_by(
        &bad.text(),
        "f-rule--28268-2--N9",
        "no interpretation `nonsense`",
    );
    let unknown = admin.post(&app, &save, &[("rule.N99", "x")]).await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unknown.text().contains("no such rule in this standard"));

    let saved = admin
        .post(&app, &save, &[("rule.N9", "customer_needs")])
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text());
    let api = api::org(&w.org).interpretations("28268", "2");
    assert_eq!(
        api_get(&app, &w.admin, &api).await,
        json!({"N9": "customer_needs"})
    );
    let html = admin.get(&app, &page).await.text();
    assert!(html.contains(r#"value="customer_needs" checked"#), "{html}");
    let after = api_get(&app, &w.assessor, &progress).await;
    assert_eq!(after["confirmed"]["complete"], false, "{:?}", app.backend);
}

backend_test!(retention_rules_are_shown_and_saved_through_the_settings_page);
async fn retention_rules_are_shown_and_saved_through_the_settings_page(app: TestApp) {
    let w = app.world("28268@2").await;
    let admin = app.browser(&w.admin);
    let page = admin.get(&app, &settings(&w, "")).await.text();
    assert!(page.contains("Retention"), "{page}");
    let saved = admin
        .post(
            &app,
            &settings(&w, "/retention"),
            &[
                ("evidence_files", "365"),
                ("portfolios", "730"),
                ("certification_records", ""),
                ("audit", "3650"),
            ],
        )
        .await;
    assert_eq!(
        saved.status,
        actix_web::http::StatusCode::SEE_OTHER,
        "{}",
        saved.text()
    );
    let rules = api_get(&app, &w.admin, &api::org(&w.org).retention()).await;
    assert_eq!(
        rules,
        serde_json::json!({"evidence_files": 365, "portfolios": 730, "certification_records": null, "audit": 3650})
    );
    let page = admin.get(&app, &settings(&w, "")).await.text();
    assert!(page.contains(r#"value="730""#), "{page}");
    let bad = admin
        .post(
            &app,
            &settings(&w, "/retention"),
            &[("evidence_files", "30"), ("portfolios", "10")],
        )
        .await;
    assert_eq!(
        bad.status,
        actix_web::http::StatusCode::UNPROCESSABLE_ENTITY
    );
}
