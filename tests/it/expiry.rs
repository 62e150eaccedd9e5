//! Versions and expiry (issue 22, item 3): a version's last dates warn in the catalogue, refuse
//! new enrolments once passed, and the unit decision after the last date for assessment needs an
//! explicit, audited extension.

use actix_web::http::StatusCode;
use chrono::{Days, NaiveDate, TimeZone, Utc};
use serde_json::json;

use crate::api;
use crate::helpers::{Backend, TestApp, backend_test};

/// The seeds, with NOS INSCC003 past its last dates and NOS INSCC007 near its last date for
/// enrolment.
fn standards_with_dates(dir: &std::path::Path) {
    let seeds = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("standards");
    for entry in std::fs::read_dir(&seeds).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "yaml") {
            let name = path.file_name().unwrap().to_owned();
            let mut text = std::fs::read_to_string(&path).unwrap();
            if name == "nos-inscc003.yaml" {
                text = text.replacen(
                    "\nversion: 1\n",
                    "\nversion: 1\ndates:\n  last_date_for_enrolment: \"2020-12-31\"\n  last_date_for_assessment: \"2021-06-30\"\n",
                    1,
                );
            }
            if name == "nos-inscc007.yaml" {
                let soon = Utc::now().date_naive() + Days::new(30);
                text = text.replacen(
                    "\ndates:\n",
                    &format!("\ndates:\n  last_date_for_enrolment: \"{soon}\"\n"),
                    1,
                );
            }
            std::fs::write(dir.join(name), text).unwrap();
        }
    }
}

backend_test!(last_dates_warn_refuse_enrolment_and_gate_the_decision_behind_an_audited_extension);
async fn last_dates_warn_refuse_enrolment_and_gate_the_decision_behind_an_audited_extension(
    backend: Backend,
) {
    let dir = tempfile::tempdir().unwrap();
    standards_with_dates(dir.path());
    let app = TestApp::with_standards(backend, dir.path());
    let w = app.world("28268").await;

    // The catalogue warns before (and after) the dates.
    let list = app.get_as(&w.admin, api::STANDARDS).await.json();
    let find = |code: &str| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|s| s["code"] == code)
            .cloned()
            .unwrap()
    };
    let old = find("INSCC003");
    assert_eq!(old["open_for_enrolment"], false);
    assert_eq!(old["date_warnings"][0]["field"], "last_date_for_enrolment");
    assert!(
        old["date_warnings"][1]["message"]
            .as_str()
            .unwrap()
            .contains("the last date for assessment passed on 2021-06-30")
    );
    let soon = find("INSCC007");
    assert_eq!(soon["open_for_enrolment"], true);
    assert_eq!(soon["date_warnings"][0]["days_left"], 30);
    assert!(
        soon["date_warnings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("in 30 days")
    );
    assert_eq!(find("28268")["date_warnings"], json!([]));
    let page = app.get_as(&w.admin, "/standards").await;
    assert!(
        page.text().contains("the last date for enrolment is"),
        "{}",
        page.text()
    );

    // Enrolling after the last date for enrolment is refused, naming the field.
    let refused = app
        .post_as(
            &w.admin,
            api::ENROLMENTS,
            json!({
                "org_id": w.org, "candidate_id": w.candidate_id, "assessor_id": w.assessor_id,
                "standard": "INSCC003"
            }),
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.text()
    );
    assert!(refused.text().contains("standard"));
    assert!(
        refused
            .text()
            .contains("last date for enrolment was 2020-12-31"),
        "{}",
        refused.text()
    );

    // An enrolment made while the version was open.
    let catalogue = app.state.catalogue.clone();
    let admin_id = app.seed_user(&w.org, "registrar@harbour.nz", "provider_admin");
    let when = Utc.with_ymd_and_hms(2020, 11, 2, 9, 0, 0).unwrap();
    let enrolment = app.tx(|conn| {
        attest::portfolio::create_enrolment(
            conn,
            &catalogue,
            Some(&admin_id),
            attest::portfolio::NewEnrolment {
                org_id: w.org.parse().unwrap(),
                candidate_id: w.candidate_id.parse().unwrap(),
                assessor_id: Some(w.assessor_id.parse().unwrap()),
                iv_id: None,
                standard: "INSCC003".into(),
                start_date: NaiveDate::from_ymd_opt(2020, 11, 2),
            },
            when,
        )
    });
    let decide = api::enrolment(enrolment.id).decision();
    let blocked = app
        .post_as(&w.assessor, &decide, json!({"comments": ""}))
        .await;
    assert_eq!(blocked.status, StatusCode::CONFLICT, "{}", blocked.text());
    assert!(
        blocked
            .text()
            .contains("could be assessed until 2021-06-30"),
        "{}",
        blocked.text()
    );

    // Only an administrator extends, with a reason and a day after the last date.
    let extend = api::enrolment(enrolment.id).assessment_extension();
    let until = Utc::now().date_naive() + Days::new(60);
    let by_assessor = app
        .post_as(&w.assessor, &extend, json!({"until": until, "reason": "x"}))
        .await;
    assert_eq!(by_assessor.status, StatusCode::FORBIDDEN);
    let no_reason = app
        .post_as(&w.admin, &extend, json!({"until": until, "reason": " "}))
        .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_reason.text().contains("reason"));
    let too_early = app
        .post_as(
            &w.admin,
            &extend,
            json!({"until": "2021-01-01", "reason": "x"}),
        )
        .await;
    assert_eq!(too_early.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(too_early.text().contains("until"));
    let granted = app
        .post_as(
            &w.admin,
            &extend,
            json!({"until": until, "reason": "Awarding body agreed in writing (ref 42)"}),
        )
        .await;
    assert_eq!(granted.status, StatusCode::OK, "{}", granted.text());
    assert_eq!(granted.json()["last_date_for_assessment"], "2021-06-30");

    // The decision now passes the date gate (and stops at the next condition).
    let next = app
        .post_as(&w.assessor, &decide, json!({"comments": ""}))
        .await;
    assert_eq!(next.status, StatusCode::CONFLICT);
    assert!(next.text().contains("has not submitted"), "{}", next.text());

    // The extension is in the audit trail.
    let trail = app.get_as(&w.admin, &api::org(&w.org).audit()).await;
    assert!(
        trail.text().contains("enrolment.extend_assessment"),
        "{}",
        trail.text()
    );
    assert!(trail.text().contains("Awarding body agreed in writing"));
}

backend_test!(an_administrator_extends_from_the_enrolment_page_and_the_portfolio_shows_it);
async fn an_administrator_extends_from_the_enrolment_page_and_the_portfolio_shows_it(
    backend: Backend,
) {
    let dir = tempfile::tempdir().unwrap();
    standards_with_dates(dir.path());
    let app = TestApp::with_standards(backend, dir.path());
    let w = app.world("28268").await;
    let catalogue = app.state.catalogue.clone();
    let admin_id = app.seed_user(&w.org, "registrar@harbour.nz", "provider_admin");
    let enrolment = app.tx(|conn| {
        attest::portfolio::create_enrolment(
            conn,
            &catalogue,
            Some(&admin_id),
            attest::portfolio::NewEnrolment {
                org_id: w.org.parse().unwrap(),
                candidate_id: w.candidate_id.parse().unwrap(),
                assessor_id: Some(w.assessor_id.parse().unwrap()),
                iv_id: None,
                standard: "INSCC003".into(),
                start_date: NaiveDate::from_ymd_opt(2020, 11, 2),
            },
            Utc.with_ymd_and_hms(2020, 11, 2, 9, 0, 0).unwrap(),
        )
    });
    let staff = format!("/enrolments/{}/staff", enrolment.id);
    let form = app.get_as(&w.admin, &staff).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        form.text()
            .contains("may be assessed until <strong>2021-06-30</strong>"),
        "{}",
        form.text()
    );
    let url = format!("/enrolments/{}/assessment-extension", enrolment.id);
    let pairs = |until: &str, reason: &str| {
        crate::pages::pairs(&[("until", until), ("extend_reason", reason)])
    };

    // Refusals come back on the form, next to their fields.
    let no_reason = app
        .send_form(Some(&w.admin), &url, &pairs("2099-01-01", " "))
        .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        no_reason.text().contains("f-extend-reason-error"),
        "{}",
        no_reason.text()
    );
    let not_a_date = app
        .send_form(Some(&w.admin), &url, &pairs("soon", "x"))
        .await;
    assert_eq!(not_a_date.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(not_a_date.text().contains("must be a date"));
    let by_assessor = app
        .send_form(Some(&w.assessor), &url, &pairs("2099-01-01", "x"))
        .await;
    assert_eq!(by_assessor.status, StatusCode::FORBIDDEN);

    let until = Utc::now().date_naive() + Days::new(45);
    let granted = app
        .send_form(
            Some(&w.admin),
            &url,
            &pairs(
                &until.to_string(),
                "Awarding body agreed in writing (ref 7)",
            ),
        )
        .await;
    assert_eq!(granted.status, StatusCode::SEE_OTHER, "{}", granted.text());

    // Shown on the portfolio, to its candidate too, and audited.
    let portfolio = app
        .get_as(&w.candidate, &format!("/enrolments/{}", enrolment.id))
        .await;
    let text = portfolio.text();
    assert!(text.contains("Assessment extended"), "{text}");
    assert!(text.contains(&until.to_string()));
    assert!(text.contains("Awarding body agreed in writing (ref 7)"));
    let trail = app
        .get_as(&w.admin, &api::enrolment(enrolment.id).audit())
        .await;
    assert!(
        trail.text().contains("enrolment.extend_assessment"),
        "{}",
        trail.text()
    );
}
