//! The sign-off chain end to end: decision, IV sampling, statement, verification, revocation.

use actix_web::http::{Method, StatusCode};
use serde_json::json;

use crate::api;
use crate::helpers::{TestApp, World, backend_test};
use crate::portfolio::complete_portfolio;

backend_test!(decision_is_refused_with_the_gaps_until_the_unit_is_complete);
async fn decision_is_refused_with_the_gaps_until_the_unit_is_complete(app: TestApp) {
    let w = app.world("28268@2").await;
    let base = api::enrolment(&w.enrolment);
    let early = app.post_as(&w.assessor, &base.decision(), json!({})).await;
    assert_eq!(early.status, StatusCode::CONFLICT);
    assert!(
        early.json()["detail"]
            .as_str()
            .unwrap()
            .contains("not submitted")
    );

    let submitted = app
        .post_as(&w.candidate, &base.submit(), json!({"declaration": true}))
        .await;
    assert_eq!(submitted.status, StatusCode::OK);
    let refused = app.post_as(&w.assessor, &base.decision(), json!({})).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{:?}", app.backend);
    let gaps = refused.json()["gaps"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        !gaps.is_empty(),
        "the refusal lists the gaps: {}",
        refused.text()
    );
    assert!(
        gaps.iter().any(|g| g.as_str().unwrap().contains("enquir")),
        "{gaps:?}"
    );
}

backend_test!(the_whole_chain_to_a_verifiable_statement);
async fn the_whole_chain_to_a_verifiable_statement(app: TestApp) {
    let w = app.world("28268@2").await;
    let base = api::enrolment(&w.enrolment);
    complete_portfolio(&app, &w).await;
    let submitted = app
        .post_as(&w.candidate, &base.submit(), json!({"declaration": true}))
        .await;
    assert_eq!(submitted.status, StatusCode::OK);

    let decided = app
        .post_as(
            &w.assessor,
            &base.decision(),
            json!({"comments": "Consistent, confident handling of every enquiry."}),
        )
        .await;
    assert_eq!(
        decided.status,
        StatusCode::OK,
        "{:?}: {}",
        app.backend,
        decided.text()
    );
    assert_eq!(decided.json()["status"], "assessed");

    // The statement cannot be issued before the IV has sampled.
    let early = app
        .request_as(Some(&w.admin), Method::POST, &base.statement(), None)
        .await;
    assert_eq!(early.status, StatusCode::CONFLICT);
    assert!(!early.json()["gaps"].as_array().unwrap().is_empty());

    // Disagreeing needs feedback and action points, and sends the decision back.
    let bare = app
        .post_as(&w.iv, &base.samples(), json!({"decision": "disagree"}))
        .await;
    assert_eq!(bare.status, StatusCode::UNPROCESSABLE_ENTITY);
    let errors = bare.json()["errors"].clone();
    assert!(
        errors.get("feedback").is_some() && errors.get("action_points").is_some(),
        "{errors}"
    );
    let disagree = app
            .post_as(&w.iv, &base.samples(), json!({"decision": "disagree", "feedback": "Check 1.3 evidence", "action_points": "Re-observe one call"}))
            .await;
    assert_eq!(disagree.status, StatusCode::CREATED, "{}", disagree.text());
    let back = app.get_as(&w.assessor, &base).await.json();
    assert_eq!(back["enrolment"]["status"], "submitted");

    let again = app
        .post_as(
            &w.assessor,
            &base.decision(),
            json!({"responses": ["Re-observed a call: 1.3 shown"]}),
        )
        .await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.text());
    let agree = app
        .post_as(&w.iv, &base.samples(), json!({"decision": "agree"}))
        .await;
    assert_eq!(agree.status, StatusCode::CREATED, "{}", agree.text());
    assert_eq!(agree.json()["kind"], "summative");

    // Every signature is bound to the snapshot it signed.
    let chain = app.get_as(&w.admin, &base.signoffs()).await.json();
    assert_eq!(chain["status"]["can_issue"], true, "{}", chain["status"]);
    let current = chain["current_snapshot"].as_str().unwrap();
    let signatures = chain["sign_offs"].as_array().unwrap();
    let roles: Vec<&str> = signatures
        .iter()
        .map(|s| s["role"].as_str().unwrap())
        .collect();
    assert!(
        roles.contains(&"candidate")
            && roles.contains(&"assessor")
            && roles.contains(&"internal_verifier"),
        "{roles:?}"
    );
    let last = signatures.last().unwrap();
    assert_eq!(last["snapshot_hash"], current);

    let issued = app
        .request_as(Some(&w.admin), Method::POST, &base.statement(), None)
        .await;
    assert_eq!(
        issued.status,
        StatusCode::CREATED,
        "{:?}: {}",
        app.backend,
        issued.text()
    );
    let code = issued.json()["code"].as_str().unwrap().to_owned();
    let twice = app
        .request_as(Some(&w.admin), Method::POST, &base.statement(), None)
        .await;
    assert_eq!(twice.status, StatusCode::CONFLICT);

    let pdf = app.get_as(&w.candidate, &base.statement_pdf()).await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert!(pdf.body.starts_with(b"%PDF"));
    let again = app.get_as(&w.admin, &base.statement_pdf()).await;
    assert_eq!(pdf.body, again.body, "byte-identical on every download");
    let text = pdf_text(&pdf.body);
    for expected in [
        "User aroha@harbour.nz",
        "Communicate with contact centre customers",
        &code,
        "Greet customer",
    ] {
        assert!(text.contains(expected), "statement text lacks {expected:?}");
    }
    // Neither the IV's feedback to the assessor nor a superseded decision's comments.
    for private in ["Check 1.3 evidence", "Consistent, confident"] {
        assert!(!text.contains(private), "statement text shows {private:?}");
    }

    // The command line renders the same bytes, one statement or a batch.
    if app.backend == crate::helpers::Backend::Sqlite {
        let out = app.state.config.data_dir.join("statement.pdf");
        let run = std::process::Command::new(env!("CARGO_BIN_EXE_attest"))
            .args(["statement", &w.enrolment, "-o"])
            .arg(&out)
            .env("ATTEST_DATA_DIR", &app.state.config.data_dir)
            .env("ATTEST_STANDARDS_DIR", &app.state.config.standards_dir)
            .env_remove("ATTEST_DATABASE_URL")
            .output()
            .unwrap();
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        assert_eq!(std::fs::read(&out).unwrap(), pdf.body);
        let batch = std::process::Command::new(env!("CARGO_BIN_EXE_attest"))
            .args(["statements", "--org", "Harbour Training", "--out"])
            .arg(app.state.config.data_dir.join("batch"))
            .env("ATTEST_DATA_DIR", &app.state.config.data_dir)
            .env("ATTEST_STANDARDS_DIR", &app.state.config.standards_dir)
            .env_remove("ATTEST_DATABASE_URL")
            .output()
            .unwrap();
        assert!(
            batch.status.success(),
            "{}",
            String::from_utf8_lossy(&batch.stderr)
        );
        let written = std::fs::read(
            app.state
                .config
                .data_dir
                .join("batch")
                .join(format!("statement-{code}.pdf")),
        )
        .unwrap();
        assert_eq!(written, pdf.body);
    }

    badges_carry_the_statement(&app, &w, &code).await;

    // Anyone can verify; the admin can revoke.
    let verify = app
        .request_as(
            None,
            Method::GET,
            &format!("/verify/{}", code.to_lowercase().replace('-', "")),
            None,
        )
        .await;
    assert_eq!(verify.status, StatusCode::OK);
    assert!(verify.text().contains("Valid"));
    // Someone holding the printed statement types the code on the public page.
    let entry = app.get("/verify").await;
    assert_eq!(entry.status, StatusCode::OK);
    assert!(entry.text().contains("name=\"code\""));
    let typed = app
        .get(&format!("/verify?code={}", code.to_lowercase()))
        .await;
    assert_eq!(typed.status, StatusCode::SEE_OTHER);
    let landing = typed.header("location").unwrap_or_default().to_owned();
    assert!(
        app.get(&landing).await.text().contains("Valid"),
        "{landing}"
    );
    let json_reply = crate::helpers::get_json(&app, &format!("/verify/{code}")).await;
    assert_eq!(json_reply["status"], "valid");
    assert_eq!(json_reply["candidate"], "User aroha@harbour.nz");
    let revoke = app
        .post_as(
            &w.admin,
            &base.statement_revoke(),
            json!({"reason": "Issued to the wrong learner record"}),
        )
        .await;
    assert_eq!(revoke.status, StatusCode::OK, "{}", revoke.text());
    let after = crate::helpers::get_json(&app, &format!("/verify/{code}")).await;
    assert_eq!(after["status"], "revoked");
    assert_eq!(
        badges(&app, &w, &[]).await,
        json!([]),
        "a revoked statement has no badge"
    );
    revoked_until_issued_again(&app, &w, &base, &code).await;
    assert!(
        app.get(&format!("/verify/{code}"))
            .await
            .text()
            .contains("Revoked")
    );
    assert_eq!(
        app.get("/verify/ABCD-EFGH-JKMN").await.status,
        StatusCode::NOT_FOUND
    );
}

/// A revoked statement is not handed out, and the unit is not reported as achieved, until a
/// corrected statement is issued; the revoked code stays revoked.
async fn revoked_until_issued_again(app: &TestApp, w: &World, base: &str, code: &str) {
    let pdf = app.get_as(&w.admin, &format!("{base}/statement.pdf")).await;
    assert_eq!(pdf.status, StatusCode::CONFLICT, "{}", pdf.text());
    assert!(
        pdf.json()["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("revoked")
    );
    let results = format!("{}?include_reported=true", api::org(&w.org).results());
    let after = app.get_as(&w.admin, &results).await.text();
    assert!(after.contains(",not_yet_achieved,"), "{after}");
    let enrolment = app.get_as(&w.admin, base).await.json();
    assert_eq!(enrolment["enrolment"]["status"], "sampled");

    let reissued = app
        .request_as(
            Some(&w.admin),
            Method::POST,
            &format!("{base}/statement"),
            None,
        )
        .await;
    assert_eq!(reissued.status, StatusCode::CREATED, "{}", reissued.text());
    let new_code = reissued.json()["code"].as_str().unwrap().to_owned();
    assert_ne!(new_code, code);
    let again = app.get_as(&w.admin, &results).await.text();
    assert!(
        again.contains(",achieved,") && again.contains(&new_code),
        "{again}"
    );
    assert_eq!(
        crate::helpers::get_json(app, &format!("/verify/{code}")).await["status"],
        "revoked"
    );
    assert_eq!(
        crate::helpers::get_json(app, &format!("/verify/{new_code}")).await["status"],
        "valid"
    );
}

/// The organisation's badges, from the exports page's download with the form's `fields`.
async fn badges(app: &TestApp, w: &World, fields: &[(&str, &str)]) -> serde_json::Value {
    let reply = app
        .browser(&w.admin)
        .post(app, &format!("/orgs/{}/exports/badges", w.org), fields)
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{fields:?}: {}", reply.text());
    serde_json::from_slice(&reply.body).expect("a JSON array")
}

/// An issued statement gives one Open Badge, the same from the API and from the exports page,
/// whose filters apply; a bad filter comes back next to its field with what was typed.
async fn badges_carry_the_statement(app: &TestApp, w: &World, code: &str) {
    let api = app
        .get_as(
            &w.admin,
            &format!("{}?standard=28268", api::org(&w.org).badges()),
        )
        .await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.text());
    let all = api.json();
    assert_eq!(all.as_array().expect("an array").len(), 1, "{all}");
    let badge = &crate::helpers::claims(&all[0]);
    assert_eq!(
        badge["type"],
        json!(["VerifiableCredential", "OpenBadgeCredential"])
    );
    let achievement = &badge["credentialSubject"]["achievement"];
    assert_eq!(achievement["humanCode"], "28268");
    assert_eq!(achievement["version"], "2");
    assert!(
        badge["evidence"][0]["id"]
            .as_str()
            .is_some_and(|url| url.ends_with(&format!("/verify/{code}"))),
        "{badge}"
    );

    let page = badges(
        app,
        w,
        &[
            ("format", "csv"),
            ("standard", "28268@2"),
            ("from", ""),
            ("to", ""),
        ],
    )
    .await;
    assert_eq!(page[0], all[0], "the page sends the same badge");
    assert_eq!(
        badges(app, w, &[("standard", "28268"), ("to", "2000-01-01")]).await,
        json!([])
    );
    let refused = app
        .browser(&w.admin)
        .post(
            app,
            &format!("/orgs/{}/exports/badges", w.org),
            &[("from", "June"), ("standard", "28268")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = refused.text();
    assert!(html.contains("id=\"f-from-error\""), "{html}");
    assert!(html.contains("value=\"June\""), "what was typed is kept");
}

backend_test!(an_iv_never_samples_their_own_decisions);
async fn an_iv_never_samples_their_own_decisions(app: TestApp) {
    let w = app.world("28268@2").await;
    // The assessor also holds the IV role and is made the enrolment's IV's assessor too.
    app.tx(|c| {
        attest::identity::grant_role(
            c,
            None,
            w.assessor_id.parse().unwrap(),
            w.org.parse().unwrap(),
            attest::auth::policy::Role::InternalVerifier,
            None,
        )
    });
    let assessor_again = app.login("mere@harbour.nz").await;
    let reply = app
        .post_as(
            &assessor_again,
            &api::enrolment(&w.enrolment).samples(),
            json!({"decision": "agree"}),
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::FORBIDDEN,
        "{:?}: {}",
        app.backend,
        reply.text()
    );
    // The API refuses in the same words as the page: one action decides and explains.
    assert!(
        reply.json()["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("an internal verifier never samples their own decisions"),
        "{}",
        reply.text()
    );
}

backend_test!(sampling_plans_select_reproducibly_and_show_coverage);
async fn sampling_plans_select_reproducibly_and_show_coverage(app: TestApp) {
    let w = app.world("28268@2").await;
    let base = api::enrolment(&w.enrolment).path();
    complete_portfolio(&app, &w).await;
    let risk = app
        .put_as(
            &w.admin,
            &api::org(&w.org).assessor_risk(&w.assessor_id),
            json!({"risk": "high"}),
        )
        .await;
    assert_eq!(risk.status, StatusCode::NO_CONTENT, "{}", risk.text());
    let plan = app
            .post_as(&w.admin, &api::org(&w.org).sampling_plans(), json!({"iv_id": w.iv_id, "name": "Term 1", "kind": "interim", "period_start": "2024-01-01", "period_end": "2024-12-31", "seed": 42}))
            .await;
    assert_eq!(plan.status, StatusCode::CREATED, "{}", plan.text());
    let id = plan.json()["id"].as_str().unwrap().to_owned();
    let first = app
        .get_as(&w.iv, &api::sampling_plan(&id).path())
        .await
        .json();
    let second = app
        .get_as(&w.admin, &api::sampling_plan(&id).path())
        .await
        .json();
    assert_eq!(
        first["selection"], second["selection"],
        "the same data and seed give the same sample"
    );
    let selected: Vec<&str> = first["selection"]["selected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["enrolment_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        selected,
        vec![w.enrolment.as_str()],
        "{}",
        first["selection"]
    );
    assert!(first["selection"]["coverage"]["assessors"].is_object());
    let candidate_view = app
        .get_as(&w.candidate, &api::sampling_plan(&id).path())
        .await;
    assert_eq!(candidate_view.status, StatusCode::FORBIDDEN);
    let _ = base;
}

/// The statement's text as read back from the PDF, whitespace collapsed.
fn pdf_text(bytes: &[u8]) -> String {
    crate::pdf_reader::Pdf::parse(bytes).text()
}

backend_test!(a_provider_can_choose_another_reading_of_an_ambiguous_rule);
async fn a_provider_can_choose_another_reading_of_an_ambiguous_rule(app: TestApp) {
    let w = app.world("28268@2").await;
    complete_portfolio(&app, &w).await;
    let progress = api::enrolment(&w.enrolment).progress();
    let before = app.get_as(&w.assessor, &progress).await.json();
    assert_eq!(before["confirmed"]["complete"], true);
    let page_path = format!("/enrolments/{}?view=confirmed", w.enrolment);
    let page = app.browser(&w.assessor).get(&app, &page_path).await.text();
    assert!(!page.contains(r#"<ul class="gaps">"#), "{page}");

    let path = api::org(&w.org).interpretations("28268", "2");
    let bad = app.put_as(&w.admin, &path, json!({"N9": "nonsense"})).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.json()["errors"]["interpretations"].is_string());
    // Rule N9 read as "three customer needs per enquiry": the example shows fewer, so gaps appear.
    let set = app
        .put_as(&w.admin, &path, json!({"N9": "customer_needs"}))
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.text());
    let after = app.get_as(&w.assessor, &progress).await.json();
    assert_eq!(after["confirmed"]["complete"], false, "{:?}", app.backend);
    let gaps = after["confirmed"]["gaps"].to_string();
    assert!(gaps.contains("customer need"), "{gaps}");
    // The portfolio page reads the enrolment the same way as the API.
    let page = app
        .browser(&w.assessor)
        .get(&app, &format!("/enrolments/{}?view=confirmed", w.enrolment))
        .await
        .text();
    assert!(page.contains("customer need"), "{page}");
}
