//! The audit trail read: the organisation's for admins and external verifiers, a portfolio's for
//! whoever may read it, filters, plain words, and CSV/JSON files that `attest audit verify --file`
//! checks. On every backend.

use actix_web::http::StatusCode;
use chrono::{TimeDelta, Utc};
use serde_json::{Value, json};

use crate::api;
use crate::helpers::{TestApp, backend_test, complete_portfolio};
use attest::auth::policy::Role;

fn verify_file(name: &str, bytes: &[u8]) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(name);
    std::fs::write(&file, bytes).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_attest"))
        .env("RUST_LOG", "warn")
        .args(["audit", "verify", "--file"])
        .arg(&file)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

fn entries(page: &Value) -> Vec<Value> {
    page["entries"].as_array().unwrap().clone()
}

backend_test!(admins_and_evs_read_their_organisations_trail_and_can_check_its_files);
async fn admins_and_evs_read_their_organisations_trail_and_can_check_its_files(app: TestApp) {
    let w = app.world("28268@2").await;
    complete_portfolio(&app, &w).await;
    let rated = app
        .put_as(
            &w.admin,
            &api::org(&w.org).assessor_risk(&w.assessor_id),
            json!({"risk": "high"}),
        )
        .await;
    assert_eq!(rated.status, StatusCode::NO_CONTENT);
    // Another organisation, with the same assessor holding a grant there too.
    let other = app.seed_org("Summit College");
    app.seed_user(&other, "admin@summit.nz", "provider_admin");
    app.tx(|c| {
        attest::identity::grant_role(
            c,
            None,
            w.assessor_id.parse().unwrap(),
            other.parse().unwrap(),
            Role::Assessor,
            None,
        )
    });
    let ev = app.seed_user(&w.org, "ev@sqa.org.uk", "candidate");
    app.tx(|c| {
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
            Some(Utc::now() + TimeDelta::days(30)),
        )
    });
    let ev = app.login("ev@sqa.org.uk").await;
    let base = api::org(&w.org).audit();

    let all = app.get_as(&ev, &base).await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.text());
    let all = entries(&all.json());
    assert!(
        all.iter()
            .any(|e| e["action"] == "evidence.add" && e["entity_id"] == w.enrolment.as_str())
    );
    let risk = all
        .iter()
        .find(|e| e["action"] == "assessor.risk")
        .expect("the rating");
    assert_eq!(
        risk["described"]["changes"],
        json!(["org id: ".to_owned() + &w.org, "risk: high".to_owned()])
    );
    assert_eq!(risk["actor_name"], "User admin@harbour.nz");
    assert!(
        !all.iter().any(|e| e.to_string().contains(&other)),
        "nothing of the other organisation: {all:?}"
    );
    let seqs: Vec<i64> = all.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
    assert!(seqs.windows(2).all(|p| p[0] > p[1]), "newest first");

    let by_action = app
        .get_as(&w.admin, &format!("{base}?action=role.grant"))
        .await
        .json();
    assert!(!entries(&by_action).is_empty());
    assert!(
        entries(&by_action)
            .iter()
            .all(|e| e["action"] == "role.grant")
    );
    let by_person = app
        .get_as(&w.admin, &format!("{base}?person={}", w.assessor_id))
        .await
        .json();
    assert!(
        entries(&by_person)
            .iter()
            .any(|e| e["action"] == "evidence.add")
    );
    assert!(
        entries(&by_person)
            .iter()
            .all(|e| e["actor_id"] == w.assessor_id.as_str()
                || (e["entity"] == "user" && e["entity_id"] == w.assessor_id.as_str()))
    );
    let by_enrolment = app
        .get_as(&w.admin, &format!("{base}?enrolment={}", w.enrolment))
        .await
        .json();
    assert!(
        entries(&by_enrolment)
            .iter()
            .all(|e| e["entity_id"] == w.enrolment.as_str())
    );
    let tomorrow = (Utc::now() + TimeDelta::days(1)).date_naive();
    let future = app
        .get_as(&w.admin, &format!("{base}?from={tomorrow}"))
        .await
        .json();
    assert!(entries(&future).is_empty());
    let today = Utc::now().date_naive();
    let up_to_today = app
        .get_as(&w.admin, &format!("{base}?from={today}&to={today}"))
        .await
        .json();
    assert_eq!(entries(&up_to_today).len(), all.len());
    let bad = app
        .get_as(&w.admin, &format!("{base}?from=yesterday&to=2024-01-01"))
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.json()["errors"]["from"], "must be a date as YYYY-MM-DD");

    // The candidate reads their own portfolio's trail, not the organisation's.
    let denied = app.get_as(&w.candidate, &base).await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    let own = app
        .get_as(&w.candidate, &api::enrolment(&w.enrolment).audit())
        .await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.text());
    let own = entries(&own.json());
    assert!(
        own.iter().any(|e| e["action"] == "enrolment.create"),
        "{own:?}"
    );
    assert!(own.iter().all(|e| e["entity_id"] == w.enrolment.as_str()));

    // The files keep the chain: checked as exported, refused when an entry is changed.
    for format in ["csv", "json"] {
        let file = app
            .get_as(&ev, &format!("{base}/export?format={format}"))
            .await;
        assert_eq!(file.status, StatusCode::OK, "{}", file.text());
        let name = format!("trail.{format}");
        let (code, said) = verify_file(&name, &file.body);
        assert_eq!(code, 0, "{said}");
        assert!(said.contains(&format!("{} entries", all.len())), "{said}");
        assert!(said.contains("intact"), "{said}");
        let text = file.text();
        // The rating as CSV quotes it, and as JSON escapes it.
        let tampered = text
            .replacen(r#"""risk"":""high"""#, r#"""risk"":""low"""#, 1)
            .replacen(r#"\"risk\":\"high\""#, r#"\"risk\":\"low\""#, 1);
        assert_ne!(tampered, text, "{format}: the rating is in the file");
        let (code, said) = verify_file(&name, tampered.as_bytes());
        assert_eq!(code, 1, "{said}");
        assert!(
            said.contains(&format!(
                "entry {}: its content does not match its hash",
                risk["seq"]
            )),
            "{said}"
        );
    }
    let (code, said) = verify_file("trail.csv", b"seq,at\n1,2\n");
    assert_eq!(code, 2, "{said}");
    assert!(said.contains("trail.csv:1: the header must be"), "{said}");
    let bad_format = app
        .get_as(&w.admin, &format!("{base}/export?format=xml"))
        .await;
    assert_eq!(bad_format.status, StatusCode::UNPROCESSABLE_ENTITY);
}

backend_test!(the_trail_pages_filter_and_say_what_changed);
async fn the_trail_pages_filter_and_say_what_changed(app: TestApp) {
    let w = app.world("28268@2").await;
    complete_portfolio(&app, &w).await;
    let admin = app.browser(&w.admin);
    let page = admin
        .get(&app, &format!("/orgs/{}/audit?action=evidence.add", w.org))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(html.contains("Evidence add"), "{html}");
    assert!(!html.contains("Enrolment create"), "filtered by action");
    assert!(html.contains("Download these entries (CSV)"));
    assert!(html.contains("attest audit verify --file FILE"));
    let bad = admin
        .get(&app, &format!("/orgs/{}/audit?to=soon", w.org))
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.text().contains("value=\"soon\""),
        "what was typed is kept"
    );

    let candidate = app.browser(&w.candidate);
    let own = candidate
        .get(&app, &format!("/enrolments/{}/audit", w.enrolment))
        .await;
    assert_eq!(own.status, StatusCode::OK);
    assert!(own.text().contains("Enrolment create"));
    let portfolio = candidate
        .get(&app, &format!("/enrolments/{}", w.enrolment))
        .await;
    assert!(
        portfolio
            .text()
            .contains("Everything recorded about my portfolio")
    );
    let org = candidate.get(&app, &format!("/orgs/{}/audit", w.org)).await;
    assert_eq!(org.status, StatusCode::FORBIDDEN);
}
