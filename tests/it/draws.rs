//! Frozen sample draws: a plan's draw is kept as drawn (population, rates, ratings, selection),
//! downloadable with its hash, re-run offline by `attest sampling verify`, and drawn again only as
//! a new, audited event. On every backend.

use actix_web::http::{Method, StatusCode};
use chrono::{TimeDelta, Utc};
use serde_json::{Value, json};
use sha2::Digest;

use crate::api;
use crate::helpers::{TestApp, World, backend_test, complete_portfolio};
use attest::auth::policy::Role;

fn attest() -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_attest"));
    cmd.env("RUST_LOG", "warn");
    cmd
}

/// Runs `attest sampling verify` on `bytes`; returns the exit code and what it printed.
fn verify(bytes: &[u8]) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("draw.json");
    std::fs::write(&file, bytes).unwrap();
    let out = attest()
        .args(["sampling", "verify"])
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

/// An external verifier of the world's organisation; returns their token.
async fn external_verifier(app: &TestApp, w: &World) -> String {
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
    app.login("ev@sqa.org.uk").await
}

async fn enrol_another(app: &TestApp, w: &World, email: &str) {
    let candidate = app.seed_user(&w.org, email, "candidate");
    let created = app
        .request_as(
            Some(&w.admin),
            Method::POST,
            api::ENROLMENTS,
            Some(
                json!({"org_id": w.org, "candidate_id": candidate, "assessor_id": w.assessor_id,
                "iv_id": w.iv_id, "standard": "28268@2", "start_date": "2024-05-01"}),
            ),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
}

async fn plan_view(app: &TestApp, token: &str, id: &str) -> Value {
    let reply = app.get_as(token, &api::sampling_plan(id).path()).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    reply.json()
}

backend_test!(a_draw_is_kept_as_drawn_and_an_external_verifier_can_rerun_it);
async fn a_draw_is_kept_as_drawn_and_an_external_verifier_can_rerun_it(app: TestApp) {
    let w = app.world("28268@2").await;
    complete_portfolio(&app, &w).await;
    enrol_another(&app, &w, "wiremu@harbour.nz").await;
    let rated = app
        .put_as(
            &w.admin,
            &api::org(&w.org).assessor_risk(&w.assessor_id),
            json!({"risk": "low"}),
        )
        .await;
    assert_eq!(rated.status, StatusCode::NO_CONTENT);
    let created = app
        .request_as(
            Some(&w.admin),
            Method::POST,
            &api::org(&w.org).sampling_plans(),
            Some(
                json!({"iv_id": w.iv_id, "name": "Term 1", "kind": "interim",
                    "period_start": "2024-01-01", "period_end": "2024-12-31", "seed": 42}),
            ),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let id = created.json()["id"].as_str().unwrap().to_owned();
    let drawn = plan_view(&app, &w.iv, &id).await;
    assert_eq!(drawn["population"].as_array().unwrap().len(), 2);
    assert_eq!(drawn["inputs"]["assessors"][0]["risk"], "low");
    assert_eq!(drawn["inputs"]["rates"]["low"], 10);
    assert_eq!(drawn["draws"].as_array().unwrap().len(), 1);

    // Today's data changes: a third enrolment, another rating. The draw does not.
    enrol_another(&app, &w, "hemi@harbour.nz").await;
    let rerated = app
        .put_as(
            &w.admin,
            &api::org(&w.org).assessor_risk(&w.assessor_id),
            json!({"risk": "new"}),
        )
        .await;
    assert_eq!(rerated.status, StatusCode::NO_CONTENT);
    let ev = external_verifier(&app, &w).await;
    let later = plan_view(&app, &ev, &id).await;
    for part in ["selection", "population", "inputs", "draw"] {
        assert_eq!(later[part], drawn[part], "{part} is kept as drawn");
    }

    // The EV downloads the record: the bytes hash to what the plan shows, and re-run offline
    // they give the same selection.
    let draw_id = later["draw"]["id"].as_str().unwrap();
    let download = app
        .get_as(&ev, &api::sampling_plan(&id).draw(draw_id))
        .await;
    assert_eq!(download.status, StatusCode::OK, "{}", download.text());
    let sha = hex::encode(sha2::Sha256::digest(&download.body));
    assert_eq!(download.header("X-Content-SHA256"), Some(sha.as_str()));
    assert_eq!(later["draw"]["record_sha256"], sha.as_str());
    let (code, said) = verify(&download.body);
    assert_eq!(code, 0, "{said}");
    assert!(said.contains("identical"), "{said}");
    assert!(said.contains(&sha), "the file's hash is printed: {said}");

    // A record whose selection was edited, or whose population was, does not check out.
    let mut record = download.json();
    record["selection"]["selected"] = json!([]);
    let (code, said) = verify(record.to_string().as_bytes());
    assert_eq!(code, 1, "{said}");
    assert!(
        said.contains("different") && said.contains("selected"),
        "{said}"
    );
    let mut record = download.json();
    record["input"]["assessors"][0]["risk"] = json!("new");
    record["pool"][1]["assessor_id"] = json!("someone-else");
    let (code, said) = verify(record.to_string().as_bytes());
    assert_eq!(code, 1, "{said}");
    let (code, said) = verify(b"{\n  \"format\": \"attest-sample-draw\",\n  oops\n}");
    assert_eq!(code, 2, "{said}");
    assert!(said.contains("draw.json:3:"), "file:line named: {said}");

    // The candidate may not read plans; the EV may not draw.
    let denied = app
        .get_as(&w.candidate, &api::sampling_plan(&id).draw(draw_id))
        .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    let ev_draw = app
        .post_as(
            &ev,
            &api::sampling_plan(&id).draws(),
            json!({"reason": "curious"}),
        )
        .await;
    assert_eq!(ev_draw.status, StatusCode::FORBIDDEN);

    // Drawing again needs a reason, keeps the first draw and is audited.
    let unexplained = app
        .post_as(
            &w.iv,
            &api::sampling_plan(&id).draws(),
            json!({"reason": "  "}),
        )
        .await;
    assert_eq!(unexplained.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unexplained.json()["errors"]["reason"].is_string());
    let again = app
        .post_as(
            &w.iv,
            &api::sampling_plan(&id).draws(),
            json!({"reason": "a new enrolment joined"}),
        )
        .await;
    assert_eq!(again.status, StatusCode::CREATED, "{}", again.text());
    let redrawn = plan_view(&app, &w.admin, &id).await;
    assert_eq!(redrawn["population"].as_array().unwrap().len(), 3);
    assert_eq!(redrawn["inputs"]["assessors"][0]["risk"], "new");
    assert_eq!(redrawn["draws"].as_array().unwrap().len(), 2);
    assert_eq!(redrawn["draws"][1]["id"], draw_id, "the first draw stays");
    let first_again = app
        .get_as(&ev, &api::sampling_plan(&id).draw(draw_id))
        .await;
    assert_eq!(
        first_again.body, download.body,
        "the first record is unchanged"
    );
    let audited = app.tx(|c| Ok(attest::audit::history(c, "sampling_plan", &id)?));
    let draws: Vec<&str> = audited
        .iter()
        .filter(|e| e.action == "sampling_plan.draw")
        .map(|e| e.after_json.as_deref().unwrap_or_default())
        .collect();
    assert_eq!(draws.len(), 2);
    assert!(draws[1].contains("a new enrolment joined"), "{draws:?}");
}

backend_test!(the_plan_page_shows_the_population_as_at_its_draw);
async fn the_plan_page_shows_the_population_as_at_its_draw(app: TestApp) {
    let w = app.world("28268@2").await;
    let plan = app.tx(|c| {
        attest::signoff::plans::create_plan(
            c,
            &app.state.catalogue,
            w.org.parse().unwrap(),
            &w.iv_id,
            serde_json::from_value(json!({"iv_id": w.iv_id, "name": "Term 1",
                    "kind": "interim", "period_start": "2024-01-01", "period_end": "2024-12-31",
                    "seed": 7}))
            .unwrap(),
            Utc::now(),
        )
    });
    let ev = external_verifier(&app, &w).await;
    let page = app
        .browser(&ev)
        .get(&app, &format!("/sampling-plans/{}", plan.id))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(html.contains("1 enrolments, population as at"), "{html}");
    assert!(html.contains("Download the draw record (JSON)"));
    assert!(html.contains("Rates and risk ratings this draw used"));
    assert!(!html.contains("Draw again"), "an EV only reads");

    let iv = app.browser(&w.iv);
    let refused = iv
        .post(
            &app,
            &format!("/sampling-plans/{}/draws", plan.id),
            &[("reason", "")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = refused.text();
    assert!(html.contains("Say why the plan is drawn again"), "{html}");
    let redrawn = iv
        .post(
            &app,
            &format!("/sampling-plans/{}/draws", plan.id),
            &[("reason", "term started")],
        )
        .await;
    assert_eq!(redrawn.status, StatusCode::SEE_OTHER);
    let html = iv
        .get(&app, &format!("/sampling-plans/{}", plan.id))
        .await
        .text();
    assert!(html.contains("Earlier draws (1)"), "{html}");
    assert!(html.contains("term started"));
}
