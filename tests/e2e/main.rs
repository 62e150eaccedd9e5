//! End-to-end journeys in a real browser: headless Chromium (Debian's `chromium` and
//! `chromium-driver`), driven over WebDriver, against the real application served on a real port.
//! Each journey saves full-page screenshots at phone (360 px) and desktop width under
//! `target/e2e-screenshots/`. Without the browser packages these tests fail, naming them.
//! Plain `cargo test` leaves this suite out; run it with `cargo test --test e2e`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

// The API's paths, which the shared helpers build with; not every one is used here.
#[allow(dead_code)]
#[path = "../it/api.rs"]
mod api;
#[allow(dead_code)]
#[path = "../it/helpers.rs"]
mod helpers;
mod webdriver;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use actix_web::http::{Method, StatusCode};
use serde_json::{Value, json};

use helpers::{Backend, PASSWORD, TestApp, World, complete_portfolio, multipart};
use webdriver::Browser;

const PHONE: u32 = 360;
const TABLET: u32 = 1024;
const DESKTOP: u32 = 1280;

/// `target/e2e-screenshots/`, next to the test's own temporary folder.
fn screenshots() -> PathBuf {
    target_dir().join("e2e-screenshots")
}

/// axe-core, the accessibility rules engine, as `.ci/run` installs it (`ATTEST_AXE_JS` elsewhere).
fn axe_source() -> &'static str {
    static AXE: OnceLock<String> = OnceLock::new();
    AXE.get_or_init(|| {
        let path = std::env::var_os("ATTEST_AXE_JS")
            .map(PathBuf::from)
            .unwrap_or_else(|| target_dir().join("axe/node_modules/axe-core/axe.min.js"));
        std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "{}: {e}: the accessibility checks need axe-core \
                 (npm install --prefix target/axe axe-core@{AXE_VERSION}; .ci/run installs it)",
                path.display()
            )
        })
    })
}

/// The axe-core release the checks are written against (`.ci/run` installs this one).
const AXE_VERSION: &str = "4.14.1";

/// Checks the page against WCAG 2.1 A and AA with axe-core (labels, contrast, names of links and
/// buttons, landmarks, ARIA use …) and fails with every violation found, naming the elements.
fn audit(browser: &Browser, name: &str) {
    // The source is sent with the check, not added to the page: the page's own policy forbids
    // inline scripts, and a script the driver runs is outside it.
    let script = format!(
        "{}\n;const done = arguments[arguments.length - 1];
        window.axe.run(document, {{ runOnly: {{ type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }} }})
          .then(r => done(r.violations.map(v => v.id + ' (' + v.help + '): '
              + v.nodes.map(n => n.target.join(' ')).join(', '))))
          .catch(e => done(['axe failed: ' + e]));",
        axe_source()
    );
    let violations = browser.script_async(&script, json!([]));
    let list = violations.as_array().cloned().unwrap_or_default();
    assert!(
        list.is_empty(),
        "{name} ({} px) breaks WCAG 2.1 AA: {violations:#}",
        browser.script("return window.innerWidth;", json!([]))
    );
}

/// The cargo target folder (`target/`).
fn target_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap_or_else(|| Path::new("target"))
        .to_path_buf()
}

/// Screenshots the page at phone and desktop width, checks it with axe-core at both, and checks it
/// never scrolls sideways on the phone (wide tables scroll inside their own box). Leaves the
/// viewport at `then` px wide.
fn shots(browser: &Browser, name: &str, then: u32) {
    let dir = screenshots();
    browser.screenshot(&dir, name, PHONE);
    audit(browser, name);
    let overflow = browser.script(
        "return [document.documentElement.scrollWidth, window.innerWidth];",
        json!([]),
    );
    assert!(
        overflow[0].as_u64() <= overflow[1].as_u64(),
        "{name} scrolls sideways at {PHONE} px: {overflow}"
    );
    browser.screenshot(&dir, name, DESKTOP);
    audit(browser, name);
    browser.viewport(then, if then == PHONE { 780 } else { 900 });
}

/// As [`shots`], and at tablet width too (1024 px), where the assessor works all day.
fn shots_with_tablet(browser: &Browser, name: &str, then: u32) {
    shots(browser, name, then);
    browser.screenshot(&screenshots(), name, TABLET);
    audit(browser, name);
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
            &api::enrolment(&w.enrolment).evidence(),
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

    // The candidate's own copy: the link downloads a zip, read as the browser would, with its session.
    let link = browser.find(&format!(
        "a[href='/api/enrolments/{}/archive.zip']",
        w.enrolment
    ));
    assert!(
        link.text().contains("Download my portfolio"),
        "{}",
        link.text()
    );
    let zip = browser.script(
        "const link = document.querySelector('a[href$=\"/archive.zip\"]');
         const xhr = new XMLHttpRequest();
         xhr.open('GET', link.href, false);
         xhr.overrideMimeType('text/plain; charset=x-user-defined');
         xhr.send();
         return [xhr.status, xhr.getResponseHeader('content-type'), xhr.responseText.slice(0, 2), xhr.responseText.length];",
        json!([]),
    );
    assert_eq!(zip[0], json!(200), "{zip}");
    assert_eq!(zip[1], json!("application/zip"), "{zip}");
    assert_eq!(zip[2], json!("PK"), "{zip}");
    assert!(zip[3].as_u64().unwrap_or(0) > 500, "{zip}");

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
            &api::enrolment(&w.enrolment).evidence_upload(),
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
    browser.find("#save-observation").click();
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
    // Nothing else waits (the assessor's own observation counts as judged): back to the caseload.
    browser.wait_for_url("the caseload after judging", |url| {
        url.contains("/caseload?nothing=1")
    });
    assert!(
        browser
            .text("main")
            .contains("Nothing else is waiting for your judgement.")
    );
    browser.goto(&format!(
        "{base}/enrolments/{}#evidence-{letter}",
        w.enrolment
    ));
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

/// Issue 16, item 1: an observation of the eight criteria of outcome 1, from the caseload, on one
/// screen: the link on the caseload (outcome 1 chosen), "mark all shown", start, end, feedback,
/// save. The actions are counted, so that a regression shows. Before that, the outcomes show and
/// hide as they are ticked, and every control is big enough to tap on a tablet.
#[actix_web::test]
async fn an_assessor_records_an_observation_of_eight_criteria_from_the_caseload_in_six_actions() {
    let app = TestApp::new(Backend::Sqlite);
    let w = app.world("28268@2").await;
    let server = app.serve();
    let base = format!("http://{}", server.addr);
    let browser = Browser::start();
    browser.viewport(TABLET, 900);
    sign_in(&browser, &base, "mere@harbour.nz");
    let observe = format!("/enrolments/{}/observations/new", w.enrolment);

    // With the script, ticking an outcome shows its checklist at once (and "Show checklist",
    // the way without the script, is not needed).
    browser.goto(&format!("{base}{observe}"));
    let state = |id: &str| {
        browser.script(
            "const s = document.getElementById(arguments[0]);
             return [s.hidden, s.querySelector('fieldset.plain').disabled];",
            json!([id]),
        )
    };
    assert_eq!(state("outcome-section-1"), json!([false, false]));
    assert_eq!(state("outcome-section-3"), json!([true, true]));
    assert!(
        browser.script(
            "return document.querySelector('[data-without-script]').offsetParent === null;",
            json!([])
        ) == json!(true),
        "Show checklist is hidden when the script runs"
    );
    browser.find("#f-outcome-3").click();
    assert_eq!(state("outcome-section-3"), json!([false, false]));
    shots_with_tablet(&browser, "assessor-observation-two-outcomes", TABLET);
    browser.find("#f-outcome-3").click();
    assert_eq!(state("outcome-section-3"), json!([true, true]));

    // Touch targets: on a tablet every choice, button and box is at least 24 px each way.
    let small = browser.script(
        "return Array.from(document.querySelectorAll(
            'main label.choice, main button:not(.visually-hidden), main input[type=radio], main input[type=checkbox], main input[type=time]'))
          .filter(e => e.offsetParent !== null)
          .map(e => [e.id || e.textContent.trim().slice(0, 30), e.getBoundingClientRect()])
          .filter(([, r]) => r.height < 24 || r.width < 24)
          .map(([name, r]) => name + ' ' + Math.round(r.width) + 'x' + Math.round(r.height));",
        json!([]),
    );
    assert_eq!(small, json!([]), "targets under 24 px on a tablet");

    browser.goto(&format!("{base}/caseload"));
    let mut actions = 0;
    browser.find(&format!("a[href='{observe}']")).click();
    actions += 1;
    browser.wait_for_url("the checklist", |url| url.ends_with(&observe));
    assert!(browser.find("#f-outcome-1").selected(), "outcome 1 chosen");
    browser
        .find("button[data-mark-all='outcome-section-1']")
        .click();
    actions += 1;
    for criterion in ["1-1", "1-2", "1-3", "1-4", "1-5", "1-6", "1-7", "1-8"] {
        assert!(
            browser
                .find(&format!("#f-result-{criterion}--shown"))
                .selected(),
            "{criterion} marked shown"
        );
    }
    browser.find("#f-details-start").send_keys("0930AM");
    actions += 1;
    browser.find("#f-details-end").send_keys("1005AM");
    actions += 1;
    let times = browser.script(
        "return [document.getElementById('f-details-start').value,
                 document.getElementById('f-details-end').value];",
        json!([]),
    );
    assert_eq!(times, json!(["09:30", "10:05"]));
    browser
        .find("#f-details-feedback")
        .send_keys("Warm greeting; summarise the agreement before you close.");
    actions += 1;
    browser.find("#save-observation").click();
    actions += 1;
    browser.wait_for_url("the portfolio after the observation", |url| {
        url.contains("#evidence-")
    });
    assert!(
        browser
            .text("main")
            .contains("Warm greeting; summarise the agreement before you close.")
    );
    shots_with_tablet(&browser, "assessor-observation-saved", TABLET);
    // Caseload link → mark all shown → start → end → feedback → save.
    assert!(
        actions <= 6,
        "{actions} actions to record an observation of 8 criteria from the caseload"
    );

    let records = evidence(&app, &w).await;
    let observation = &records[0];
    assert_eq!(observation["details"]["outcomes"], json!(["1"]));
    assert_eq!(observation["details"]["start"], "09:30:00");
    assert_eq!(observation["details"]["end"], "10:05:00");
    assert_eq!(
        observation["instance"]["criteria"]
            .as_array()
            .unwrap()
            .len(),
        8,
        "all eight criteria mapped"
    );
}

/// Uploads a product record mapped to `criteria` as the candidate; its id.
async fn upload(app: &TestApp, w: &World, title: &str, criteria: &[&str]) -> String {
    let criteria: Vec<Value> = criteria.iter().map(|c| json!({"criterion": c})).collect();
    let record = json!({"method": "product_evidence", "setting": "workplace", "date": "2024-05-06",
        "title": title, "criteria": criteria, "declaration": true});
    let (content_type, body) = multipart(&record, "record.pdf", b"%PDF-1.4 record");
    let uploaded = app
        .send_raw(
            &w.candidate,
            &api::enrolment(&w.enrolment).evidence_upload(),
            &content_type,
            body,
        )
        .await;
    assert_eq!(uploaded.status, StatusCode::CREATED, "{}", uploaded.text());
    actix_web::rt::time::sleep(std::time::Duration::from_millis(20)).await;
    uploaded.json()["id"].as_str().unwrap().to_owned()
}

/// Issue 16, item 3: from the caseload, the next item waiting in one action; "accept all" keeps the
/// one rejection; saving moves on to the next item, and after the last back to the caseload. The
/// actions are counted, so that a regression shows.
#[actix_web::test]
async fn an_assessor_judges_the_items_waiting_one_after_another_with_accept_all() {
    let app = TestApp::new(Backend::Sqlite);
    let w = app.world("28268@2").await;
    let call_log = upload(&app, &w, "Call log", &["1.2", "2.1", "2.3"]).await;
    let email = upload(&app, &w, "Email to the customer", &["1.2"]).await;

    let server = app.serve();
    let base = format!("http://{}", server.addr);
    let browser = Browser::start();
    browser.viewport(DESKTOP, 900);
    sign_in(&browser, &base, "mere@harbour.nz");
    browser.goto(&format!("{base}/caseload"));
    assert!(
        browser
            .text("main")
            .contains("4 mappings waiting for your judgement")
    );
    shots_with_tablet(&browser, "assessor-caseload-waiting", DESKTOP);

    let mut actions = 0;
    browser.find("a[href='/caseload/next']").click();
    actions += 1;
    let first = format!("/enrolments/{}/evidence/{call_log}/judge", w.enrolment);
    browser.wait_for_url("the oldest item waiting", |url| url.ends_with(&first));

    // On a tablet the evidence and the buttons are on the first screen.
    browser.viewport(TABLET, 768);
    browser.script("window.scrollTo(0, 0);", json!([]));
    let placed = browser.script(
        "const b = document.querySelector('.judge-actions button[name=accept_rest]').getBoundingClientRect();
         const e = document.querySelector('#judged-title').getBoundingClientRect();
         return [b.bottom, e.top, window.innerHeight];",
        json!([]),
    );
    let at = |i: usize| placed[i].as_f64().unwrap();
    assert!(at(0) <= at(2) && at(1) <= at(2), "{placed}");
    browser.viewport(DESKTOP, 900);
    shots_with_tablet(&browser, "assessor-judge-accept-all", DESKTOP);

    browser.find("#f-criteria-1--judgement-rejected").click();
    actions += 1;
    browser
        .find("#f-criteria-1--feedback")
        .send_keys("Say what you told the customer about the refund.");
    actions += 1;
    browser
        .find("#judge-form .judge-actions button[name=accept_rest]")
        .click();
    actions += 1;
    let second = format!("/enrolments/{}/evidence/{email}/judge?saved=1", w.enrolment);
    browser.wait_for_url("the next item waiting", |url| url.ends_with(&second));
    assert!(browser.text("main").contains("Judgements saved."));
    shots_with_tablet(&browser, "assessor-judge-next", DESKTOP);

    // The button at the top of the page.
    browser
        .find(".judge-actions button[name=accept_rest]")
        .click();
    actions += 1;
    browser.wait_for_url("the caseload after the last item", |url| {
        url.ends_with("/caseload?nothing=1")
    });
    assert!(
        browser
            .text("main")
            .contains("Nothing else is waiting for your judgement.")
    );
    shots_with_tablet(&browser, "assessor-caseload-nothing-waiting", DESKTOP);
    // Caseload → next item → reject one with feedback (2) → accept all → accept all.
    assert_eq!(actions, 5, "actions to judge two items from the caseload");

    let records = evidence(&app, &w).await;
    let words: Vec<Vec<(&str, &str)>> = records
        .iter()
        .map(|r| {
            r["instance"]["criteria"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| {
                    (
                        c["criterion"].as_str().unwrap(),
                        c["judgement"].as_str().unwrap(),
                    )
                })
                .collect()
        })
        .collect();
    assert_eq!(
        words,
        vec![
            vec![
                ("1.2", "accepted"),
                ("2.1", "rejected"),
                ("2.3", "accepted")
            ],
            vec![("1.2", "accepted")],
        ]
    );
    assert_eq!(
        records[0]["instance"]["criteria"][1]["feedback"],
        "Say what you told the customer about the refund."
    );
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
        .find("form[action$='/people'] button[type=submit]")
        .click();
    // Nobody types a password for them: the page shows the one-time link to send on.
    browser.wait_for_text("#invited", "Invitation ready");
    let link = browser.text("#invited code");
    assert!(link.contains("/invitations/"), "{link}");
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

    // Łukasz opens his link, chooses his own password and signs in with it.
    let path = &link[link.find("/invitations/").expect("a link")..];
    browser.find("form[action='/logout'] button").click();
    // Signed out first: otherwise the sign-out's redirect can land after the link is opened.
    browser.wait_for_url("the sign-in page", |url| url.contains("/login"));
    browser.goto(&format!("{base}{path}"));
    browser.wait_for_text("main", "lukasz@harbour.nz");
    browser
        .find("#f-password")
        .send_keys("my own long passphrase");
    browser
        .find("#f-confirm")
        .send_keys("my own long passphrase");
    shots(&browser, "invitation", PHONE);
    browser.find("main form button[type=submit]").click();
    browser.wait_for_text("main", "Your password is set");
    browser.find("#f-email").send_keys("lukasz@harbour.nz");
    browser
        .find("#f-password")
        .send_keys("my own long passphrase");
    browser
        .find("form[action='/login'] button[type=submit]")
        .click();
    browser.wait_for_url("his dashboard", |url| !url.contains("/login"));
    assert!(browser.text("header.site").contains("Sign out"));
}

#[actix_web::test]
async fn an_admin_adds_a_class_from_a_csv_file() {
    let app = TestApp::new(Backend::Sqlite);
    let w = app.world("28268@2").await;
    let server = app.serve();
    let base = format!("http://{}", server.addr);
    let browser = Browser::start();
    browser.viewport(PHONE, 780);
    sign_in(&browser, &base, "admin@harbour.nz");
    browser.goto(&format!("{base}/orgs/{}/people", w.org));
    browser
        .find(&format!("a[href='/orgs/{}/people/import']", w.org))
        .click();
    let csv = "name,email,learner_number,standard,assessor\n\
               Hemi Walker,hemi@harbour.nz,123456789,28268@2,mere@harbour.nz\n\
               Ana Lee,ana at harbour,12,28268@2,nobody@harbour.nz\n";
    // Pasted, as from a spreadsheet saved as CSV.
    browser.script(
        "document.getElementById('f-csv').value = arguments[0];",
        json!([csv]),
    );
    browser.find("button[name=dry_run]").click();
    // Every problem by line and column; nobody added.
    browser.wait_for_text("#problems", "is not an email address");
    let problems = browser.text("#problems");
    assert!(problems.contains("learner_number"), "{problems}");
    assert!(problems.contains("nobody@harbour.nz"), "{problems}");
    shots(&browser, "admin-import-problems", PHONE);
    browser.script(
        "const f = document.getElementById('f-csv'); \
         f.value = f.value.split('\\n').slice(0, 2).join('\\n') + '\\n';",
        json!([]),
    );
    browser.find("button[name=dry_run]").click();
    browser.wait_for_text("main", "1 person would be added");
    browser
        .find("main form button[type=submit]:not([name])")
        .click();
    browser.wait_for_text("main", "Added 1 person");
    let people = browser.text("#people");
    assert!(
        people.contains("Hemi Walker") && people.contains("/invitations/"),
        "{people}"
    );
    shots(&browser, "admin-import-done", PHONE);
}

/// Calls the API as `token` and checks it succeeded (set-up the journeys do not click through).
async fn api_post(app: &TestApp, token: &str, path: &str, body: Value) {
    let reply = app
        .request_as(Some(token), Method::POST, path, Some(body))
        .await;
    assert!(
        reply.status.is_success(),
        "{path}: {} {}",
        reply.status,
        reply.text()
    );
}

/// The enrolment's status, as the API shows it.
async fn status_of(app: &TestApp, w: &World) -> String {
    let reply = app
        .request_as(
            Some(&w.admin),
            Method::GET,
            &api::enrolment(&w.enrolment),
            None,
        )
        .await;
    reply.json()["enrolment"]["status"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// The world's portfolio completed, submitted and decided, through the API.
async fn decided(app: &TestApp, w: &World) {
    let enrolment = api::enrolment(&w.enrolment);
    complete_portfolio(app, w).await;
    api_post(
        app,
        &w.candidate,
        &enrolment.submit(),
        json!({"declaration": true}),
    )
    .await;
    api_post(app, &w.assessor, &enrolment.decision(), json!({})).await;
}

#[actix_web::test]
async fn an_assessor_is_refused_with_the_gaps_then_signs_the_unit_decision() {
    let app = TestApp::new(Backend::Sqlite);
    let w = app.world("28268@2").await;
    api_post(
        &app,
        &w.candidate,
        &api::enrolment(&w.enrolment).submit(),
        json!({"declaration": true}),
    )
    .await;
    let server = app.serve();
    let base = format!("http://{}", server.addr);
    let browser = Browser::start();
    browser.viewport(DESKTOP, 900);
    sign_in(&browser, &base, "mere@harbour.nz");

    let decision = format!("/enrolments/{}/decision", w.enrolment);
    browser.goto(&format!("{base}/enrolments/{}", w.enrolment));
    browser.find(&format!("a[href='{decision}']")).click();
    browser.wait_for_url("the decision page", |url| url.ends_with(&decision));
    browser.find("#f-outcome-competent").click();
    browser
        .find("#f-comments")
        .send_keys("Calm and clear on every call.");
    browser
        .find("form[action$='/decision'] button[type=submit]")
        .click();
    browser.wait_for_text("main", "The decision was not recorded");
    let gaps = browser.text("#refused-gaps");
    assert!(
        gaps.contains("enquir"),
        "the gaps are listed in words: {gaps}"
    );
    let kept = browser.script(
        "return document.getElementById('f-comments').value;",
        json!([]),
    );
    assert_eq!(kept, json!("Calm and clear on every call."));
    let focused = browser.script("return document.activeElement.className;", json!([]));
    assert_eq!(focused, json!("error-summary"), "the refusal takes focus");
    shots(&browser, "assessor-decision-refused", DESKTOP);
    assert_eq!(status_of(&app, &w).await, "submitted");

    // The assessor records what was missing (through the API here), then signs.
    complete_portfolio(&app, &w).await;
    browser.goto(&format!("{base}{decision}"));
    browser.wait_for_text("main", "Every requirement is met");
    browser.find("#f-outcome-competent").click();
    browser
        .find("#f-comments")
        .send_keys("Calm and clear on every call.");
    browser
        .find("form[action$='/decision'] button[type=submit]")
        .click();
    browser.wait_for_text("main", "Decision made:");
    shots(&browser, "assessor-decision-signed", DESKTOP);
    assert_eq!(status_of(&app, &w).await, "assessed");
}

#[actix_web::test]
async fn an_iv_creates_a_plan_and_agrees_with_a_sampled_decision() {
    let app = TestApp::new(Backend::Sqlite);
    let w = app.world("28268@2").await;
    decided(&app, &w).await;
    let server = app.serve();
    let base = format!("http://{}", server.addr);
    let browser = Browser::start();
    browser.viewport(PHONE, 780);
    sign_in(&browser, &base, "iv@harbour.nz");

    browser
        .find(&format!(
            "header.site a[href='/orgs/{}/verification']",
            w.org
        ))
        .click();
    browser.wait_for_text("main", "Decisions awaiting sampling");
    assert!(browser.text("main").contains("User aroha@harbour.nz"));
    shots(&browser, "iv-dashboard", PHONE);

    browser
        .find(&format!("main a[href='/orgs/{}/sampling-plans']", w.org))
        .click();
    browser.find("#f-name").send_keys("Contact centre, term 2");
    browser.find("#f-seed").send_keys("42");
    shots(&browser, "iv-plan-form", PHONE);
    browser
        .find("form[action$='/sampling-plans'] button[type=submit]")
        .click();
    browser.wait_for_url("the plan", |url| url.contains("/sampling-plans/"));
    browser.wait_for_text("main", "CAMERA coverage");
    let coverage = browser.text("#coverage-title + p + ul");
    for dimension in [
        "Candidates",
        "Assessors",
        "Methods",
        "Records",
        "Assessment sites",
    ] {
        assert!(coverage.contains(dimension), "{dimension}: {coverage}");
    }
    shots(&browser, "iv-plan", PHONE);

    browser
        .find(&format!(
            "a[href^='/enrolments/{}/sample?plan=']",
            w.enrolment
        ))
        .click();
    browser.wait_for_text("main", "Summative sample");
    assert!(
        browser
            .text("main")
            .contains("sends the decision back to the assessor")
    );
    browser.find("#f-decision-agree").click();
    browser
        .find("#f-feedback")
        .send_keys("Sound judgements, well recorded.");
    shots(&browser, "iv-sample-form", PHONE);
    browser
        .find("form[action$='/sample'] button[type=submit]")
        .click();
    browser.wait_for_url("the history", |url| url.contains("/samples?recorded="));
    browser.wait_for_text("main", "The portfolio is now sampled");
    shots(&browser, "iv-history", PHONE);
    assert_eq!(status_of(&app, &w).await, "sampled");
}

#[actix_web::test]
async fn an_external_verifier_opens_a_plan_downloads_its_draw_and_reads_the_trail() {
    let app = TestApp::new(Backend::Sqlite);
    let w = app.world("28268@2").await;
    decided(&app, &w).await;
    let plan = app.tx(|c| {
        attest::signoff::plans::create_plan(
            c,
            &app.state.catalogue,
            w.org.parse().unwrap(),
            &w.iv_id,
            serde_json::from_value(json!({"iv_id": w.iv_id, "name": "Contact centre, term 2",
                "kind": "summative", "period_start": "2024-01-01", "period_end": "2024-12-31",
                "seed": 42}))
            .expect("plan"),
            chrono::Utc::now(),
        )
    });
    let ev = app.seed_user(&w.org, "ev@sqa.org.uk", "candidate");
    app.tx(|c| {
        use attest::auth::policy::Role;
        attest::identity::revoke_role(
            c,
            None,
            ev.parse().unwrap(),
            w.org.parse().unwrap(),
            Role::Candidate,
        )?;
        attest::identity::grant_role(
            c,
            None,
            ev.parse().unwrap(),
            w.org.parse().unwrap(),
            Role::ExternalVerifier,
            Some(chrono::Utc::now() + chrono::TimeDelta::days(30)),
        )
    });
    let server = app.serve();
    let base = format!("http://{}", server.addr);
    let browser = Browser::start();
    browser.viewport(PHONE, 780);
    sign_in(&browser, &base, "ev@sqa.org.uk");

    browser
        .find(&format!("main a[href='/orgs/{}/sampling-plans']", w.org))
        .click();
    browser
        .find(&format!("a[href='/sampling-plans/{}']", plan.id))
        .click();
    browser.wait_for_text("main", "population as at");
    let main = browser.text("main");
    assert!(
        main.contains("Rates and risk ratings this draw used"),
        "{main}"
    );
    assert!(
        !main.contains("Draw again"),
        "an external verifier only reads"
    );
    shots(&browser, "ev-plan", PHONE);

    // The draw record, fetched as the link downloads it (with the session): its hash is the one
    // the page shows.
    let shown = browser.text("#population-as-at + dt + dd code.hash");
    let record = browser.script(
        "const link = document.querySelector('a[href*=\"/draws/\"]');
         const xhr = new XMLHttpRequest();
         xhr.open('GET', link.href, false);
         xhr.send();
         return [xhr.status, xhr.getResponseHeader('x-content-sha256'), xhr.responseText];",
        json!([]),
    );
    assert_eq!(record[0], json!(200), "{record}");
    assert_eq!(record[1].as_str(), Some(shown.trim()), "{record}");
    let body: Value = serde_json::from_str(record[2].as_str().unwrap_or_default()).expect("JSON");
    assert_eq!(body["format"], "attest-sample-draw");
    assert_eq!(body["plan"]["id"], plan.id.to_string());
    assert_eq!(
        body["selection"]["selected"][0]["enrolment_id"],
        w.enrolment.as_str()
    );

    browser.goto(&format!("{base}/"));
    browser
        .find(&format!("main a[href='/orgs/{}/audit']", w.org))
        .click();
    browser.wait_for_text("main", "Entries");
    browser
        .find("#f-action option[value='sampling_plan.draw']")
        .click();
    browser
        .find(&format!(
            "form[action='/orgs/{}/audit'] button[type=submit]",
            w.org
        ))
        .click();
    browser.wait_for_url("the filtered trail", |url| {
        url.contains("action=sampling_plan.draw")
    });
    let trail = browser.text("main");
    assert!(trail.contains("Sampling plan draw"), "{trail}");
    assert!(!trail.contains("Evidence add"), "filtered: {trail}");
    assert!(trail.contains("Download these entries (CSV)"));
    shots(&browser, "ev-audit-trail", PHONE);
}

#[actix_web::test]
async fn an_admin_issues_downloads_verifies_and_revokes_a_statement() {
    let app = TestApp::new(Backend::Sqlite);
    let w = app.world("28268@2").await;
    decided(&app, &w).await;
    api_post(
        &app,
        &w.iv,
        &api::enrolment(&w.enrolment).samples(),
        json!({"decision": "agree"}),
    )
    .await;
    let server = app.serve();
    let base = format!("http://{}", server.addr);
    let browser = Browser::start();
    browser.viewport(DESKTOP, 900);
    sign_in(&browser, &base, "admin@harbour.nz");

    browser
        .find(&format!("header.site a[href='/orgs/{}/statements']", w.org))
        .click();
    browser
        .find(&format!("#f-enrolment-id option[value='{}']", w.enrolment))
        .click();
    shots(&browser, "admin-statements-issue", DESKTOP);
    browser
        .find("form[action$='/statements'] button[type=submit]")
        .click();
    browser.wait_for_url("the issued statement", |url| url.contains("issued="));
    let url = browser.url();
    let code = url.rsplit("issued=").next().unwrap_or_default().to_owned();
    browser.wait_for_text("main", &format!("Statement {code} issued"));
    shots(&browser, "admin-statements", DESKTOP);

    // The PDF link downloads the statement: read it as the browser would, with its session.
    let pdf = browser.script(
        "const link = document.querySelector('main .notice a[download]');
         const xhr = new XMLHttpRequest();
         xhr.open('GET', link.href, false);
         xhr.overrideMimeType('text/plain; charset=x-user-defined');
         xhr.send();
         return [xhr.status, xhr.getResponseHeader('content-type'), xhr.responseText.slice(0, 5), xhr.responseText.length];",
        json!([]),
    );
    assert_eq!(pdf[0], json!(200), "{pdf}");
    assert_eq!(pdf[1], json!("application/pdf"), "{pdf}");
    assert_eq!(pdf[2], json!("%PDF-"), "{pdf}");
    assert!(pdf[3].as_u64().unwrap_or(0) > 1000, "{pdf}");

    browser
        .find(&format!("main .notice a[href='/verify/{code}']"))
        .click();
    browser.wait_for_text("main", "Valid.");
    shots(&browser, "statement-verify-valid", DESKTOP);

    browser.goto(&format!("{base}/orgs/{}/statements", w.org));
    browser
        .find(&format!(
            "a[href='/enrolments/{}/statement/revoke']",
            w.enrolment
        ))
        .click();
    browser
        .find("#f-reason")
        .send_keys("Issued against the wrong unit version.");
    browser.find("#f-confirm").send_keys("not the code");
    browser
        .find("form[action$='/revoke'] button[type=submit]")
        .click();
    browser.wait_for_text("main", "Type the statement's verification code to confirm");
    let kept = browser.script(
        "return document.getElementById('f-reason').value;",
        json!([]),
    );
    assert_eq!(kept, json!("Issued against the wrong unit version."));
    shots(&browser, "statement-revoke-error", PHONE);
    let confirm = browser.find("#f-confirm");
    confirm.clear();
    confirm.send_keys(&code);
    browser
        .find("form[action$='/revoke'] button[type=submit]")
        .click();
    browser.wait_for_url("the statements after revoking", |url| {
        url.contains("revoked=")
    });
    browser.goto(&format!("{base}/verify/{code}"));
    browser.wait_for_text("main", "Revoked.");
    assert!(
        browser
            .text("main")
            .contains("Issued against the wrong unit version.")
    );
    shots(&browser, "statement-verify-revoked", PHONE);
}

#[actix_web::test]
async fn an_admin_groups_a_cohort_sees_its_progress_and_exports_results() {
    let app = TestApp::new(Backend::Sqlite);
    let w = app.world("28268@2").await;
    complete_portfolio(&app, &w).await;
    let enrolment = api::enrolment(&w.enrolment);
    for (token, path, body) in [
        (
            &w.candidate,
            enrolment.submit(),
            json!({"declaration": true}),
        ),
        (
            &w.assessor,
            enrolment.decision(),
            json!({"comments": "Competent."}),
        ),
    ] {
        let reply = app
            .request_as(Some(token), Method::POST, &path, Some(body))
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.text());
    }
    let server = app.serve();
    let base = format!("http://{}", server.addr);
    let browser = Browser::start();
    browser.viewport(PHONE, 780);
    sign_in(&browser, &base, "admin@harbour.nz");

    browser
        .find(&format!("a[href='/orgs/{}/cohorts']", w.org))
        .click();
    // No name first: the error sits by the field.
    browser
        .find("form[action$='/cohorts'] button[type=submit]")
        .click();
    let error = browser.find("#f-name-error").text();
    assert!(!error.is_empty(), "the missing name is named");
    browser.find("#f-name").send_keys("Term 1 contact centre");
    browser.find("#f-standard").send_keys("28268@2");
    browser
        .find("form[action$='/cohorts'] button[type=submit]")
        .click();
    browser.wait_for_url("the cohort page", |url| url.contains("/cohorts/"));
    browser
        .find(&format!("input[name=add][value='{}']", w.enrolment))
        .click();
    browser
        .find("form[action$='/enrolments'] button[type=submit]")
        .click();
    browser.wait_for_text("main", "1 of 1 complete");
    let table = browser.text("main table");
    assert!(table.contains("Met"), "{table}");
    shots(&browser, "admin-cohort-progress", DESKTOP);

    browser.goto(&format!("{base}/orgs/{}/exports", w.org));
    browser.find("button[name=preview]").click();
    browser.wait_for_text("#preview", "1 result would be in the file");
    assert!(!browser.url().contains("csrf"), "no token in the URL");
    shots(&browser, "admin-exports-preview", DESKTOP);
    // Recording comes back to the page with the new batch listed and its file offered.
    browser
        .find("form[action$='/exports'] button:not([name]):not([formaction])")
        .click();
    browser.wait_for_text("#recorded", "Batch recorded: 1 result");
    let batches = browser.text("#batches-title + .table-wrap");
    assert!(
        batches.contains("SHA-256"),
        "the kept file is shown: {batches}"
    );

    // Badges use the same filters: a range that ends before it starts is named by its field,
    // with what was chosen kept.
    browser.script(
        "document.getElementById('f-from').value = '2024-06-10'; \
         document.getElementById('f-to').value = '2024-06-01';",
        json!([]),
    );
    browser
        .find(&format!(
            "button[formaction='/orgs/{}/exports/badges']",
            w.org
        ))
        .click();
    let error = browser.find("#f-to-error").text();
    assert!(error.contains("before"), "{error}");
    let kept = browser.script("return document.getElementById('f-from').value;", json!([]));
    assert_eq!(kept, "2024-06-10");
    shots(&browser, "admin-exports-badges-error", PHONE);
    browser.script(
        "document.getElementById('f-from').value = ''; \
         document.getElementById('f-to').value = '';",
        json!([]),
    );
    browser.find("button[name=preview]").click();
    browser.wait_for_text("#preview", "0 results would be in the file");
    browser
        .find("input[id^='f-reason-']")
        .send_keys("Sent to the wrong provider number");
    browser.find("form[action$='/reverse'] button").click();
    browser.wait_for_text("main", "Reversed");
    browser.find("button[name=preview]").click();
    browser.wait_for_text("#preview", "1 result would be in the file");
    shots(&browser, "admin-exports-reversed", PHONE);
}

#[actix_web::test]
async fn an_admin_chooses_another_reading_of_an_ambiguous_rule_in_settings() {
    let app = TestApp::new(Backend::Sqlite);
    let w = app.world("28268@2").await;
    let server = app.serve();
    let base = format!("http://{}", server.addr);
    let browser = Browser::start();
    browser.viewport(DESKTOP, 900);
    sign_in(&browser, &base, "admin@harbour.nz");

    browser
        .find(&format!("nav a[href='/orgs/{}/settings']", w.org))
        .click();
    browser.wait_for_url("the settings", |url| url.ends_with("/settings"));
    shots(&browser, "admin-settings", DESKTOP);
    // The other settings pages, for their layout at both widths.
    for part in ["verifiers", "witnesses", "sampling"] {
        browser.goto(&format!("{base}/orgs/{}/settings/{part}", w.org));
        shots(&browser, &format!("admin-settings-{part}"), DESKTOP);
    }
    browser.goto(&format!("{base}/orgs/{}/settings", w.org));
    browser
        .find(&format!(
            "a[href='/orgs/{}/settings/interpretations']",
            w.org
        ))
        .click();
    browser.wait_for_url("the readings", |url| url.contains("/interpretations"));
    assert!(
        browser.find("#rule--28268-2--N9--rapport").selected(),
        "the default is chosen"
    );
    let legend = browser.text("#f-rule--28268-2--N9 legend");
    assert!(legend.contains("Rule N9"), "{legend}");
    shots(&browser, "admin-settings-interpretations", PHONE);

    browser
        .find("label[for='rule--28268-2--N9--customer-needs']")
        .click();
    browser
        .find("form[action$='/interpretations/28268/2'] button[type=submit]")
        .click();
    browser.wait_for_url("the saved readings", |url| {
        url.contains("#standard--28268-2")
    });
    assert!(
        browser
            .find("#rule--28268-2--N9--customer-needs")
            .selected()
    );
    assert!(!browser.find("#rule--28268-2--N9--rapport").selected());
    shots(&browser, "admin-settings-interpretations-saved", PHONE);
    let saved = app
        .request_as(
            Some(&w.admin),
            Method::GET,
            &api::org(&w.org).interpretations(28268, 2),
            None,
        )
        .await;
    // The form sends every rule's choice: the others stay at their defaults.
    assert_eq!(saved.json()["N9"], "customer_needs");
}

/// The pages no journey above passes through, each checked with axe-core and for sideways
/// scrolling at phone and desktop width, as the role that uses it; and the error pages.
#[actix_web::test]
async fn every_other_page_meets_wcag_2_1_aa_at_both_widths() {
    let app = TestApp::new(Backend::Sqlite);
    let w = app.world("28268@2").await;
    decided(&app, &w).await;
    let cohort = app
        .request_as(
            Some(&w.admin),
            Method::POST,
            &api::org(&w.org).cohorts(),
            Some(json!({"name": "Term 1", "standard": "28268"})),
        )
        .await;
    assert_eq!(cohort.status, StatusCode::CREATED, "{}", cohort.text());
    let cohort = cohort.json()["id"].as_str().unwrap().to_owned();
    let added = app
        .request_as(
            Some(&w.admin),
            Method::POST,
            &api::cohort(&cohort).enrolments(),
            Some(json!({"add": [w.enrolment]})),
        )
        .await;
    assert_eq!(added.status, StatusCode::OK, "{}", added.text());
    let server = app.serve();
    let base = format!("http://{}", server.addr);
    let (org, enrolment) = (&w.org, &w.enrolment);
    let pages: [(&str, Vec<(String, &str)>); 3] = [
        (
            "admin@harbour.nz",
            vec![
                ("/standards".into(), "Unit standards"),
                // The complete portfolio: long attribute values on the phone.
                (
                    format!("/enrolments/{enrolment}"),
                    "Type of challenging customer",
                ),
                (format!("/enrolments/{enrolment}/staff"), "Withdraw"),
                (format!("/orgs/{org}/cohorts"), "Term 1"),
                // The tracking grids, read on a tablet too.
                (format!("/enrolments/{enrolment}/grid"), "E1"),
                (format!("/cohorts/{cohort}/grid"), "User aroha@harbour.nz"),
                (format!("/orgs/{org}/enrolments"), "User aroha@harbour.nz"),
                (format!("/orgs/{org}/statements"), "Statements"),
                (
                    format!("/orgs/{org}/outbox"),
                    "No SMTP server is configured",
                ),
                // A portfolio's trail, as its reader sees it.
                (format!("/enrolments/{enrolment}/audit"), "Evidence add"),
                (
                    "/enrolments/00000000-0000-0000-0000-000000000000".into(),
                    "not found",
                ),
            ],
        ),
        (
            "mere@harbour.nz",
            vec![
                (format!("/enrolments/{enrolment}/testimony/new"), "Witness"),
                (
                    format!("/enrolments/{enrolment}/questioning/new"),
                    "Question",
                ),
                (format!("/enrolments/{enrolment}/decision"), "Decision"),
            ],
        ),
        (
            "iv@harbour.nz",
            vec![
                (format!("/orgs/{org}/sample-queue"), "User aroha@harbour.nz"),
                (format!("/orgs/{org}/samples"), "Samples"),
            ],
        ),
    ];
    for (email, paths) in pages {
        let browser = Browser::start();
        sign_in(&browser, &base, email);
        for (path, expected) in paths {
            browser.goto(&format!("{base}{path}"));
            let main = browser.text("main");
            assert!(
                main.to_lowercase().contains(&expected.to_lowercase()),
                "{path} as {email} shows {expected:?}: {main}"
            );
            let name = path
                .trim_start_matches('/')
                .replace(['/', '{', '}'], "-")
                .replace(enrolment.as_str(), "enrolment")
                .replace(org.as_str(), "org")
                .replace(cohort.as_str(), "cohort");
            if path.ends_with("/grid") {
                shots_with_tablet(&browser, &format!("page-{name}"), DESKTOP);
            } else {
                shots(&browser, &format!("page-{name}"), DESKTOP);
            }
        }
    }
    let visitor = Browser::start();
    visitor.goto(&format!("{base}/login?next=/caseload"));
    visitor
        .find("form[action='/login'] button[type=submit]")
        .click();
    visitor.wait_for_text("main", "Enter");
    shots(&visitor, "page-login-errors", PHONE);
    visitor.goto(&format!("{base}/verify"));
    visitor.find("#f-code").send_keys("abcd efgh jkmn");
    visitor.find("form[action='/verify'] button").click();
    visitor.wait_for_url("the code's page", |url| url.contains("/verify/"));
    visitor.wait_for_text("main", "Not found");
    shots(&visitor, "page-verify-unknown", PHONE);
}

/// Issue 18.8: an assessor sets up two-factor sign-in from the account page (QR code and key),
/// keeps the recovery codes, and from then on signs in with a code from the app.
#[actix_web::test]
async fn an_assessor_sets_up_two_factor_sign_in_and_signs_in_with_a_code() {
    let app = TestApp::new(Backend::Sqlite);
    let org = app.seed_org("Harbour Training");
    app.seed_user(&org, "mere@harbour.nz", "assessor");
    let server = app.serve();
    let base = format!("http://{}", server.addr);
    let browser = Browser::start();
    sign_in(&browser, &base, "mere@harbour.nz");
    browser
        .find("header.site a[href='/account/two-factor']")
        .click();
    browser.wait_for_text("main", "Set up two-factor sign-in");
    shots(&browser, "two-factor-off", DESKTOP);
    browser
        .find("form[action='/account/two-factor'] button[type=submit]")
        .click();
    browser.wait_for_text("main", "type this key in by hand");
    shots(&browser, "two-factor-scan", DESKTOP);
    let secret = browser.text("#totp-secret");
    // A wrong code first: the field says why, and the page stays accessible.
    browser.find("#f-code").send_keys("12345");
    browser
        .find("form[action='/account/two-factor'] button[type=submit]")
        .click();
    browser.wait_for_text("main", "is not the code the app shows now");
    shots(&browser, "two-factor-wrong-code", DESKTOP);
    let now = || u64::try_from(chrono::Utc::now().timestamp()).unwrap();
    let code = attest::auth::totp::code_at(&secret, now()).unwrap();
    browser.find("#f-code").clear();
    browser.find("#f-code").send_keys(&code);
    browser
        .find("form[action='/account/two-factor'] button[type=submit]")
        .click();
    browser.wait_for_text("main", "Keep these recovery codes");
    shots(&browser, "two-factor-recovery-codes", DESKTOP);

    // Signing in now takes the code as well.
    browser.find("form.signout button[type=submit]").click();
    browser.wait_for_url("the sign-in page", |url| url.contains("/login"));
    browser.find("#f-email").send_keys("mere@harbour.nz");
    browser.find("#f-password").send_keys(PASSWORD);
    browser
        .find("form[action='/login'] button[type=submit]")
        .click();
    browser.wait_for_text("main", "this account signs in with a code");
    shots(&browser, "two-factor-sign-in-needs-code", DESKTOP);
    let next = attest::auth::totp::code_at(&secret, now() + attest::auth::totp::STEP).unwrap();
    browser.find("#f-password").send_keys(PASSWORD);
    browser.find("#f-code").send_keys(&next);
    browser
        .find("form[action='/login'] button[type=submit]")
        .click();
    browser.wait_for_url("the dashboard", |url| !url.contains("/login"));
    assert!(browser.text("header.site").contains("Sign out"));
}

#[actix_web::test]
async fn an_iv_disagrees_the_assessor_responds_and_the_iv_agrees() {
    let app = TestApp::new(Backend::Sqlite);
    let w = app.world("28268@2").await;
    decided(&app, &w).await;
    let server = app.serve();
    let base = format!("http://{}", server.addr);
    let sample = format!("/enrolments/{}/sample", w.enrolment);

    // The IV disagrees, with feedback and two action points.
    {
        let browser = Browser::start();
        browser.viewport(DESKTOP, 900);
        sign_in(&browser, &base, "iv@harbour.nz");
        browser.goto(&format!("{base}{sample}"));
        browser.wait_for_text("main", "Summative sample");
        browser.find("#f-decision-disagree").click();
        browser
            .find("#f-feedback")
            .send_keys("The 1.3 evidence does not show the caller's need was confirmed.");
        browser
            .find("#f-action-points")
            .send_keys("Re-observe one call for 1.3\nRecord how the need was confirmed");
        browser
            .find("form[action$='/sample'] button[type=submit]")
            .click();
        browser.wait_for_text("main", "gone back to the assessor");
        assert!(browser.text("main").contains("awaiting the assessor"));
    }

    // The assessor finds it first on the caseload, reads it and answers each action point.
    {
        let browser = Browser::start();
        browser.viewport(PHONE, 780);
        sign_in(&browser, &base, "mere@harbour.nz");
        browser.goto(&format!("{base}/caseload"));
        browser.wait_for_text("main", "sent back by the internal verifier");
        shots(&browser, "assessor-caseload-sent-back", PHONE);
        browser.find("main a.sent-back").click();
        browser.wait_for_url("the decision page", |url| url.contains("/decision"));
        browser.wait_for_text("#sent-back", "Re-observe one call for 1.3");
        // Deciding without the answers is refused, naming the missing one; the outcome is kept.
        browser.find("#f-outcome-competent").click();
        browser
            .find("#f-responses-0")
            .send_keys("Re-observed a call on 4 June: 1.3 shown.");
        browser
            .find("form[action$='/decision'] button[name=intent]")
            .click();
        browser.wait_for_text("main", "There is a problem");
        assert!(
            browser
                .text(".error-summary")
                .contains("Record how the need was confirmed")
        );
        shots(&browser, "assessor-decision-answer-refused", PHONE);
        browser
            .find("#f-responses-1")
            .send_keys("Added the caller's confirmation to the notes.");
        browser
            .find("form[action$='/decision'] button[name=intent]")
            .click();
        browser.wait_for_text("main", "Decision made:");
        shots(&browser, "assessor-decision-answered", PHONE);
        assert_eq!(status_of(&app, &w).await, "assessed");
    }

    // The IV reads the answers and the new decision in the history, and agrees.
    let browser = Browser::start();
    browser.viewport(DESKTOP, 900);
    sign_in(&browser, &base, "iv@harbour.nz");
    browser.goto(&format!("{base}/orgs/{}/samples", w.org));
    browser.wait_for_text("main", "The assessor's response");
    let history = browser.text("main");
    assert!(
        history.contains("Added the caller's confirmation to the notes."),
        "{history}"
    );
    assert!(history.contains("New decision: competent"), "{history}");
    shots(&browser, "iv-history-answered", DESKTOP);
    browser.goto(&format!("{base}{sample}"));
    browser.wait_for_text("main", "Summative sample");
    browser.find("#f-decision-agree").click();
    browser
        .find("form[action$='/sample'] button[type=submit]")
        .click();
    browser.wait_for_text("main", "The portfolio is now sampled");
    assert_eq!(status_of(&app, &w).await, "sampled");
}

#[actix_web::test]
async fn a_candidate_acknowledges_an_observation_and_reads_rejected_evidence_at_360_px() {
    let app = TestApp::new(Backend::Sqlite);
    let w = app.world("28268@2").await;
    complete_portfolio(&app, &w).await;
    let record = json!({"method": "product_evidence", "setting": "workplace", "date": "2024-05-06",
        "title": "Call log", "criteria": [{"criterion": "1.7"}], "declaration": true});
    let (ctype, body) = multipart(&record, "call-log.pdf", b"%PDF-1.4 call log");
    let enrolment = api::enrolment(&w.enrolment);
    let added = app
        .send_raw(&w.candidate, &enrolment.evidence_upload(), &ctype, body)
        .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.text());
    let id = added.json()["id"].as_str().unwrap().to_owned();
    api_post(
        &app,
        &w.assessor,
        &enrolment.evidence_item(&id).judgements(),
        json!({"criteria": [{"id": "1.7", "judgement": "rejected",
            "feedback": "The log does not show the follow-up call"}]}),
    )
    .await;
    let server = app.serve();
    let base = format!("http://{}", server.addr);
    let browser = Browser::start();
    browser.viewport(PHONE, 780);
    sign_in(&browser, &base, "aroha@harbour.nz");
    browser.wait_for_text("main", "Needs your attention");
    let attention = browser.text("main .attention-list");
    assert!(
        attention.contains("The log does not show the follow-up call"),
        "{attention}"
    );
    assert!(attention.contains("Read and acknowledge"), "{attention}");
    shots(&browser, "candidate-needs-attention", PHONE);

    // The rejected evidence: its judgement and feedback readable at 360 px, no sideways scroll.
    browser
        .find(&format!("main a[href$='#evidence-{id}']"))
        .click();
    browser.wait_for_text(
        &format!("#evidence-{id}"),
        "The log does not show the follow-up call",
    );
    let width = browser.script(
        &format!("return document.querySelector('#evidence-{id} table.stacked td[data-label=Judgement]').getBoundingClientRect().right <= window.innerWidth;"),
        json!([]),
    );
    assert_eq!(width, json!(true), "the judgement is on screen");
    shots(&browser, "candidate-portfolio-stacked", PHONE);

    // An observation to acknowledge, with a comment.
    browser.goto(&format!("{base}/"));
    browser
        .find("main .attention-list a[href*='#ack-']")
        .click();
    browser.wait_for_url("the record", |url| url.contains("#ack-"));
    let ack = browser
        .url()
        .rsplit("#ack-")
        .next()
        .unwrap_or_default()
        .to_owned();
    browser
        .find(&format!("#f-comment-{ack}"))
        .send_keys("I remember this call: the customer wanted a refund.");
    browser
        .find(&format!(
            "form[action$='/evidence/{ack}/acknowledge'] button[type=submit]"
        ))
        .click();
    browser.wait_for_text("main", "Acknowledged.");
    assert!(
        browser
            .text(&format!("#ack-{ack}"))
            .contains("You acknowledged this record")
    );
    shots(&browser, "candidate-acknowledged", PHONE);
}

#[actix_web::test]
async fn a_certified_candidate_downloads_their_statement() {
    let app = TestApp::new(Backend::Sqlite);
    let w = app.world("28268@2").await;
    decided(&app, &w).await;
    let enrolment = api::enrolment(&w.enrolment);
    api_post(
        &app,
        &w.iv,
        &enrolment.samples(),
        json!({"decision": "agree"}),
    )
    .await;
    api_post(&app, &w.admin, &enrolment.statement(), json!(null)).await;
    let server = app.serve();
    let base = format!("http://{}", server.addr);
    let browser = Browser::start();
    browser.viewport(PHONE, 780);
    sign_in(&browser, &base, "aroha@harbour.nz");
    browser.wait_for_text("main", "Statement of competence");
    let card = browser.text("main .statement-card");
    assert!(card.contains("Verification code"), "{card}");
    shots(&browser, "candidate-dashboard-statement", PHONE);

    // The PDF link downloads the statement, with the candidate's own session.
    let pdf = browser.script(
        "const link = document.querySelector('main .statement-card a[href$=\"statement.pdf\"]');
         const xhr = new XMLHttpRequest();
         xhr.open('GET', link.href, false);
         xhr.overrideMimeType('text/plain; charset=x-user-defined');
         xhr.send();
         return [xhr.status, xhr.getResponseHeader('content-type'), xhr.responseText.slice(0, 5)];",
        json!([]),
    );
    assert_eq!(pdf, json!([200, "application/pdf", "%PDF-"]), "{pdf}");
    let badge = browser.script(
        "const link = document.querySelector('main .statement-card a[href$=\"credential.json\"]');
         const xhr = new XMLHttpRequest();
         xhr.open('GET', link.href, false);
         xhr.send();
         return [xhr.status, JSON.parse(xhr.responseText).type];",
        json!([]),
    );
    assert_eq!(badge[0], json!(200), "{badge}");

    // The portfolio shows it too, and the code's link verifies it.
    browser
        .find(&format!("main a[href='/enrolments/{}']", w.enrolment))
        .click();
    browser.wait_for_text("main", "Statement of competence");
    shots(&browser, "candidate-portfolio-statement", PHONE);
    browser
        .find("main .statement-card a[href*='/verify/']")
        .click();
    browser.wait_for_text("main", "Valid.");
}

#[actix_web::test]
async fn a_witness_attests_through_their_link_on_a_phone() {
    let app = TestApp::new(Backend::Sqlite);
    let w = app.world("28268@2").await;
    // The candidate's account of what they did, for the witness to confirm.
    let added = app
        .request_as(
            Some(&w.candidate),
            Method::POST,
            &api::enrolment(&w.enrolment).evidence(),
            Some(json!({"method": "witness_testimony", "setting": "workplace", "date": "2024-05-08",
                "title": "Billing complaint", "criteria": [{"criterion": "3.1"}], "declaration": true,
                "details": {"witness": {"name": "Ngaio Marsh", "job_title": "Team leader",
                    "relationship": "team leader", "contact": "ngaio@harbour.nz",
                    "statement": "Aroha resolved a billing complaint calmly."}}})),
        )
        .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.text());
    let evidence = added.json()["id"].as_str().unwrap().to_owned();

    let server = app.serve();
    let base = format!("http://{}", server.addr);
    let browser = Browser::start();
    browser.viewport(PHONE, 780);
    sign_in(&browser, &base, "aroha@harbour.nz");
    browser.goto(&format!("{base}/enrolments/{}", w.enrolment));
    assert!(browser.text("main").contains("Awaiting witness"));
    let witness_page = format!("/enrolments/{}/evidence/{evidence}/witness", w.enrolment);
    browser.find(&format!("a[href='{witness_page}']")).click();
    browser.wait_for_url("the witness page", |url| url.ends_with(&witness_page));
    shots(&browser, "candidate-witness-request", PHONE);
    browser
        .find(&format!(
            "form[action='{witness_page}'] button[type=submit]"
        ))
        .click();
    browser.wait_for_text("main table", "ngaio@harbour.nz");
    assert!(browser.text("main table").contains("Unapproved witness"));
    shots(&browser, "candidate-witness-sent", PHONE);
    // Until the witness confirms, the candidate's dashboard says whom they are waiting for.
    browser.goto(&format!("{base}/"));
    browser.wait_for_text("main", "Waiting for Ngaio");
    shots(&browser, "candidate-dashboard-awaiting-witness", PHONE);

    // No SMTP here: the admin reads the link in the outbox; the witness opens it on their phone.
    let outbox = app
        .request_as(
            Some(&w.admin),
            Method::GET,
            &api::org(&w.org).outbox(),
            None,
        )
        .await
        .json();
    let body = outbox[0]["body"].as_str().unwrap().to_owned();
    let start = body.find("/witness/").unwrap();
    let link = format!("{base}{}", &body[start..start + "/witness/".len() + 43]);
    let witness = Browser::start();
    witness.viewport(PHONE, 780);
    witness.goto(&link);
    assert!(
        witness
            .text("main")
            .contains("Aroha resolved a billing complaint calmly.")
    );
    shots(&witness, "witness-confirms", PHONE);
    assert!(
        !witness.text("header.site").contains("Sign in"),
        "a witness has no account to sign in to"
    );
    let statement = witness.find("#f-statement");
    statement.clear();
    statement.send_keys(
        "Aroha resolved a billing complaint calmly, and phoned the customer back the next day.",
    );
    let role = witness.find("#f-job-title");
    role.clear();
    role.send_keys("Contact centre team leader");
    // Without the confirmation ticked the form says so, keeping what was typed.
    witness.find("form button[type=submit]").click();
    // The checkbox's own label has these words: wait for the error summary of the new page.
    witness.wait_for_text(".error-summary", "that this testimony is true");
    let kept = witness.script(
        "return document.getElementById('f-statement').value;",
        json!([]),
    );
    assert!(
        kept.as_str()
            .unwrap_or_default()
            .contains("phoned the customer back")
    );
    shots(&witness, "witness-confirms-refused", PHONE);
    witness.find("#f-declaration").click();
    witness.find("form button[type=submit]").click();
    witness.wait_for_text("main", "Your testimony is confirmed");
    shots(&witness, "witness-confirmed", PHONE);
    // The link works once.
    witness.goto(&link);
    assert!(witness.text("main").contains("already been confirmed"));

    // The candidate is told, and the testimony now counts as the witness's.
    browser.goto(&format!("{base}{witness_page}"));
    assert!(browser.text("main").contains("Confirmed by the witness"));
    assert!(browser.text("main").contains("phoned the customer back"));
    assert!(
        browser.text("header.site").contains("Inbox 1"),
        "{}",
        browser.text("header.site")
    );
    browser.find("a[href='/inbox']").click();
    browser.wait_for_text("main", "confirmed their witness testimony");
    shots(&browser, "candidate-inbox", PHONE);
}

/// Issue 22: a standards editor pastes a standard with a misspelt key, sees the problem by line
/// and column, fixes it, sees the outline, the observation checklist and the gaps of an empty
/// portfolio, and publishes it into the organisation's catalogue; the admin then enrols a
/// candidate on the published version.
#[actix_web::test]
async fn an_editor_checks_and_publishes_a_standard_and_the_admin_enrols_on_it() {
    let app = TestApp::new(Backend::Sqlite);
    let w = app.world("28268@2").await;
    app.seed_user(&w.org, "editor@harbour.nz", "standards_editor");
    let server = app.serve();
    let base = format!("http://{}", server.addr);
    let browser = Browser::start();
    browser.viewport(DESKTOP, 900);
    sign_in(&browser, &base, "editor@harbour.nz");

    let seed = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("standards/nos-inscc003.yaml"),
    )
    .unwrap()
    .replacen("version: 1\n", "version: 2\nstatus: current\n", 1);
    let broken = seed.replacen(
        "        text: \"identify and greet",
        "        txet: \"identify and greet",
        1,
    );
    let line = broken.lines().position(|l| l.contains("txet:")).unwrap() + 1;
    browser
        .find(&format!("a[href='/orgs/{}/standards/author']", w.org))
        .click();
    browser.wait_for_text("main", "Check and preview");
    shots(&browser, "editor-standard-author", DESKTOP);
    let set = "document.getElementById('yaml').value = arguments[0];";
    browser.script(set, json!([broken]));
    browser
        .find("form[action$='/standards/author'] button[type=submit]")
        .click();
    browser.wait_for_text("#problems", "1 problem");
    let problems = browser.text("#problems");
    assert!(
        problems.contains(&format!("Line {line}, column 9")),
        "{problems}"
    );
    assert!(problems.contains("unknown field `txet`"), "{problems}");
    shots(&browser, "editor-standard-author-problems", DESKTOP);

    browser.script(set, json!([seed]));
    browser
        .find("form[action$='/standards/author'] button[type=submit]")
        .click();
    browser.wait_for_text("main", "loads with no problems");
    let main = browser.text("main");
    assert!(main.contains("Observation checklist"), "{main}");
    assert!(
        main.contains("1 identify and greet customers following organisational guidelines"),
        "{main}"
    );
    assert!(main.contains("What a candidate with no evidence still needs"));
    shots(&browser, "editor-standard-author-preview", DESKTOP);

    browser
        .find("form[action$='/standards/publish'] button[type=submit]")
        .click();
    // The catalogue's row for the new version ("this organisation's own" is on the author page
    // too, so waiting for it could pass before the publish lands).
    browser.wait_for_text("main", "NOS INSCC003 v2");
    let catalogue = browser.text("main");
    assert!(catalogue.contains("this organisation's own"), "{catalogue}");
    shots(&browser, "editor-standard-published", DESKTOP);

    // The admin enrols the candidate on the published version.
    let admin = Browser::start();
    admin.viewport(DESKTOP, 900);
    sign_in(&admin, &base, "admin@harbour.nz");
    admin.goto(&format!("{base}/orgs/{}/enrolments", w.org));
    admin
        .find(&format!(
            "#f-candidate-id option[value='{}']",
            w.candidate_id
        ))
        .click();
    admin.find("#f-standard option[value='INSCC003@2']").click();
    admin
        .find(&format!("#f-assessor-id option[value='{}']", w.assessor_id))
        .click();
    shots(&admin, "admin-enrols-on-published", DESKTOP);
    admin
        .find("form[action$='/enrolments'] button[type=submit]")
        .click();
    admin.wait_for_url("the new portfolio", |url| {
        url.contains("/enrolments/") && !url.contains("/orgs/")
    });
    let heading = admin.text("main");
    assert!(heading.contains("INSCC003"), "{heading}");
    shots(&admin, "admin-portfolio-on-published", DESKTOP);
}

/// Issue 22 item 4: the editor keeps a mapping file from version 1 to 2; the admin previews what
/// a candidate's portfolio keeps and newly lacks under version 2, moves it, and undoes the move.
#[actix_web::test]
async fn an_admin_previews_moves_and_undoes_a_move_to_the_next_version() {
    let app = TestApp::new(Backend::Sqlite);
    let w = app.world("INSCC003@1").await;
    app.seed_user(&w.org, "editor@harbour.nz", "standards_editor");
    let editor = app.login("editor@harbour.nz").await;
    let v2 = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("standards/nos-inscc003.yaml"),
    )
    .unwrap()
    .replacen("version: 1\n", "version: 2\nstatus: current\n", 1);
    let published = app
        .request_as(
            Some(&editor),
            actix_web::http::Method::POST,
            &api::org(&w.org).standards(),
            Some(json!({"yaml": v2})),
        )
        .await;
    assert_eq!(published.status.as_u16(), 201, "{}", published.text());
    let server = app.serve();
    let base = format!("http://{}", server.addr);

    let browser = Browser::start();
    browser.viewport(DESKTOP, 900);
    sign_in(&browser, &base, "editor@harbour.nz");
    browser
        .find(&format!("a[href='/orgs/{}/standards/mappings']", w.org))
        .click();
    browser.wait_for_text("main", "Check and store");
    let mapping = "code: INSCC003\nfrom_version: 1\nto_version: 2\ncriteria:\n  - from: \"1\"\n    to: [\"1\", \"2\"]\n    note: Greeting now counts for listening too\n";
    browser.script(
        "document.getElementById('yaml').value = arguments[0];",
        json!(["code: INSCC003\nfrom_version: 1\nto_version: 2\ncriteria:\n  - from: \"99\"\n"]),
    );
    browser
        .find("form[action$='/standards/mappings'] button[type=submit]")
        .click();
    browser.wait_for_text(".error-summary", "no criterion 99");
    shots(&browser, "editor-mapping-refused", DESKTOP);
    browser.script(
        "document.getElementById('yaml').value = arguments[0];",
        json!([mapping]),
    );
    browser
        .find("form[action$='/standards/mappings'] button[type=submit]")
        .click();
    browser.wait_for_text("table", "version 1");
    shots(&browser, "editor-mappings", DESKTOP);

    let admin = Browser::start();
    admin.viewport(DESKTOP, 900);
    sign_in(&admin, &base, "admin@harbour.nz");
    admin.goto(&format!("{base}/enrolments/{}", w.enrolment));
    admin
        .find(&format!("a[href='/enrolments/{}/move']", w.enrolment))
        .click();
    admin.wait_for_text("main", "Choose a mapping file");
    let option = admin.script(
        "return document.querySelectorAll('#f-mapping-id option')[1].value;",
        json!([]),
    );
    let option = option
        .as_str()
        .expect("a mapping file is offered")
        .to_owned();
    admin
        .find(&format!("#f-mapping-id option[value='{option}']"))
        .click();
    admin.find("form[method='get'] button[type=submit]").click();
    admin.wait_for_text("main", "Newly missing");
    let preview = admin.text("main");
    assert!(
        preview.contains("1 → 1, 2: Greeting now counts for listening too"),
        "{preview}"
    );
    shots(&admin, "admin-move-preview", DESKTOP);
    admin
        .find(&format!(
            "form[method='post'][action='/enrolments/{}/move'] button[type=submit]",
            w.enrolment
        ))
        .click();
    admin.wait_for_text("main", "Moved to version 2");
    shots(&admin, "admin-portfolio-moved", DESKTOP);
    admin.goto(&format!("{base}/enrolments/{}/move", w.enrolment));
    admin.wait_for_text("main", "Undo the move");
    shots(&admin, "admin-move-undo", DESKTOP);
    admin
        .find(&format!(
            "form[action='/enrolments/{}/move/undo'] button[type=submit]",
            w.enrolment
        ))
        .click();
    admin.wait_for_url("the portfolio", |url| url.ends_with(&w.enrolment));
    assert!(!admin.text("main").contains("Moved to version 2"));
    admin.goto(&format!("{base}/enrolments/{}/staff", w.enrolment));
    admin.wait_for_text("main", "Assessment after the last date");
    shots(&admin, "admin-enrolment-staff-extension", DESKTOP);
}

/// A 4 × 4 PNG (a photo of a whiteboard, as far as the test is concerned).
const PNG: [u8; 73] = [
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x04, 0x08, 0x02, 0x00, 0x00, 0x00, 0x26, 0x93, 0x09,
    0x29, 0x00, 0x00, 0x00, 0x10, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x90, 0x2d, 0xd8, 0x01,
    0x47, 0x0c, 0xc4, 0x71, 0x00, 0x06, 0xc2, 0x14, 0x51, 0x41, 0xb7, 0xe4, 0x75, 0x00, 0x00, 0x00,
    0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

/// A ten-second call recording: 8 kHz, 8-bit mono PCM WAV of a quiet tone.
fn call_recording() -> Vec<u8> {
    let samples: Vec<u8> = (0..80_000u32)
        .map(|i| if (i / 20) % 2 == 0 { 140 } else { 116 })
        .collect();
    let mut bytes = Vec::new();
    bytes.extend_from_slice(b"RIFF");
    bytes.extend_from_slice(&(36 + samples.len() as u32).to_le_bytes());
    bytes.extend_from_slice(b"WAVEfmt ");
    for field in [
        16u32.to_le_bytes().to_vec(),
        1u16.to_le_bytes().to_vec(),
        1u16.to_le_bytes().to_vec(),
        8000u32.to_le_bytes().to_vec(),
        8000u32.to_le_bytes().to_vec(),
        1u16.to_le_bytes().to_vec(),
        8u16.to_le_bytes().to_vec(),
    ] {
        bytes.extend_from_slice(&field);
    }
    bytes.extend_from_slice(b"data");
    bytes.extend_from_slice(&(samples.len() as u32).to_le_bytes());
    bytes.extend_from_slice(&samples);
    bytes
}

/// Issue 16.2: the candidate sees their photo and plays their call recording in the page, marks
/// where in the call they establish rapport, and the assessor plays the call from that moment on
/// the judge page.
#[actix_web::test]
async fn a_candidate_marks_a_time_point_in_a_call_and_the_assessor_plays_it_from_there() {
    let app = TestApp::new(Backend::Sqlite);
    let w = app.world("28268@2").await;
    let enrolment = api::enrolment(&w.enrolment);
    let mut ids = Vec::new();
    for (name, bytes, criteria) in [
        (
            "call.wav",
            call_recording(),
            json!([{"criterion": "1.1"}, {"criterion": "1.3"}]),
        ),
        (
            "whiteboard.png",
            PNG.to_vec(),
            json!([{"criterion": "1.1"}]),
        ),
    ] {
        let record = json!({"method": "product_evidence", "setting": "workplace",
            "date": "2024-05-06", "title": name, "criteria": criteria, "declaration": true});
        let (ctype, body) = multipart(&record, name, &bytes);
        let added = app
            .send_raw(&w.candidate, &enrolment.evidence_upload(), &ctype, body)
            .await;
        assert_eq!(added.status, StatusCode::CREATED, "{}", added.text());
        ids.push(added.json()["id"].as_str().unwrap().to_owned());
    }
    let (call, photo) = (&ids[0], &ids[1]);
    let server = app.serve();
    let base = format!("http://{}", server.addr);
    let browser = Browser::start();
    browser.viewport(PHONE, 780);
    sign_in(&browser, &base, "aroha@harbour.nz");

    // The portfolio shows the photo and plays the call, in the page, under the site's CSP.
    browser.goto(&format!("{base}/enrolments/{}", w.enrolment));
    browser.wait_for_text("main", "Mark time points in the recording");
    let loaded = browser.script_async(
        &format!(
            "const done = arguments[arguments.length - 1];
             const img = document.querySelector('#evidence-{photo} .evidence-image img');
             const audio = document.getElementById('player-{call}');
             // Lazy: it loads once scrolled to.
             if (img) img.scrollIntoView();
             const ready = () => img && img.complete && img.naturalWidth > 0 && audio && audio.readyState >= 1;
             let tries = 0;
             const wait = () => ready() || ++tries > 100
                 ? done([img && img.naturalWidth, audio && Math.round(audio.duration)])
                 : setTimeout(wait, 100);
             wait();"
        ),
        json!([]),
    );
    assert_eq!(
        loaded,
        json!([4, 10]),
        "the photo shows and the call's length is known"
    );
    shots(&browser, "candidate-portfolio-media", PHONE);

    // Marking a time point: the player's own time goes into the form.
    browser
        .find(&format!(
            "#evidence-{call} a[href$='/evidence/{call}/recording']"
        ))
        .click();
    browser.wait_for_text("main h1", "Recording");
    browser.script(
        "const p = document.getElementById('player'); p.currentTime = 4; return true;",
        json!([]),
    );
    browser.wait_for_text("main", "Use the player's time");
    browser.find("button[data-time-from='player']").click();
    let at = browser.script("return document.getElementById('f-at').value;", json!([]));
    assert_eq!(at, json!("00:04"));
    browser.script(
        "document.getElementById('f-mapping').value = '1.3'; return true;",
        json!([]),
    );
    browser.find("#f-note").send_keys("establishing rapport");
    browser
        .find("form[action$='/time-points'] button[type=submit]")
        .click();
    browser.wait_for_text("main ol.time-points", "establishing rapport");
    shots(&browser, "candidate-recording-time-point", PHONE);

    // The assessor, on a tablet, plays the call from that moment on the judge page.
    let assessor = Browser::start();
    assessor.viewport(1024, 900);
    sign_in(&assessor, &base, "mere@harbour.nz");
    assessor.goto(&format!(
        "{base}/enrolments/{}/evidence/{call}/judge",
        w.enrolment
    ));
    assessor.wait_for_text("main ol.time-points", "00:04");
    assessor.find("main ol.time-points a.seek").click();
    let position = assessor.script_async(
        &format!(
            "const done = arguments[arguments.length - 1];
             const audio = document.getElementById('player-{call}');
             let tries = 0;
             const wait = () => (audio.currentTime >= 4 || ++tries > 50)
                 ? (audio.pause(), done(Math.floor(audio.currentTime)))
                 : setTimeout(wait, 100);
             wait();"
        ),
        json!([]),
    );
    assert!(
        position.as_f64().is_some_and(|t| t >= 4.0),
        "the call plays from 00:04: {position}"
    );
    shots(&assessor, "assessor-judge-recording", 1024);
}

#[actix_web::test]
async fn an_assessor_builds_and_sends_questions_the_candidate_answers_and_the_assessor_marks() {
    let app = TestApp::new(Backend::Sqlite);
    let w = app.world("INSCC003").await;
    let server = app.serve();
    let base = format!("http://{}", server.addr);

    // The assessor builds a set from the unit's knowledge items and sends it.
    let browser = Browser::start();
    browser.viewport(DESKTOP, 900);
    sign_in(&browser, &base, "mere@harbour.nz");
    browser.goto(&format!("{base}/question-sets"));
    shots_with_tablet(&browser, "assessor-question-sets", DESKTOP);
    browser
        .find(&format!("#f-standard-{} option[value='INSCC003@1']", w.org))
        .click();
    browser
        .find(&format!(
            "form[action='/orgs/{}/question-sets/new'] button[type=submit]",
            w.org
        ))
        .click();
    browser.wait_for_url("the builder", |url| url.contains("/question-sets/new"));
    browser.wait_for_text("main", "the organisational guidelines on how to greet");
    shots_with_tablet(&browser, "assessor-question-set-builder", DESKTOP);
    browser.find("#f-title").send_keys("Greeting and listening");
    browser.find("#f-include-K1").click();
    browser.find("#f-include-K2").click();
    browser.find("#f-question-K2").clear();
    browser
        .find("#f-question-K2")
        .send_keys("How do you show a caller you are listening?");
    browser
        .find("form[action$='/question-sets/new'] button[type=submit]")
        .click();
    browser.wait_for_url("the saved set", |url| {
        url.ends_with("/question-sets?saved=1")
    });
    assert!(browser.text("main").contains("Greeting and listening"));

    browser.goto(&format!("{base}/enrolments/{}/questions", w.enrolment));
    browser.find("#f-set-id option:nth-child(2)").click();
    shots_with_tablet(&browser, "assessor-send-questions", DESKTOP);
    browser
        .find(&format!(
            "form[action='/enrolments/{}/questions'] button[type=submit]",
            w.enrolment
        ))
        .click();
    browser.wait_for_url("the sent set", |url| url.contains("/questions?sent=1"));
    drop(browser);

    let requests = app
        .request_as(
            Some(&w.candidate),
            actix_web::http::Method::GET,
            &api::enrolment(&w.enrolment).question_requests(),
            None,
        )
        .await
        .json();
    let rid = requests[0]["id"].as_str().unwrap().to_owned();
    let answers: Vec<String> = requests[0]["answers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_owned())
        .collect();

    // The candidate answers on a phone, from "Needs your attention".
    let browser = Browser::start();
    browser.viewport(PHONE, 780);
    sign_in(&browser, &base, "aroha@harbour.nz");
    assert!(
        browser
            .text("main")
            .contains("Questions to answer: Greeting and listening")
    );
    browser
        .find(&format!(
            ".attention-list a[href='/enrolments/{}/questions/{rid}']",
            w.enrolment
        ))
        .click();
    browser.wait_for_url("the answer page", |url| url.ends_with(&rid));
    shots_with_tablet(&browser, "candidate-answer-questions", PHONE);
    browser
        .find(&format!("#f-answer-{}", answers[0]))
        .send_keys("We give the centre's name and ours, then check two details of the caller.");
    browser
        .find(&format!("#f-answer-{}", answers[1]))
        .send_keys("I repeat back what they told me.");
    browser.find("button[name=action][value=submit]").click();
    browser.wait_for_url("the questions page", |url| {
        url.contains("/questions?answered=1")
    });
    drop(browser);

    // The assessor marks from the caseload.
    let browser = Browser::start();
    browser.viewport(DESKTOP, 900);
    sign_in(&browser, &base, "mere@harbour.nz");
    browser.goto(&format!("{base}/caseload"));
    browser
        .find(&format!(
            "a[href='/enrolments/{}/questions/{rid}']",
            w.enrolment
        ))
        .click();
    browser.wait_for_url("the marking page", |url| url.ends_with(&rid));
    shots_with_tablet(&browser, "assessor-mark-answers", DESKTOP);
    browser
        .find(&format!("#f-result-{}-yes", answers[0]))
        .click();
    browser
        .find(&format!("#f-result-{}-no", answers[1]))
        .click();
    browser
        .find(&format!("#f-comment-{}", answers[1]))
        .send_keys("Say why listening matters to the caller.");
    browser.find("#marks-form button[type=submit]").click();
    let portfolio = format!("/enrolments/{}#evidence-", w.enrolment);
    browser.wait_for_url("the portfolio", |url| url.contains(&portfolio));

    let progress = app
        .request_as(
            Some(&w.candidate),
            actix_web::http::Method::GET,
            &api::enrolment(&w.enrolment).progress(),
            None,
        )
        .await
        .json();
    let status = |id: &str| {
        progress["confirmed"]["knowledge"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["id"] == id)
            .map(|k| k["status"].clone())
            .unwrap_or_default()
    };
    assert_eq!(status("K1"), "met");
    assert_ne!(status("K2"), "met");
}
