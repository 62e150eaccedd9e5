//! End-to-end journeys in a real browser: headless Chromium (Debian's `chromium` and
//! `chromium-driver`), driven over WebDriver, against the real application served on a real port.
//! Each journey saves full-page screenshots at phone (360 px) and desktop width under
//! `target/e2e-screenshots/`. Without the browser packages these tests fail, naming them.

#[allow(dead_code)]
#[path = "../it/helpers.rs"]
mod helpers;
mod webdriver;

use std::path::{Path, PathBuf};

use actix_web::http::{Method, StatusCode};
use serde_json::{Value, json};

use helpers::{Backend, PASSWORD, TestApp, World, multipart};
use webdriver::Browser;

const PHONE: u32 = 360;
const DESKTOP: u32 = 1280;

/// `target/e2e-screenshots/`, next to the test's own temporary folder.
fn screenshots() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap_or_else(|| Path::new("target"))
        .join("e2e-screenshots")
}

/// Screenshots the page at phone and desktop width, and checks the page never scrolls sideways on
/// the phone (wide tables scroll inside their own box). Leaves the viewport at `then` px wide.
fn shots(browser: &Browser, name: &str, then: u32) {
    let dir = screenshots();
    browser.screenshot(&dir, name, PHONE);
    let overflow = browser.script(
        "return [document.documentElement.scrollWidth, window.innerWidth];",
        json!([]),
    );
    assert!(
        overflow[0].as_u64() <= overflow[1].as_u64(),
        "{name} scrolls sideways at {PHONE} px: {overflow}"
    );
    browser.screenshot(&dir, name, DESKTOP);
    browser.viewport(then, if then == PHONE { 780 } else { 900 });
}

fn sign_in(browser: &Browser, base: &str, email: &str) {
    browser.goto(&format!("{base}/login"));
    browser.find("#f-email").send_keys(email);
    browser.find("#f-password").send_keys(PASSWORD);
    browser
        .find("form[action='/login'] button[type=submit]")
        .click();
    browser.wait_for_url("the dashboard", |url| !url.contains("/login"));
    assert!(
        browser.text("header.site").contains("Sign out"),
        "signed in"
    );
}

/// The evidence of the world's enrolment, as the API lists it.
async fn evidence(app: &TestApp, w: &World) -> Vec<Value> {
    let reply = app
        .request_as(
            Some(&w.admin),
            Method::GET,
            &format!("/api/enrolments/{}/evidence", w.enrolment),
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    reply.json().as_array().cloned().unwrap_or_default()
}

#[actix_web::test]
async fn a_candidate_signs_in_uploads_and_maps_evidence() {
    let app = TestApp::new(Backend::Sqlite);
    let w = app.world("28268@2").await;
    let server = app.serve();
    let base = format!("http://{}", server.addr);
    let browser = Browser::start();
    browser.viewport(PHONE, 780);

    // Keyboard first: Tab reaches the skip link, and it shows.
    browser.goto(&format!("{base}/login"));
    browser.press("\u{E004}");
    let focused = browser.script(
        "const e = document.activeElement; return [e.className, e.getBoundingClientRect().left >= 0];",
        json!([]),
    );
    assert_eq!(
        focused,
        json!(["skip", true]),
        "the skip link takes the first Tab and is visible"
    );
    shots(&browser, "sign-in", PHONE);

    sign_in(&browser, &base, "aroha@harbour.nz");
    shots(&browser, "candidate-dashboard", PHONE);
    browser.find(".cards a").click();
    browser.wait_for_url("the portfolio", |url| {
        url.ends_with(&format!("/enrolments/{}", w.enrolment))
    });
    assert!(browser.text("main").contains("What is still missing"));

    browser
        .find(&format!(
            "a[href='/enrolments/{}/evidence/new']",
            w.enrolment
        ))
        .click();
    let file = tempfile::Builder::new()
        .suffix(".pdf")
        .tempfile()
        .expect("temp file");
    std::fs::write(
        file.path(),
        b"%PDF-1.4\n% the customer record of the broadband call\n",
    )
    .expect("write");
    browser
        .find("#f-file")
        .send_keys(&file.path().display().to_string());
    browser
        .find("#f-title")
        .send_keys("Customer record of the broadband call");
    browser.find("#f-channel--phone").click();
    // Outcomes are folded on a phone; open outcome 1. Ticking a range item ticks its criterion.
    browser.find("details.outcome > summary").click();
    let criterion = browser.find("#f-criteria-1-7");
    assert!(!criterion.selected());
    browser
        .find("#f-range-1-7-interaction-record-fields--record-date")
        .click();
    browser
        .find("#f-range-1-7-interaction-record-fields--record-action-taken")
        .click();
    assert!(
        criterion.selected(),
        "ticking a range item claims the criterion"
    );
    browser
        .find("#f-attributes-enquiry-type option[value=complex]")
        .click();
    browser.find("#f-declaration").click();
    shots(&browser, "candidate-upload-form", PHONE);
    browser
        .find("form[data-upload] button[type=submit]")
        .click();
    browser.wait_for_url("the portfolio after the upload", |url| {
        url.contains("#evidence-")
    });
    let article = browser.find("article.evidence");
    let shown = article.text();
    assert!(
        shown.contains("Customer record of the broadband call"),
        "{shown}"
    );
    assert!(shown.contains("pending"), "{shown}");
    assert!(shown.contains("date, action taken"), "{shown}");
    shots(&browser, "candidate-portfolio", PHONE);

    let records = evidence(&app, &w).await;
    assert_eq!(records.len(), 1);
    let record = &records[0];
    assert_eq!(record["method"], "product_evidence");
    assert_eq!(record["file"]["content_type"], "application/pdf");
    assert_eq!(record["instance"]["criteria"][0]["criterion"], "1.7");
    assert_eq!(
        record["instance"]["criteria"][0]["range"]["interaction_record_fields"],
        json!(["record_date", "record_action_taken"])
    );
    assert_eq!(record["instance"]["attributes"]["enquiry_type"], "complex");
    assert!(
        record["declared_at"].is_string(),
        "the candidate declared it their own work"
    );
}

#[actix_web::test]
async fn an_assessor_logs_an_observation_checklist_and_accepts_evidence() {
    let app = TestApp::new(Backend::Sqlite);
    let w = app.world("28268@2").await;
    let record = json!({"method": "product_evidence", "setting": "workplace", "date": "2024-05-06",
        "title": "Complaint follow-up letter", "criteria": [{"criterion": "3.4"}], "declaration": true});
    let (content_type, body) = multipart(&record, "letter.pdf", b"%PDF-1.4 follow-up letter");
    let uploaded = app
        .send_raw(
            &w.candidate,
            &format!("/api/enrolments/{}/evidence/upload", w.enrolment),
            &content_type,
            body,
        )
        .await;
    assert_eq!(uploaded.status, StatusCode::CREATED, "{}", uploaded.text());
    let letter = uploaded.json()["id"].as_str().unwrap().to_owned();

    let server = app.serve();
    let base = format!("http://{}", server.addr);
    let browser = Browser::start();
    browser.viewport(DESKTOP, 900);
    sign_in(&browser, &base, "mere@harbour.nz");

    browser.find("a[href='/caseload']").click();
    let caseload = browser.find("main table").text();
    assert!(caseload.contains("User aroha@harbour.nz"), "{caseload}");
    shots(&browser, "assessor-caseload", DESKTOP);
    browser
        .find(&format!("a[href='/enrolments/{}']", w.enrolment))
        .click();

    // The checklist for outcome 1, generated from the standard.
    browser.find("#f-outcome option[value='1']").click();
    browser
        .find(&format!(
            "form[action='/enrolments/{}/observations/new'] button",
            w.enrolment
        ))
        .click();
    browser.wait_for_url("the checklist", |url| {
        url.contains("/observations/new?outcome=1")
    });
    for (criterion, result) in [
        ("1-1", "shown"),
        ("1-2", "not-applicable"),
        ("1-3", "shown"),
        ("1-4", "shown"),
        ("1-5", "shown"),
        ("1-6", "not-shown"),
        ("1-7", "shown"),
    ] {
        browser
            .find(&format!("#f-result-{criterion}--{result}"))
            .click();
    }
    browser
        .find("#f-range-1-1-greeting-requirements--courtesy")
        .click();
    browser
        .find("#f-range-1-1-greeting-requirements--timeliness")
        .click();
    // 1.8 has no result yet: ticking a range item it shows marks it shown.
    browser
        .find("#f-range-1-8-closing-elements--farewell-statement")
        .click();
    assert!(
        browser.find("#f-result-1-8--shown").selected(),
        "a ticked range item marks the line shown"
    );
    browser
        .find("#f-result-1-6-notes")
        .send_keys("Nothing needed escalating on this call.");
    browser.find("#f-title").send_keys("Broadband upgrade call");
    browser.find("#f-channel--phone").click();
    browser
        .find("#f-attributes-enquiry-type option[value=business_as_usual]")
        .click();
    shots(&browser, "assessor-observation-checklist", DESKTOP);
    browser
        .find("form[action$='/observations/new'][method=post] button[type=submit]")
        .click();
    browser.wait_for_url("the portfolio after the observation", |url| {
        url.contains("#evidence-")
    });
    assert!(browser.text("main").contains("Broadband upgrade call"));

    // Judge the candidate's letter: accept it with feedback.
    browser
        .find(&format!(
            "a[href='/enrolments/{}/evidence/{letter}/judge']",
            w.enrolment
        ))
        .click();
    browser.find("#f-criteria-0--judgement-accepted").click();
    browser
        .find("#f-criteria-0--feedback")
        .send_keys("Clear, and it says what happens next.");
    shots(&browser, "assessor-judge", DESKTOP);
    browser
        .find("form[action$='/judge'] button[type=submit]")
        .click();
    browser.wait_for_url("the portfolio after judging", |url| {
        url.contains(&format!("#evidence-{letter}"))
    });
    let judged = browser.find(&format!("#evidence-{letter}")).text();
    assert!(
        judged.contains("accepted") && judged.contains("Clear, and it says what happens next."),
        "{judged}"
    );
    shots(&browser, "assessor-portfolio", DESKTOP);

    let records = evidence(&app, &w).await;
    let letter_record = records
        .iter()
        .find(|r| r["id"] == letter.as_str())
        .expect("the letter");
    assert_eq!(
        letter_record["instance"]["criteria"][0]["judgement"],
        "accepted"
    );
    let observation = records
        .iter()
        .find(|r| r["method"] == "observation_checklist")
        .expect("the observation");
    let lines = observation["details"]["checklist"].as_array().unwrap();
    assert_eq!(lines.len(), 8, "one line per criterion of outcome 1");
    assert_eq!(
        lines[0]["range"]["greeting_requirements"],
        json!(["courtesy", "timeliness"])
    );
    assert_eq!(lines[5]["result"], "not_shown");
    assert_eq!(lines[7]["result"], "shown");
    let shown: Vec<&str> = observation["instance"]["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["criterion"].as_str().unwrap())
        .collect();
    assert_eq!(shown, vec!["1.1", "1.3", "1.4", "1.5", "1.7", "1.8"]);
}

#[actix_web::test]
async fn an_admin_adds_a_person_and_enrols_them() {
    let app = TestApp::new(Backend::Sqlite);
    let w = app.world("28268@2").await;
    let server = app.serve();
    let base = format!("http://{}", server.addr);
    let browser = Browser::start();
    browser.viewport(PHONE, 780);
    sign_in(&browser, &base, "admin@harbour.nz");

    browser
        .find(&format!("a[href='/orgs/{}/people']", w.org))
        .click();
    // A mistake first: the form comes back with the error by the field and the name kept.
    browser.find("#f-name").send_keys("Łukasz Nowak");
    browser.find("#f-email").send_keys("lukasz at harbour");
    browser
        .find("#f-password")
        .send_keys("a long enough password");
    browser.find("#f-role option[value=candidate]").click();
    browser
        .find("form[action$='/people'] button[type=submit]")
        .click();
    let error = browser.find("#f-email-error").text();
    assert!(error.contains("Email is not an email address"), "{error}");
    let kept = browser.script("return document.getElementById('f-name').value;", json!([]));
    assert_eq!(kept, json!("Łukasz Nowak"));
    let focused = browser.script("return document.activeElement.className;", json!([]));
    assert_eq!(
        focused,
        json!("error-summary"),
        "the error summary takes focus"
    );
    shots(&browser, "admin-people-error", PHONE);
    let email = browser.find("#f-email");
    email.clear();
    email.send_keys("lukasz@harbour.nz");
    browser
        .find("#f-password")
        .send_keys("a long enough password");
    browser
        .find("form[action$='/people'] button[type=submit]")
        .click();
    browser.wait_for_url("the people page", |url| url.ends_with("/people"));
    browser.wait_for_text("main", "Łukasz Nowak");
    shots(&browser, "admin-people", PHONE);

    browser
        .find(&format!("a[href='/orgs/{}/enrolments']", w.org))
        .click();
    let candidate = browser.script(
        "return [...document.querySelectorAll('#f-candidate-id option')].find(o => o.text.startsWith('Łukasz')).value;",
        json!([]),
    );
    let candidate = candidate
        .as_str()
        .expect("the new candidate is offered")
        .to_owned();
    browser
        .find(&format!("#f-candidate-id option[value='{candidate}']"))
        .click();
    browser.find("#f-standard option[value='28268@2']").click();
    browser
        .find(&format!("#f-assessor-id option[value='{}']", w.assessor_id))
        .click();
    browser
        .find(&format!("#f-iv-id option[value='{}']", w.iv_id))
        .click();
    shots(&browser, "admin-enrolments", PHONE);
    browser
        .find("form[action$='/enrolments'] button[type=submit]")
        .click();
    browser.wait_for_url("the new portfolio", |url| {
        url.contains("/enrolments/") && !url.contains("/orgs/")
    });
    let heading = browser.find("main").text();
    assert!(heading.contains("Candidate Łukasz Nowak"), "{heading}");
}
